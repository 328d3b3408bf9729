// Mapping decoded SEG frames onto a CT grid: direct copy, nearest neighbour through
// physical coordinates, slice assignment, thresholds and the error cases.

#include "processing/seg_mapping.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace radnode::processing {
namespace {

/// 8 x 8 x 3 voxels of 1 mm at the origin, identity direction.
ImageGeometry Grid() {
    ImageGeometry grid;
    grid.size = {8, 8, 3};
    return grid;
}

SegFrame Frame(int segment, Point3 position, std::size_t rows, std::size_t columns, double spacing) {
    SegFrame frame;
    frame.segment_number = segment;
    frame.position = position;
    frame.rows = rows;
    frame.columns = columns;
    frame.pixel_spacing = {spacing, spacing};
    frame.values.assign(rows * columns, 0.0F);
    return frame;
}

DecodedSegmentation OneSegment() {
    DecodedSegmentation seg;
    seg.segments.push_back({3, "Lesion", "", {}, {}, "AUTOMATIC"});
    return seg;
}

TEST(SegMapping, IdenticalInPlaneGridIsCopied) {
    DecodedSegmentation seg = OneSegment();
    SegFrame frame = Frame(3, {0.0, 0.0, 2.0}, 8, 8, 1.0);
    frame.values[5 + 8 * 6] = 1.0F;
    frame.values[0] = 1.0F;
    seg.frames.push_back(frame);
    const SegMappingResult result = MapSegmentToGrid(seg, 3, Grid());
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_TRUE(result.warnings.empty());
    EXPECT_EQ(result.frames_used, 1U);
    EXPECT_EQ(result.voxel_count, 2U);
    EXPECT_EQ(result.mask.At(5, 6, 2), 1);
    EXPECT_EQ(result.mask.At(0, 0, 2), 1);
    EXPECT_EQ(result.mask.Geometry(), Grid());
}

TEST(SegMapping, CoarserFrameMapsByNearestNeighbour) {
    // 4 x 4 frame of 2 mm pixels whose first pixel centre is at (0.5, 0.5): CT voxel
    // (i, j) at (i, j) mm falls into frame pixel (column i / 2, row j / 2), no ties.
    DecodedSegmentation seg = OneSegment();
    SegFrame frame = Frame(3, {0.5, 0.5, 1.0}, 4, 4, 2.0);
    frame.values[2 + 4 * 1] = 1.0F; // column 2, row 1 -> i 4..5, j 2..3
    frame.values[0 + 4 * 3] = 1.0F; // column 0, row 3 -> i 0..1, j 6..7
    seg.frames.push_back(frame);
    const SegMappingResult result = MapSegmentToGrid(seg, 3, Grid());
    ASSERT_TRUE(result.IsOk()) << result.reason;

    LabelMap expected(Grid(), 0);
    for (std::size_t d = 0; d < 4; ++d) {
        expected.At(4 + d % 2, 2 + d / 2, 1) = 1;
        expected.At(0 + d % 2, 6 + d / 2, 1) = 1;
    }
    EXPECT_EQ(result.mask.Data(), expected.Data());
    EXPECT_EQ(result.voxel_count, 8U);
}

TEST(SegMapping, FinerShiftedFrameMapsByNearestNeighbour) {
    // 0.5 mm pixels starting at (2.1, 3.1): voxel (i, j) samples column (i - 2.1) / 0.5
    // rounded, i.e. column 2 (i - 2) for i >= 2; voxels left of / above the frame stay 0.
    DecodedSegmentation seg = OneSegment();
    SegFrame frame = Frame(3, {2.1, 3.1, 0.0}, 10, 10, 0.5);
    frame.values[4 + 10 * 2] = 1.0F; // x = 4.1, y = 4.1 -> voxel (4, 4)
    frame.values[5 + 10 * 2] = 1.0F; // x = 4.6: no voxel centre samples it
    frame.values[0 + 10 * 0] = 1.0F; // (2.1, 3.1) -> voxel (2, 3)
    seg.frames.push_back(frame);
    const SegMappingResult result = MapSegmentToGrid(seg, 3, Grid());
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.voxel_count, 2U);
    EXPECT_EQ(result.mask.At(4, 4, 0), 1);
    EXPECT_EQ(result.mask.At(2, 3, 0), 1);
}

