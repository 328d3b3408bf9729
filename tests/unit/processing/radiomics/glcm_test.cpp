#include "processing/radiomics/glcm.h"
#include "reference_data.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <gtest/gtest.h>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

/// A one-slice region over a whole image of already discretised levels.
Region RegionOfLevels(std::size_t width, const std::vector<std::int32_t>& levels) {
    Region r;
    r.size = {width, levels.size() / width, 1};
    r.image.assign(levels.begin(), levels.end());
    r.gray = levels;
    r.mask.assign(levels.size(), 1);
    r.shape_mask = r.mask;
    for (std::uint32_t v = 0; v < levels.size(); ++v)
        r.voxels.push_back(v);
    for (const std::int32_t l : levels)
        if (std::find(r.gray_levels.begin(), r.gray_levels.end(), l) == r.gray_levels.end())
            r.gray_levels.push_back(l);
    std::sort(r.gray_levels.begin(), r.gray_levels.end());
    r.max_gray_level = r.gray_levels.back();
    return r;
}

double Value(const Features& features, const std::string& name) {
    for (const Feature& f : features)
        if (f.name == name)
            return f.value;
    ADD_FAILURE() << "missing " << name;
    return std::nan("");
}

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
    const auto& c = test::LoadReferenceCase(GetParam());
    Region region;
    ASSERT_EQ(BuildRegion(c.image, c.mask, Settings{}, region), "");
    const GlcmMatrices m = ComputeGlcmMatrices(region, Settings{});
    const auto dump = test::LoadNpy(test::PyRadiomicsDataDir() / "baseline" / (GetParam() + "_glcm.npy"));
    ASSERT_EQ(dump.shape.size(), 3U);
    ASSERT_EQ(dump.shape[0], m.levels);
    ASSERT_EQ(dump.shape[1], m.levels);
    ASSERT_EQ(dump.shape[2], m.angles.size());
    std::size_t mismatches = 0;
    for (std::size_t a = 0; a < m.angles.size(); ++a)
        for (std::size_t i = 0; i < m.levels; ++i)
            for (std::size_t j = 0; j < m.levels; ++j) {
                const double mine = m.values[(a * m.levels + i) * m.levels + j];
                if (std::abs(mine - dump.At(i, j, a)) > 1e-12)
                    ++mismatches;
            }
    EXPECT_EQ(mismatches, 0U);
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlcm, RadiomicsGlcmMatrixTest, testing::Values("brain1", "brain2", "breast1"));

/// Settings of a baseline column, from the variant suffix; the diagnostics row is checked to
/// say the same.
Settings VariantSettings(const std::string& variant, const std::string& diagnostics) {
    Settings s;
    if (variant == "2d") {
        EXPECT_NE(diagnostics.find("'force2D': True"), std::string::npos);
        EXPECT_NE(diagnostics.find("'force2Ddimension': 0"), std::string::npos);
        s.force_2d = true;
        s.force_2d_dimension = 0;
    } else if (variant == "FBN") {
        EXPECT_NE(diagnostics.find("'binCount': 64"), std::string::npos);
        s.bin_count = 64;
    } else if (variant == "combined") {
        EXPECT_NE(diagnostics.find("'weightingNorm': 'no_weighting'"), std::string::npos);
        s.weighting_norm = WeightingNorm::NoWeighting;
    } else if (variant == "flatRegion") {
        EXPECT_NE(diagnostics.find("'binWidth': 5000"), std::string::npos);
        EXPECT_NE(diagnostics.find("'resegmentRange': [0]"), std::string::npos);
        s.bin_width = 5000;
    } else {
        EXPECT_NE(diagnostics.find("'binWidth': 25"), std::string::npos);
    }
    return s;
}

/// The region of a baseline column; resegmentRange [0] (flatRegion) is emulated by dropping
/// ROI voxels below 0 before discretising.
Region VariantRegion(const std::string& name, const std::string& variant, const Settings& settings) {
    const auto& c = test::LoadReferenceCase(name);
    Region region;
    EXPECT_EQ(BuildRegion(c.image, c.mask, settings, region), "");
    if (variant == "flatRegion") {
        std::vector<std::uint32_t> kept;
        for (const std::uint32_t v : region.voxels) {
            if (region.image[v] >= 0.0)
                kept.push_back(v);
            else
                region.mask[v] = 0;
        }
        region.voxels = kept;
        Discretise(region, settings);
    }
    return region;
}

struct Column {
    std::string name;
    std::string variant;
};

class RadiomicsGlcmParityTest : public testing::TestWithParam<Column> {};

