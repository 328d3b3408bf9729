#include "baseline_support.h"
#include "processing/radiomics/firstorder.h"

#include <cmath>
#include <cstdint>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

using test::ByName;

/// A 1 x n x 1 region holding `values`, discretised with `settings`.
Region RegionOf(const std::vector<double>& values, const Settings& settings) {
    Region r;
    r.size = {1, values.size(), 1};
    r.spacing = {0.5, 2.0, 3.0};
    r.image = values;
    r.mask.assign(values.size(), 1);
    for (std::uint32_t v = 0; v < values.size(); ++v)
        r.voxels.push_back(v);
    r.shape_mask = r.mask;
    Discretise(r, settings);
    return r;
}

Settings BaselineSettings() {
    Settings s;
    s.bin_width = 25;
    s.voxel_array_shift = 2000;
    return s;
}

class RadiomicsFirstOrderBaseline : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsFirstOrderBaseline, MatchesPyRadiomicsBaseline) {
    const Settings s = BaselineSettings();
    Region r;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion(GetParam(), s, r));
    test::ExpectMatchesBaseline(ComputeFirstOrder(r, s), test::BaselineColumn("firstorder", GetParam()),
                                {.cls = "firstorder", .walk = test::BaselineWalk::Features, .expected_count = 18},
                                GetParam());
}

INSTANTIATE_TEST_SUITE_P(RadiomicsFirstOrderCases, RadiomicsFirstOrderBaseline,
                         ::testing::ValuesIn(test::ReferenceCaseNames()), test::ParamName);

TEST(RadiomicsFirstOrderTest, OrderNamesAndCodesFollowPyRadiomics) {
    Settings s;
    const Features f = ComputeFirstOrder(RegionOf({1, 2, 3}, s), s);
    ASSERT_EQ(f.size(), 19U);
    EXPECT_EQ(f.front().name, "firstorder_10Percentile");
    EXPECT_EQ(f.back().name, "firstorder_Variance");
    for (std::size_t i = 1; i < f.size(); ++i)
        EXPECT_LT(f[i - 1].name.substr(11) + "FeatureValue", f[i].name.substr(11) + "FeatureValue");
    const auto by = [&](const std::string& n) {
        for (const Feature& x : f)
            if (x.name == n)
                return x;
        return Feature{};
    };
    EXPECT_TRUE(by("firstorder_StandardDeviation").on_request);
    EXPECT_EQ(by("firstorder_Kurtosis").ibsi_code, "IPH6");
    EXPECT_EQ(by("firstorder_TotalEnergy").ibsi_code, "");
}

TEST(RadiomicsFirstOrderTest, UniformRegionHasClosedFormValues) {
    Settings s;
    s.voxel_array_shift = 10;
    const Region r = RegionOf(std::vector<double>(7, 50.0), s);
    const auto v = ByName(ComputeFirstOrder(r, s));
    const double voxel = 0.5 * 2.0 * 3.0;
    EXPECT_DOUBLE_EQ(v.at("firstorder_Energy"), 7 * 60.0 * 60.0);
    EXPECT_DOUBLE_EQ(v.at("firstorder_TotalEnergy"), 7 * 60.0 * 60.0 * voxel);
    EXPECT_DOUBLE_EQ(v.at("firstorder_RootMeanSquared"), 60.0);
    for (const char* n : {"firstorder_Minimum", "firstorder_Maximum", "firstorder_Mean", "firstorder_Median",
                          "firstorder_10Percentile", "firstorder_90Percentile"})
        EXPECT_DOUBLE_EQ(v.at(n), 50.0) << n;
    for (const char* n : {"firstorder_Range", "firstorder_InterquartileRange", "firstorder_MeanAbsoluteDeviation",
                          "firstorder_RobustMeanAbsoluteDeviation", "firstorder_Variance",
                          "firstorder_StandardDeviation", "firstorder_Skewness", "firstorder_Kurtosis"})
        EXPECT_EQ(v.at(n), 0.0) << n;
    // One level: p = 1, entropy -log2(1 + eps) ~ -3e-16.
    EXPECT_NEAR(v.at("firstorder_Entropy"), 0.0, 1e-15);
    EXPECT_DOUBLE_EQ(v.at("firstorder_Uniformity"), 1.0);
}

