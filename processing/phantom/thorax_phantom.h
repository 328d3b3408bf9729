#pragma once
// Deterministic synthetic thoracic CT phantom with closed-form ground truth.
//
// The anatomy (body, lungs, airways, spine, ribs, sternum, heart, aorta,
// coronary arteries and calcifications, a lung tumour) is defined in patient
// millimetres (DICOM LPS) independently of the sampling; the options choose how
// it is sampled and where the tumour sits. Voxels are classified by testing
// their centres against the analytic shapes (no partial volume), HU values are
// derived from the tissue label plus texture and seeded noise. See docs/phantom.md.

#include "processing/phantom/phantom_truth.h"
#include "processing/volume.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace radnode::processing::phantom {

/// Default tumour centre (patient mm): in the right upper lung, at least 3 mm of
/// lung around a sphere of up to kMaxTumourRadiusMm.
inline constexpr Point3 kDefaultTumourCentreMm{-75.0, -5.0, 40.0};

/// Documented juxtapleural example (use with tumour_in_lung = false): near the
/// right lung's lateral edge (about x = -134 mm at this height), so a sphere of
/// radius >= 6 mm reaches into the chest wall.
inline constexpr Point3 kJuxtapleuralTumourCentreMm{-128.0, -5.0, 40.0};

/// Sampling and randomness of a phantom, and where its tumour sits; the rest of
/// the anatomy is fixed.
struct PhantomOptions {
    std::uint64_t seed = 1;
    std::size_t columns = 512;       ///< image width (x, patient left)
    std::size_t rows = 512;          ///< image height (y, patient posterior)
    std::size_t slices = 100;        ///< contiguous axial slices centred on slab_centre_z_mm
    double pixel_spacing_mm = 0.7;   ///< square pixels; 512 x 0.7 mm = 358 mm field of view
    double slice_thickness_mm = 3.0; ///< also the slice increment (contiguous slices)
    double slab_centre_z_mm = 0.0;   ///< slice centres are symmetric about this z
    double tumour_radius_mm = 15.0;  ///< at most kMaxTumourRadiusMm
    Point3 tumour_centre_mm = kDefaultTumourCentreMm;
    /// Require the tumour plus kTumourMarginMm to lie in the right lung; false
    /// allows a juxtapleural (or any other) position, painted over what it covers.
    bool tumour_in_lung = true;
    double noise_hu = 5.0; ///< standard deviation of the additive noise (0 = none)
    unsigned threads = 0;  ///< worker threads; 0 = hardware concurrency
};

/// Largest tumour radius that still fits inside the right lung with a margin.
inline constexpr double kMaxTumourRadiusMm = 30.0;

/// Right lung required around the tumour sphere while tumour_in_lung holds; the
/// sampled volume must contain the sphere plus this margin in every case.
inline constexpr double kTumourMarginMm = 3.0;

/// Upper bound applied to every non-bone, non-calcium voxel after noise, so that
/// noise can never create spurious calcium (>= 130 HU) next to a lesion.
inline constexpr std::int16_t kSoftTissueCeilingHu = 120;

/// The tumour outline on one slice: a closed planar polygon in patient mm.
struct TumourContour {
    std::size_t slice_index = 0;
    double z_mm = 0.0;
    std::vector<Point3> points; ///< 72 vertices on the circle where the slice cuts the sphere
};

/// Output of the generator.
struct ThoraxPhantom {
    CtVolume ct;                                ///< HU, x-fastest, slice k at z = origin.z + k * thickness
    LabelMap labels;                            ///< Tissue values
    LabelMap tumour_mask;                       ///< 1 where the voxel centre lies inside the tumour sphere
    std::vector<TumourContour> tumour_contours; ///< one per slice whose plane cuts the sphere
    PhantomTruth truth;
};

/// Generates the phantom. Throws std::invalid_argument when the options are out
/// of range, the sampled slab / field of view does not contain the whole tumour
/// (plus margin), the tumour reaches a calcification, or (tumour_in_lung) the
/// tumour plus margin leaves the right lung.
[[nodiscard]] ThoraxPhantom GenerateThoraxPhantom(const PhantomOptions& options);

/// Geometry (size, spacing, origin, identity direction) the options produce.
[[nodiscard]] ImageGeometry PhantomGeometry(const PhantomOptions& options);

/// Stable lower_snake_case name of a tissue class, e.g. "right_lung".
[[nodiscard]] std::string_view TissueName(Tissue tissue);

/// Nominal HU of a tissue class before texture and noise (calcifications: 0,
/// their values are per lesion).
[[nodiscard]] std::int16_t TissueHu(Tissue tissue);

/// Stable name of a calcification kind: "coronary" or "aortic".
[[nodiscard]] std::string_view CalcificationKindName(CalcificationKind kind);

/// Agatston density weight of a peak HU: 0 below 130, 1 for 130-199, 2 for
/// 200-299, 3 for 300-399, 4 for >= 400.
[[nodiscard]] int AgatstonWeight(double peak_hu);

/// Risk category of an Agatston score: "0", "1-10", "11-100", "101-400" or ">400".
[[nodiscard]] std::string_view AgatstonRiskCategory(double agatston);

} // namespace radnode::processing::phantom
