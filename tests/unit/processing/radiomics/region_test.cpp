#include "processing/radiomics/region.h"

#include "reference_data.h"

#include <gtest/gtest.h>

namespace radnode::processing::radiomics {
namespace {

Region RegionOf(std::vector<double> values) {
    Region r;
    r.size = {values.size(), 1, 1};
    r.image = std::move(values);
    r.mask.assign(r.image.size(), 1);
    for (std::uint32_t v = 0; v < r.image.size(); ++v)
        r.voxels.push_back(v);
    r.shape_mask = r.mask;
    return r;
}

// PyRadiomics' documented example: values 54..166, bin width 25 -> edges 50, 75, ..., 175 (+ one).
TEST(RadiomicsRegionTest, BinWidthEdgesAreAnchoredAtMultiplesOfTheWidth) {
    Region r = RegionOf({54, 74.9, 75, 100, 166});
    Settings s;
    s.bin_width = 25;
    Discretise(r, s);
    EXPECT_DOUBLE_EQ(r.bin_edges.front(), 50.0);
    EXPECT_EQ(r.gray, (std::vector<std::int32_t>{1, 1, 2, 3, 5}));
    EXPECT_EQ(r.gray_levels, (std::vector<std::int32_t>{1, 2, 3, 5}));
    EXPECT_EQ(r.max_gray_level, 5);
}

TEST(RadiomicsRegionTest, NegativeMinimumUsesFloorModulo) {
    Region r = RegionOf({-30, -26, 0});
    Settings s;
    s.bin_width = 25;
    Discretise(r, s);
    EXPECT_DOUBLE_EQ(r.bin_edges.front(), -50.0); // Python: -30 - (-30 % 25) = -30 - 20
    EXPECT_EQ(r.gray, (std::vector<std::int32_t>{1, 1, 3})); // edges -50, -25, 0, 25: 0 is in [0, 25)
}

TEST(RadiomicsRegionTest, BinCountPutsTheMaximumInTheTopBin) {
    Region r = RegionOf({0, 1, 2, 3, 4});
    Settings s;
    s.bin_count = 4;
    Discretise(r, s);
    EXPECT_EQ(r.gray, (std::vector<std::int32_t>{1, 2, 3, 4, 4}));
}

TEST(RadiomicsRegionTest, FlatRegionHasOneLevel) {
    Region r = RegionOf({50, 50, 50});
    Settings s;
    Discretise(r, s);
    EXPECT_EQ(r.gray_levels, (std::vector<std::int32_t>{1}));
}

// brain1 with the baseline settings: the ROI and its gray levels as the baseline says
// (4137 voxels; the GLCM dump has 33 levels).
TEST(RadiomicsRegionTest, Brain1RegionMatchesTheBaselineDiagnostics) {
    const auto& c = test::LoadReferenceCase("brain1");
    Settings s;
    Region r;
    ASSERT_EQ(BuildRegion(c.image, c.mask, s, r), "");
    EXPECT_EQ(r.voxels.size(), 4137U);
    const auto glcm = test::LoadNpy(test::PyRadiomicsDataDir() / "baseline" / "brain1_glcm.npy");
    EXPECT_EQ(static_cast<std::size_t>(r.max_gray_level), glcm.shape[0]);
    Settings missing;
    missing.label = 5;
    EXPECT_NE(BuildRegion(c.image, c.mask, missing, r), "");
}

} // namespace
} // namespace radnode::processing::radiomics