// Hand-computed numpy values: np.percentile([1,2,3,4], [10,25,75,90]) = 1.3, 1.75, 3.25, 3.7.
TEST(RadiomicsFirstOrderTest, PercentilesInterpolateLikeNumpy) {
    Settings s;
    const auto v = ByName(ComputeFirstOrder(RegionOf({4, 1, 3, 2}, s), s));
    EXPECT_NEAR(v.at("firstorder_10Percentile"), 1.3, 1e-12);
    EXPECT_NEAR(v.at("firstorder_90Percentile"), 3.7, 1e-12);
    EXPECT_NEAR(v.at("firstorder_InterquartileRange"), 1.5, 1e-12);
    EXPECT_DOUBLE_EQ(v.at("firstorder_Median"), 2.5);
    // Robust MAD over [1.3, 3.7]: {2, 3}, mean 2.5, MAD 0.5.
    EXPECT_DOUBLE_EQ(v.at("firstorder_RobustMeanAbsoluteDeviation"), 0.5);
    EXPECT_DOUBLE_EQ(v.at("firstorder_MeanAbsoluteDeviation"), 1.0);
    EXPECT_DOUBLE_EQ(v.at("firstorder_Variance"), 1.25);
    const auto odd = ByName(ComputeFirstOrder(RegionOf({5, 1, 3}, s), s));
    EXPECT_DOUBLE_EQ(odd.at("firstorder_Median"), 3.0);
}

// {0, 0, 0, 1}: mean 1/4, m2 = 3/16, m3 = 3/32, m4 = 21/256.
TEST(RadiomicsFirstOrderTest, MomentsMatchClosedForm) {
    Settings s;
    s.bin_width = 1;
    const auto v = ByName(ComputeFirstOrder(RegionOf({0, 0, 1, 0}, s), s));
    const double m2 = 3.0 / 16;
    EXPECT_NEAR(v.at("firstorder_Skewness"), (3.0 / 32) / std::pow(m2, 1.5), 1e-12);
    EXPECT_NEAR(v.at("firstorder_Kurtosis"), (21.0 / 256) / (m2 * m2), 1e-12);
    EXPECT_NEAR(v.at("firstorder_StandardDeviation"), std::sqrt(m2), 1e-15);
    // Two levels with p = 3/4 and 1/4.
    EXPECT_NEAR(v.at("firstorder_Entropy"), -(0.75 * std::log2(0.75) + 0.25 * std::log2(0.25)), 1e-12);
    EXPECT_DOUBLE_EQ(v.at("firstorder_Uniformity"), 0.625);
    EXPECT_DOUBLE_EQ(v.at("firstorder_Energy"), 1.0); // shift 0
}

TEST(RadiomicsFirstOrderTest, EmptyRegionIsRefused) {
    Region r;
    EXPECT_THROW(ComputeFirstOrder(r, Settings{}), std::invalid_argument);
}

} // namespace
} // namespace radnode::processing::radiomics

namespace radnode::processing::radiomics {
namespace {

// Against the live PyRadiomics run, printed at full precision: agreement to rounding.
class RadiomicsFirstOrderPeer : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsFirstOrderPeer, MatchesLivePyRadiomicsRun) {
    const Settings s = BaselineSettings();
    Region r;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion(GetParam(), s, r));
    const auto peer = test::PeerOutputs(GetParam());
    int compared = 0;
    for (const Feature& f : ComputeFirstOrder(r, s)) {
        if (f.on_request)
            continue;
        const double want = std::stod(peer.at("original_" + f.name));
        EXPECT_NEAR(f.value, want, 1e-12 * std::abs(want) + 1e-12) << GetParam() << " " << f.name;
        ++compared;
    }
    EXPECT_EQ(compared, 18);
}

INSTANTIATE_TEST_SUITE_P(RadiomicsFirstOrderCases, RadiomicsFirstOrderPeer,
                         ::testing::ValuesIn(test::ReferenceCaseNames()), test::ParamName);

} // namespace
} // namespace radnode::processing::radiomics
