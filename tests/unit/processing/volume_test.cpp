#include "processing/volume.h"

#include <gtest/gtest.h>

namespace radnode::processing {
namespace {

TEST(VolumeTest, LinearIndexIsXFastest) {
    ImageGeometry g;
    g.size = {4, 3, 2};
    EXPECT_EQ(g.VoxelCount(), 24U);
    EXPECT_EQ(g.SliceVoxelCount(), 12U);
    EXPECT_EQ(g.LinearIndex(1, 0, 0), 1U);
    EXPECT_EQ(g.LinearIndex(0, 1, 0), 4U);
    EXPECT_EQ(g.LinearIndex(0, 0, 1), 12U);
    Volume<std::uint8_t> v(g, 7);
    v.At(3, 2, 1) = 9;
    EXPECT_EQ(v.Data().back(), 9);
    EXPECT_EQ(v.Slice(1).size(), 12U);
    EXPECT_EQ(v.Slice(1).back(), 9);
    EXPECT_EQ(v.Slice(0).front(), 7);
}

TEST(VolumeTest, PhysicalPointsRoundTripWithRotatedDirection) {
    ImageGeometry g;
    g.size = {10, 10, 10};
    g.spacing = {0.5, 0.75, 2.0};
    g.origin = {-10.0, 20.0, 5.0};
    // Columns run along -y, rows along +x (a 90 degree in-plane rotation).
    g.direction = {0.0, 1.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, 1.0};
    const Point3 p = g.IndexToPhysical(2.0, 4.0, 3.0);
    EXPECT_DOUBLE_EQ(p[0], -10.0 + 4.0 * 0.75);
    EXPECT_DOUBLE_EQ(p[1], 20.0 - 2.0 * 0.5);
    EXPECT_DOUBLE_EQ(p[2], 5.0 + 3.0 * 2.0);
    const Point3 index = g.PhysicalToContinuousIndex(p);
    EXPECT_NEAR(index[0], 2.0, 1e-12);
    EXPECT_NEAR(index[1], 4.0, 1e-12);
    EXPECT_NEAR(index[2], 3.0, 1e-12);
    EXPECT_DOUBLE_EQ(g.VoxelVolume(), 0.75);
    EXPECT_DOUBLE_EQ(g.PixelArea(), 0.375);
}

} // namespace
} // namespace radnode::processing
