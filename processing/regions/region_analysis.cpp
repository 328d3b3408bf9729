#include "processing/regions/region_analysis.h"

#include <utility>

namespace radnode::processing::regions {

RegionAnalysis AnalyseRegions(const CtVolume& ct, const BoxMask& tumour, const RegionAnalysisSettings& settings,
                              std::optional<double> kvp) {
    RegionAnalysis out;
    const ImageGeometry& grid = ct.Geometry();
    const BoxMask tight_tumour = Tighten(tumour);

    out.tumour.name = "tumour";
    out.tumour.found = !tight_tumour.Empty();
    out.tumour.reason = out.tumour.found ? "" : "no tumour mask given";
    out.tumour.mask = tight_tumour;
    Measure(out.tumour, grid);

    out.thorax = SegmentThorax(ct, tight_tumour, settings.thorax);

    out.lungs.name = "lungs";
    out.lungs.mask = Union(out.thorax.lung_right.mask, out.thorax.lung_left.mask);
    out.lungs.found = !out.lungs.mask.Empty();
    if (!out.lungs.found)
        out.lungs.reason = out.thorax.lung_right.reason.empty() ? "no lung found" : out.thorax.lung_right.reason;
    Measure(out.lungs, grid);

    if (!out.tumour.found) {
        out.peritumoral_reason = "no tumour mask";
    } else {
        const BoxMask* clip = nullptr;
        switch (settings.peritumoral.clip) {
        case PeritumoralClip::None:
            break;
        case PeritumoralClip::Lungs:
            clip = &out.lungs.mask;
            if (!out.lungs.found)
                out.peritumoral_reason = "peritumoral.clip is lungs but no lung was found (" + out.lungs.reason + ")";
            break;
        case PeritumoralClip::Body:
            clip = &out.thorax.body.mask;
            if (!out.thorax.body.found)
                out.peritumoral_reason = "peritumoral.clip is body but no body was found (" + out.thorax.body.reason + ")";
            break;
        }
        if (out.peritumoral_reason.empty()) {
            out.peritumoral = BuildPeritumoralRegions(tight_tumour, grid, settings.peritumoral, clip);
            out.peritumoral_computed = out.peritumoral.IsOk();
            if (!out.peritumoral_computed)
                out.peritumoral_reason = std::string(PeritumoralStatusName(out.peritumoral.status)) + ": " +
                                         out.peritumoral.reason;
        }
    }

    if (!out.thorax.coronary_candidates.found) {
        out.cac.computed = false;
        out.cac.reason = "no coronary candidate region: " + (out.thorax.heart.found ? out.thorax.coronary_candidates.reason
                                                                                   : "heart region not found (" +
                                                                                         out.thorax.heart.reason + ")");
    } else {
        out.cac = cac::ScoreCalcium(ct, out.thorax.coronary_candidates.mask, settings.cac, kvp);
    }
    return out;
}

std::vector<NamedMask> RegionAnalysis::Masks() const {
    std::vector<NamedMask> out;
    for (const DerivedRegion* r : Regions())
        if (r->found && !r->mask.Empty())
            out.push_back({r->name, &r->mask, r->volume_ml});
    if (peritumoral_computed)
        for (const PeritumoralRegion& r : peritumoral.regions)
            if (!r.mask.Empty())
                out.push_back({r.name, &r.mask, r.volume_ml});
    return out;
}

} // namespace radnode::processing::regions
