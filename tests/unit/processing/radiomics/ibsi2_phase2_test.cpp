// IBSI 2 phase 2, end to end: the 18 configurations (filters 1-9 x image processing A and B)
// of the IBSI 2 reference feature values, each run from its radnode parameter file
// (tests/data/ibsi2/phase2_params/<filter>_<A|B>.yaml) through config::LoadRadiomicsParams and
// Extract on the IBSI CT radiomics phantom (tests/data/ibsi_ct_phantom). Every one of the 18
// intensity-based statistics (stat_*) with a consensus value must lie within its tolerance,
// |x - consensus| <= tolerance (tests/data/ibsi2/README.md). docs/validation.md, "IBSI 2 phase
// 2", has the results.
// Also (suite IbsiTwoPhaseTwoSupport) the two speed-ups this run relies on, against their slow
// forms: filters of finite support computed on the crop the ROI box needs instead of the whole
// image, and the chirp (Bluestein) FFT of lengths with large prime factors.

#include "config/radiomics_params.h"
#include "processing/image_io.h"
#include "processing/radiomics/extractor.h"
#include "processing/radiomics/ibsi_convolution.h"
#include "processing/radiomics/ibsi_filters.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

const std::filesystem::path kDataDir = std::filesystem::path(RADNODE_TEST_DATA_DIR);

/// The CT phantom, read once: float HU rounded to integers (IBSI; the stored values already are).
struct Phantom {
    Volume<double> image;
    Volume<std::int32_t> mask;
};

const Phantom& LoadPhantom() {
    static const std::unique_ptr<Phantom> kPhantom = [] {
        auto p = std::make_unique<Phantom>();
        const std::filesystem::path dir = kDataDir / "ibsi_ct_phantom" / "nifti";
        const ImageIoResult image = ReadImage(dir / "image" / "phantom.nii.gz", p->image);
        EXPECT_TRUE(image.IsOk()) << image.error;
        const ImageIoResult mask = ReadImage(dir / "mask" / "mask.nii.gz", p->mask);
        EXPECT_TRUE(mask.IsOk()) << mask.error;
        for (double& v : p->image.Data())
            v = std::nearbyint(v);
        return p;
    }();
    return *kPhantom;
}

/// One row of ibsi2_reference_values.csv; no value when IBSI found no consensus.
struct Reference {
    std::string feature_tag;
    std::optional<double> consensus;
    double tolerance = 0.0;
};

/// filter_id ("1.A") -> its rows, in file order.
const std::map<std::string, std::vector<Reference>>& References() {
    static const std::map<std::string, std::vector<Reference>> kReferences = [] {
        std::map<std::string, std::vector<Reference>> out;
        std::ifstream in(kDataDir / "ibsi2" / "reference_values" / "ibsi2_reference_values.csv");
        EXPECT_TRUE(in.good());
        std::string line;
        std::getline(in, line); // header: filter_id;feature;feature_tag;consensus_value;tolerance
        while (std::getline(in, line)) {
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.empty())
                continue;
            std::vector<std::string> cells;
            std::stringstream row(line);
            for (std::string cell; std::getline(row, cell, ';');)
                cells.push_back(cell);
            cells.resize(5);
            Reference r;
            r.feature_tag = cells[2];
            if (!cells[3].empty()) {
                r.consensus = std::stod(cells[3]);
                r.tolerance = std::stod(cells[4]);
            }
            out[cells[0]].push_back(r);
        }
        return out;
    }();
    return kReferences;
}

/// The IBSI identifier of each intensity-based statistic (IBSI 1 manual, family UHIW).
const std::map<std::string, std::string>& StatisticCodes() {
    static const std::map<std::string, std::string> kCodes{
        {"stat_mean", "Q4LE"},   {"stat_var", "ECT3"},   {"stat_skew", "KE2A"},  {"stat_kurt", "IPH6"},
        {"stat_median", "Y12H"}, {"stat_min", "1GSF"},   {"stat_p10", "QG58"},   {"stat_p90", "8DWT"},
        {"stat_max", "84IY"},    {"stat_iqr", "SALO"},   {"stat_range", "2OJQ"}, {"stat_mad", "4FUA"},
        {"stat_rmad", "1128"},   {"stat_medad", "N72L"}, {"stat_cov", "7TET"},   {"stat_qcod", "9S40"},
        {"stat_energy", "N8CA"}, {"stat_rms", "5ZWQ"},
    };
    return kCodes;
}

/// The feature of `features` with IBSI code `code` from the firstorder or statistics class
/// (the two radnode classes that together make IBSI's intensity-based statistics); nullptr
/// when there is none or more than one.
const Feature* FindStatistic(const Features& features, const std::string& code) {
    const Feature* found = nullptr;
    for (const Feature& f : features) {
        if (f.ibsi_code != code)
            continue;
        if (f.name.find("_firstorder_") == std::string::npos && f.name.find("_statistics_") == std::string::npos)
            continue;
        if (found != nullptr)
            return nullptr;
        found = &f;
    }
    return found;
}

