#include "baseline_support.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace radnode::test {

using processing::ImageGeometry;
using processing::Volume;
using processing::radiomics::Aggregation;
using processing::radiomics::Feature;
using processing::radiomics::Features;
using processing::radiomics::Region;
using processing::radiomics::Settings;
using processing::radiomics::WeightingNorm;

namespace {

/// Whether `text` starts with `prefix`.
bool StartsWith(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

/// Running tally of a baseline comparison.
struct BaselineTally {
    int compared = 0;
    int passed = 0;
    double worst = 0.0; ///< largest relative difference, for the log
    std::string worst_name;

    /// Counts one feature and reports it when outside parity.
    void Compare(const std::string& label, const std::string& name, double actual, const std::string& text) {
        const double expected = std::stod(text);
        ++compared;
        const double relative = std::abs(actual - expected) / std::max(std::abs(expected), 1e-300);
        if (relative > worst) {
            worst = relative;
            worst_name = name;
        }
        if (WithinParity(actual, expected))
            ++passed;
        else
            ADD_FAILURE() << label << " " << name << ": " << actual << " vs " << expected << " (rel " << relative
                          << ")";
    }
};

std::filesystem::path IbsiPhantomDir() {
    return std::filesystem::path(RADNODE_TEST_DATA_DIR) / "ibsi_digital_phantom";
}

} // namespace

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

std::map<std::string, double> ByName(const Features& features) {
    std::map<std::string, double> out;
    for (const Feature& f : features)
        out[f.name] = f.value;
    return out;
}

double RelativeDifference(double actual, double expected) {
    const double diff = std::abs(actual - expected);
    return std::abs(expected) > 0.0 ? diff / std::abs(expected) : diff;
}

void ExpectNotebookValuesMatch(const std::map<std::string, double>& actual, const std::string& prefix,
                               const std::string& label) {
    const auto notebook = TwoColumnCsv(PyRadiomicsDataDir() / "notebook_reference" / "brain1_helloFeatureClass.csv");
    int pass = 0;
    int total = 0;
    double largest = 0.0;
    for (const auto& [name, text] : notebook) {
        if (!name.starts_with(prefix))
            continue;
        ++total;
        const double expected = std::strtod(text.c_str(), nullptr);
        const auto it = actual.find(name);
        ASSERT_NE(it, actual.end()) << name;
        largest = std::max(largest, RelativeDifference(it->second, expected));
        if (WithinParity(it->second, expected))
            ++pass;
        else
            ADD_FAILURE() << name << ": " << it->second << " vs " << text;
    }
    std::printf("  notebook %s: %d/%d (largest relative difference %.3e)\n", label.c_str(), pass, total, largest);
    EXPECT_GT(total, 0);
}

void BuildReferenceRegion(const std::string& name, const Settings& settings, Region& region) {
    const auto& c = LoadReferenceCase(name);
    ASSERT_EQ(BuildRegion(c.image, c.mask, settings, region), "");
}

std::vector<std::string> BaselineColumnNames(const std::vector<std::string>& variants) {
    std::vector<std::string> out;
    for (const std::string& name : ReferenceCaseNames())
        for (const std::string& variant : variants)
            out.push_back(variant.empty() ? name : name + "_" + variant);
    return out;
}

std::string ParamName(const testing::TestParamInfo<std::string>& param_info) {
    return param_info.param;
}

Settings BaselineVariantSettings(const std::string& variant) {
    Settings s;
    if (variant == "2d") {
        s.force_2d = true;
        s.force_2d_dimension = 0;
    } else if (variant == "FBN") {
        s.bin_count = 64;
    } else if (variant == "combined") {
        s.weighting_norm = WeightingNorm::NoWeighting;
    } else if (variant == "flatRegion") {
        s.bin_width = 5000;
        s.resegment_range = std::vector<double>{0.0};
    }
    return s;
}

void ExpectDiagnosticsMatchVariant(const std::string& variant, const std::string& diagnostics) {
    if (variant == "2d") {
        EXPECT_NE(diagnostics.find("'force2D': True"), std::string::npos);
        EXPECT_NE(diagnostics.find("'force2Ddimension': 0"), std::string::npos);
    } else if (variant == "FBN") {
        EXPECT_NE(diagnostics.find("'binCount': 64"), std::string::npos);
    } else if (variant == "combined") {
        EXPECT_NE(diagnostics.find("'weightingNorm': 'no_weighting'"), std::string::npos);
    } else if (variant == "flatRegion") {
        EXPECT_NE(diagnostics.find("'binWidth': 5000"), std::string::npos);
        EXPECT_NE(diagnostics.find("'resegmentRange': [0]"), std::string::npos);
    } else {
        EXPECT_NE(diagnostics.find("'binWidth': 25"), std::string::npos);
    }
}

Region BaselineRegion(const std::string& name, const Settings& settings) {
    const auto& c = LoadReferenceCase(name);
    Region r;
    EXPECT_EQ(BuildRegion(c.image, c.mask, settings, r), "");
    if (settings.resegment_range) {
        std::vector<std::uint32_t> kept;
        for (const std::uint32_t v : r.voxels) {
            if (r.image[v] < settings.resegment_range->front())
                r.mask[v] = 0;
            else
                kept.push_back(v);
        }
        r.voxels = std::move(kept);
        Discretise(r, settings);
    }
    return r;
}

void ExpectMatchesBaseline(const Features& features, const std::map<std::string, std::string>& baseline,
                           const BaselineCheck& check, const std::string& label) {
    const std::string prefix = "original_" + check.cls + "_";
    BaselineTally tally;
    if (check.walk == BaselineWalk::Rows) {
        for (const auto& [row, text] : baseline) {
            if (!StartsWith(row, prefix))
                continue;
            const std::string name = row.substr(9);
            tally.Compare(label, name, Value(features, name), text);
        }
    } else {
        for (const Feature& f : features) {
            const auto it = baseline.find("original_" + f.name);
            if (f.on_request && (check.walk == BaselineWalk::Features || it == baseline.end()))
                continue;
            ASSERT_NE(it, baseline.end()) << f.name;
            tally.Compare(label, f.name, f.value, it->second);
        }
    }
    if (check.walk == BaselineWalk::FeaturesAndRows) {
        for (const auto& [row, text] : baseline) {
            if (!StartsWith(row, prefix))
                continue;
            EXPECT_TRUE(std::any_of(features.begin(), features.end(), [&](const Feature& f) {
                return "original_" + f.name == row;
            })) << row;
        }
    }
    if (check.expected_count) {
        EXPECT_EQ(tally.compared, *check.expected_count);
    }
    std::printf("[ %s baseline ] %s: %d/%d features within parity, largest relative difference %.3g (%s)\n",
                check.cls.c_str(), label.c_str(), tally.passed, tally.compared, tally.worst, tally.worst_name.c_str());
}

void ExpectBaselineColumnMatches(const std::string& column, const FeatureFunction& compute,
                                 const BaselineCheck& check) {
    const auto underscore = column.find('_');
    const std::string case_name = column.substr(0, underscore);
    const std::string variant = underscore == std::string::npos ? "" : column.substr(underscore + 1);
    const auto baseline = BaselineColumn(check.cls, column);
    if (check.check_diagnostics)
        ExpectDiagnosticsMatchVariant(variant, baseline.at("diagnostics_Configuration_Settings"));
    const Settings settings = BaselineVariantSettings(variant);
    const Region region = BaselineRegion(case_name, settings);
    ExpectMatchesBaseline(compute(region, settings), baseline, check, column);
}

NpyArray LoadBaselineNpy(const std::string& case_name, const std::string& cls) {
    return LoadNpy(PyRadiomicsDataDir() / "baseline" / (case_name + "_" + cls + ".npy"));
}

void ExpectMatrixMatchesNpy(const std::vector<double>& values, std::size_t rows, std::size_t columns,
                            const NpyArray& dump) {
    ASSERT_EQ(dump.shape.size(), 2U);
    ASSERT_EQ(rows, dump.shape[0]);
    ASSERT_EQ(columns, dump.shape[1]);
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < columns; ++j)
            EXPECT_EQ(values[i * columns + j], dump.At(i, j)) << i << "," << j;
}

