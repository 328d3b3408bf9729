// IBSI 1 CT radiomics phantom, configurations A-E: the IBSI image processing chain
// (ibsi_preprocess.h) checked against IBSI's diagnostic values step by step, then every
// reference feature value of every family and aggregation within the IBSI tolerance
// (tests/data/ibsi_ct_phantom, README there).
#include "processing/image_io.h"
#include "processing/radiomics/firstorder.h"
#include "processing/radiomics/glcm.h"
#include "processing/radiomics/gldzm.h"
#include "processing/radiomics/glrlm.h"
#include "processing/radiomics/glszm.h"
#include "processing/radiomics/ibsi_morphology.h"
#include "processing/radiomics/ibsi_preprocess.h"
#include "processing/radiomics/ibsi_statistics.h"
#include "processing/radiomics/intensity_histogram.h"
#include "processing/radiomics/local_intensity.h"
#include "processing/radiomics/ngldm.h"
#include "processing/radiomics/ngtdm.h"
#include "processing/radiomics/shape.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

const std::filesystem::path kDataDir = std::filesystem::path(RADNODE_TEST_DATA_DIR) / "ibsi_ct_phantom";

/// One IBSI CT configuration (IBSI 1 table of configurations A-E).
struct CtConfig {
    std::string data_set;
    std::optional<std::array<double, 3>> spacing; ///< 0 keeps the axis (B: in-plane only)
    Interpolator interpolator = Interpolator::Linear;
    std::optional<std::vector<double>> range;
    std::optional<double> outlier_sigma;
    std::optional<double> bin_width; ///< fixed bin size, else bin_count
    std::optional<int> bin_count;
    std::optional<double> ivh_bin_width; ///< neither: IVH on integer HU
    std::optional<int> ivh_bin_count;
};

const std::map<char, CtConfig>& Configs() {
    static const std::map<char, CtConfig> kConfigs{
        {'A', {"config_A", std::nullopt, Interpolator::Linear, std::vector<double>{-500, 400}, std::nullopt, 25.0,
               std::nullopt, std::nullopt, std::nullopt}},
        {'B', {"config_B", std::array<double, 3>{2, 2, 0}, Interpolator::Linear, std::vector<double>{-500, 400},
               std::nullopt, std::nullopt, 32, std::nullopt, std::nullopt}},
        {'C', {"config_C", std::array<double, 3>{2, 2, 2}, Interpolator::Linear, std::vector<double>{-1000, 400},
               std::nullopt, 25.0, std::nullopt, 2.5, std::nullopt}},
        {'D', {"config_D", std::array<double, 3>{2, 2, 2}, Interpolator::Linear, std::nullopt, 3.0, std::nullopt, 32,
               std::nullopt, std::nullopt}},
        {'E', {"config_E", std::array<double, 3>{2, 2, 2}, Interpolator::BSpline, std::vector<double>{-1000, 400}, 3.0,
               std::nullopt, 32, std::nullopt, 1000}},
    };
    return kConfigs;
}

Settings SettingsOf(const CtConfig& c) {
    Settings s;
    s.ibsi_compliant = true;
    s.label = 1;
    s.resampled_pixel_spacing = c.spacing;
    s.interpolator = c.interpolator;
    s.resegment_range = c.range;
    s.ibsi_outlier_sigma = c.outlier_sigma;
    if (c.bin_width)
        s.bin_width = *c.bin_width;
    s.bin_count = c.bin_count;
    s.ivh_bin_width = c.ivh_bin_width;
    s.ivh_bin_count = c.ivh_bin_count;
    return s;
}

/// The phantom, read once for all tests.
struct Phantom {
    Volume<double> image;
    Volume<std::int32_t> mask;
};

const Phantom& LoadPhantom() {
    static const std::unique_ptr<Phantom> kPhantom = [] {
        auto p = std::make_unique<Phantom>();
        EXPECT_TRUE(ReadImage(kDataDir / "nifti" / "image" / "phantom.nii.gz", p->image).IsOk());
        EXPECT_TRUE(ReadImage(kDataDir / "nifti" / "mask" / "mask.nii.gz", p->mask).IsOk());
        // IBSI: the image as float rounded to integer HU (the stored values already are).
        for (double& v : p->image.Data())
            v = std::nearbyint(v);
        return p;
    }();
    return *kPhantom;
}

