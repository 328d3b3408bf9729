#include "processing/radiomics/glrlm.h"
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
    const auto& c = test::LoadReferenceCase(GetParam());
    Region region;
    ASSERT_EQ(BuildRegion(c.image, c.mask, Settings{}, region), "");
    const GlrlmMatrices m = ComputeGlrlmMatrices(region, Settings{});
    const auto dump = test::LoadNpy(test::PyRadiomicsDataDir() / "baseline" / (GetParam() + "_glrlm.npy"));
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
    std::size_t mismatches = 0;
    for (std::size_t a = 0; a < m.angles.size(); ++a)
        for (std::size_t i = 0; i < m.levels; ++i)
            for (std::size_t col = 0; col < lengths.size(); ++col) {
                const double mine = m.values[(a * m.levels + i) * m.max_run_length + lengths[col]];
                const double theirs = dump.At(i, col, a);
                if (mine != theirs) {
                    ++mismatches;
                    ADD_FAILURE() << "angle " << a << " level " << i << " length " << lengths[col] + 1 << ": " << mine
                                  << " vs " << theirs;
                }
            }
    EXPECT_EQ(mismatches, 0U);
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlrlm, RadiomicsGlrlmMatrixTest, testing::Values("brain1", "brain2", "breast1"));

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

class RadiomicsGlrlmParityTest : public testing::TestWithParam<Column> {};

TEST_P(RadiomicsGlrlmParityTest, FeaturesMatchBaseline) {
    const Column& col = GetParam();
    const std::string column = col.variant.empty() ? col.name : col.name + "_" + col.variant;
    const auto baseline = test::BaselineColumn("glrlm", column);
    const Settings settings = VariantSettings(col.variant, baseline.at("diagnostics_Configuration_Settings"));
    const Region region = VariantRegion(col.name, col.variant, settings);
    const Features features = ComputeGlrlm(region, settings);
    int pass = 0, total = 0;
    double worst = 0.0;
    std::string worst_row;
    for (const auto& [row, text] : baseline) {
        if (row.rfind("original_glrlm_", 0) != 0)
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
    EXPECT_EQ(total, 16);
    std::cout << "[glrlm parity] " << column << ": " << pass << "/" << total << " (largest relative difference "
              << worst << " " << worst_row << ")\n";
}

std::vector<Column> Columns() {
    std::vector<Column> out;
    for (const char* name : {"brain1", "brain2", "breast1"})
        for (const char* variant : {"", "2d", "FBN", "combined", "flatRegion"})
            out.push_back({name, variant});
    return out;
}

INSTANTIATE_TEST_SUITE_P(RadiomicsGlrlm, RadiomicsGlrlmParityTest, testing::ValuesIn(Columns()),
                         [](const testing::TestParamInfo<Column>& param_info) {
                             return param_info.param.name +
                                    (param_info.param.variant.empty() ? "" : "_" + param_info.param.variant);
                         });

// IBSI aggregation variants: the averaged / merged 3D and 2.5D ones coincide with PyRadiomics'
// default, weightingNorm no_weighting and force2D; the per-slice 2D ones give finite values.
TEST(RadiomicsGlrlmTest, IbsiAggregationsMatchTheirPyRadiomicsCounterparts) {
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
        const Features a = ComputeGlrlm(region, ibsi);
        const Features b = ComputeGlrlm(region, pyradiomics);
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
        for (const Feature& f : ComputeGlrlm(region, ibsi))
            EXPECT_TRUE(std::isfinite(f.value)) << f.name;
    }
}

TEST(RadiomicsGlrlmTest, Brain1Timing) {
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
        checksum += ComputeGlrlm(region, Settings{})[0].value;
    const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu_end);
    const double cpu_ms = (static_cast<double>(cpu_end.tv_sec - cpu_start.tv_sec) * 1e3 +
                           static_cast<double>(cpu_end.tv_nsec - cpu_start.tv_nsec) * 1e-6);
    std::cout << "[glrlm timing] brain1: " << cpu_ms / kRuns << " ms CPU, " << elapsed.count() / kRuns
              << " ms wall per call\n";
    EXPECT_GT(checksum, 0.0);
}

} // namespace
} // namespace radnode::processing::radiomics
