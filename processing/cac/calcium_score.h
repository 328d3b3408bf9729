#pragma once
/// Coronary artery calcium (CAC) scores of a non-contrast CT inside a candidate region.
///
/// Definitions (per axial slice k, candidate voxels only, T = threshold):
/// - Lesion: a connected component (4- or 8-connected in the slice) of candidate pixels with
///   HU >= T. Its area is pixels x pixel area; components below `min_lesion_area_mm2` are
///   listed but excluded. Agatston et al., J Am Coll Cardiol 1990;15:827-832: T = 130 HU,
///   area >= 1 mm2, contiguous 3 mm slices.
/// - Agatston weight from the lesion's peak HU on that slice: 1 for [T, 200), 2 for
///   [200, 300), 3 for [300, 400), 4 for >= 400 (Agatston 1990; the first band starts at T
///   when T != 130, the upper bands stay at 200/300/400 HU).
/// - agatston_raw = sum over slices and lesions of area x weight; agatston_scaled = raw x slice
///   increment / 3 mm, the usual normalisation of thinner or overlapping reconstructions to
///   the 3 mm of the original method (each slice stands for one increment of z).
/// - Volume score = pixels >= T of scored lesions x voxel volume, voxel volume = pixel area x
///   slice increment (Callister et al., Radiology 1998;208:807-814, without interpolation).
/// - Mass score = sum over the same voxels of HU x voxel volume x c, c in mg/mm3 per HU
///   (= V x mean HU x c; Hong et al., Radiology 2002;223:474-480; McCollough et al.,
///   Radiology 2007;243:527-538). c must come from a hydroxyapatite calibration phantom on
///   the actual scanner and protocol; the default 0.001 (1 mg/cm3 per HU) is a nominal value
///   matching the synthetic phantom, not a scanner calibration.
/// - Risk category from agatston_scaled: "0", "1-10" (0, 10], "11-100" (10, 100],
///   "101-400" (100, 400], ">400" (Rumberger et al., Mayo Clin Proc 1999;74:243-252).
/// - 3D lesions: the voxels of scored 2D lesions grouped 26-connected across slices.
/// Voxel values are used as stored (no interpolation, no partial-volume correction).

#include "processing/regions/box_mask.h"
#include "processing/volume.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::processing::cac {

/// In-slice connectivity of lesion pixels: edges only (4) or edges and corners (8).
enum class LesionConnectivity { Four, Eight };

/// Where the threshold of a score came from.
enum class ThresholdSource { Fixed, FromKvp };

/// Scoring rules. The defaults are the Agatston 1990 conventions.
struct CacSettings {
    /// Calcium threshold in HU used unless the kVp table gives one (130 HU: Agatston 1990;
    /// at 120 kVp it corresponds to about 100 mg/cm3 hydroxyapatite).
    double threshold_hu = 130.0;
    /// Optional tube-voltage-specific thresholds, kVp (rounded to an integer) -> HU, used when
    /// the CT's KVP is known and listed. Empty by default: published low-kVp thresholds
    /// depend on the scanner, reconstruction and noise (e.g. Int J Cardiovasc Imaging
    /// 2022;38:2227 for 80/70 kVp; J Appl Clin Med Phys 2020;21:111 for 0.5 mm iterative
    /// reconstructions at 80-120 kVp), and vendors' kV-independent reconstructions already
    /// produce 120 kV-equivalent HU. Fill it only from a site's own phantom calibration.
    std::map<int, double> kvp_thresholds_hu;
    LesionConnectivity connectivity = LesionConnectivity::Eight;
    /// Lesions with a smaller area are excluded (Agatston 1990: 1 mm2).
    double min_lesion_area_mm2 = 1.0;
    /// Mass calibration factor c, mg per mm3 per HU (see the file comment).
    double mass_calibration_mg_per_mm3_per_hu = 0.001;
    /// The slice increment Agatston scores are normalised to.
    double reference_slice_increment_mm = 3.0;
};

/// One lesion: a connected component on one axial slice.
struct CacLesion {
    std::size_t slice_index = 0; ///< k in the CT grid
    double z_mm = 0.0;           ///< patient z of the centroid
    /// Pixels of the component. Components are made of pixels >= threshold, so this equals
    /// `pixels_at_or_above_threshold`; both are kept to mirror the phantom truth.
    std::size_t pixel_count = 0;
    std::size_t pixels_at_or_above_threshold = 0;
    double area_mm2 = 0.0;
    std::int16_t peak_hu = 0;
    /// Contributions to the scores; 0 when the lesion is excluded.
    int weight = 0;
    double agatston = 0.0; ///< area x weight, before slice-increment scaling
    double volume_mm3 = 0.0;
    double mass_mg = 0.0;
    Point3 centroid_mm{}; ///< mean of the pixel centres, patient LPS
    bool scored = false;
    std::string exclusion_reason; ///< empty when scored
    int lesion_3d = -1;           ///< index of its 3D lesion (scored lesions), else -1
};

/// Scores over the candidate region. When `computed` is false the numbers are meaningless
/// (never a zero score) and `reason` says why.
struct CalciumScore {
    bool computed = false;
    std::string reason;

    double threshold_hu = 130.0;
    ThresholdSource threshold_source = ThresholdSource::Fixed;
    std::string threshold_reason; ///< e.g. "130 HU fixed (kVp unknown)"
    std::optional<double> kvp;

    double agatston_raw = 0.0;
    double agatston_scaled = 0.0;
    double slice_increment_mm = 0.0;           ///< used for scaling and the voxel volume
    double reference_slice_increment_mm = 3.0; ///< scaled = raw x increment / reference
    std::string scaling;                       ///< the convention in words
    double volume_mm3 = 0.0;
    double mass_mg = 0.0;
    double mass_calibration_mg_per_mm3_per_hu = 0.001;
    std::string risk_category; ///< "0", "1-10", "11-100", "101-400", ">400"

    std::size_t lesion_count = 0;    ///< scored 2D lesions
    std::size_t lesion_count_3d = 0; ///< scored voxels grouped 26-connected
    std::size_t candidate_voxels = 0;
    std::vector<CacLesion> lesions; ///< scored and excluded, by slice then first pixel
};

/// The threshold a score uses and why.
struct ThresholdChoice {
    double threshold_hu = 130.0;
    ThresholdSource source = ThresholdSource::Fixed;
    std::string reason;
};

/// The settings' threshold, or the kVp table's entry for `kvp` when it has one.
[[nodiscard]] ThresholdChoice SelectThreshold(const CacSettings& settings, std::optional<double> kvp);

/// Agatston weight of a lesion peak: 0 below `threshold_hu`, else the band of the peak
/// (1: < 200, 2: < 300, 3: < 400, 4: >= 400 HU).
[[nodiscard]] int AgatstonWeight(double peak_hu, double threshold_hu = 130.0);

/// Risk category of a (scaled) Agatston score.
[[nodiscard]] std::string_view RiskCategory(double agatston_scaled);

/// Scores the calcium of `ct` inside `candidates` (the coronary candidate region on the CT
/// grid). `kvp` is the CT's KVP when known; `slice_increment_mm` overrides the grid's z
/// spacing. Not computed (with a reason) when the region is empty ("no heart region"), lies
/// outside the grid, the slices are not axial or the settings are invalid.
[[nodiscard]] CalciumScore ScoreCalcium(const CtVolume& ct, const regions::BoxMask& candidates,
                                        const CacSettings& settings, std::optional<double> kvp = std::nullopt,
                                        std::optional<double> slice_increment_mm = std::nullopt);

} // namespace radnode::processing::cac
