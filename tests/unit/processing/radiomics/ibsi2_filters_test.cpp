// IBSI 2 phase-1 conformance of the IBSI-mode filters (ibsi_filters.h): every reference
// response map of tests/data/ibsi2 (see its README) is reproduced through ExpandIbsiImageType
// within the IBSI 2 criterion, |mine - reference| <= 1 % of the reference map's range at every
// voxel. Also: the orientation phantom (axes not swapped), padding modes and option errors.

#include "processing/image_io.h"
#include "processing/radiomics/ibsi_convolution.h"
#include "processing/radiomics/ibsi_filters.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

const std::filesystem::path kDataDir = std::filesystem::path(RADNODE_TEST_DATA_DIR) / "ibsi2";

/// A phantom of tests/data/ibsi2/phantoms, read once.
const Volume<double>& Phantom(const std::string& name) {
    static std::map<std::string, std::unique_ptr<Volume<double>>> cache;
    auto& slot = cache[name];
    if (!slot) {
        slot = std::make_unique<Volume<double>>();
        const ImageIoResult read = ReadImage(kDataDir / "phantoms" / (name + ".nii.gz"), *slot);
        EXPECT_TRUE(read.IsOk()) << name << ": " << read.error;
    }
    return *slot;
}

/// One phase-1 configuration: test id, phantom, image type and the derived image's name.
struct MapCase {
    std::string id;
    std::string phantom;
    ImageTypeSpec spec;
    std::string name;
};

void PrintTo(const MapCase& c, std::ostream* os) {
    *os << c.id;
}

