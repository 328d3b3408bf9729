#pragma once
// Assembles loose CT image planes into one CtVolume in Hounsfield units.
//
// The rules, and why each rejection exists, are in docs/ct-volume.md. In short:
//  - slices are ordered by the projection of ImagePositionPatient onto the slice
//    normal (row direction x column direction), never by InstanceNumber;
//  - the same (SOP Instance UID, frame) twice counts once;
//  - localizer/scout planes (ImageType value 3 == LOCALIZER) are EXCLUDED with a
//    note: they are routinely sent inside an axial series and a user would rather
//    have the volume without them than no volume. If nothing but localizers
//    remains, the series is rejected (AssemblyIssue::Localizer);
//  - non-CT modality, mixed orientation / matrix / pixel spacing, gantry tilt
//    (GantryDetectorTilt, or positions that drift off the normal), two slices at
//    one position and missing slices are rejected: each would silently distort
//    geometry or HU, which downstream measurements (volumes, Agatston) trust;
//  - complete but non-uniform spacing is resampled (linear along the normal) or
//    rejected, by option;
//  - HU = round(stored * slope + intercept) clamped to int16; stored values equal
//    to PixelPaddingValue become kPaddingHu (-1024 HU, air).

#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::processing {

/// HU written for stored values equal to PixelPaddingValue (air).
inline constexpr std::int16_t kPaddingHu = -1024;

/// One decoded CT image plane, as read at the DICOM edge.
struct CtSlice {
    std::string sop_instance_uid;
    std::size_t frame_index = 0; ///< 0 for single-frame images
    std::string modality;
    std::string image_type; ///< full value, e.g. "ORIGINAL\\PRIMARY\\AXIAL"
    Point3 image_position{0.0, 0.0, 0.0};
    std::array<double, 6> image_orientation{1.0, 0.0, 0.0, 0.0, 1.0, 0.0};
    /// DICOM order: {row spacing (between rows, along the column direction), column spacing}.
    std::array<double, 2> pixel_spacing{1.0, 1.0};
    std::size_t rows = 0;
    std::size_t columns = 0;
    double rescale_slope = 1.0;
    double rescale_intercept = 0.0;
    /// In stored-value space (already sign-interpreted like `pixels`).
    std::optional<std::int32_t> pixel_padding_value;
    double gantry_tilt_deg = 0.0;
    /// rows * columns stored values, row by row, sign-interpreted per PixelRepresentation.
    std::vector<std::int32_t> pixels;
};

/// Tolerances and policy of the assembly.
struct AssemblyOptions {
    enum class NonUniformSpacing { Resample, Reject };
    NonUniformSpacing non_uniform = NonUniformSpacing::Resample;
    /// A step above gap_factor x the median step means missing slices.
    double gap_factor = 1.5;
    /// Steps (and pixel spacings) closer than this are equal; also the duplicate-position threshold.
    double spacing_tolerance_mm = 0.01;
    /// Largest difference of any ImageOrientationPatient component between slices.
    double orientation_tolerance = 1e-4;
    /// Largest accepted tilt, from GantryDetectorTilt or from positions drifting off the normal.
    double tilt_tolerance_deg = 0.01;
};

/// Why a series could not be assembled.
enum class AssemblyIssue {
    Ok,
    Empty,
    NotCt,
    MixedOrientation,
    MixedSize,
    MixedPixelSpacing,
    Localizer,
    DuplicatePosition,
    MissingSlice,
    GantryTilt,
    NonUniformSpacing,
    BadGeometry,
};

/// Stable lower_snake_case name of an issue, e.g. "missing_slice".
[[nodiscard]] std::string_view AssemblyIssueName(AssemblyIssue issue);

/// The assembled volume and how it was obtained.
struct AssembledVolume {
    CtVolume volume;
    /// Per k: the source slice's SOP Instance UID, empty for an interpolated slice.
    std::vector<std::string> slice_sop_uids;
    bool resampled = false;
    double original_min_spacing = 0.0; ///< smallest step between source slices (mm)
    double original_max_spacing = 0.0; ///< largest step between source slices (mm)
    /// What was done silently-but-deliberately (localizers excluded, duplicates dropped, resampling).
    std::vector<std::string> notes;
};

/// Outcome of AssembleCtVolume: `issue` Ok and a volume, or an issue and a reason
/// naming the slices (SOP UIDs) and positions involved.
struct AssemblyResult {
    AssemblyIssue issue = AssemblyIssue::Ok;
    std::string reason;
    AssembledVolume assembled;

    [[nodiscard]] bool IsOk() const { return issue == AssemblyIssue::Ok; }
};

/// Assembles `slices` (any order) into a volume: origin at the slice with the
/// smallest projection onto the normal, direction columns = row direction,
/// column direction, normal; spacing = {PixelSpacing[1], PixelSpacing[0], slice step}.
[[nodiscard]] AssemblyResult AssembleCtVolume(std::vector<CtSlice> slices, const AssemblyOptions& options = {});

} // namespace radnode::processing
