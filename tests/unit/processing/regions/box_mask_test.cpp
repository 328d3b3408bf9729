// BoxMask: cropping to the bounding box, lookups, round trip through a full-grid label map.

#include "processing/regions/box_mask.h"

#include <gtest/gtest.h>

namespace radnode::processing::regions {
namespace {

TEST(RegionsBoxMask, CropsToTheLabelsBoxAndRoundTrips) {
    ImageGeometry g;
    g.size = {10, 8, 6};
    LabelMap labels(g, 0);
    labels.At(2, 3, 1) = 4;
    labels.At(5, 6, 4) = 4;
    labels.At(9, 7, 5) = 2; // another label
    const BoxMask mask = BoxMaskFromLabels(labels, 4);
    EXPECT_EQ(mask.begin, (std::array<std::size_t, 3>{2, 3, 1}));
    EXPECT_EQ(mask.size, (std::array<std::size_t, 3>{4, 4, 4}));
    EXPECT_EQ(mask.Count(), 2U);
    EXPECT_TRUE(mask.At(2, 3, 1));
    EXPECT_TRUE(mask.At(5, 6, 4));
    EXPECT_FALSE(mask.At(3, 3, 1));
    EXPECT_FALSE(mask.At(9, 7, 5)); // outside the box
    const LabelMap back = ToLabelMap(mask, g);
    EXPECT_EQ(back.At(2, 3, 1), 1);
    EXPECT_EQ(back.At(5, 6, 4), 1);
    EXPECT_EQ(back.At(9, 7, 5), 0);
    EXPECT_EQ(BoxMaskFromLabels(labels).Count(), 3U); // any non-zero label
    EXPECT_TRUE(BoxMaskFromLabels(labels, 7).Empty());
}

TEST(RegionsBoxMask, TightenShrinksToTheInside) {
    BoxMask loose;
    loose.begin = {1, 1, 1};
    loose.size = {4, 4, 4};
    loose.values.assign(64, 0);
    loose.values[loose.Offset(2, 3, 4)] = 1;
    const BoxMask tight = Tighten(loose);
    EXPECT_EQ(tight.begin, (std::array<std::size_t, 3>{2, 3, 4}));
    EXPECT_EQ(tight.size, (std::array<std::size_t, 3>{1, 1, 1}));
    EXPECT_TRUE(tight.At(2, 3, 4));
    loose.values.assign(64, 0);
    EXPECT_TRUE(Tighten(loose).Empty());
}

TEST(RegionsBoxMask, UnionHoldsTheVoxelsOfBoth) {
    BoxMask a;
    a.begin = {1, 1, 1};
    a.size = {2, 1, 1};
    a.values = {1, 0};
    BoxMask b;
    b.begin = {4, 0, 2};
    b.size = {1, 2, 1};
    b.values = {0, 1};
    const BoxMask u = Union(a, b);
    EXPECT_EQ(u.Count(), 2U);
    EXPECT_TRUE(u.At(1, 1, 1));
    EXPECT_TRUE(u.At(4, 1, 2));
    EXPECT_FALSE(u.At(2, 1, 1));
    EXPECT_EQ(u.begin, (std::array<std::size_t, 3>{1, 1, 1}));
    EXPECT_EQ(u.size, (std::array<std::size_t, 3>{4, 1, 2}));
    EXPECT_EQ(Union(a, BoxMask{}).Count(), 1U);
    EXPECT_EQ(Union(BoxMask{}, b).Count(), 1U);
    EXPECT_TRUE(Union(BoxMask{}, BoxMask{}).Empty());
}

} // namespace
} // namespace radnode::processing::regions