std::vector<MapCase> PhaseOneCases() {
    const auto mean = [](const char* support, const char* dims, const char* padding) {
        return ImageTypeSpec{"Mean", {{"support", {support}}, {"dimensions", {dims}}, {"padding", {padding}}}};
    };
    const auto log = [](const char* sigma, const char* dims, const char* padding) {
        return ImageTypeSpec{"LaplacianOfGaussian",
                             {{"sigma", {sigma}}, {"cutoff", {"4"}}, {"dimensions", {dims}}, {"padding", {padding}}}};
    };
    const auto laws = [](const char* kernel, int variant, const char* padding) {
        ImageTypeSpec spec{"Laws", {{"kernel", {kernel}}, {"padding", {padding}}}};
        if (variant >= 2)
            spec.options["rotation_invariance"] = {"true"}, spec.options["pooling"] = {"max"};
        if (variant == 3)
            spec.options["energy_distance"] = {"7"};
        return spec;
    };
    const auto gabor = [](const char* sigma, const char* lambda, const char* gamma, const char* theta, const char* step,
                          const char* padding) {
        ImageTypeSpec spec{"Gabor",
                           {{"sigma", {sigma}}, {"lambda", {lambda}}, {"gamma", {gamma}}, {"padding", {padding}}}};
        if (step[0] != '\0')
            spec.options["theta_step"] = {step}, spec.options["dimensions"] = {"3D"};
        else
            spec.options["theta"] = {theta}, spec.options["dimensions"] = {"2D"};
        return spec;
    };
    const auto wavelet = [](const char* name, const char* letters, const char* level, bool rotinv,
                            const char* padding) {
        return ImageTypeSpec{"SeparableWavelet",
                             {{"wavelet", {name}},
                              {"decomposition", {letters}},
                              {"level", {level}},
                              {"rotation_invariance", {rotinv ? "true" : "false"}},
                              {"padding", {padding}}}};
    };
    const auto simoncelli = [](const char* level) {
        return ImageTypeSpec{"Simoncelli", {{"level", {level}}, {"padding", {"periodic"}}}};
    };
    return {
        {"1.a.1", "checkerboard", mean("15", "3D", "constant"), "mean-15-3D-constant"},
        {"1.a.2", "checkerboard", mean("15", "3D", "nearest"), "mean-15-3D-nearest"},
        {"1.a.3", "checkerboard", mean("15", "3D", "periodic"), "mean-15-3D-periodic"},
        {"1.a.4", "checkerboard", mean("15", "3D", "mirror"), "mean-15-3D-mirror"},
        {"1.b.1", "impulse", mean("15", "2D", "constant"), "mean-15-2D-constant"},
        {"2.a", "impulse", log("3", "3D", "constant"), "log-sigma-3-mm-3D-cutoff4-constant"},
        {"2.b", "checkerboard", log("5", "3D", "mirror"), "log-sigma-5-mm-3D-cutoff4-mirror"},
        {"2.c", "checkerboard", log("5", "2D", "mirror"), "log-sigma-5-mm-2D-cutoff4-mirror"},
        {"3.a.1", "impulse", laws("E5L5S5", 1, "constant"), "laws-E5L5S5-3D-constant"},
        {"3.a.2", "impulse", laws("E5L5S5", 2, "constant"), "laws-E5L5S5-3D-rotinv-max-constant"},
        {"3.a.3", "impulse", laws("E5L5S5", 3, "constant"), "laws-E5L5S5-3D-rotinv-max-energy7-constant"},
        {"3.b.1", "checkerboard", laws("E3W5R5", 1, "mirror"), "laws-E3W5R5-3D-mirror"},
        {"3.b.2", "checkerboard", laws("E3W5R5", 2, "mirror"), "laws-E3W5R5-3D-rotinv-max-mirror"},
        {"3.b.3", "checkerboard", laws("E3W5R5", 3, "mirror"), "laws-E3W5R5-3D-rotinv-max-energy7-mirror"},
        {"3.c.1", "checkerboard", laws("L5S5", 1, "mirror"), "laws-L5S5-2D-mirror"},
        {"3.c.2", "checkerboard", laws("L5S5", 2, "mirror"), "laws-L5S5-2D-rotinv-max-mirror"},
        {"3.c.3", "checkerboard", laws("L5S5", 3, "mirror"), "laws-L5S5-2D-rotinv-max-energy7-mirror"},
        {"4.a.1", "impulse", gabor("10", "4", "0.5", "60", "", "constant"),
         "gabor-sigma-10-mm-lambda-4-mm-gamma-0-5-theta-60-2D-constant"},
        {"4.a.2", "impulse", gabor("10", "4", "0.5", "", "45", "constant"),
         "gabor-sigma-10-mm-lambda-4-mm-gamma-0-5-theta-0-step-45-3D-constant"},
        {"4.b.1", "sphere", gabor("20", "8", "2.5", "225", "", "mirror"),
         "gabor-sigma-20-mm-lambda-8-mm-gamma-2-5-theta-225-2D-mirror"},
        {"4.b.2", "sphere", gabor("20", "8", "2.5", "", "22.5", "mirror"),
         "gabor-sigma-20-mm-lambda-8-mm-gamma-2-5-theta-0-step-22-5-3D-mirror"},
        {"5.a.1", "impulse", wavelet("db2", "LHL", "1", false, "constant"), "wavelet-db2-LHL-level1-3D-constant"},
        {"5.a.2", "impulse", wavelet("db2", "LHL", "1", true, "constant"),
         "wavelet-db2-LHL-level1-3D-rotinv-mean-constant"},
        {"6.a.1", "sphere", wavelet("coif1", "HHL", "1", false, "periodic"), "wavelet-coif1-HHL-level1-3D-periodic"},
        {"6.a.2", "sphere", wavelet("coif1", "HHL", "1", true, "periodic"),
         "wavelet-coif1-HHL-level1-3D-rotinv-mean-periodic"},
        {"7.a.1", "checkerboard", wavelet("haar", "LLL", "2", true, "mirror"),
         "wavelet-haar-LLL-level2-3D-rotinv-mean-mirror"},
        {"7.a.2", "checkerboard", wavelet("haar", "HHH", "2", true, "mirror"),
         "wavelet-haar-HHH-level2-3D-rotinv-mean-mirror"},
        {"8.a.1", "checkerboard", simoncelli("1"), "simoncelli-level1-3D-periodic"},
        {"8.a.2", "checkerboard", simoncelli("2"), "simoncelli-level2-3D-periodic"},
        {"8.a.3", "checkerboard", simoncelli("3"), "simoncelli-level3-3D-periodic"},
        {"9.a", "impulse",
         ImageTypeSpec{"RieszLaplacianOfGaussian",
                       {{"sigma", {"3"}}, {"riesz_order", {"1", "0", "0"}}, {"padding", {"constant"}}}},
         "log-sigma-3-mm-3D-cutoff4-riesz100-constant"},
        {"9.b.1", "sphere",
         ImageTypeSpec{"RieszLaplacianOfGaussian",
                       {{"sigma", {"3"}}, {"riesz_order", {"0,2,0"}}, {"padding", {"constant"}}}},
         "log-sigma-3-mm-3D-cutoff4-riesz020-constant"},
        {"10.b.1", "pattern_1",
         ImageTypeSpec{"Simoncelli", {{"level", {"1"}}, {"riesz_order", {"0", "2", "0"}}, {"padding", {"nearest"}}}},
         "simoncelli-level1-3D-riesz020-nearest"},
    };
}

