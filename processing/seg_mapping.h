#pragma once
/// Puts the frames of a decoded Segmentation onto a CT voxel grid: each frame is
/// assigned to the CT slice it lies on, its pixels to CT voxels by physical position,
/// fractional values are thresholded. Rules are described in docs/seg.md.

#include "processing/segmentation.h"
#include "processing/volume.h"

#include <cstddef>
#include <string>
#include <vector>

namespace radnode::processing {

/// How frames are placed on the grid and when a voxel belongs to the segment.
struct SegMappingOptions {
    /// A voxel belongs to the segment when its frame value (0..1, i.e. stored value /
    /// MaximumFractionalValue) is at least `threshold`; must be in (0, 1]. Binary
    /// frames hold 0 or 1, so any valid threshold gives the same mask for them.
    double threshold = 0.5;
    /// A frame is placed on the nearest CT slice when its distance along the slice
    /// normal is at most this fraction of the slice spacing; in (0, 0.5].
    double slice_tolerance = 0.5;
    /// Largest difference of direction cosines still treated as the grid's orientation.
    double orientation_tolerance = 1e-4;
};

/// Outcome class of a mapping; anything but Ok leaves `mask` unusable for analysis.
enum class SegMappingStatus {
    Ok,
    EmptySegment,        ///< no voxel of the grid reaches the threshold
    UnknownSegment,      ///< the segment number is not defined by the segmentation
    OrientationMismatch, ///< a frame's plane orientation differs from the grid's
    InvalidFrame,        ///< a frame's value count or pixel spacing is inconsistent
    InvalidOptions,      ///< threshold or slice tolerance out of range
};

/// A segment on the CT grid with everything noticed on the way.
struct SegMappingResult {
    LabelMap mask; ///< grid geometry, 1 inside, 0 outside
    SegMappingStatus status = SegMappingStatus::Ok;
    std::string reason;                ///< why status is not Ok; empty when Ok
    std::vector<std::string> warnings; ///< frames off every slice, frames sharing a slice
    std::size_t frames_used = 0;       ///< frames of the segment placed on a slice
    std::size_t frames_skipped = 0;    ///< frames of the segment lying off every slice
    std::size_t voxel_count = 0;       ///< voxels set in `mask`

    [[nodiscard]] bool IsOk() const { return status == SegMappingStatus::Ok; }
};

/// Stable name of a status, e.g. "orientation_mismatch".
[[nodiscard]] const char* SegMappingStatusName(SegMappingStatus status);

/// Maps the frames of segment `segment_number` onto `ct_grid`. Frames on the grid's
/// own in-plane sampling are copied pixel for pixel; other frames are sampled at each
/// CT voxel centre by nearest neighbour through physical coordinates. Frames on the
/// same slice are combined by union.
[[nodiscard]] SegMappingResult MapSegmentToGrid(const DecodedSegmentation& seg, int segment_number,
                                                const ImageGeometry& ct_grid, const SegMappingOptions& options = {});

/// One segment of MapAllSegments.
struct MappedSegment {
    int number = 0;
    std::string label;
    SegMappingResult result;
};

/// MapSegmentToGrid for every segment, in SegmentSequence order.
[[nodiscard]] std::vector<MappedSegment> MapAllSegments(const DecodedSegmentation& seg, const ImageGeometry& ct_grid,
                                                        const SegMappingOptions& options = {});

} // namespace radnode::processing
