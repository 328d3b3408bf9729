#include "baseline_support.h"
#include "processing/radiomics/glrlm.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

using test::RegionOfLevels;
using test::Value;

// PyRadiomics' documented example (glrlm.py docstring): runs along 0 degrees.
TEST(RadiomicsGlrlmTest, DocumentedExampleMatrix) {
    const Region r = RegionOfLevels(5, {5, 2, 5, 4, 4, 3, 3, 3, 1, 3, 2, 1, 1, 1, 3, 4, 2, 2, 2, 3, 3, 5, 3, 3, 2});
    const GlrlmMatrices m = ComputeGlrlmMatrices(r, Settings{});
    ASSERT_EQ(m.levels, 5U);
    const double expected[5][5] = {{1, 0, 1, 0, 0}, {3, 0, 1, 0, 0}, {4, 1, 1, 0, 0}, {1, 1, 0, 0, 0}, {3, 0, 0, 0, 0}};
    bool found = false;
    for (std::size_t a = 0; a < m.angles.size(); ++a) {
        if (m.angles[a].dj != 0 || m.angles[a].dk != 0)
            continue;
        found = true;
        for (std::size_t i = 0; i < 5; ++i)
            for (std::size_t c = 0; c < 5; ++c) {
                const double mine = c < m.max_run_length ? m.values[(a * 5 + i) * m.max_run_length + c] : 0.0;
                EXPECT_EQ(mine, expected[i][c]) << i << "," << c;
            }
    }
    EXPECT_TRUE(found);
}

TEST(RadiomicsGlrlmTest, FeatureListFollowsPyRadiomicsOrder) {
    const Region r = RegionOfLevels(3, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    const Features f = ComputeGlrlm(r, Settings{});
    ASSERT_EQ(f.size(), 16U);
    EXPECT_EQ(f.front().name, "glrlm_GrayLevelNonUniformity");
    for (std::size_t i = 1; i < f.size(); ++i)
        EXPECT_LT(f[i - 1].name, f[i].name); // inspect.getmembers order
    // Every voxel its own run: run percentage 1, short run emphasis 1.
    EXPECT_DOUBLE_EQ(Value(f, "glrlm_RunPercentage"), 1.0);
    EXPECT_DOUBLE_EQ(Value(f, "glrlm_ShortRunEmphasis"), 1.0);
}

// cmatrices.c drops a direction in which no line holds two ROI voxels: two single voxels on
// different slices of a 2-slice box leave the through-plane directions without runs.
TEST(RadiomicsGlrlmTest, DirectionsWithoutMultiVoxelLinesAreDropped) {
    Region r;
    r.size = {3, 1, 2};
    r.gray = {1, 0, 0, 0, 0, 2};
    r.image = {1, 0, 0, 0, 0, 2};
    r.mask = {1, 0, 0, 0, 0, 1};
    r.shape_mask = r.mask;
    r.voxels = {0, 5};
    r.gray_levels = {1, 2};
    r.max_gray_level = 2;
    const GlrlmMatrices m = ComputeGlrlmMatrices(r, Settings{});
    for (std::size_t a = 0; a < m.angles.size(); ++a) {
        double total = 0.0;
        for (std::size_t e = 0; e < m.levels * m.max_run_length; ++e)
            total += m.values[a * m.levels * m.max_run_length + e];
        EXPECT_EQ(total, 0.0) << a; // no line through both voxels (offset (2,0,1) is not a direction)
    }
    EXPECT_TRUE(std::isnan(Value(ComputeGlrlm(r, Settings{}), "glrlm_RunPercentage")));
}

class RadiomicsGlrlmMatrixTest : public testing::TestWithParam<std::string> {};

TEST_P(RadiomicsGlrlmMatrixTest, PerAngleMatricesMatchPyRadiomicsDump) {
    Region region;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion(GetParam(), Settings{}, region));
    const GlrlmMatrices m = ComputeGlrlmMatrices(region, Settings{});
    const auto dump = test::LoadBaselineNpy(GetParam(), "glrlm");
    ASSERT_EQ(dump.shape.size(), 3U);
    ASSERT_EQ(dump.shape[0], m.levels);
    ASSERT_EQ(dump.shape[2], m.angles.size());
    // The dump is taken after _calculateCoefficients, which deletes run lengths no direction has.
    std::vector<std::size_t> lengths;
    for (std::size_t col = 0; col < m.max_run_length; ++col) {
        double column = 0.0;
        for (std::size_t a = 0; a < m.angles.size(); ++a)
            for (std::size_t i = 0; i < m.levels; ++i)
                column += m.values[(a * m.levels + i) * m.max_run_length + col];
        if (column > 0.0)
            lengths.push_back(col);
    }
    ASSERT_EQ(dump.shape[1], lengths.size());
    const auto mine = [&](std::size_t a, std::size_t i, std::size_t col) {
        return m.values[(a * m.levels + i) * m.max_run_length + lengths[col]];
    };
    EXPECT_EQ(test::CountAngleMatrixMismatches(dump, m.angles.size(), m.levels, lengths.size(), mine, 0.0, true), 0U);
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlrlm, RadiomicsGlrlmMatrixTest, testing::ValuesIn(test::ReferenceCaseNames()));

class RadiomicsGlrlmParityTest : public testing::TestWithParam<std::string> {};

TEST_P(RadiomicsGlrlmParityTest, FeaturesMatchBaseline) {
    test::ExpectBaselineColumnMatches(
        GetParam(), ComputeGlrlm,
        {.cls = "glrlm", .walk = test::BaselineWalk::Rows, .expected_count = 16, .check_diagnostics = true});
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlrlm, RadiomicsGlrlmParityTest,
                         testing::ValuesIn(test::BaselineColumnNames({"", "2d", "FBN", "combined", "flatRegion"})),
                         test::ParamName);

// IBSI aggregation variants: the averaged / merged 3D and 2.5D ones coincide with PyRadiomics'
// default, weightingNorm no_weighting and force2D; the per-slice 2D ones give finite values.
TEST(RadiomicsGlrlmTest, IbsiAggregationsMatchTheirPyRadiomicsCounterparts) {
    test::ExpectIbsiAggregationsMatchPyRadiomics(ComputeGlrlm);
}

} // namespace
} // namespace radnode::processing::radiomics