class IbsiTwoReferenceMaps : public testing::TestWithParam<MapCase> {};

TEST_P(IbsiTwoReferenceMaps, MatchesReferenceResponseMap) {
    const MapCase& c = GetParam();
    const Volume<double>& phantom = Phantom(c.phantom);
    const ImageGeometry& g = phantom.Geometry();
    ASSERT_EQ(g.VoxelCount(), 64U * 64U * 64U);

    std::string file = c.id;
    std::replace(file.begin(), file.end(), '.', '_');
    Volume<double> reference;
    const ImageIoResult read = ReadImage(kDataDir / "response_maps" / (file + "-ValidCRM.nii.gz"), reference);
    ASSERT_TRUE(read.IsOk()) << read.error;
    // The map's voxel (i, j, k) is the phantom's: same grid, same index-to-patient mapping.
    ASSERT_EQ(reference.Geometry(), g);

    const DerivedImageList list = ExpandIbsiImageType(c.spec, g, Settings{});
    ASSERT_TRUE(list.error.empty()) << list.error;
    ASSERT_EQ(list.images.size(), 1U);
    EXPECT_EQ(list.images[0].name, c.name);
    const std::vector<double> mine =
        list.images[0].filter(FilterInput{phantom, VoxelBox::Whole(g), nullptr, std::nullopt});
    ASSERT_EQ(mine.size(), g.VoxelCount());

    const auto [low, high] = std::minmax_element(reference.Data().begin(), reference.Data().end());
    const double range = *high - *low;
    ASSERT_GT(range, 0.0);
    double worst = 0.0;
    std::size_t worst_voxel = 0;
    std::size_t failing = 0;
    for (std::size_t v = 0; v < mine.size(); ++v) {
        const double difference = std::abs(mine[v] - reference.Data()[v]);
        failing += difference > 0.01 * range ? 1 : 0;
        if (difference > worst)
            worst = difference, worst_voxel = v;
    }
    std::printf("IBSI 2 %-7s %-60s max |diff| = %.2e %% of range\n", c.id.c_str(), c.name.c_str(),
                100.0 * worst / range);
    EXPECT_EQ(failing, 0U) << c.id << ": " << failing << " voxels beyond 1 % of the range " << range
                           << "; max |diff| / range = " << worst / range << " at voxel (" << worst_voxel % 64 << ", "
                           << (worst_voxel / 64) % 64 << ", " << worst_voxel / 4096 << ")";
}

INSTANTIATE_TEST_SUITE_P(IbsiTwoPhaseOne, IbsiTwoReferenceMaps, testing::ValuesIn(PhaseOneCases()),
                         [](const testing::TestParamInfo<MapCase>& case_info) {
                             std::string name = "Map_" + case_info.param.id;
                             std::replace(name.begin(), name.end(), '.', '_');
                             return name;
                         });