/// The output of the IBSI chain for one configuration, computed once.
struct Prepared {
    std::string error;
    Region region;
    Volume<double> interpolated;
    std::map<std::string, std::string> diagnostics;
};

const Prepared& Prepare(char config) {
    static std::map<char, std::unique_ptr<Prepared>> cache;
    auto& slot = cache[config];
    if (!slot) {
        slot = std::make_unique<Prepared>();
        const Phantom& phantom = LoadPhantom();
        std::vector<std::pair<std::string, std::string>> diagnostics;
        slot->error = IbsiPreprocess(phantom.image, phantom.mask, SettingsOf(Configs().at(config)), slot->region,
                                     &diagnostics, &slot->interpolated);
        for (auto& [name, value] : diagnostics)
            slot->diagnostics[name] = value;
    }
    return *slot;
}

struct Reference {
    std::string family;
    std::string aggregation;
    std::string aggregation_code;
    std::string ibsi_code;
    std::string tag;
    double value = 0.0;
    double tolerance = 0.0;
};

std::vector<std::string> SplitCsv(const std::string& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (const char c : line) {
        if (c == '"')
            quoted = !quoted;
        else if (c == ',' && !quoted)
            cells.emplace_back();
        else if (c != '\r')
            cells.back() += c;
    }
    return cells;
}

/// Rows of ibsi1_ct_reference_values.csv for one data set that carry a value.
std::vector<Reference> LoadReferences(const std::string& data_set) {
    std::ifstream in(kDataDir / "ibsi1_ct_reference_values.csv");
    std::string line;
    std::getline(in, line);
    std::vector<Reference> refs;
    while (std::getline(in, line)) {
        const auto c = SplitCsv(line);
        // data_set,family,family_code,feature,manual_feature_name,ibsi_code,aggregation,
        // aggregation_code,tag,value,tolerance,consensus,note
        if (c.size() < 11 || c[0] != data_set || c[9].empty())
            continue;
        refs.push_back({c[1], c[6], c[7], c[5], c[8], std::stod(c[9]), std::stod(c[10])});
    }
    return refs;
}

/// Rows of ibsi1_ct_diagnostic_reference_values.csv for one data set.
std::vector<Reference> LoadDiagnostics(const std::string& data_set) {
    std::ifstream in(kDataDir / "ibsi1_ct_diagnostic_reference_values.csv");
    std::string line;
    std::getline(in, line);
    std::vector<Reference> refs;
    while (std::getline(in, line)) {
        const auto c = SplitCsv(line);
        // data_set,family,feature,tag,value,tolerance,consensus_teams
        if (c.size() < 6 || c[0] != data_set || c[4].empty())
            continue;
        refs.push_back({c[1], "", "", "", c[3], std::stod(c[4]), std::stod(c[5])});
    }
    return refs;
}

/// IBSI's rule: printed values carry 3 significant digits, so half a unit of the third digit
/// is allowed on top of the published tolerance.
double Tolerance(const Reference& r) {
    const double rounding =
        r.value == 0.0 ? 0.0 : 0.5 * std::pow(10.0, std::floor(std::log10(std::abs(r.value))) - 2.0);
    return std::max(r.tolerance, rounding) * (1.0 + 1e-9) + 1e-12;
}

Aggregation AggregationOf(const std::string& code) {
    static const std::map<std::string, Aggregation> kMap{
        {"BTW3", Aggregation::TwoDAverage},        {"SUJT", Aggregation::TwoDSliceMerged},
        {"JJUI", Aggregation::TwoAndHalfDAverage}, {"ZW7Z", Aggregation::TwoAndHalfDMerged},
        {"ITBB", Aggregation::ThreeDAverage},      {"IAZD", Aggregation::ThreeDMerged},
        {"8QNN", Aggregation::TwoDAverage},        {"62GR", Aggregation::TwoAndHalfDMerged},
        {"KOBO", Aggregation::ThreeDMerged},
    };
    const auto it = kMap.find(code);
    return it == kMap.end() ? Aggregation::ThreeDMerged : it->second;
}

using Compute = std::function<Features(const Region&, const Volume<double>&, const Settings&)>;

