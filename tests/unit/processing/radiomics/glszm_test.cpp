#include "baseline_support.h"
#include "processing/radiomics/glszm.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

TEST(RadiomicsGlszmTest, DocumentedTwoDimensionalExample) {
    // PyRadiomics' docstring example (5x5 image, 8-connected zones).
    const std::vector<std::int32_t> image{5, 2, 5, 4, 4, 3, 3, 3, 1, 3, 2, 1, 1, 1, 3, 4, 2, 2, 2, 3, 3, 5, 3, 3, 2};
    Region r;
    r.size = {5, 5, 1};
    r.gray = image;
    r.mask.assign(image.size(), 1);
    for (std::uint32_t v = 0; v < image.size(); ++v)
        r.voxels.push_back(v);
    r.gray_levels = {1, 2, 3, 4, 5};
    r.max_gray_level = 5;
    const GlszmMatrix m = ComputeGlszmMatrix(r, Settings{});
    // Docstring P (levels x sizes 1..5); size column 2 is empty and therefore removed here.
    const std::vector<std::vector<double>> expected{
        {0, 0, 0, 1, 0}, {1, 0, 0, 0, 1}, {1, 0, 1, 0, 1}, {1, 1, 0, 0, 0}, {3, 0, 0, 0, 0}};
    ASSERT_EQ(m.gray_levels, (std::vector<std::int32_t>{1, 2, 3, 4, 5}));
    ASSERT_EQ(m.zone_sizes, (std::vector<std::int32_t>{1, 2, 3, 4, 5}));
    for (std::size_t i = 0; i < 5; ++i)
        for (std::size_t j = 0; j < 5; ++j)
            EXPECT_EQ(m.counts[i * 5 + j], expected[i][j]) << i << "," << j;
}

TEST(RadiomicsGlszmTest, FeaturesAreInPyRadiomicsOrder) {
    Region r;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion("breast1", Settings{}, r));
    const Features f = ComputeGlszm(r, Settings{});
    ASSERT_EQ(f.size(), 16U);
    EXPECT_TRUE(std::is_sorted(f.begin(), f.end(), [](const Feature& a, const Feature& b) { return a.name < b.name; }));
    for (const Feature& feature : f) {
        EXPECT_FALSE(feature.ibsi_code.empty()) << feature.name;
        EXPECT_FALSE(feature.on_request);
    }
}

class RadiomicsGlszmMatrixTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsGlszmMatrixTest, MatchesPyRadiomicsDump) {
    const std::string case_name = GetParam();
    const Region r = test::BaselineRegion(case_name, Settings{});
    const GlszmMatrix m = ComputeGlszmMatrix(r, Settings{});
    const auto dump = test::LoadBaselineNpy(case_name, "glszm");
    test::ExpectMatrixMatchesNpy(m.counts, m.gray_levels.size(), m.zone_sizes.size(), dump);
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlszmCases, RadiomicsGlszmMatrixTest,
                         ::testing::ValuesIn(test::ReferenceCaseNames()));

class RadiomicsGlszmBaselineTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsGlszmBaselineTest, MatchesPyRadiomicsBaseline) {
    test::ExpectBaselineColumnMatches(GetParam(), ComputeGlszm,
                                      {.cls = "glszm", .walk = test::BaselineWalk::FeaturesAndRows});
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlszmColumns, RadiomicsGlszmBaselineTest,
                         ::testing::ValuesIn(test::BaselineColumnNames({"", "2d", "FBN", "flatRegion"})),
                         test::ParamName);

TEST(RadiomicsGlszmTest, IbsiTwoDimensionalAveragesSlices) {
    const Region r = test::BaselineRegion("breast1", Settings{});
    Settings merged;
    merged.ibsi_compliant = true;
    merged.ibsi_aggregation = Aggregation::TwoAndHalfDMerged;
    Settings py2d;
    py2d.force_2d = true;
    // 2.5D equals PyRadiomics' force2D (one matrix of in-plane zones over all slices).
    const Features a = ComputeGlszm(r, merged);
    const Features b = ComputeGlszm(r, py2d);
    for (std::size_t f = 0; f < a.size(); ++f)
        EXPECT_TRUE(test::WithinParity(a[f].value, b[f].value)) << a[f].name;
    Settings per_slice = merged;
    per_slice.ibsi_aggregation = Aggregation::TwoDAverage;
    const Features c = ComputeGlszm(r, per_slice);
    ASSERT_EQ(c.size(), a.size());
    for (const Feature& f : c)
        EXPECT_TRUE(std::isfinite(f.value)) << f.name;
}

// IBSI 1 digital phantom (tests/data/ibsi_digital_phantom): every reference of the family in
// IBSI mode for 2D, 2.5D and 3D, matched by IBSI code, within the 3 significant digits the
// references are given to.
TEST(RadiomicsGlszmTest, IbsiDigitalPhantom) {
    test::ExpectIbsiPhantomFamily("9SAK", ComputeGlszm, "glszm");
}

} // namespace
} // namespace radnode::processing::radiomics