/// The values of one derived image over `box`.
std::vector<double> RunDerived(const ImageTypeSpec& spec, const Volume<double>& image, const VoxelBox& box,
                               const Settings& settings = {}) {
    const DerivedImageList list = ExpandIbsiImageType(spec, image.Geometry(), settings);
    EXPECT_TRUE(list.error.empty()) << list.error;
    EXPECT_EQ(list.images.size(), 1U);
    if (list.images.size() != 1)
        return {};
    return list.images[0].filter(FilterInput{image, box, nullptr, std::nullopt});
}

VoxelBox Voxel(std::size_t i, std::size_t j, std::size_t k) {
    return {{i, j, k}, {1, 1, 1}};
}

TEST(IbsiTwoFilters, OrientationPhantomKeepsAxes) {
    // The phantom is 32 x 48 x 64 voxels with value x + y + z, so only the axis lengths tell
    // the axes apart: a filter along the wrong axis meets a border at another index.
    const Volume<double>& image = Phantom("orientation");
    const ImageGeometry& g = image.Geometry();
    ASSERT_EQ(g.size, (std::array<std::size_t, 3>{32, 48, 64}));
    EXPECT_EQ(g.spacing, (std::array<double, 3>{2.0, 2.0, 2.0}));
    std::size_t mismatches = 0;
    for (std::size_t k = 0; k < 64; ++k)
        for (std::size_t j = 0; j < 48; ++j)
            for (std::size_t i = 0; i < 32; ++i)
                mismatches += image.At(i, j, k) == static_cast<double>(i + j + k) ? 0 : 1;
    EXPECT_EQ(mismatches, 0U);
    // The impulse sits at (31, 31, 31) as the IBSI 2 data set describes it.
    const Volume<double>& impulse = Phantom("impulse");
    const auto peak = std::max_element(impulse.Data().begin(), impulse.Data().end());
    EXPECT_EQ(*peak, 255.0);
    EXPECT_EQ(static_cast<std::size_t>(peak - impulse.Data().begin()), impulse.Geometry().LinearIndex(31, 31, 31));

    // E3 = [-1, 0, 1] / sqrt 2 on a unit ramp gives -sqrt 2 inside and -1/sqrt 2 at the last
    // voxel (nearest padding); L3 = [1, 2, 1] / sqrt 6 multiplies a constant by 4 / sqrt 6.
    const double inside = -std::sqrt(2.0) * 16.0 / 6.0;
    const double edge = -16.0 / (6.0 * std::sqrt(2.0));
    const auto laws = [&](const char* kernel, const VoxelBox& box) {
        const std::vector<double> v =
            RunDerived(ImageTypeSpec{"Laws", {{"kernel", {kernel}}, {"padding", {"nearest"}}}}, image, box);
        return v.empty() ? 0.0 : v[0];
    };
    EXPECT_NEAR(laws("E3L3L3", Voxel(10, 20, 30)), inside, 1e-12);
    EXPECT_NEAR(laws("E3L3L3", Voxel(31, 20, 30)), edge, 1e-12);
    EXPECT_NEAR(laws("L3E3L3", Voxel(31, 20, 30)), inside, 1e-12);
    EXPECT_NEAR(laws("L3E3L3", Voxel(10, 47, 30)), edge, 1e-12);
    EXPECT_NEAR(laws("L3L3E3", Voxel(10, 47, 30)), inside, 1e-12);
    EXPECT_NEAR(laws("L3L3E3", Voxel(10, 20, 63)), edge, 1e-12);

    // A 2D filter stays in its x-y slice: at z = 0 the 3 x 3 mean of a ramp is the centre
    // value, while zero padding shows at x = 0: (2 * 30 + 3) / 9.
    const ImageTypeSpec mean2d{"Mean", {{"support", {"3"}}, {"dimensions", {"2D"}}, {"padding", {"constant"}}}};
    const std::vector<double> row = RunDerived(mean2d, image, {{4, 4, 0}, {3, 1, 1}});
    ASSERT_EQ(row.size(), 3U);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_NEAR(row[i], 8.0 + static_cast<double>(i), 1e-12);
    EXPECT_NEAR(RunDerived(mean2d, image, Voxel(0, 5, 5)).at(0), 7.0, 1e-12);
    Settings force_2d;
    force_2d.force_2d = true;
    const ImageTypeSpec mean_default{"Mean", {{"support", {"3"}}, {"padding", {"constant"}}}};
    EXPECT_NEAR(RunDerived(mean_default, image, Voxel(5, 5, 0), force_2d).at(0), 10.0, 1e-12);
    // In 3D the slice below z = 0 is zero: (0 + 10 + 11) / 3.
    EXPECT_NEAR(RunDerived(mean_default, image, Voxel(5, 5, 0)).at(0), 7.0, 1e-12);
}