class IbsiTwoPhaseTwo : public ::testing::TestWithParam<std::string> {};

TEST_P(IbsiTwoPhaseTwo, StatisticsWithinTolerance) {
    const std::string& id = GetParam(); // "1.A" ... "9.B"
    const auto refs = References().find(id);
    ASSERT_NE(refs, References().end()) << "no reference rows for " << id;
    ASSERT_EQ(refs->second.size(), StatisticCodes().size()) << id;

    std::string file = id;
    file[1] = '_';
    const ExtractionParams params =
        config::LoadRadiomicsParams(kDataDir / "ibsi2" / "phase2_params" / (file + ".yaml"));
    ASSERT_TRUE(params.settings.ibsi_compliant) << id;
    ASSERT_EQ(params.image_types.size(), 1U) << id;

    const Phantom& phantom = LoadPhantom();
    const ExtractionResult result = Extract(phantom.image, phantom.mask, params);
    ASSERT_TRUE(result.error.empty()) << id << ": " << result.error;

    int passed = 0;
    int assessed = 0;
    std::string failures;
    double closest = 0.0; // largest |x - consensus| / tolerance
    std::string closest_tag;
    for (const Reference& r : refs->second) {
        const auto code = StatisticCodes().find(r.feature_tag);
        ASSERT_NE(code, StatisticCodes().end()) << id << ": unknown tag " << r.feature_tag;
        const Feature* f = FindStatistic(result.features, code->second);
        ASSERT_NE(f, nullptr) << id << ": no single feature with IBSI code " << code->second << " (" << r.feature_tag
                              << ")";
        if (!r.consensus)
            continue; // no consensus value (8.B stat_qcod): nothing to compare with
        ++assessed;
        const double difference = std::abs(f->value - *r.consensus);
        EXPECT_LE(difference, r.tolerance) << id << " " << r.feature_tag << " (" << f->name << "): " << f->value
                                           << " vs " << *r.consensus << " +- " << r.tolerance;
        if (r.tolerance > 0.0 && difference / r.tolerance > closest) {
            closest = difference / r.tolerance;
            closest_tag = r.feature_tag;
        }
        if (difference <= r.tolerance) {
            ++passed;
        } else {
            char text[160];
            std::snprintf(text, sizeof(text), " %s %.6g (ref %.6g +- %.3g)", r.feature_tag.c_str(), f->value,
                          *r.consensus, r.tolerance);
            failures += text;
        }
    }
    EXPECT_GT(assessed, 0);
    std::printf("[ IBSI 2 ] %s %s: %d/%d within tolerance (closest to its limit: %s at %.2f of the tolerance)%s\n",
                id.c_str(), params.image_types[0].name.c_str(), passed, assessed, closest_tag.c_str(), closest,
                failures.c_str());
}

std::vector<std::string> ConfigurationIds() {
    std::vector<std::string> ids;
    for (char filter = '1'; filter <= '9'; ++filter)
        for (const char processing : {'A', 'B'})
            ids.push_back(std::string{filter, '.', processing});
    return ids;
}

/// "1.A" -> "Filter1_A".
std::string TestName(const ::testing::TestParamInfo<std::string>& param) {
    return "Filter" + param.param.substr(0, 1) + "_" + param.param.substr(2);
}

INSTANTIATE_TEST_SUITE_P(Configurations, IbsiTwoPhaseTwo, ::testing::ValuesIn(ConfigurationIds()), TestName);

// ---- support: cropped filtering and the chirp FFT ----------------------------------------

/// A reproducible noise image with anisotropic spacing (like the CT phantom's).
Volume<double> NoiseImage(const std::array<std::size_t, 3>& size) {
    ImageGeometry g;
    g.size = size;
    g.spacing = {0.8, 0.8, 2.0};
    Volume<double> image(g, kUninitialized);
    std::mt19937 random(7);
    std::uniform_real_distribution<double> value(-100.0, 100.0);
    for (double& v : image.Data())
        v = value(random);
    return image;
}

