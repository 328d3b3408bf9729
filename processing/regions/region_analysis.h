#pragma once
/// Every automatic region of one thoracic CT and its coronary calcium, in the order a pipeline
/// needs them: thorax regions (thorax_regions.h), the tumour's peritumoral regions clipped as
/// configured (peritumoral.h), and the CAC score on the coronary candidate region
/// (cac/calcium_score.h). Used by `radnode segment` and the node's analysis; nothing here
/// reads files or settings.

#include "processing/cac/calcium_score.h"
#include "processing/regions/box_mask.h"
#include "processing/regions/peritumoral.h"
#include "processing/regions/thorax_regions.h"
#include "processing/volume.h"

#include <optional>
#include <string>
#include <vector>

namespace radnode::processing::regions {

struct RegionAnalysisSettings {
    ThoraxSettings thorax;
    /// Its `clip` selects the lungs' union or the body; lungs by default, as the configuration.
    PeritumoralSettings peritumoral = [] {
        PeritumoralSettings s;
        s.clip = PeritumoralClip::Lungs;
        return s;
    }();
    cac::CacSettings cac;
};

/// A region with voxels, by name (see RegionAnalysis::Masks).
struct NamedMask {
    std::string name;
    const BoxMask* mask = nullptr;
    double volume_ml = 0.0;
};

/// The regions and scores of one CT. A part that could not be computed says why; nothing is
/// silently replaced (no unclipped rings when the clip mask is missing, no CAC of 0 without a
/// heart region).
struct RegionAnalysis {
    ThoraxRegions thorax;
    DerivedRegion lungs;  ///< both lungs (tumour included), the usual "whole lung" region
    DerivedRegion tumour; ///< the tumour given (found = false when none was given)

    bool peritumoral_computed = false;
    std::string peritumoral_reason; ///< why not, when not computed
    PeritumoralResult peritumoral;

    cac::CalciumScore cac; ///< computed = false with its reason when the heart was not found

    std::vector<std::string> notes;

    /// The tumour, then body, airways, right and left lung, both lungs, heart, aorta and coronary
    /// candidates: every DerivedRegion, found or not, in the order reports list them.
    [[nodiscard]] std::vector<const DerivedRegion*> Regions() const {
        return {&tumour, &thorax.body, &thorax.airways, &thorax.lung_right, &thorax.lung_left,
                &lungs,  &thorax.heart, &thorax.aorta, &thorax.coronary_candidates};
    }
    /// Every region with voxels: the found ones of Regions(), then the non-empty peritumoral
    /// regions; what gets radiomics, a SEG segment and an SR group.
    [[nodiscard]] std::vector<NamedMask> Masks() const;
};

/// Runs the whole analysis. `tumour` may be empty (no tumour mask: no peritumoral regions, said
/// so). `kvp` is the CT's KVP when known (selects a cac.kvp_thresholds entry).
[[nodiscard]] RegionAnalysis AnalyseRegions(const CtVolume& ct, const BoxMask& tumour,
                                            const RegionAnalysisSettings& settings,
                                            std::optional<double> kvp = std::nullopt);

} // namespace radnode::processing::regions