TEST(IbsiTwoFilters, PaddingModesFollowIbsiTwo) {
    using ibsi::PaddedIndex;
    // Line of 3 voxels a b c: constant 0 0 | a b c | 0 0, nearest a a | a b c | c c,
    // periodic b c | a b c | a b, mirror b a | a b c | c b (the edge voxel repeats).
    EXPECT_EQ(PaddedIndex(-1, 3, IbsiPadding::Constant), -1);
    EXPECT_EQ(PaddedIndex(3, 3, IbsiPadding::Constant), -1);
    EXPECT_EQ(PaddedIndex(1, 3, IbsiPadding::Constant), 1);
    EXPECT_EQ(PaddedIndex(-2, 3, IbsiPadding::Nearest), 0);
    EXPECT_EQ(PaddedIndex(5, 3, IbsiPadding::Nearest), 2);
    EXPECT_EQ(PaddedIndex(-1, 3, IbsiPadding::Periodic), 2);
    EXPECT_EQ(PaddedIndex(-2, 3, IbsiPadding::Periodic), 1);
    EXPECT_EQ(PaddedIndex(4, 3, IbsiPadding::Periodic), 1);
    EXPECT_EQ(PaddedIndex(-7, 3, IbsiPadding::Periodic), 2);
    EXPECT_EQ(PaddedIndex(-1, 3, IbsiPadding::Mirror), 0);
    EXPECT_EQ(PaddedIndex(-2, 3, IbsiPadding::Mirror), 1);
    EXPECT_EQ(PaddedIndex(3, 3, IbsiPadding::Mirror), 2);
    EXPECT_EQ(PaddedIndex(4, 3, IbsiPadding::Mirror), 1);
    // Beyond one image length the mirror continues with period 2n: ... c b a | a b c | c b a a b.
    EXPECT_EQ(PaddedIndex(6, 3, IbsiPadding::Mirror), 0);
    EXPECT_EQ(PaddedIndex(7, 3, IbsiPadding::Mirror), 1);
    EXPECT_EQ(PaddedIndex(-4, 3, IbsiPadding::Mirror), 2);
    EXPECT_EQ(PaddedIndex(-7, 3, IbsiPadding::Mirror), 0);

    // End to end: convolving 1..6 with [1, 0, 0, 0, 0] reads x[n + 2], with [0, 0, 0, 0, 1] x[n - 2].
    const ibsi::Dims dims{6, 1, 1};
    const std::vector<double> line{1, 2, 3, 4, 5, 6};
    const auto shifted = [&](IbsiPadding padding, bool forward) {
        std::vector<double> data = line;
        ibsi::ConvolveAxis(data, dims, 0,
                           forward ? std::vector<double>{1, 0, 0, 0, 0} : std::vector<double>{0, 0, 0, 0, 1}, padding);
        return data;
    };
    EXPECT_EQ(shifted(IbsiPadding::Constant, true), (std::vector<double>{3, 4, 5, 6, 0, 0}));
    EXPECT_EQ(shifted(IbsiPadding::Nearest, true), (std::vector<double>{3, 4, 5, 6, 6, 6}));
    EXPECT_EQ(shifted(IbsiPadding::Periodic, true), (std::vector<double>{3, 4, 5, 6, 1, 2}));
    EXPECT_EQ(shifted(IbsiPadding::Mirror, true), (std::vector<double>{3, 4, 5, 6, 6, 5}));
    EXPECT_EQ(shifted(IbsiPadding::Mirror, false), (std::vector<double>{2, 1, 1, 2, 3, 4}));
    EXPECT_EQ(shifted(IbsiPadding::Periodic, false), (std::vector<double>{5, 6, 1, 2, 3, 4}));

    // Option spellings: "zero" is constant padding.
    ImageGeometry g;
    g.size = {6, 1, 1};
    Volume<double> image(g);
    std::copy(line.begin(), line.end(), image.Data().begin());
    const auto mean = [&](const char* padding) {
        return RunDerived(ImageTypeSpec{"Mean", {{"support", {"3"}}, {"dimensions", {"2D"}}, {"padding", {padding}}}},
                          image, VoxelBox::Whole(g));
    };
    // In 2D the y lines have one voxel: constant padding adds two zero rows (factor 1/3).
    EXPECT_EQ(mean("zero"), mean("constant"));
    const std::vector<double> constant = mean("constant");
    ASSERT_EQ(constant.size(), 6U);
    EXPECT_NEAR(constant[0], (1.0 + 2.0) / 9.0, 1e-12);
    EXPECT_NEAR(mean("mirror").at(0), (1.0 + 1.0 + 2.0) / 3.0, 1e-12);
    EXPECT_NEAR(mean("periodic").at(0), (6.0 + 1.0 + 2.0) / 3.0, 1e-12);
    EXPECT_NEAR(mean("nearest").at(5), (5.0 + 6.0 + 6.0) / 3.0, 1e-12);
}

