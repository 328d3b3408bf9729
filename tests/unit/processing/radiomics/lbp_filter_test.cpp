// LBP2D / LBP3D against the real libraries PyRadiomics calls: tests/data/lbp holds
// skimage 0.19.3 / scipy 1.10.1 / numpy 1.24.2 outputs of getLBP2DImage and getLBP3DImage (see its
// README), for breast1 (int16) and small synthetic float64 / int16 images.

#include "processing/radiomics/lbp_filters.h"
#include "processing/radiomics/lbp_numerics.h"
#include "processing/image_io.h"
#include "reference_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>
#include <tuple>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

const std::pair<double, double> kInt16{-32768.0, 32767.0};

std::filesystem::path LbpDataDir() { return std::filesystem::path(RADNODE_TEST_DATA_DIR) / "lbp"; }

Volume<double> ReadVolume(const std::filesystem::path& file) {
    Volume<double> volume;
    if (auto r = ReadImage(file, volume); !r.IsOk())
        throw std::runtime_error(r.error);
    return volume;
}

/// One line of cases.txt: kind, tag and key=value settings.
struct ReferenceCaseLine {
    std::string kind;
    std::string tag;
    std::map<std::string, std::string> settings;
};

std::vector<ReferenceCaseLine> ReferenceCases(const std::string& kind) {
    std::ifstream in(LbpDataDir() / "cases.txt");
    if (!in)
        throw std::runtime_error("cannot open tests/data/lbp/cases.txt");
    std::vector<ReferenceCaseLine> cases;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream words(line);
        ReferenceCaseLine c;
        words >> c.kind >> c.tag;
        for (std::string word; words >> word;) {
            const auto eq = word.find('=');
            c.settings[word.substr(0, eq)] = word.substr(eq + 1);
        }
        if (c.kind == kind)
            cases.push_back(std::move(c));
    }
    return cases;
}

const Volume<double>& InputImage(const std::string& name) {
    static std::map<std::string, Volume<double>> cache;
    auto it = cache.find(name);
    if (it == cache.end()) {
        Volume<double> v = name == "breast1" ? test::LoadReferenceCase("breast1").image
                                             : ReadVolume(LbpDataDir() / ("input_" + name + ".nrrd"));
        it = cache.emplace(name, std::move(v)).first;
    }
    return it->second;
}

std::vector<std::uint8_t> InputRoi(const std::string& name) {
    std::vector<std::uint8_t> roi;
    if (name == "breast1_label") {
        for (const std::int32_t v : test::LoadReferenceCase("breast1").mask.Data())
            roi.push_back(v == 1 ? 1 : 0);
    } else {
        const Volume<double> mask = ReadVolume(LbpDataDir() / ("roi_" + name + ".nrrd"));
        for (const double v : mask.Data())
            roi.push_back(v != 0.0 ? 1 : 0);
    }
    return roi;
}

std::optional<std::pair<double, double>> RangeFor(const ReferenceCaseLine& c) {
    if (c.settings.at("dtype") == "int16")
        return kInt16;
    return std::nullopt;
}

bool SameValue(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

/// |a - b| <= relative * max(|a|, |b|) + absolute, NaN equal to NaN.
bool Near(double a, double b, double relative, double absolute) {
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    return std::abs(a - b) <= relative * std::max(std::abs(a), std::abs(b)) + absolute;
}

std::vector<double> Crop(const std::vector<double>& whole, const ImageGeometry& g, const VoxelBox& box) {
    std::vector<double> out;
    for (std::size_t k = 0; k < box.size[2]; ++k)
        for (std::size_t j = 0; j < box.size[1]; ++j)
            for (std::size_t i = 0; i < box.size[0]; ++i)
                out.push_back(whole[g.LinearIndex(box.begin[0] + i, box.begin[1] + j, box.begin[2] + k)]);
    return out;
}

TEST(RadiomicsLbp2d, MatchesSkimageReferences) {
    const auto cases = ReferenceCases("lbp2d");
    ASSERT_GE(cases.size(), 30U);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.tag);
        const Volume<double>& image = InputImage(c.settings.at("image"));
        Lbp2dOptions options;
        options.samples = std::stoi(c.settings.at("samples"));
        options.radius = std::stod(c.settings.at("radius"));
        options.method = c.settings.at("method");
        options.axis = std::stoi(c.settings.at("axis"));
        const auto range = RangeFor(c);
        const std::vector<double> actual = Lbp2dFilter(image, VoxelBox::Whole(image.Geometry()), options, range);
        const Volume<double> expected = ReadVolume(LbpDataDir() / (c.tag + ".nrrd"));
        ASSERT_EQ(expected.Geometry().size, image.Geometry().size);
        // Integer codes and int16-cast values exactly; float64 'var' within 1e-12 relative (it is
        // in fact bit-identical: the same operations in the same order).
        const bool float_var = options.method == "var" && !range;
        std::size_t mismatches = 0;
        for (std::size_t v = 0; v < actual.size(); ++v) {
            const double e = expected.Data()[v];
            const bool ok = float_var ? Near(actual[v], e, 1e-12, 0.0) : SameValue(actual[v], e);
            if (!ok && ++mismatches <= 3)
                ADD_FAILURE() << "voxel " << v << ": " << actual[v] << " vs skimage " << e;
        }
        EXPECT_EQ(mismatches, 0U);
    }
}

