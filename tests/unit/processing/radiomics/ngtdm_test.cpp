#include "baseline_support.h"
#include "processing/radiomics/ngtdm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

TEST(RadiomicsNgtdmTest, DocumentedTwoDimensionalExample) {
    // PyRadiomics' docstring example (4x4 image, no level 4); its s_1 and s_2 are exact
    // (its s_3 and s_5 carry arithmetic slips).
    Region r;
    r.size = {4, 4, 1};
    r.gray = {1, 2, 5, 2, 3, 5, 1, 3, 1, 3, 5, 5, 3, 1, 1, 1};
    r.mask.assign(16, 1);
    for (std::uint32_t v = 0; v < 16; ++v)
        r.voxels.push_back(v);
    r.gray_levels = {1, 2, 3, 5};
    r.max_gray_level = 5;
    const NgtdmMatrix m = ComputeNgtdmMatrix(r, Settings{});
    EXPECT_EQ(m.gray_levels, (std::vector<std::int32_t>{1, 2, 3, 5}));
    EXPECT_EQ(m.counts, (std::vector<double>{6, 2, 4, 4}));
    EXPECT_NEAR(m.sums[0], 13.35, 1e-12);
    EXPECT_NEAR(m.sums[1], 2.0, 1e-12);
}

TEST(RadiomicsNgtdmTest, IsolatedVoxelsCountOnlyInPyRadiomicsMode) {
    Region r;
    r.size = {3, 1, 1};
    r.gray = {1, 0, 2};
    r.mask = {1, 0, 1};
    r.voxels = {0, 2};
    r.gray_levels = {1, 2};
    r.max_gray_level = 2;
    EXPECT_EQ(ComputeNgtdmMatrix(r, Settings{}).counts, (std::vector<double>{1, 1}));
    Settings ibsi;
    ibsi.ibsi_compliant = true;
    EXPECT_TRUE(ComputeNgtdmMatrix(r, ibsi).counts.empty());
}

TEST(RadiomicsNgtdmTest, FeaturesAreInPyRadiomicsOrder) {
    Region r;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion("breast1", Settings{}, r));
    const Features f = ComputeNgtdm(r, Settings{});
    ASSERT_EQ(f.size(), 5U);
    EXPECT_TRUE(std::is_sorted(f.begin(), f.end(), [](const Feature& a, const Feature& b) { return a.name < b.name; }));
    for (const Feature& feature : f)
        EXPECT_FALSE(feature.ibsi_code.empty()) << feature.name;
}

class RadiomicsNgtdmMatrixTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsNgtdmMatrixTest, MatchesPyRadiomicsDump) {
    const std::string case_name = GetParam();
    const Region r = test::BaselineRegion(case_name, Settings{});
    const NgtdmMatrix m = ComputeNgtdmMatrix(r, Settings{});
    const auto dump = test::LoadBaselineNpy(case_name, "ngtdm");
    ASSERT_EQ(dump.shape.size(), 2U);
    ASSERT_EQ(dump.shape[1], 3U);
    ASSERT_EQ(m.gray_levels.size(), dump.shape[0]);
    for (std::size_t i = 0; i < dump.shape[0]; ++i) {
        EXPECT_EQ(m.counts[i], dump.At(i, 0)) << i;
        EXPECT_TRUE(test::WithinParity(m.sums[i], dump.At(i, 1), 1e-12, 1e-12))
            << i << ": " << m.sums[i] << " vs " << dump.At(i, 1);
        EXPECT_EQ(m.gray_levels[i], dump.At(i, 2)) << i;
    }
}

INSTANTIATE_TEST_SUITE_P(RadiomicsNgtdmCases, RadiomicsNgtdmMatrixTest,
                         ::testing::ValuesIn(test::ReferenceCaseNames()));

class RadiomicsNgtdmBaselineTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsNgtdmBaselineTest, MatchesPyRadiomicsBaseline) {
    test::ExpectBaselineColumnMatches(GetParam(), ComputeNgtdm,
                                      {.cls = "ngtdm", .walk = test::BaselineWalk::FeaturesAndRows});
}

INSTANTIATE_TEST_SUITE_P(RadiomicsNgtdmColumns, RadiomicsNgtdmBaselineTest,
                         ::testing::ValuesIn(test::BaselineColumnNames({"", "2d", "FBN", "flatRegion"})),
                         test::ParamName);

// IBSI 1 digital phantom (tests/data/ibsi_digital_phantom): every reference of the family in
// IBSI mode for 2D, 2.5D and 3D, matched by IBSI code, within the 3 significant digits the
// references are given to.
TEST(RadiomicsNgtdmTest, IbsiDigitalPhantom) {
    test::ExpectIbsiPhantomFamily("IPET", ComputeNgtdm, "ngtdm");
}

} // namespace
} // namespace radnode::processing::radiomics