TEST(IbsiTwoFilters, RotationsAreTheProperCubeRotations) {
    const std::vector<ibsi::AxisRotation> rotations = ibsi::RightAngleRotations(false);
    ASSERT_EQ(rotations.size(), 24U);
    EXPECT_EQ(rotations[0].source, (std::array<std::size_t, 3>{0, 1, 2}));
    EXPECT_EQ(rotations[0].flip, (std::array<bool, 3>{false, false, false}));
    std::set<std::pair<std::array<std::size_t, 3>, std::array<bool, 3>>> distinct;
    for (const ibsi::AxisRotation& r : rotations) {
        distinct.insert({r.source, r.flip});
        // Determinant of the signed permutation: its parity times the flips' signs.
        int sign = 1;
        for (std::size_t a = 0; a < 3; ++a) {
            sign *= r.flip[a] ? -1 : 1;
            for (std::size_t b = a + 1; b < 3; ++b)
                sign *= r.source[a] > r.source[b] ? -1 : 1;
        }
        EXPECT_EQ(sign, 1);
    }
    EXPECT_EQ(distinct.size(), 24U);
    EXPECT_EQ(ibsi::RightAngleRotations(true).size(), 4U);

    // An odd kernel (E3) averaged over the rotations cancels: each rotation meets its mirror.
    ImageGeometry g;
    g.size = {9, 10, 11};
    Volume<double> image(g);
    for (std::size_t v = 0; v < g.VoxelCount(); ++v)
        image.Data()[v] = static_cast<double>((v * 7919) % 97); // no symmetry of its own
    IbsiLawsParameters p;
    p.kernel = "E3L3S3";
    p.rotation_invariant = true;
    p.pooling = IbsiPooling::Mean;
    const Volume<double> pooled = IbsiLawsFilter(image, p);
    const auto [low, high] = std::minmax_element(pooled.Data().begin(), pooled.Data().end());
    EXPECT_NEAR(*low, 0.0, 1e-9);
    EXPECT_NEAR(*high, 0.0, 1e-9);
    p.pooling = IbsiPooling::Max;
    const Volume<double> max_pooled = IbsiLawsFilter(image, p);
    EXPECT_GT(*std::max_element(max_pooled.Data().begin(), max_pooled.Data().end()), 1.0);
}