TEST(RadiomicsLbp2d, BoxEqualsCroppedWholeImage) {
    const Volume<double>& image = InputImage("breast1");
    const ImageGeometry& g = image.Geometry();
    // One box inside the image, one touching the x = 0, y = max and z = 0 faces.
    const std::vector<VoxelBox> boxes{{{20, 63, 7}, {11, 14, 5}}, {{0, 110, 0}, {6, 10, 3}}};
    for (int axis = 0; axis < 3; ++axis)
        for (const char* method : {"uniform", "var"}) {
            Lbp2dOptions options;
            options.axis = axis;
            options.method = method;
            options.radius = 2.0;
            options.samples = 12;
            const std::vector<double> whole = Lbp2dFilter(image, VoxelBox::Whole(g), options, kInt16);
            for (const VoxelBox& box : boxes) {
                const std::vector<double> part = Lbp2dFilter(image, box, options, kInt16);
                EXPECT_EQ(part, Crop(whole, g, box)) << "axis " << axis << " " << method;
            }
        }
}

TEST(RadiomicsLbp2d, ImageSmallerThanRadiusReadsZeroOutside) {
    // One pixel: every sample point lies outside and reads 0, so a positive centre sets no bit
    // and a negative one sets all P bits.
    ImageGeometry g;
    g.size = {1, 1, 2};
    Volume<double> image(g);
    image.Data() = {5.0, -1.0};
    Lbp2dOptions options;
    options.radius = 3.0;
    const auto codes = Lbp2dFilter(image, VoxelBox::Whole(g), options, std::nullopt);
    EXPECT_EQ(codes, (std::vector<double>{0.0, 8.0}));
    options.method = "var"; // all samples 0: zero variance is NaN, 0 after an int16 cast
    const auto var = Lbp2dFilter(image, VoxelBox::Whole(g), options, std::nullopt);
    EXPECT_TRUE(std::isnan(var[0]) && std::isnan(var[1]));
    EXPECT_EQ(Lbp2dFilter(image, VoxelBox::Whole(g), options, kInt16), (std::vector<double>{0.0, 0.0}));
}

TEST(RadiomicsLbp2d, RejectsUnsupportedSettings) {
    ImageGeometry g;
    g.size = {4, 4, 1};
    const Volume<double> image(g, 1.0);
    const VoxelBox whole = VoxelBox::Whole(g);
    Lbp2dOptions options;
    options.method = "median";
    EXPECT_THROW(Lbp2dFilter(image, whole, options, std::nullopt), std::invalid_argument);
    options.method = "ROR"; // skimage lower-cases the method
    EXPECT_NO_THROW(Lbp2dFilter(image, whole, options, std::nullopt));
    options.samples = 32;
    EXPECT_THROW(Lbp2dFilter(image, whole, options, std::nullopt), std::invalid_argument);
    options = Lbp2dOptions{};
    options.radius = std::numeric_limits<double>::infinity();
    EXPECT_THROW(Lbp2dFilter(image, whole, options, std::nullopt), std::invalid_argument);
    options.radius = 1.0;
    options.axis = 3;
    EXPECT_THROW(Lbp2dFilter(image, whole, options, std::nullopt), std::invalid_argument);
    options.axis = 0;
    EXPECT_THROW(Lbp2dFilter(image, whole, options, std::pair{0.0, 4294967295.0}), std::invalid_argument);
    EXPECT_THROW(Lbp2dFilter(image, VoxelBox{{2, 0, 0}, {3, 1, 1}}, options, std::nullopt), std::invalid_argument);
}

