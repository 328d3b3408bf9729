#include "processing/seg_mapping.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

namespace radnode::processing {
namespace {

/// Values within this much below the threshold still count (float storage of k / max).
constexpr double kThresholdSlack = 1e-6;

double Dot(const Point3& a, const Point3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

Point3 GridAxis(const ImageGeometry& grid, std::size_t axis) {
    return {grid.direction[axis], grid.direction[3 + axis], grid.direction[6 + axis]};
}

bool SameDirection(const Point3& a, const Point3& b, double tolerance) {
    return std::abs(a[0] - b[0]) <= tolerance && std::abs(a[1] - b[1]) <= tolerance &&
           std::abs(a[2] - b[2]) <= tolerance;
}

std::string FrameName(std::size_t index) { return "frame " + std::to_string(index + 1); }

std::string Number(double value) {
    std::string text = std::to_string(value);
    while (text.size() > 1 && text.back() == '0')
        text.pop_back();
    if (!text.empty() && text.back() == '.')
        text.pop_back();
    return text;
}

/// True when the frame samples the grid's slice pixel for pixel.
bool OnGridSampling(const SegFrame& frame, const ImageGeometry& grid) {
    if (frame.columns != grid.size[0] || frame.rows != grid.size[1])
        return false;
    if (std::abs(frame.pixel_spacing[1] - grid.spacing[0]) > 1e-6 * grid.spacing[0] ||
        std::abs(frame.pixel_spacing[0] - grid.spacing[1]) > 1e-6 * grid.spacing[1])
        return false;
    const Point3 index = grid.PhysicalToContinuousIndex(frame.position);
    return std::abs(index[0]) <= 1e-3 && std::abs(index[1]) <= 1e-3;
}

/// Marks the voxels of slice k whose frame value reaches the threshold.
void PaintFrame(const SegFrame& frame, const ImageGeometry& grid, std::size_t k, double threshold,
                std::span<std::uint8_t> slice) {
    const auto inside = [&](float value) { return static_cast<double>(value) >= threshold - kThresholdSlack; };
    if (OnGridSampling(frame, grid)) {
        for (std::size_t p = 0; p < slice.size(); ++p)
            slice[p] = (slice[p] != 0 || inside(frame.values[p])) ? 1 : 0;
        return;
    }
    const Point3 row_direction{frame.orientation[0], frame.orientation[1], frame.orientation[2]};
    const Point3 column_direction{frame.orientation[3], frame.orientation[4], frame.orientation[5]};
    for (std::size_t j = 0; j < grid.size[1]; ++j) {
        for (std::size_t i = 0; i < grid.size[0]; ++i) {
            const Point3 centre =
                grid.IndexToPhysical(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
            const Point3 offset{centre[0] - frame.position[0], centre[1] - frame.position[1],
                                centre[2] - frame.position[2]};
            const double column = std::floor(Dot(offset, row_direction) / frame.pixel_spacing[1] + 0.5);
            const double row = std::floor(Dot(offset, column_direction) / frame.pixel_spacing[0] + 0.5);
            if (column < 0.0 || row < 0.0 || column >= static_cast<double>(frame.columns) ||
                row >= static_cast<double>(frame.rows))
                continue;
            const auto pixel = static_cast<std::size_t>(column) + frame.columns * static_cast<std::size_t>(row);
            if (inside(frame.values[pixel]))
                slice[i + grid.size[0] * j] = 1;
        }
    }
}

SegMappingResult Fail(SegMappingResult result, SegMappingStatus status, std::string reason) {
    result.status = status;
    result.reason = std::move(reason);
    return result;
}

} // namespace

const char* SegMappingStatusName(SegMappingStatus status) {
    switch (status) {
    case SegMappingStatus::Ok:
        return "ok";
    case SegMappingStatus::EmptySegment:
        return "empty_segment";
    case SegMappingStatus::UnknownSegment:
        return "unknown_segment";
    case SegMappingStatus::OrientationMismatch:
        return "orientation_mismatch";
    case SegMappingStatus::InvalidFrame:
        return "invalid_frame";
    case SegMappingStatus::InvalidOptions:
        return "invalid_options";
    }
    return "unknown";
}

SegMappingResult MapSegmentToGrid(const DecodedSegmentation& seg, int segment_number, const ImageGeometry& ct_grid,
                                  const SegMappingOptions& options) {
    SegMappingResult result;
    result.mask = LabelMap(ct_grid, 0);
    if (!(options.threshold > 0.0 && options.threshold <= 1.0) ||
        !(options.slice_tolerance > 0.0 && options.slice_tolerance <= 0.5))
        return Fail(std::move(result), SegMappingStatus::InvalidOptions,
                    "threshold must be in (0, 1] and slice tolerance in (0, 0.5], got " + Number(options.threshold) +
                        " and " + Number(options.slice_tolerance));
    const auto segment = std::find_if(seg.segments.begin(), seg.segments.end(),
                                      [&](const SegmentInfo& s) { return s.number == segment_number; });
    if (segment == seg.segments.end())
        return Fail(std::move(result), SegMappingStatus::UnknownSegment,
                    "segment " + std::to_string(segment_number) + " is not defined by the segmentation");
    const std::string name = "segment " + std::to_string(segment_number) + " '" + segment->label + "'";
    const Point3 grid_row = GridAxis(ct_grid, 0);
    const Point3 grid_column = GridAxis(ct_grid, 1);
    std::vector<std::size_t> slice_owner(ct_grid.size[2], seg.frames.size());

    for (std::size_t f = 0; f < seg.frames.size(); ++f) {
        const SegFrame& frame = seg.frames[f];
        if (frame.segment_number != segment_number)
            continue;
        if (frame.values.size() != frame.rows * frame.columns || !(frame.pixel_spacing[0] > 0.0) ||
            !(frame.pixel_spacing[1] > 0.0))
            return Fail(std::move(result), SegMappingStatus::InvalidFrame,
                        name + " " + FrameName(f) + ": " + std::to_string(frame.values.size()) + " values for " +
                            std::to_string(frame.rows) + " x " + std::to_string(frame.columns) +
                            " pixels, or a non-positive pixel spacing");
        const Point3 row{frame.orientation[0], frame.orientation[1], frame.orientation[2]};
        const Point3 column{frame.orientation[3], frame.orientation[4], frame.orientation[5]};
        if (!SameDirection(row, grid_row, options.orientation_tolerance) ||
            !SameDirection(column, grid_column, options.orientation_tolerance))
            return Fail(std::move(result), SegMappingStatus::OrientationMismatch,
                        name + " " + FrameName(f) + ": plane orientation differs from the CT grid's");
        const double k_real = ct_grid.PhysicalToContinuousIndex(frame.position)[2];
        const double k_near = std::round(k_real);
        if (std::abs(k_real - k_near) > options.slice_tolerance + 1e-9 || k_near < 0.0 ||
            k_near >= static_cast<double>(ct_grid.size[2])) {
            result.warnings.push_back(name + " " + FrameName(f) + " lies at slice index " + Number(k_real) +
                                      ", off every CT slice: skipped");
            ++result.frames_skipped;
            continue;
        }
        const auto k = static_cast<std::size_t>(k_near);
        if (slice_owner[k] != seg.frames.size())
            result.warnings.push_back(name + " " + FrameName(f) + " and " + FrameName(slice_owner[k]) +
                                      " both lie on CT slice " + std::to_string(k) + ": combined by union");
        else
            slice_owner[k] = f;
        PaintFrame(frame, ct_grid, k, options.threshold, result.mask.Slice(k));
        ++result.frames_used;
    }
    const auto& data = result.mask.Data();
    result.voxel_count = static_cast<std::size_t>(std::count(data.begin(), data.end(), std::uint8_t{1}));
    if (result.voxel_count == 0)
        return Fail(std::move(result), SegMappingStatus::EmptySegment,
                    name + ": no voxel of the CT grid reaches the threshold " + Number(options.threshold) + " (" +
                        std::to_string(result.frames_used) + " frames placed, " +
                        std::to_string(result.frames_skipped) + " off the grid)");
    return result;
}

std::vector<MappedSegment> MapAllSegments(const DecodedSegmentation& seg, const ImageGeometry& ct_grid,
                                          const SegMappingOptions& options) {
    std::vector<MappedSegment> mapped;
    mapped.reserve(seg.segments.size());
    for (const SegmentInfo& segment : seg.segments)
        mapped.push_back({segment.number, segment.label, MapSegmentToGrid(seg, segment.number, ct_grid, options)});
    return mapped;
}

} // namespace radnode::processing