TEST(IbsiTwoFilters, NamesEveryCombination) {
    ImageGeometry g;
    g.size = {8, 8, 8};
    const auto names = [&](const ImageTypeSpec& spec, const Settings& settings = {}) {
        const DerivedImageList list = ExpandIbsiImageType(spec, g, settings);
        EXPECT_TRUE(list.error.empty()) << list.error;
        std::vector<std::string> out;
        for (const DerivedImage& d : list.images)
            out.push_back(d.name);
        return out;
    };
    // Keys in alphabetical order, the last one varying fastest.
    EXPECT_EQ(
        names(ImageTypeSpec{"Mean", {{"support", {"3", "5"}}, {"padding", {"mirror", "zero"}}}}),
        (std::vector<std::string>{"mean-3-3D-mirror", "mean-5-3D-mirror", "mean-3-3D-constant", "mean-5-3D-constant"}));
    // "zero" and "constant" are one configuration.
    EXPECT_EQ(names(ImageTypeSpec{"Mean", {{"support", {"3"}}, {"padding", {"zero", "constant"}}}}).size(), 1U);
    Settings force_2d;
    force_2d.force_2d = true;
    EXPECT_EQ(names(ImageTypeSpec{"LaplacianOfGaussian", {{"sigma", {"1.5"}}}}, force_2d),
              (std::vector<std::string>{"log-sigma-1-5-mm-2D-cutoff4-mirror"}));
    EXPECT_EQ(names(ImageTypeSpec{"Laws", {{"kernel", {"l5e5"}}, {"rotation_invariance", {"True"}}}}),
              (std::vector<std::string>{"laws-L5E5-2D-rotinv-max-mirror"}));
    EXPECT_EQ(names(ImageTypeSpec{"Gabor",
                                  {{"sigma", {"5"}}, {"lambda", {"2"}}, {"gamma", {"1.5"}}, {"theta_step", {"22.5"}}}}),
              (std::vector<std::string>{"gabor-sigma-5-mm-lambda-2-mm-gamma-1-5-theta-0-step-22-5-3D-mirror"}));
    EXPECT_EQ(names(ImageTypeSpec{"SeparableWavelet",
                                  {{"wavelet", {"db3"}},
                                   {"decomposition", {"hh", "LLH"}},
                                   {"level", {"2"}},
                                   {"rotation_invariance", {"yes"}},
                                   {"pooling", {"max"}}}}),
              (std::vector<std::string>{"wavelet-db3-HH-level2-2D-rotinv-max-mirror",
                                        "wavelet-db3-LLH-level2-3D-rotinv-max-mirror"}));
    EXPECT_EQ(names(ImageTypeSpec{"Simoncelli", {{"level", {"2"}}, {"dimensions", {"2D"}}, {"riesz_order", {"1,1"}}}}),
              (std::vector<std::string>{"simoncelli-level2-2D-riesz11-mirror"}));
    EXPECT_EQ(names(ImageTypeSpec{"RieszLaplacianOfGaussian",
                                  {{"sigma", {"2"}}, {"riesz_order", {"1,0,0", "0,1,0"}}, {"cutoff", {"3"}}}}),
              (std::vector<std::string>{"log-sigma-2-mm-3D-cutoff3-riesz100-mirror",
                                        "log-sigma-2-mm-3D-cutoff3-riesz010-mirror"}));
}

