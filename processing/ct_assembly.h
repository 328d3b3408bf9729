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
//  - slices of more than one series or frame of reference are rejected (one
//    volume is one series in one patient coordinate system);
//  - non-CT modality, mixed orientation / matrix / pixel spacing, gantry tilt
//    (GantryDetectorTilt, or positions that drift off the normal), two slices at
//    one position and missing slices are rejected: each would silently distort
//    geometry or HU, which downstream measurements (volumes, Agatston) trust;
//  - complete but non-uniform spacing is resampled (linear along the normal) or
//    rejected, by option;
//  - HU = round(stored * slope + intercept) clamped to int16; stored values equal
//    to PixelPaddingValue become kPaddingHu (-1024 HU, air).
//
// Pixels come either with the slices (CtSlice::pixels) or, to avoid materialising a
// whole series of stored values, from a SlicePixelSource that writes each kept slice's
// HU straight into the volume once all checks on the headers have passed.

#include "processing/volume.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
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
    /// SeriesInstanceUID and FrameOfReferenceUID; empty when unknown (then not compared).
    std::string series_instance_uid;
    std::string frame_of_reference_uid;
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
    /// Empty when the pixels are supplied by a SlicePixelSource.
    std::vector<std::int32_t> pixels;
};

/// Supplies the HU of slices on demand (e.g. decoded from their files at the DICOM edge).
/// ReadHu may be called concurrently for different indices.
class SlicePixelSource {
public:
    virtual ~SlicePixelSource() = default;
    /// Writes HU of slice `index` (index into the input vector) into out (rows*columns).
    /// Returns false with `error` set if the pixels cannot be produced.
    virtual bool ReadHu(std::size_t index, std::span<std::int16_t> out, std::string& error) = 0;
};

/// Stored values to HU, the one rule used everywhere: round(stored * slope + intercept)
/// (half away from zero) clamped to int16, `padding` to kPaddingHu. `stored_at(p)` returns
/// the sign-interpreted stored value of pixel p; the common case (slope 1, integral
/// intercept) stays in integer arithmetic.
template <typename StoredAt>
void StoredToHu(StoredAt&& stored_at, double slope, double intercept, std::optional<std::int32_t> padding,
                std::span<std::int16_t> out);

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
    MixedSeries,           ///< slices from more than one SeriesInstanceUID
    MixedFrameOfReference, ///< slices in more than one FrameOfReferenceUID
    MixedOrientation,
    MixedSize,
    MixedPixelSpacing,
    Localizer,
    DuplicatePosition,
    MissingSlice,
    GantryTilt,
    NonUniformSpacing,
    BadGeometry,
    UnreadablePixels, ///< the SlicePixelSource failed for a kept slice
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

/// Same rules, with `headers[i].pixels` ignored and slice i's HU read from `source`
/// (ReadHu(i, ...)) only for the slices kept, after every check on the headers has passed,
/// in parallel and straight into the volume (into temporaries when resampling). Two
/// headers with the same (SOP Instance UID, frame) and position are compared by their HU
/// read from the source. A failing read gives AssemblyIssue::UnreadablePixels naming the slice.
[[nodiscard]] AssemblyResult AssembleCtVolume(std::vector<CtSlice> headers, SlicePixelSource& source,
                                              const AssemblyOptions& options = {});

template <typename StoredAt>
void StoredToHu(StoredAt&& stored_at, double slope, double intercept, std::optional<std::int32_t> padding,
                std::span<std::int16_t> out) {
    constexpr std::int32_t lo = -32768;
    constexpr std::int32_t hi = 32767;
    const bool integral = slope == 1.0 && intercept == std::trunc(intercept) && std::abs(intercept) < 1e9;
    const std::int32_t pad = padding.value_or(0);
    const bool has_padding = padding.has_value();
    if (integral) {
        const auto offset = static_cast<std::int32_t>(intercept);
        if (!has_padding) { // separate loop: the common case vectorises to a few instructions a pixel
            for (std::size_t p = 0; p < out.size(); ++p)
                out[p] = static_cast<std::int16_t>(std::clamp(stored_at(p) + offset, lo, hi));
            return;
        }
        for (std::size_t p = 0; p < out.size(); ++p) {
            const std::int32_t v = stored_at(p);
            const auto hu = static_cast<std::int16_t>(std::clamp(v + offset, lo, hi));
            out[p] = v == pad ? kPaddingHu : hu;
        }
    } else {
        for (std::size_t p = 0; p < out.size(); ++p) {
            const std::int32_t v = stored_at(p);
            const double value = std::clamp(static_cast<double>(v) * slope + intercept, static_cast<double>(lo),
                                            static_cast<double>(hi));
            out[p] = has_padding && v == pad ? kPaddingHu : static_cast<std::int16_t>(std::lround(value));
        }
    }
}

} // namespace radnode::processing