TEST_P(RadiomicsGlcmParityTest, FeaturesMatchBaseline) {
    const Column& col = GetParam();
    const std::string column = col.variant.empty() ? col.name : col.name + "_" + col.variant;
    const auto baseline = test::BaselineColumn("glcm", column);
    const Settings settings = VariantSettings(col.variant, baseline.at("diagnostics_Configuration_Settings"));
    const Region region = VariantRegion(col.name, col.variant, settings);
    const Features features = ComputeGlcm(region, settings);
    int pass = 0, total = 0;
    double worst = 0.0;
    std::string worst_row;
    for (const auto& [row, text] : baseline) {
        if (row.rfind("original_glcm_", 0) != 0)
            continue;
        ++total;
        const double expected = std::stod(text);
        const double actual = Value(features, row.substr(9));
        const double relative = std::abs(actual - expected) / std::max(std::abs(expected), 1e-300);
        if (relative > worst) {
            worst = relative;
            worst_row = row;
        }
        if (test::WithinParity(actual, expected))
            ++pass;
        else
            ADD_FAILURE() << column << " " << row << ": " << actual << " vs " << expected << " (rel "
                          << std::abs(actual - expected) / std::abs(expected) << ")";
    }
    EXPECT_EQ(total, 24);
    std::cout << "[glcm parity] " << column << ": " << pass << "/" << total << " (largest relative difference " << worst
              << " " << worst_row << ")\n";
}

std::vector<Column> Columns() {
    std::vector<Column> out;
    for (const char* name : {"brain1", "brain2", "breast1"})
        for (const char* variant : {"", "2d", "FBN", "combined", "flatRegion"})
            out.push_back({name, variant});
    return out;
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlcm, RadiomicsGlcmParityTest, testing::ValuesIn(Columns()),
                         [](const testing::TestParamInfo<Column>& param_info) {
                             return param_info.param.name +
                                    (param_info.param.variant.empty() ? "" : "_" + param_info.param.variant);
                         });

// IBSI aggregation variants: the averaged / merged 3D and 2.5D ones coincide with PyRadiomics'
// default, weightingNorm no_weighting and force2D; the per-slice 2D ones give finite values.
TEST(RadiomicsGlcmTest, IbsiAggregationsMatchTheirPyRadiomicsCounterparts) {
    const auto& c = test::LoadReferenceCase("brain1");
    Region region;
    ASSERT_EQ(BuildRegion(c.image, c.mask, Settings{}, region), "");
    Settings merged;
    merged.weighting_norm = WeightingNorm::NoWeighting;
    Settings two_half;
    two_half.force_2d = true;
    const std::vector<std::pair<Aggregation, Settings>> pairs{
        {Aggregation::ThreeDAverage, Settings{}},
        {Aggregation::ThreeDMerged, merged},
        {Aggregation::TwoAndHalfDAverage, two_half},
    };
    for (const auto& [aggregation, pyradiomics] : pairs) {
        Settings ibsi;
        ibsi.ibsi_compliant = true;
        ibsi.ibsi_aggregation = aggregation;
        const Features a = ComputeGlcm(region, ibsi);
        const Features b = ComputeGlcm(region, pyradiomics);
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!b[i].on_request) {
                EXPECT_TRUE(test::WithinParity(a[i].value, b[i].value, 1e-12, 1e-12)) << a[i].name;
            }
        }
    }
    for (const Aggregation aggregation :
         {Aggregation::TwoDAverage, Aggregation::TwoDSliceMerged, Aggregation::TwoAndHalfDMerged}) {
        Settings ibsi;
        ibsi.ibsi_compliant = true;
        ibsi.ibsi_aggregation = aggregation;
        for (const Feature& f : ComputeGlcm(region, ibsi))
            EXPECT_TRUE(std::isfinite(f.value)) << f.name;
    }
}

TEST(RadiomicsGlcmTest, Brain1Timing) {
    const auto& c = test::LoadReferenceCase("brain1");
    Region region;
    ASSERT_EQ(BuildRegion(c.image, c.mask, Settings{}, region), "");
    constexpr int kRuns = 100;
    double checksum = 0.0;
    // Thread CPU time: the wall clock is unreliable on a loaded build machine.
    timespec cpu_start{}, cpu_end{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_start);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRuns; ++i)
        checksum += ComputeGlcm(region, Settings{})[0].value;
    const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_end);
    const double cpu_ms = (static_cast<double>(cpu_end.tv_sec - cpu_start.tv_sec) * 1e3 +
                           static_cast<double>(cpu_end.tv_nsec - cpu_start.tv_nsec) * 1e-6);
    std::cout << "[glcm timing] brain1: " << cpu_ms / kRuns << " ms CPU, " << elapsed.count() / kRuns
              << " ms wall per call\n";
    EXPECT_GT(checksum, 0.0);
}

} // namespace
} // namespace radnode::processing::radiomics