TEST(IbsiTwoFilters, RejectsBadOptionsNamingThem) {
    ImageGeometry g;
    g.size = {8, 8, 8};
    const auto error = [&](const ImageTypeSpec& spec) { return ExpandIbsiImageType(spec, g, Settings{}).error; };
    const auto expect_error = [&](const ImageTypeSpec& spec, const std::string& mention) {
        const DerivedImageList list = ExpandIbsiImageType(spec, g, Settings{});
        EXPECT_NE(list.error.find(mention), std::string::npos) << spec.name << ": '" << list.error << "'";
        EXPECT_TRUE(list.images.empty()) << spec.name;
    };
    expect_error(ImageTypeSpec{"Median", {}}, "Median");
    expect_error(ImageTypeSpec{"Mean", {{"support", {"5"}}, {"radius", {"2"}}}}, "'radius'");
    expect_error(ImageTypeSpec{"Mean", {}}, "'support' is required");
    expect_error(ImageTypeSpec{"Mean", {{"support", {"4"}}}}, "'support'");
    expect_error(ImageTypeSpec{"Mean", {{"support", {"5", "x"}}}}, "'support' has value 'x'");
    expect_error(ImageTypeSpec{"Mean", {{"support", {"5"}}, {"padding", {"reflect"}}}}, "'padding'");
    expect_error(ImageTypeSpec{"Mean", {{"support", {"5"}}, {"dimensions", {"4D"}}}}, "'dimensions'");
    expect_error(ImageTypeSpec{"Mean", {{"support", {}}}}, "'support' has no value");
    expect_error(ImageTypeSpec{"LaplacianOfGaussian", {{"sigma", {"0"}}}}, "'sigma'");
    expect_error(ImageTypeSpec{"LaplacianOfGaussian", {{"sigma", {"1"}}, {"cutoff", {"-1"}}}}, "'cutoff'");
    expect_error(ImageTypeSpec{"RieszLaplacianOfGaussian", {{"sigma", {"1"}}}}, "'riesz_order' is required");
    expect_error(ImageTypeSpec{"RieszLaplacianOfGaussian", {{"sigma", {"1"}}, {"riesz_order", {"1,0"}}}},
                 "'riesz_order'");
    expect_error(ImageTypeSpec{"Laws", {{"kernel", {"E5L5X5"}}}}, "'kernel'");
    expect_error(ImageTypeSpec{"Laws", {{"kernel", {"E5"}}}}, "'kernel'");
    expect_error(ImageTypeSpec{"Laws", {{"kernel", {"E5L5"}}, {"pooling", {"median"}}}}, "'pooling'");
    expect_error(ImageTypeSpec{"Laws", {{"kernel", {"E5L5"}}, {"energy_distance", {"-1"}}}}, "'energy_distance'");
    expect_error(ImageTypeSpec{"Laws", {{"kernel", {"E5L5"}}, {"rotation_invariance", {"maybe"}}}},
                 "'rotation_invariance'");
    expect_error(ImageTypeSpec{"Gabor", {{"sigma", {"5"}}}}, "'lambda' is required");
    expect_error(ImageTypeSpec{"Gabor", {{"sigma", {"5"}}, {"lambda", {"2"}}, {"theta_step", {"50"}}}}, "'theta_step'");
    expect_error(ImageTypeSpec{"SeparableWavelet", {{"wavelet", {"db99"}}, {"decomposition", {"LHL"}}}}, "'wavelet'");
    expect_error(ImageTypeSpec{"SeparableWavelet", {{"wavelet", {"db2"}}, {"decomposition", {"LXL"}}}},
                 "'decomposition'");
    expect_error(
        ImageTypeSpec{"SeparableWavelet", {{"wavelet", {"db2"}}, {"decomposition", {"LHL"}}, {"level", {"0"}}}},
        "'level'");
    expect_error(ImageTypeSpec{"Simoncelli", {{"level", {"1"}}, {"riesz_order", {"a,b,c"}}}}, "'riesz_order'");
    expect_error(ImageTypeSpec{"Simoncelli", {{"level", {"1.5"}}}}, "'level'");
    expect_error(ImageTypeSpec{"Simoncelli", {{"riesz_order", {"10", "0", "0"}}}}, "'riesz_order'");
    // An integral number is an integer (YAML may deliver 15 as 15.0).
    EXPECT_TRUE(error(ImageTypeSpec{"Mean", {{"support", {"15.0"}}}}).empty());
    EXPECT_TRUE(error(ImageTypeSpec{"Simoncelli", {}}).empty());
}

} // namespace
} // namespace radnode::processing::radiomics