// Every IBSI image type computed through ExpandIbsiImageType for a box (a crop of the image
// for the filters of finite support) equals the whole-image response cut to that box: boxes in
// the middle, at the low and high corners, thin ones and the whole image; the four paddings.
TEST(IbsiTwoPhaseTwoSupport, BoxResponseEqualsWholeImageResponse) {
    const Volume<double> image = NoiseImage({34, 31, 26});
    const std::vector<VoxelBox> boxes{
        {{12, 11, 10}, {6, 5, 4}}, {{0, 0, 0}, {5, 4, 3}},    {{27, 26, 22}, {7, 5, 4}},
        {{1, 14, 12}, {32, 1, 1}}, {{0, 0, 0}, {34, 31, 26}},
    };
    using Options = std::map<std::string, std::vector<std::string>>;
    const std::vector<ImageTypeSpec> types{
        {"Mean", Options{{"support", {"5"}}, {"dimensions", {"2D", "3D"}}}},
        {"LaplacianOfGaussian", Options{{"sigma", {"1.5"}}, {"dimensions", {"2D", "3D"}}}},
        {"Laws",
         Options{{"kernel", {"L5E5", "E3W5R5"}}, {"rotation_invariance", {"true"}}, {"energy_distance", {"3"}}}},
        {"Gabor", Options{{"sigma", {"1.2"}},
                          {"lambda", {"1.5"}},
                          {"gamma", {"1.5"}},
                          {"theta_step", {"45"}},
                          {"dimensions", {"2D", "3D"}},
                          {"padding", {"mirror", "periodic"}}}},
        {"SeparableWavelet", Options{{"wavelet", {"db3"}},
                                     {"decomposition", {"HH", "LLH"}},
                                     {"level", {"2"}},
                                     {"rotation_invariance", {"true"}}}},
        {"Simoncelli", Options{{"level", {"1"}}, {"dimensions", {"3D"}}, {"padding", {"periodic"}}}},
    };
    int compared = 0;
    for (ImageTypeSpec spec : types) {
        // Every padding for the convolution filters; the FFT-based ones (slow under sanitizers)
        // with mirror (cropped for Gabor) and periodic (kept whole at the border).
        if (!spec.options.contains("padding"))
            spec.options["padding"] = {"mirror", "constant", "nearest", "periodic"};
        const DerivedImageList list = ExpandIbsiImageType(spec, image.Geometry(), Settings{});
        ASSERT_TRUE(list.error.empty()) << list.error;
        for (const DerivedImage& derived : list.images) {
            const VoxelBox whole = VoxelBox::Whole(image.Geometry());
            const std::vector<double> full = derived.filter(FilterInput{image, whole, nullptr, std::nullopt});
            double scale = 0.0;
            for (const double v : full)
                scale = std::max(scale, std::abs(v));
            for (const VoxelBox& box : boxes) {
                const std::vector<double> part = derived.filter(FilterInput{image, box, nullptr, std::nullopt});
                ASSERT_EQ(part.size(), box.VoxelCount()) << derived.name;
                double worst = 0.0;
                std::size_t b = 0;
                for (std::size_t k = 0; k < box.size[2]; ++k)
                    for (std::size_t j = 0; j < box.size[1]; ++j)
                        for (std::size_t i = 0; i < box.size[0]; ++i, ++b) {
                            const std::size_t v =
                                image.Geometry().LinearIndex(box.begin[0] + i, box.begin[1] + j, box.begin[2] + k);
                            worst = std::max(worst, std::abs(part[b] - full[v]));
                        }
                EXPECT_LE(worst, 1e-12 * std::max(scale, 1.0))
                    << derived.name << " box at " << box.begin[0] << "," << box.begin[1] << "," << box.begin[2];
                ++compared;
            }
        }
    }
    EXPECT_EQ(compared, 185); // 37 derived images x 5 boxes
}

// ibsi::Fft equals the textbook DFT (forward exp(-2 pi i jk / n), inverse exp(+...) / n) for
// 5-smooth lengths (Eigen's FFT) and lengths with a large prime factor (the chirp transform):
// 197 is the 1 mm grid's y size, 201 = 3 x 67 the phantom's.
TEST(IbsiTwoPhaseTwoSupport, FftMatchesDft) {
    std::mt19937 random(11);
    std::uniform_real_distribution<double> value(-1.0, 1.0);
    for (const std::size_t n : {std::size_t{8}, std::size_t{60}, std::size_t{197}, std::size_t{201}, std::size_t{22}}) {
        for (const bool inverse : {false, true}) {
            std::vector<ibsi::Complex> data(n * 2); // two lines along x
            for (ibsi::Complex& c : data)
                c = {value(random), value(random)};
            std::vector<ibsi::Complex> fast = data;
            ibsi::Fft(fast, {n, 2, 1}, {true, false, false}, inverse);
            double worst = 0.0;
            for (std::size_t line = 0; line < 2; ++line)
                for (std::size_t k = 0; k < n; ++k) {
                    ibsi::Complex sum(0.0, 0.0);
                    for (std::size_t j = 0; j < n; ++j) {
                        const double angle = (inverse ? 2.0 : -2.0) * std::numbers::pi *
                                             static_cast<double>((j * k) % n) / static_cast<double>(n);
                        sum += data[line * n + j] * std::polar(1.0, angle);
                    }
                    if (inverse)
                        sum /= static_cast<double>(n);
                    worst = std::max(worst, std::abs(fast[line * n + k] - sum));
                }
            EXPECT_LE(worst, 1e-10) << "n = " << n << (inverse ? " inverse" : " forward");
        }
    }
}

} // namespace
} // namespace radnode::processing::radiomics
