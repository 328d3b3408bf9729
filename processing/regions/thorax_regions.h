#pragma once
/// The automatic regions of a thoracic CT, without trained weights: body, airways, left and
/// right lung, the heart / pericardial region between the lungs, the aorta, and the coronary
/// candidate region for calcium scoring. Algorithms, parameters and failure modes are described
/// in docs/segmentation.md; each step is a threshold, connected components, slice-wise hole
/// filling or a Euclidean-distance morphology, so a reviewer can follow it.

#include "processing/regions/box_mask.h"
#include "processing/volume.h"

#include <cstddef>
#include <string>
#include <vector>

namespace radnode::processing::regions {

/// Parameters of the thorax segmentation (config: segmentation.*).
struct ThoraxSettings {
    double body_threshold_hu = -500.0;  ///< body = largest component above this
    double lung_threshold_hu = -400.0;  ///< air-like voxels inside the body
    double min_lung_volume_ml = 50.0;   ///< smaller air components are not lungs
    double airway_threshold_hu = -950.0; ///< trachea/bronchi lumen, grown from the trachea
    double airway_max_volume_ml = 300.0; ///< a larger airway tree is a leak into the lungs
    double lung_closing_mm = 5.0;       ///< closing radius per lung (juxtapleural vessels, nodules)
    double calcium_threshold_hu = 130.0; ///< the closing adds no voxel this dense (cac.threshold_hu)
    double chest_wall_mm = 15.0;        ///< the heart region keeps this far inside the body surface
    double bone_threshold_hu = 200.0;   ///< bone: components above this ...
    double bone_min_volume_ml = 1.0;    ///< ... of at least this volume (calcifications are smaller)
    double bone_margin_mm = 3.0;        ///< removed around bone from the coronary candidates
    double metal_threshold_hu = 2500.0; ///< metal (wires, valves, pacemaker leads)
    double metal_margin_mm = 5.0;       ///< removed around metal (streaks)
    double aorta_margin_mm = 3.0;       ///< removed around the found aorta (its wall)
    double aorta_min_radius_mm = 8.0;   ///< descending aorta: a round soft-tissue section ...
    double aorta_max_radius_mm = 20.0;  ///< ... of this radius range beside the spine
};

/// One derived region: found or not (with the reason), its voxels, and diagnostics.
struct DerivedRegion {
    std::string name;
    bool found = false;
    std::string reason; ///< why it was not found (empty when found)
    BoxMask mask;
    std::size_t voxel_count = 0;
    double volume_ml = 0.0;
};

/// Every region SegmentThorax derives, plus what it located on the way.
struct ThoraxRegions {
    DerivedRegion body;
    DerivedRegion airways;
    DerivedRegion lung_right;
    DerivedRegion lung_left;
    DerivedRegion heart;               ///< pericardial region between the lungs
    DerivedRegion aorta;               ///< the aorta sections found (descending, ascending)
    DerivedRegion coronary_candidates; ///< heart minus bone, aorta and metal margins
    int carina_slice = -1;             ///< slice index of the tracheal bifurcation, -1 if unknown
    std::vector<std::string> notes;    ///< what was assumed or skipped, for the report
};

/// Derives the regions from a CT in HU. `tumour` (may be empty) is added back to the lung that
/// contains it. Never throws for unusual anatomy: regions that cannot be found say why.
ThoraxRegions SegmentThorax(const CtVolume& ct, const BoxMask& tumour, const ThoraxSettings& settings);

/// Fills a DerivedRegion's counts from its mask (voxel volume from `geometry`).
void Measure(DerivedRegion& region, const ImageGeometry& geometry);

} // namespace radnode::processing::regions