TEST(RadiomicsLbp2d, NumpyIntegerCastsAsMeasured) {
    // Values measured with numpy 1.24 on x86-64 (int_array[...] = float_array).
    const IntegerDtype i16 = IntegerDtypeForRange(kInt16);
    EXPECT_EQ(NumpyCastToInteger(std::numeric_limits<double>::quiet_NaN(), i16), 0.0);
    EXPECT_EQ(NumpyCastToInteger(40000.7, i16), -25536.0);
    EXPECT_EQ(NumpyCastToInteger(-40000.7, i16), 25536.0);
    EXPECT_EQ(NumpyCastToInteger(3e9, i16), 0.0);
    EXPECT_EQ(NumpyCastToInteger(-0.7, i16), 0.0);
    EXPECT_EQ(NumpyCastToInteger(32767.9, i16), 32767.0);
    const IntegerDtype u8 = IntegerDtypeForRange({0.0, 255.0});
    EXPECT_EQ(NumpyCastToInteger(-40000.7, u8), 192.0);
    EXPECT_EQ(NumpyCastToInteger(32767.9, u8), 255.0);
    const IntegerDtype i32 = IntegerDtypeForRange({-2147483648.0, 2147483647.0});
    EXPECT_EQ(NumpyCastToInteger(std::numeric_limits<double>::quiet_NaN(), i32), -2147483648.0);
    EXPECT_EQ(NumpyCastToInteger(-40000.7, i32), -40000.0);
    // scipy.ndimage's integer output: half away from zero, clamped.
    EXPECT_EQ(ScipyInterpolationToInteger(2.5, i16), 3.0);
    EXPECT_EQ(ScipyInterpolationToInteger(-2.5, i16), -3.0);
    EXPECT_EQ(ScipyInterpolationToInteger(-2.49, i16), -2.0);
    EXPECT_EQ(ScipyInterpolationToInteger(40000.0, i16), 32767.0);
    EXPECT_EQ(ScipyInterpolationToInteger(-3.0, IntegerDtypeForRange({0.0, 65535.0})), 0.0);
}

TEST(RadiomicsLbp3d, IcosphereVerticesMatchTrimeshConstruction) {
    for (const auto& [subdivision, radius, file] :
         {std::tuple{1, 1.0, "icosphere_S1_R1p0.nrrd"}, std::tuple{2, 1.5, "icosphere_S2_R1p5.nrrd"}}) {
        const Volume<double> expected = ReadVolume(LbpDataDir() / file);
        const auto vertices = IcosphereVertices(subdivision, radius);
        ASSERT_EQ(expected.Data().size(), vertices.size() * 3);
        for (std::size_t v = 0; v < vertices.size(); ++v)
            for (std::size_t c = 0; c < 3; ++c)
                EXPECT_EQ(vertices[v][c], expected.Data()[v * 3 + c]) << file << " vertex " << v;
    }
    EXPECT_EQ(IcosphereVertices(0, 1.0).size(), 12U);
    EXPECT_EQ(IcosphereVertices(3, 1.0).size(), 642U);
}

TEST(RadiomicsLbp3d, MatchesScipyReferences) {
    const auto cases = ReferenceCases("lbp3d");
    ASSERT_GE(cases.size(), 10U);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.tag);
        const Volume<double>& image = InputImage(c.settings.at("image"));
        const std::vector<std::uint8_t> roi = InputRoi(c.settings.at("roi"));
        Lbp3dOptions options;
        options.levels = std::stoi(c.settings.at("levels"));
        options.icosphere_radius = std::stod(c.settings.at("radius"));
        options.subdivision = std::stoi(c.settings.at("subdivision"));
        const auto actual = Lbp3dFilter(image, VoxelBox::Whole(image.Geometry()), roi, options, RangeFor(c));
        ASSERT_EQ(actual.size(), static_cast<std::size_t>(options.levels) + 1);
        for (std::size_t l = 0; l < actual.size(); ++l) {
            const bool kurtosis = l == actual.size() - 1;
            std::string name = "k";
            if (!kurtosis)
                name = std::string("m").append(std::to_string(l + 1));
            const Volume<double> expected = ReadVolume(LbpDataDir() / (c.tag + "_" + name + ".nrrd"));
            std::size_t mismatches = 0;
            for (std::size_t v = 0; v < roi.size(); ++v) {
                const double e = expected.Data()[v];
                // k depends on the samples only and m1 on Y_00, a constant: both bit-identical. m2..
                // go through harmonics of the vertex angles, which numpy took from SVML's arccos /
                // arctan2 (AVX-512) and radnode takes from glibc: a last-bit difference for some
                // vertices, at most 1.1e-15 relative in m (with glibc's angles in the Python
                // script every m value is bit-identical too). Bound: 1e-12 relative.
                const bool exact = kurtosis || l == 0;
                const bool ok = exact ? SameValue(actual[l][v], e) : Near(actual[l][v], e, 1e-12, 1e-14);
                if (!ok && ++mismatches <= 3)
                    ADD_FAILURE() << name << " voxel " << v << ": " << actual[l][v] << " vs scipy " << e;
            }
            EXPECT_EQ(mismatches, 0U) << name;
        }
    }
}