std::size_t CountAngleMatrixMismatches(const NpyArray& dump, std::size_t angles, std::size_t rows, std::size_t columns,
                                       const std::function<double(std::size_t, std::size_t, std::size_t)>& mine,
                                       double tolerance, bool report_each) {
    std::size_t mismatches = 0;
    for (std::size_t a = 0; a < angles; ++a)
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = 0; j < columns; ++j) {
                const double value = mine(a, i, j);
                const double theirs = dump.At(i, j, a);
                if (std::abs(value - theirs) > tolerance) {
                    ++mismatches;
                    if (report_each)
                        ADD_FAILURE() << "angle " << a << " row " << i << " column " << j << ": " << value << " vs "
                                      << theirs;
                }
            }
    return mismatches;
}

void ExpectIbsiAggregationsMatchPyRadiomics(const FeatureFunction& compute) {
    Region region;
    ASSERT_NO_FATAL_FAILURE(BuildReferenceRegion("brain1", Settings{}, region));
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
        const Features a = compute(region, ibsi);
        const Features b = compute(region, pyradiomics);
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!b[i].on_request) {
                EXPECT_TRUE(WithinParity(a[i].value, b[i].value, 1e-12, 1e-12)) << a[i].name;
            }
        }
    }
    for (const Aggregation aggregation :
         {Aggregation::TwoDAverage, Aggregation::TwoDSliceMerged, Aggregation::TwoAndHalfDMerged}) {
        Settings ibsi;
        ibsi.ibsi_compliant = true;
        ibsi.ibsi_aggregation = aggregation;
        for (const Feature& f : compute(region, ibsi))
            EXPECT_TRUE(std::isfinite(f.value)) << f.name;
    }
}