Compute Plain(Features (*f)(const Region&, const Settings&)) {
    return [f](const Region& r, const Volume<double>& /*image*/, const Settings& s) { return f(r, s); };
}

/// The computing functions of each IBSI family, first match wins (the IBSI-specific
/// classes before the PyRadiomics ones whose feature carries the same code with another
/// definition, e.g. Kurtosis vs excess kurtosis).
const std::map<std::string, std::vector<Compute>>& FamilySources() {
    static const std::map<std::string, std::vector<Compute>> kSources{
        {"Morphology", {Plain(&ComputeIbsiMorphology), Plain(&ComputeShape)}},
        {"Local intensity",
         {[](const Region& r, const Volume<double>& image, const Settings& s) {
             return ComputeLocalIntensity(r, image, s);
         }}},
        {"Statistics", {Plain(&ComputeIbsiStatistics), Plain(&ComputeFirstOrder)}},
        {"Intensity histogram", {Plain(&ComputeIntensityHistogram)}},
        // In IBSI mode the IVH family discretises with settings.ivh_bin_width/ivh_bin_count itself.
        {"Intensity volume histogram", {Plain(&ComputeIntensityVolumeHistogram)}},
        {"Co-occurrence matrix", {Plain(&ComputeGlcm)}},
        {"Run length matrix", {Plain(&ComputeGlrlm)}},
        {"Size zone matrix", {Plain(&ComputeGlszm)}},
        {"Distance zone matrix", {Plain(&ComputeGldzm)}},
        {"Neighbourhood grey tone difference matrix", {Plain(&ComputeNgtdm)}},
        {"Neighbouring grey level dependence matrix", {Plain(&ComputeNgldm)}},
    };
    return kSources;
}

/// Tags whose IBSI code is shared by two features (v10/v90, i10/i90): matched by name.
const std::map<std::string, std::string>& NamedTags() {
    static const std::map<std::string, std::string> kNames{
        {"ivh_v10", "ivh_VolumeAtIntensityFraction10"},
        {"ivh_v90", "ivh_VolumeAtIntensityFraction90"},
        {"ivh_i10", "ivh_IntensityAtVolumeFraction10"},
        {"ivh_i90", "ivh_IntensityAtVolumeFraction90"},
    };
    return kNames;
}

void CheckDiagnostics(char config) {
    const CtConfig& c = Configs().at(config);
    const Prepared& prepared = Prepare(config);
    ASSERT_EQ(prepared.error, "");
    const std::vector<Reference> refs = LoadDiagnostics(c.data_set);
    ASSERT_EQ(refs.size(), 60U);
    int passed = 0;
    for (const Reference& r : refs) {
        const auto it = prepared.diagnostics.find(r.tag);
        if (it == prepared.diagnostics.end()) {
            ADD_FAILURE() << c.data_set << " " << r.tag << ": not reported";
            continue;
        }
        const double value = std::stod(it->second);
        const bool pass = std::abs(value - r.value) <= Tolerance(r);
        EXPECT_TRUE(pass) << c.data_set << " " << r.tag << ": computed " << value << ", reference " << r.value
                          << " +- " << Tolerance(r);
        passed += pass ? 1 : 0;
    }
    std::cout << "IBSI CT " << c.data_set << " diagnostics: " << passed << "/" << refs.size() << "\n";
}

