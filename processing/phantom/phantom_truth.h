#pragma once
// Ground truth reported by the thoracic phantom generator. Every number is
// computed from the generator's own label map and HU volume, never by reading
// the DICOM it is later written to, so tests can compare against it exactly.

#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace radnode::processing::phantom {

/// Tissue classes of the phantom's label map (values stored in the LabelMap).
enum class Tissue : std::uint8_t {
    Air = 0,             ///< outside the body
    SubcutaneousFat = 1, ///< fat layer under the skin
    SoftTissue = 2,      ///< chest wall muscle, mediastinum, airway walls, discs
    RightLung = 3,       ///< right lung parenchyma
    LeftLung = 4,        ///< left lung parenchyma
    RightLungVessel = 5, ///< vessels inside the right lung (part of the lung volume)
    LeftLungVessel = 6,  ///< vessels inside the left lung (part of the lung volume)
    Airway = 7,          ///< trachea and main bronchi lumen
    CorticalBone = 8,    ///< vertebral cortex and posterior elements
    CancellousBone = 9,  ///< vertebral body interior
    Rib = 10,
    Sternum = 11,
    Aorta = 12, ///< ascending aorta, arch, descending aorta (wall and lumen)
    Myocardium = 13,
    BloodPool = 14, ///< cardiac chambers, non-contrast
    EpicardialFat = 15,
    CoronaryArtery = 16,  ///< coronary artery tubes in the epicardial fat
    Tumour = 17,          ///< the lung tumour sphere
    CoronaryCalcium = 18, ///< coronary calcifications (scored)
    AorticCalcium = 19,   ///< aortic wall calcification (not coronary)
    MediastinalFat = 20,  ///< fat between the lungs around the great vessels and airways
};

/// Number of tissue classes (labels 0 .. kTissueCount-1).
inline constexpr std::size_t kTissueCount = 21;

/// Where a calcification sits; only coronary lesions enter the CAC scores.
enum class CalcificationKind { Coronary, Aortic };

/// One calcification on one slice (a single 8-connected component by construction).
struct LesionSliceTruth {
    std::size_t slice_index = 0; ///< k in the volume (z ascending)
    double z_mm = 0.0;           ///< z of the slice centre
    std::size_t pixel_count = 0; ///< pixels of the lesion on this slice
    std::size_t pixels_at_or_above_threshold = 0;
    double area_mm2 = 0.0;    ///< pixels >= threshold x pixel area
    std::int16_t peak_hu = 0; ///< maximum HU of the lesion on this slice
    int agatston_weight = 0;  ///< 0 when excluded, else 1..4
    double agatston = 0.0;    ///< area_mm2 x weight (0 when excluded)
    bool scored = false;      ///< counted in the coronary scores
};

/// Truth for one calcification (voxel-aligned box with exact HU values).
struct CalcificationTruth {
    std::string id;
    CalcificationKind kind = CalcificationKind::Coronary;
    std::string location;                   ///< e.g. "LAD", "descending aorta"
    std::int16_t peak_hu = 0;               ///< maximum HU over all its voxels
    Point3 centroid_mm{};                   ///< mean of its voxel centres
    std::array<std::size_t, 3> index_min{}; ///< inclusive voxel bounding box
    std::array<std::size_t, 3> index_max{};
    std::size_t voxel_count = 0;
    double volume_mm3 = 0.0;
    std::vector<LesionSliceTruth> slices;
    /// Contributions to the coronary scores (0 unless coronary and scored).
    double agatston = 0.0;
    double volume_score_mm3 = 0.0;
    double mass_mg = 0.0;
    bool scored = false;
    std::string exclusion_reason; ///< empty when scored
};

/// Expected coronary artery calcium scores over the coronary lesions only.
struct CalciumScoreTruth {
    double threshold_hu = 130.0;
    double min_area_mm2 = 1.0;
    double slice_increment_mm = 3.0;
    double agatston_raw = 0.0;    ///< sum over slices of area x weight
    double agatston_scaled = 0.0; ///< agatston_raw x slice_increment / 3 mm
    double volume_mm3 = 0.0;      ///< voxels >= threshold in scored components x voxel volume
    double mass_mg = 0.0;         ///< sum(HU x voxel volume) x calibration
    double mass_calibration_mg_per_mm3_per_hu = 0.001;
    std::string risk_category; ///< "0", "1-10", "11-100", "101-400", ">400" from agatston_scaled
    std::size_t lesions_scored = 0;
};

/// The tumour sphere, painted over whatever it covers.
struct TumourTruth {
    Point3 centre_mm{};
    double radius_mm = 0.0;
    double analytic_volume_mm3 = 0.0;  ///< 4/3 pi r^3
    std::size_t voxel_count = 0;       ///< voxel centres inside the sphere
    double voxelised_volume_mm3 = 0.0; ///< voxel_count x voxel volume
    std::size_t first_slice = 0;       ///< slices containing tumour voxels
    std::size_t last_slice = 0;
    double mean_hu = 0.0;
    std::int16_t min_hu = 0;
    std::int16_t max_hu = 0;
    /// Every tumour voxel replaced right lung parenchyma or a right lung vessel.
    bool fully_in_lung = false;
    /// So did every voxel within the 3 mm margin around the sphere (always true
    /// when the options require the tumour in the lung).
    bool margin_in_lung = false;
    std::size_t voxels_replacing_right_lung = 0;   ///< parenchyma or vessel before the tumour was painted
    std::size_t voxels_replacing_other_tissue = 0; ///< voxel_count - voxels_replacing_right_lung
    /// Tumour voxels by the tissue they replaced, indexed by label (sums to voxel_count).
    std::array<std::size_t, kTissueCount> replaced_voxels{};
};

/// One lung: parenchyma plus its vessels, excluding airways and the tumour.
struct LungTruth {
    std::size_t voxel_count = 0;
    double volume_ml = 0.0;
    /// Adds only the tumour voxels that replaced this lung's parenchyma or
    /// vessels (the lung's own extent), not those in the chest wall or elsewhere.
    double volume_with_tumour_ml = 0.0;
};

/// Voxel count of one tissue class.
struct TissueCount {
    Tissue tissue = Tissue::Air;
    std::size_t voxel_count = 0;
    double volume_ml = 0.0;
};

/// A coronary artery centreline (sampled) with its tube radius.
struct ArteryTruth {
    std::string name;
    double radius_mm = 0.0;
    std::vector<Point3> centreline_mm;
};

/// Everything the generator knows about the phantom it produced.
struct PhantomTruth {
    ImageGeometry geometry;
    std::uint64_t seed = 0;
    double noise_hu = 0.0;
    TumourTruth tumour;
    LungTruth right_lung;
    LungTruth left_lung;
    Point3 heart_centre_mm{};
    Point3 myocardium_semi_axes_mm{};
    Point3 epicardial_fat_semi_axes_mm{};
    double heart_volume_ml = 0.0; ///< myocardium + blood pool
    std::vector<ArteryTruth> coronary_arteries;
    std::vector<CalcificationTruth> calcifications;
    std::vector<std::string> omitted_calcifications; ///< lesions outside the sampled slab/FOV
    CalciumScoreTruth cac;
    std::vector<TissueCount> tissues; ///< one entry per tissue class, in label order
};

} // namespace radnode::processing::phantom