TEST(RadiomicsLbp3d, BoxEqualsWholeImage) {
    const Volume<double>& image = InputImage("breast1");
    const ImageGeometry& g = image.Geometry();
    const std::vector<std::uint8_t> whole_roi = InputRoi("breast1_label");
    const VoxelBox box{{21, 64, 8}, {9, 12, 3}}; // the label's bounding box
    std::vector<std::uint8_t> box_roi;
    for (std::size_t k = 0; k < box.size[2]; ++k)
        for (std::size_t j = 0; j < box.size[1]; ++j)
            for (std::size_t i = 0; i < box.size[0]; ++i)
                box_roi.push_back(whole_roi[g.LinearIndex(box.begin[0] + i, box.begin[1] + j, box.begin[2] + k)]);
    ASSERT_EQ(std::count(box_roi.begin(), box_roi.end(), 1), 143);
    Lbp3dOptions options;
    options.levels = 3;
    options.icosphere_radius = 2.0;
    const auto whole = Lbp3dFilter(image, VoxelBox::Whole(g), whole_roi, options, kInt16);
    const auto part = Lbp3dFilter(image, box, box_roi, options, kInt16);
    ASSERT_EQ(part.size(), 4U);
    for (std::size_t l = 0; l < part.size(); ++l)
        EXPECT_EQ(part[l], Crop(whole[l], g, box)) << "image " << l;
}

TEST(RadiomicsLbp3d, ConstantImageKurtosisIsNaN) {
    // Every sample of an interior voxel equals the centre: scipy.stats.kurtosis returns NaN for
    // zero variance, all signs are 1, so only degree 0 remains: m1 = Nv^1.5 / (4 pi). At a corner
    // voxel the samples outside the image read 0 (mode 'constant'): kurtosis is finite.
    ImageGeometry g;
    g.size = {6, 6, 6};
    const Volume<double> image(g, 100.0);
    std::vector<std::uint8_t> roi(g.VoxelCount(), 0);
    roi[g.LinearIndex(3, 3, 3)] = 1;
    roi[g.LinearIndex(0, 0, 0)] = 1;
    const auto out = Lbp3dFilter(image, VoxelBox::Whole(g), roi, Lbp3dOptions{}, kInt16);
    ASSERT_EQ(out.size(), 3U);
    const std::size_t centre = g.LinearIndex(3, 3, 3);
    EXPECT_TRUE(std::isnan(out[2][centre]));
    EXPECT_NEAR(out[0][centre], std::pow(42.0, 1.5) / (4.0 * std::numbers::pi), 1e-12);
    EXPECT_TRUE(std::isfinite(out[2][0]));
    EXPECT_EQ(out[0][1], 0.0); // outside the ROI
}

TEST(RadiomicsLbp3d, KurtosisAndSumsFollowNumpy) {
    // A 9-value row goes through numpy's 8-accumulator block; a shifted copy has the same kurtosis.
    std::vector<double> scratch;
    const std::vector<double> a{1, 2, 3, 4, 5, 6, 7, 8, 100};
    const double k = ScipyKurtosis(a, scratch);
    EXPECT_EQ(k, 4.055641965215894); // scipy.stats.kurtosis([1, 2, ..., 8, 100.0])
    EXPECT_TRUE(std::isnan(ScipyKurtosis(std::vector<double>(42, 7.0), scratch)));
    // Pairwise order: adding 15 ones to 1e16 one by one loses them all (half an ulp each), numpy's
    // 8 partial sums keep 14 of them (np.sum gives 1e16 + 14).
    std::vector<double> values(16, 1.0);
    values[0] = 1e16;
    EXPECT_EQ(NumpyPairwiseSum(values) - 1e16, 14.0);
}

TEST(RadiomicsLbp3d, RejectsUnsupportedSettings) {
    ImageGeometry g;
    g.size = {3, 3, 3};
    const Volume<double> image(g, 1.0);
    const std::vector<std::uint8_t> roi(27, 1);
    Lbp3dOptions options;
    for (const int levels : {-1, 0, 1}) { // PyRadiomics raises IndexError below 2 levels
        options.levels = levels;
        EXPECT_THROW(Lbp3dFilter(image, VoxelBox::Whole(g), roi, options, std::nullopt), std::invalid_argument);
    }
    options = Lbp3dOptions{};
    options.subdivision = 7;
    EXPECT_THROW(Lbp3dFilter(image, VoxelBox::Whole(g), roi, options, std::nullopt), std::invalid_argument);
    options = Lbp3dOptions{};
    EXPECT_THROW(Lbp3dFilter(image, VoxelBox::Whole(g), std::vector<std::uint8_t>(26, 1), options, std::nullopt),
                 std::invalid_argument);
    EXPECT_EQ(Lbp3dFilter(image, VoxelBox::Whole(g), roi, options, std::nullopt).size(), 3U);
}

} // namespace
} // namespace radnode::processing::radiomics
