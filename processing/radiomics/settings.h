#pragma once
/// Radiomics extraction settings, named and defaulted as PyRadiomics' parameter file
/// (`setting:` section) names and defaults them, so a PyRadiomics params file maps 1:1.
/// Parsing and validation of the YAML lives in config/radiomics_params.h.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {

enum class Interpolator { Nearest, Linear, BSpline };

/// PyRadiomics' weightingNorm: how per-direction texture matrices are combined.
enum class WeightingNorm {
    None,        ///< features per direction, then averaged (PyRadiomics default)
    Manhattan,   ///< matrices weighted by exp(-|d|_1^2) and summed, then features
    Euclidean,   ///< ... exp(-|d|_2^2)
    Infinity,    ///< ... exp(-|d|_inf^2)
    NoWeighting, ///< matrices summed with weight 1, then features
};

enum class ResegmentMode { Absolute, Relative, Sigma };

/// Texture aggregation in IBSI terms. PyRadiomics uses ThreeDAverage (force2D false) or
/// TwoAndHalfDAverage (force2D true: in-plane directions, matrices accumulated over all
/// slices); weightingNorm NoWeighting turns those into the corresponding merged variants.
enum class Aggregation {
    ThreeDAverage,       ///< IBSI 3D:avg — one matrix per 3D direction, features averaged
    ThreeDMerged,        ///< IBSI 3D:mrg — directions merged into one matrix
    TwoDAverage,         ///< IBSI 2D:avg — per slice and in-plane direction, features averaged
    TwoDSliceMerged,     ///< IBSI 2D:smrg — per slice, directions merged, averaged over slices
    TwoAndHalfDAverage,  ///< IBSI 2.5D:avg — per in-plane direction over all slices, averaged
    TwoAndHalfDMerged,   ///< IBSI 2.5D:mrg — everything merged into one matrix
};

struct Settings {
    // --- image and mask ---
    int label = 1;
    std::optional<int> label_channel;
    double geometry_tolerance = 1e-6; ///< PyRadiomics geometryTolerance (SimpleITK's default when unset)
    bool correct_mask = false;
    bool additional_info = true;
    /// Stored pixel type of the input image as ITK names it ("short", "unsigned_short",
    /// "float", ...), set by whoever read the file; empty = inferred from the values. Not a
    /// PyRadiomics setting: SimpleITK resamples into the input pixel type (clamped and
    /// truncated), so the cast after interpolation needs it.
    std::string image_pixel_type;

    // --- resampling ---
    std::optional<std::array<double, 3>> resampled_pixel_spacing; ///< 0 in a component keeps it
    Interpolator interpolator = Interpolator::BSpline;
    int pad_distance = 5;
    bool pre_crop = false;

    // --- intensity preprocessing ---
    bool normalize = false;
    double normalize_scale = 1.0;
    std::optional<double> remove_outliers;
    std::optional<std::vector<double>> resegment_range; ///< one or two values
    ResegmentMode resegment_mode = ResegmentMode::Absolute;
    bool resegment_shape = false;

    // --- ROI checks ---
    int minimum_roi_dimensions = 2;
    std::optional<int> minimum_roi_size;

    // --- 2D ---
    bool force_2d = false;
    int force_2d_dimension = 0; ///< 0 = axial (index k constant), 1 = coronal, 2 = sagittal

    // --- discretisation ---
    double bin_width = 25.0;
    std::optional<int> bin_count; ///< takes precedence over bin_width when set

    // --- first order ---
    double voxel_array_shift = 0.0;

    // --- texture ---
    std::vector<int> distances{1};
    bool symmetrical_glcm = true;
    WeightingNorm weighting_norm = WeightingNorm::None;
    double gldm_a = 0.0;

    // --- IBSI mode (not a PyRadiomics setting) ---
    bool ibsi_compliant = false;
    /// Aggregation used in IBSI mode; PyRadiomics mode derives it from force2D/weightingNorm.
    Aggregation ibsi_aggregation = Aggregation::ThreeDMerged;
    /// Texture slice axis for IBSI 2D/2.5D aggregation is force_2d_dimension.

    /// IBSI fixed-bin-size discretisation starts here (the lower bound of the re-segmentation
    /// range, IBSI 1 3.4.2); unset: at the ROI minimum.
    std::optional<double> ibsi_discretisation_minimum;
    /// IBSI intensity-volume histogram discretisation: a bin width, a bin count, or neither
    /// (the intensities themselves, e.g. integer HU).
    std::optional<double> ivh_bin_width;
    std::optional<int> ivh_bin_count;

    // IBSI image processing (ibsi_preprocess.h), used when ibsi_compliant:
    /// Round interpolated intensities to the nearest integer (CT).
    bool ibsi_round_intensities = true;
    /// Partial-volume threshold of the interpolated morphological mask.
    double ibsi_mask_threshold = 0.5;
    /// Outlier filtering: keep ROI intensities within mean ± this many SD (intersected with
    /// resegment_range when both are set); unset: no outlier filtering.
    std::optional<double> ibsi_outlier_sigma;
};

} // namespace radnode::processing::radiomics