TEST(SegMapping, FrameOffEverySliceIsSkippedWithAWarning) {
    DecodedSegmentation seg = OneSegment();
    SegFrame on = Frame(3, {0.0, 0.0, 0.4}, 8, 8, 1.0); // within half a slice of slice 0
    on.values[9] = 1.0F;
    SegFrame off = Frame(3, {0.0, 0.0, 7.0}, 8, 8, 1.0); // slices are at z = 0, 1, 2
    off.values.assign(64, 1.0F);
    seg.frames = {on, off};
    const SegMappingResult result = MapSegmentToGrid(seg, 3, Grid());
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.frames_used, 1U);
    EXPECT_EQ(result.frames_skipped, 1U);
    ASSERT_EQ(result.warnings.size(), 1U);
    EXPECT_NE(result.warnings[0].find("frame 2"), std::string::npos) << result.warnings[0];
    EXPECT_NE(result.warnings[0].find("off every CT slice"), std::string::npos) << result.warnings[0];
    EXPECT_EQ(result.voxel_count, 1U);
    EXPECT_EQ(result.mask.At(1, 1, 0), 1);

    SegMappingOptions strict;
    strict.slice_tolerance = 0.25; // z = 0.4 is now between slices
    const SegMappingResult skipped = MapSegmentToGrid(seg, 3, Grid(), strict);
    EXPECT_EQ(skipped.status, SegMappingStatus::EmptySegment);
    EXPECT_EQ(skipped.frames_skipped, 2U);
}

TEST(SegMapping, OrientationMismatchIsAnError) {
    DecodedSegmentation seg = OneSegment();
    SegFrame frame = Frame(3, {0.0, 0.0, 1.0}, 8, 8, 1.0);
    frame.values[0] = 1.0F;
    frame.orientation = {0.0, 1.0, 0.0, 1.0, 0.0, 0.0}; // rows and columns swapped
    seg.frames.push_back(frame);
    const SegMappingResult result = MapSegmentToGrid(seg, 3, Grid());
    EXPECT_EQ(result.status, SegMappingStatus::OrientationMismatch);
    EXPECT_STREQ(SegMappingStatusName(result.status), "orientation_mismatch");
    EXPECT_NE(result.reason.find("orientation"), std::string::npos) << result.reason;
}

TEST(SegMapping, ThresholdSelectsFractionalValues) {
    DecodedSegmentation seg = OneSegment();
    seg.fractional = true;
    SegFrame frame = Frame(3, {0.0, 0.0, 1.0}, 8, 8, 1.0);
    frame.values[0] = 0.2F;
    frame.values[1] = 0.5F;
    frame.values[2] = 0.9F;
    seg.frames.push_back(frame);
    EXPECT_EQ(MapSegmentToGrid(seg, 3, Grid()).voxel_count, 2U);
    SegMappingOptions options;
    options.threshold = 0.1;
    EXPECT_EQ(MapSegmentToGrid(seg, 3, Grid(), options).voxel_count, 3U);
    options.threshold = 0.95;
    EXPECT_EQ(MapSegmentToGrid(seg, 3, Grid(), options).status, SegMappingStatus::EmptySegment);
    options.threshold = 0.0;
    EXPECT_EQ(MapSegmentToGrid(seg, 3, Grid(), options).status, SegMappingStatus::InvalidOptions);
}

TEST(SegMapping, UnknownSegmentAndMapAll) {
    DecodedSegmentation seg = OneSegment();
    seg.segments.push_back({4, "Other", "", {}, {}, "MANUAL"});
    SegFrame frame = Frame(4, {0.0, 0.0, 1.0}, 8, 8, 1.0);
    frame.values[3] = 1.0F;
    seg.frames.push_back(frame);
    EXPECT_EQ(MapSegmentToGrid(seg, 7, Grid()).status, SegMappingStatus::UnknownSegment);
    const std::vector<MappedSegment> all = MapAllSegments(seg, Grid());
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].label, "Lesion");
    EXPECT_EQ(all[0].result.status, SegMappingStatus::EmptySegment);
    EXPECT_EQ(all[1].number, 4);
    EXPECT_EQ(all[1].label, "Other");
    ASSERT_TRUE(all[1].result.IsOk()) << all[1].result.reason;
    EXPECT_EQ(all[1].result.mask.At(3, 0, 1), 1);
}

} // namespace
} // namespace radnode::processing