void CheckFeatures(char config) {
    const CtConfig& c = Configs().at(config);
    const Prepared& prepared = Prepare(config);
    ASSERT_EQ(prepared.error, "");
    const std::vector<Reference> refs = LoadReferences(c.data_set);
    ASSERT_GT(refs.size(), 200U);
    const Settings base_settings = SettingsOf(c);

    // (family, aggregation) -> (passed, compared); (family, source, aggregation code) -> features
    std::map<std::pair<std::string, std::string>, std::array<int, 2>> tally;
    std::map<std::tuple<std::string, std::size_t, std::string>, Features> cache;
    for (const Reference& r : refs) {
        auto& t = tally[{r.family, r.aggregation}];
        ++t[1];
        const auto sources = FamilySources().find(r.family);
        ASSERT_NE(sources, FamilySources().end()) << r.family;
        const auto named = NamedTags().find(r.tag);
        const Feature* feature = nullptr;
        for (std::size_t i = 0; i < sources->second.size() && feature == nullptr; ++i) {
            auto it = cache.find({r.family, i, r.aggregation_code});
            if (it == cache.end()) {
                Settings settings = base_settings;
                settings.ibsi_aggregation = AggregationOf(r.aggregation_code);
                it = cache.emplace(std::make_tuple(r.family, i, r.aggregation_code),
                                   sources->second[i](prepared.region, prepared.interpolated, settings))
                         .first;
            }
            for (const Feature& f : it->second)
                if (named != NamedTags().end() ? f.name == named->second : f.ibsi_code == r.ibsi_code) {
                    feature = &f;
                    break;
                }
        }
        if (feature == nullptr) {
            ADD_FAILURE() << c.data_set << " " << r.tag << " (" << r.ibsi_code << "): no feature computed";
            continue;
        }
        const bool pass = std::abs(feature->value - r.value) <= Tolerance(r);
        EXPECT_TRUE(pass) << c.data_set << " " << r.tag << " (" << feature->name << "): computed " << feature->value
                          << ", reference " << r.value << " +- " << Tolerance(r);
        t[0] += pass ? 1 : 0;
    }
    int passed = 0;
    int compared = 0;
    std::cout << "IBSI CT " << c.data_set << ": family | aggregation | passed/compared\n";
    for (const auto& [key, t] : tally) {
        std::cout << "  " << key.first << " | " << (key.second.empty() ? "-" : key.second) << " | " << t[0] << "/"
                  << t[1] << "\n";
        passed += t[0];
        compared += t[1];
    }
    std::cout << "IBSI CT " << c.data_set << " total: " << passed << "/" << compared << "\n";
}

TEST(RadiomicsIbsiCtPreprocess, GridCentredAndSized) {
    const Prepared& c = Prepare('C');
    ASSERT_EQ(c.error, "");
    const ImageGeometry& g = c.interpolated.Geometry();
    EXPECT_EQ(g.size, (std::array<std::size_t, 3>{100, 99, 90}));
    // The centres of the original and the interpolated grid coincide.
    const ImageGeometry& o = LoadPhantom().image.Geometry();
    const Point3 centre_old = o.IndexToPhysical(0.5 * static_cast<double>(o.size[0] - 1),
                                                0.5 * static_cast<double>(o.size[1] - 1),
                                                0.5 * static_cast<double>(o.size[2] - 1));
    const Point3 centre_new = g.IndexToPhysical(0.5 * static_cast<double>(g.size[0] - 1),
                                                0.5 * static_cast<double>(g.size[1] - 1),
                                                0.5 * static_cast<double>(g.size[2] - 1));
    for (int a = 0; a < 3; ++a)
        EXPECT_NEAR(centre_old[a], centre_new[a], 1e-9);
    // Config B keeps the slices.
    const Prepared& b = Prepare('B');
    ASSERT_EQ(b.error, "");
    EXPECT_EQ(b.interpolated.Geometry().size[2], 60U);
    EXPECT_EQ(b.interpolated.Geometry().spacing[2], 3.0);
}

TEST(RadiomicsIbsiCtDiagnostics, ConfigA) { CheckDiagnostics('A'); }
TEST(RadiomicsIbsiCtDiagnostics, ConfigB) { CheckDiagnostics('B'); }
TEST(RadiomicsIbsiCtDiagnostics, ConfigC) { CheckDiagnostics('C'); }
TEST(RadiomicsIbsiCtDiagnostics, ConfigD) { CheckDiagnostics('D'); }
TEST(RadiomicsIbsiCtDiagnostics, ConfigE) { CheckDiagnostics('E'); }

TEST(RadiomicsIbsiCtFeatures, ConfigA) { CheckFeatures('A'); }
TEST(RadiomicsIbsiCtFeatures, ConfigB) { CheckFeatures('B'); }
TEST(RadiomicsIbsiCtFeatures, ConfigC) { CheckFeatures('C'); }
TEST(RadiomicsIbsiCtFeatures, ConfigD) { CheckFeatures('D'); }
TEST(RadiomicsIbsiCtFeatures, ConfigE) { CheckFeatures('E'); }

} // namespace
} // namespace radnode::processing::radiomics