Region IbsiPhantomRegion() {
    ImageGeometry geometry;
    geometry.size = {5, 4, 4};
    geometry.spacing = {2.0, 2.0, 2.0};
    Volume<double> image(geometry, 0.0);
    Volume<std::int32_t> mask(geometry, 0);
    std::ifstream voxels(IbsiPhantomDir() / "phantom_voxels.csv");
    std::string line;
    std::getline(voxels, line); // x,y,z,intensity,in_roi
    while (std::getline(voxels, line)) {
        std::istringstream s(line);
        std::size_t x = 0, y = 0, z = 0;
        double value = 0;
        int in_roi = 0;
        char comma = 0;
        s >> x >> comma >> y >> comma >> z >> comma >> value >> comma >> in_roi;
        image.At(x, y, z) = value;
        mask.At(x, y, z) = in_roi;
    }
    Settings settings;
    settings.ibsi_compliant = true;
    Region region;
    EXPECT_EQ(BuildRegion(image, mask, settings, region), "");
    // IBSI computed the phantom without discretisation: grey level = intensity.
    for (const std::uint32_t v : region.voxels)
        region.gray[v] = static_cast<std::int32_t>(std::lround(region.image[v]));
    region.gray_levels = {1, 3, 4, 6};
    region.max_gray_level = 6;
    return region;
}

void ExpectIbsiPhantomFamily(const std::string& family_code, const FeatureFunction& compute, const std::string& label) {
    const Region region = IbsiPhantomRegion();
    std::ifstream references(IbsiPhantomDir() / "reference_values.csv");
    std::string line;
    std::getline(references, line);
    int compared = 0;
    while (std::getline(references, line)) {
        std::vector<std::string> cells;
        std::istringstream s(line);
        for (std::string cell; std::getline(s, cell, ',');)
            cells.push_back(cell);
        if (cells.size() < 11 || cells[2] != family_code)
            continue;
        Settings settings;
        settings.ibsi_compliant = true;
        settings.ibsi_aggregation = cells[6] == "2D"     ? Aggregation::TwoDAverage
                                    : cells[6] == "2.5D" ? Aggregation::TwoAndHalfDMerged
                                                         : Aggregation::ThreeDMerged;
        const Features features = compute(region, settings);
        const auto it =
            std::find_if(features.begin(), features.end(), [&](const Feature& f) { return f.ibsi_code == cells[5]; });
        ASSERT_NE(it, features.end()) << cells[5];
        const double expected = std::stod(cells[9]);
        // The references are rounded to 3 significant digits.
        const double rounding = 0.5 * std::pow(10.0, std::floor(std::log10(std::abs(expected))) - 2);
        EXPECT_NEAR(it->value, expected, std::max(std::stod(cells[10]), rounding) * 1.0001)
            << it->name << " " << cells[6];
        ++compared;
    }
    EXPECT_GT(compared, 0);
    std::printf("[ %s ] IBSI phantom: %d references compared\n", label.c_str(), compared);
}

} // namespace radnode::test
