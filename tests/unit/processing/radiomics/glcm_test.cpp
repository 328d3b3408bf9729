#include "baseline_support.h"
#include "processing/radiomics/glcm.h"

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

// PyRadiomics' documented example (glcm.py docstring): symmetrical GLCM at distance 1, 0 degrees.
TEST(RadiomicsGlcmTest, DocumentedExampleMatrix) {
    const Region r = RegionOfLevels(5, {1, 2, 5, 2, 3, 3, 2, 1, 3, 1, 1, 3, 5, 5, 2, 1, 1, 1, 1, 2, 1, 2, 4, 3, 5});
    const GlcmMatrices m = ComputeGlcmMatrices(r, Settings{});
    ASSERT_EQ(m.levels, 5U);
    const double expected[5][5] = {{6, 4, 3, 0, 0}, {4, 0, 2, 1, 3}, {3, 2, 0, 1, 2}, {0, 1, 1, 0, 0}, {0, 3, 2, 0, 2}};
    bool found = false;
    for (std::size_t a = 0; a < m.angles.size(); ++a) {
        if (m.angles[a].dj != 0 || m.angles[a].dk != 0)
            continue;
        found = true;
        for (std::size_t i = 0; i < 5; ++i)
            for (std::size_t j = 0; j < 5; ++j)
                EXPECT_NEAR(m.values[(a * 5 + i) * 5 + j] * 40.0, expected[i][j], 1e-12) << i << "," << j;
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(m.angles.size(), 4U); // 2D box: in-plane directions only
}

TEST(RadiomicsGlcmTest, FeatureListFollowsPyRadiomicsOrder) {
    const Region r = RegionOfLevels(3, {1, 2, 3, 2, 3, 1, 3, 1, 2});
    const Features f = ComputeGlcm(r, Settings{});
    ASSERT_EQ(f.size(), 28U);
    EXPECT_EQ(f.front().name, "glcm_Autocorrelation");
    EXPECT_EQ(f.back().name, "glcm_SumVariance");
    for (std::size_t i = 1; i < f.size(); ++i)
        EXPECT_LT(f[i - 1].name, f[i].name); // inspect.getmembers order
    int on_request = 0;
    for (const Feature& x : f)
        on_request += x.on_request ? 1 : 0;
    EXPECT_EQ(on_request, 4);
    EXPECT_TRUE(std::isnan(Value(f, "glcm_Dissimilarity"))); // PyRadiomics: DeprecationWarning -> NaN
    Settings ibsi;
    ibsi.ibsi_compliant = true;
    const Features fi = ComputeGlcm(r, ibsi);
    EXPECT_DOUBLE_EQ(Value(fi, "glcm_Dissimilarity"), Value(fi, "glcm_DifferenceAverage"));
    EXPECT_DOUBLE_EQ(Value(fi, "glcm_SumVariance"), Value(fi, "glcm_ClusterTendency"));
}

// A flat region: PyRadiomics' special cases (Correlation 1, Imc1 0, Imc2 0, MCC 1).
TEST(RadiomicsGlcmTest, FlatRegionSpecialValues) {
    const Region r = RegionOfLevels(3, std::vector<std::int32_t>(9, 1));
    const Features f = ComputeGlcm(r, Settings{});
    EXPECT_EQ(Value(f, "glcm_Correlation"), 1.0);
    EXPECT_EQ(Value(f, "glcm_Imc1"), 0.0);
    EXPECT_EQ(Value(f, "glcm_Imc2"), 0.0);
    EXPECT_EQ(Value(f, "glcm_MCC"), 1.0);
    EXPECT_EQ(Value(f, "glcm_JointEnergy"), 1.0);
    EXPECT_EQ(Value(f, "glcm_Contrast"), 0.0);
}

class RadiomicsGlcmMatrixTest : public testing::TestWithParam<std::string> {};

TEST_P(RadiomicsGlcmMatrixTest, PerAngleMatricesMatchPyRadiomicsDump) {
    Region region;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion(GetParam(), Settings{}, region));
    const GlcmMatrices m = ComputeGlcmMatrices(region, Settings{});
    const auto dump = test::LoadBaselineNpy(GetParam(), "glcm");
    ASSERT_EQ(dump.shape.size(), 3U);
    ASSERT_EQ(dump.shape[0], m.levels);
    ASSERT_EQ(dump.shape[1], m.levels);
    ASSERT_EQ(dump.shape[2], m.angles.size());
    const auto mine = [&](std::size_t a, std::size_t i, std::size_t j) {
        return m.values[(a * m.levels + i) * m.levels + j];
    };
    EXPECT_EQ(test::CountAngleMatrixMismatches(dump, m.angles.size(), m.levels, m.levels, mine, 1e-12, false), 0U);
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlcm, RadiomicsGlcmMatrixTest, testing::ValuesIn(test::ReferenceCaseNames()));

class RadiomicsGlcmParityTest : public testing::TestWithParam<std::string> {};

TEST_P(RadiomicsGlcmParityTest, FeaturesMatchBaseline) {
    test::ExpectBaselineColumnMatches(
        GetParam(), ComputeGlcm,
        {.cls = "glcm", .walk = test::BaselineWalk::Rows, .expected_count = 24, .check_diagnostics = true});
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlcm, RadiomicsGlcmParityTest,
                         testing::ValuesIn(test::BaselineColumnNames({"", "2d", "FBN", "combined", "flatRegion"})),
                         test::ParamName);

// IBSI aggregation variants: the averaged / merged 3D and 2.5D ones coincide with PyRadiomics'
// default, weightingNorm no_weighting and force2D; the per-slice 2D ones give finite values.
TEST(RadiomicsGlcmTest, IbsiAggregationsMatchTheirPyRadiomicsCounterparts) {
    test::ExpectIbsiAggregationsMatchPyRadiomics(ComputeGlcm);
}

} // namespace
} // namespace radnode::processing::radiomics
