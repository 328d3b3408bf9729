#include "baseline_support.h"
#include "processing/radiomics/gldm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

TEST(RadiomicsGldmTest, DependenceCountsTheCentreAndAlpha) {
    // 3x1 strip 1 2 1 in 2D: with alpha 0 nobody depends on a neighbour, with alpha 1 the
    // centre has two dependent neighbours and each end one.
    Region r;
    r.size = {3, 1, 1};
    r.gray = {1, 2, 1};
    r.mask = {1, 1, 1};
    r.voxels = {0, 1, 2};
    r.gray_levels = {1, 2};
    r.max_gray_level = 2;
    Settings s;
    GldmMatrix m = ComputeGldmMatrix(r, s);
    EXPECT_EQ(m.gray_levels, (std::vector<std::int32_t>{1, 2}));
    EXPECT_EQ(m.dependences, (std::vector<std::int32_t>{1}));
    EXPECT_EQ(m.counts, (std::vector<double>{2, 1}));
    s.gldm_a = 1;
    m = ComputeGldmMatrix(r, s);
    EXPECT_EQ(m.dependences, (std::vector<std::int32_t>{2, 3}));
    EXPECT_EQ(m.counts, (std::vector<double>{2, 0, 0, 1}));
}

TEST(RadiomicsGldmTest, FeaturesAreInPyRadiomicsOrder) {
    Region r;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion("breast1", Settings{}, r));
    const Features f = ComputeGldm(r, Settings{});
    ASSERT_EQ(f.size(), 16U);
    EXPECT_TRUE(std::is_sorted(f.begin(), f.end(), [](const Feature& a, const Feature& b) { return a.name < b.name; }));
    int on_request = 0;
    for (const Feature& feature : f) {
        EXPECT_FALSE(feature.ibsi_code.empty()) << feature.name;
        on_request += feature.on_request ? 1 : 0;
        if (feature.name == "gldm_DependencePercentage") {
            EXPECT_DOUBLE_EQ(feature.value, 1.0);
        }
    }
    EXPECT_EQ(on_request, 2);
    Settings ibsi;
    ibsi.ibsi_compliant = true;
    const Features g = ComputeGldm(r, ibsi);
    ASSERT_EQ(g.size(), 17U);
    EXPECT_EQ(g.back().name, "gldm_DependenceCountEnergy");
}

class RadiomicsGldmMatrixTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsGldmMatrixTest, MatchesPyRadiomicsDump) {
    const std::string case_name = GetParam();
    const Region r = test::BaselineRegion(case_name, Settings{});
    const GldmMatrix m = ComputeGldmMatrix(r, Settings{});
    const auto dump = test::LoadBaselineNpy(case_name, "gldm");
    test::ExpectMatrixMatchesNpy(m.counts, m.gray_levels.size(), m.dependences.size(), dump);
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGldmCases, RadiomicsGldmMatrixTest, ::testing::ValuesIn(test::ReferenceCaseNames()));

class RadiomicsGldmBaselineTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsGldmBaselineTest, MatchesPyRadiomicsBaseline) {
    test::ExpectBaselineColumnMatches(GetParam(), ComputeGldm,
                                      {.cls = "gldm", .walk = test::BaselineWalk::FeaturesAndRows});
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGldmColumns, RadiomicsGldmBaselineTest,
                         ::testing::ValuesIn(test::BaselineColumnNames({"", "2d", "FBN", "flatRegion"})),
                         test::ParamName);

// IBSI 1 digital phantom (tests/data/ibsi_digital_phantom): every reference of the family in
// IBSI mode for 2D, 2.5D and 3D, matched by IBSI code, within the 3 significant digits the
// references are given to.
TEST(RadiomicsGldmTest, IbsiDigitalPhantom) {
    test::ExpectIbsiPhantomFamily("REK0", ComputeGldm, "gldm");
}

} // namespace
} // namespace radnode::processing::radiomics
