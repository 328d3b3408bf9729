#include "config/radiomics_params.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside std::regex's std::function at -O2
// (GCC bug 105562), as in config.cpp; silence it for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "config/config.h"
#include "processing/radiomics/ibsi_filters.h"

namespace radnode::config {
namespace {

namespace rad = processing::radiomics;

constexpr std::array<std::string_view, 8> kFeatureClasses = {"firstorder", "glcm",  "gldm",  "glrlm",
                                                             "glszm",      "ngtdm", "shape", "shape2D"};

// The IBSI-only families IBSI mode adds to the PyRadiomics classes (extractor.cpp, kIbsiClasses).
// Their feature names are not listed here: Extract refuses an unknown one ("Feature not found").
constexpr std::array<std::string_view, 7> kIbsiFeatureClasses = {
    "gldzm", "ngldm", "intensityhistogram", "ivh", "localintensity", "statistics", "morphology"};

// PyRadiomics finds image types from imageoperations.get<Type>Image; this is that list in
// source order.
constexpr std::array<std::string_view, 10> kImageTypes = {"Original",    "LoG",         "Wavelet",  "Square",
                                                          "SquareRoot",  "Logarithm",   "Exponential",
                                                          "Gradient",    "LBP2D",       "LBP3D"};

// Feature names per class (PyRadiomics' get<Name>FeatureValue methods, deprecated ones
// included because they may be enabled by name).
const std::map<std::string_view, std::vector<std::string_view>>& FeatureNames() {
    static const std::map<std::string_view, std::vector<std::string_view>> names = {
        {"firstorder",
         {"Energy", "TotalEnergy", "Entropy", "Minimum", "10Percentile", "90Percentile", "Maximum", "Mean", "Median",
          "InterquartileRange", "Range", "MeanAbsoluteDeviation", "RobustMeanAbsoluteDeviation", "RootMeanSquared",
          "StandardDeviation", "Skewness", "Kurtosis", "Variance", "Uniformity"}},
        {"glcm",
         {"Autocorrelation", "JointAverage", "ClusterProminence", "ClusterShade", "ClusterTendency", "Contrast",
          "Correlation", "DifferenceAverage", "DifferenceEntropy", "DifferenceVariance", "Dissimilarity",
          "JointEnergy", "JointEntropy", "Homogeneity1", "Homogeneity2", "Imc1", "Imc2", "Idm", "MCC", "Idmn", "Id",
          "Idn", "InverseVariance", "MaximumProbability", "SumAverage", "SumVariance", "SumEntropy", "SumSquares"}},
        {"gldm",
         {"SmallDependenceEmphasis", "LargeDependenceEmphasis", "GrayLevelNonUniformity",
          "GrayLevelNonUniformityNormalized", "DependenceNonUniformity", "DependenceNonUniformityNormalized",
          "GrayLevelVariance", "DependenceVariance", "DependenceEntropy", "DependencePercentage",
          "LowGrayLevelEmphasis", "HighGrayLevelEmphasis", "SmallDependenceLowGrayLevelEmphasis",
          "SmallDependenceHighGrayLevelEmphasis", "LargeDependenceLowGrayLevelEmphasis",
          "LargeDependenceHighGrayLevelEmphasis"}},
        {"glrlm",
         {"ShortRunEmphasis", "LongRunEmphasis", "GrayLevelNonUniformity", "GrayLevelNonUniformityNormalized",
          "RunLengthNonUniformity", "RunLengthNonUniformityNormalized", "RunPercentage", "GrayLevelVariance",
          "RunVariance", "RunEntropy", "LowGrayLevelRunEmphasis", "HighGrayLevelRunEmphasis",
          "ShortRunLowGrayLevelEmphasis", "ShortRunHighGrayLevelEmphasis", "LongRunLowGrayLevelEmphasis",
          "LongRunHighGrayLevelEmphasis"}},
        {"glszm",
         {"SmallAreaEmphasis", "LargeAreaEmphasis", "GrayLevelNonUniformity", "GrayLevelNonUniformityNormalized",
          "SizeZoneNonUniformity", "SizeZoneNonUniformityNormalized", "ZonePercentage", "GrayLevelVariance",
          "ZoneVariance", "ZoneEntropy", "LowGrayLevelZoneEmphasis", "HighGrayLevelZoneEmphasis",
          "SmallAreaLowGrayLevelEmphasis", "SmallAreaHighGrayLevelEmphasis", "LargeAreaLowGrayLevelEmphasis",
          "LargeAreaHighGrayLevelEmphasis"}},
        {"ngtdm", {"Coarseness", "Contrast", "Busyness", "Complexity", "Strength"}},
        {"shape",
         {"MeshVolume", "VoxelVolume", "SurfaceArea", "SurfaceVolumeRatio", "Sphericity", "Compactness1",
          "Compactness2", "SphericalDisproportion", "Maximum3DDiameter", "Maximum2DDiameterSlice",
          "Maximum2DDiameterColumn", "Maximum2DDiameterRow", "MajorAxisLength", "MinorAxisLength",
          "LeastAxisLength", "Elongation", "Flatness"}},
        {"shape2D",
         {"MeshSurface", "PixelSurface", "Perimeter", "PerimeterSurfaceRatio", "Sphericity",
          "SphericalDisproportion", "MaximumDiameter", "MajorAxisLength", "MinorAxisLength", "Elongation"}},
    };
    return names;
}

// Every key the `setting:` section (and an image type's own settings) may hold.
constexpr std::array<std::string_view, 45> kSettingKeys = {
    "minimumROIDimensions", "minimumROISize", "geometryTolerance", "correctMask", "additionalInfo", "label",
    "label_channel", "binWidth", "binCount", "normalize", "normalizeScale", "removeOutliers",
    "resampledPixelSpacing", "interpolator", "padDistance", "distances", "force2D", "force2Ddimension",
    "resegmentRange", "resegmentMode", "resegmentShape", "preCrop", "sigma", "start_level", "level", "wavelet",
    "gradientUseSpacing", "lbp2DRadius", "lbp2DSamples", "lbp2DMethod", "lbp3DLevels", "lbp3DIcosphereRadius",
    "lbp3DIcosphereSubdivision", "voxelArrayShift", "symmetricalGLCM", "weightingNorm", "gldm_a",
    "ibsiCompliant", "ibsiAggregation", "ibsiDiscretisationMinimum", "ivhBinWidth", "ivhBinCount",
    "ibsiRoundIntensities", "ibsiMaskThreshold", "ibsiOutlierSigma"}; // the ibsi*/ivh* ones are radnode's

// Filter settings and the image type that reads each; given under `setting:` they become
// defaults of that image type's options.
const std::map<std::string_view, std::string_view>& FilterSettingOwners() {
    static const std::map<std::string_view, std::string_view> owners = {
        {"sigma", "LoG"},
        {"wavelet", "Wavelet"},
        {"level", "Wavelet"},
        {"start_level", "Wavelet"},
        {"gradientUseSpacing", "Gradient"},
        {"lbp2DRadius", "LBP2D"},
        {"lbp2DSamples", "LBP2D"},
        {"lbp2DMethod", "LBP2D"},
        {"lbp3DLevels", "LBP3D"},
        {"lbp3DIcosphereRadius", "LBP3D"},
        {"lbp3DIcosphereSubdivision", "LBP3D"},
    };
    return owners;
}

/// Where a value sits, for messages: "params.yaml: setting.binWidth (line 3)".
struct Where {
    std::string_view source;
    std::string path;
};

[[noreturn]] void Fail(const Where& where, const YAML::Node& node, std::string_view message) {
    const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
    const std::string line = mark.line >= 0 ? fmt::format(" (line {})", mark.line + 1) : std::string{};
    throw ConfigError(fmt::format("{}: {}{}: {}", where.source, where.path, line, message));
}

std::string Describe(const YAML::Node& node) {
    if (node.IsNull())
        return "null";
    if (node.IsSequence())
        return "a list";
    if (node.IsMap())
        return "a mapping";
    return fmt::format("'{}'", node.Scalar());
}

/// A quoted scalar is a string in YAML (and to PyRadiomics), never a number or boolean.
bool IsQuoted(const YAML::Node& node) { return node.Tag() == "!"; }

struct Range {
    std::optional<double> min;
    std::optional<double> max;
    bool min_exclusive = false;
};

constexpr Range kPositive{0.0, std::nullopt, true};
constexpr Range kNonNegative{0.0, std::nullopt, false};
constexpr Range kAny{};

std::string RangeText(const Range& range) {
    if (range.min && range.max)
        return fmt::format("between {} and {}", *range.min, *range.max);
    if (range.min)
        return fmt::format("{} {}", range.min_exclusive ? ">" : ">=", *range.min);
    return fmt::format("<= {}", *range.max);
}

void CheckRange(const Where& where, const YAML::Node& node, double value, const Range& range) {
    const bool below = range.min && (range.min_exclusive ? value <= *range.min : value < *range.min);
    const bool above = range.max && value > *range.max;
    if (below || above)
        Fail(where, node, fmt::format("must be {}, got {}", RangeText(range), node.Scalar()));
}

long long IntValue(const Where& where, const YAML::Node& node, const Range& range) {
    static const std::regex kInt{R"([-+]?[0-9]+)"};
    if (!node.IsScalar() || IsQuoted(node) || !std::regex_match(node.Scalar(), kInt))
        Fail(where, node, fmt::format("expected an integer, got {}", Describe(node)));
    const std::string& text = node.Scalar();
    long long value = 0;
    const char* first = text.data() + (text.front() == '+' ? 1 : 0);
    const auto [end, error] = std::from_chars(first, text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < -(1LL << 31) || value >= (1LL << 31))
        Fail(where, node, fmt::format("integer {} is out of range", text));
    CheckRange(where, node, static_cast<double>(value), range);
    return value;
}

int Int(const Where& where, const YAML::Node& node, const Range& range) {
    return static_cast<int>(IntValue(where, node, range));
}

double Float(const Where& where, const YAML::Node& node, const Range& range) {
    // pykwalify's float accepts whatever Python's float() does, text included ("1e-6",
    // "nan"); YAML's own .nan/.inf are read the same way.
    static const std::regex kNumber{R"([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)"};
    static const std::regex kSpecial{R"([-+]?\.?(nan|inf|infinity))", std::regex::icase};
    const bool scalar = node.IsScalar();
    const std::string text = scalar ? node.Scalar() : std::string{};
    const bool special = scalar && std::regex_match(text, kSpecial);
    if (!scalar || (!special && !std::regex_match(text, kNumber)))
        Fail(where, node, fmt::format("expected a number, got {}", Describe(node)));
    double value = std::strtod(text.c_str(), nullptr);
    if (special) {
        static const std::regex kNan{"nan", std::regex::icase};
        value = std::regex_search(text, kNan) ? std::nan("") : text.front() == '-' ? -HUGE_VAL : HUGE_VAL;
    }
    const bool bounded = range.min || range.max;
    if (!std::isfinite(value) && bounded)
        Fail(where, node, fmt::format("must be a finite number {}, got {}", RangeText(range), text));
    if (std::isfinite(value))
        CheckRange(where, node, value, range);
    return value;
}

bool Bool(const Where& where, const YAML::Node& node) {
    bool value = false;
    if (!node.IsScalar() || IsQuoted(node) || !YAML::convert<bool>::decode(node, value))
        Fail(where, node, fmt::format("expected true or false, got {}", Describe(node)));
    return value;
}

std::string String(const Where& where, const YAML::Node& node) {
    if (!node.IsScalar())
        Fail(where, node, fmt::format("expected a string, got {}", Describe(node)));
    return node.Scalar();
}

std::string Choice(const Where& where, const YAML::Node& node, std::span<const std::string_view> choices) {
    const std::string value = String(where, node);
    if (std::find(choices.begin(), choices.end(), value) == choices.end())
        Fail(where, node, fmt::format("'{}' is not one of: {}", value, fmt::join(choices, ", ")));
    return value;
}

/// A YAML list; a single scalar is refused, as PyRadiomics' schema requires a sequence.
template <typename T, typename Parse>
std::vector<T> List(const Where& where, const YAML::Node& node, Parse parse, std::size_t min_count,
                    std::size_t max_count) {
    if (!node.IsSequence())
        Fail(where, node, fmt::format("expected a list, got {}", Describe(node)));
    if (node.size() < min_count || node.size() > max_count) {
        const std::string count = min_count == max_count ? fmt::format("exactly {}", min_count)
                                  : max_count == SIZE_MAX ? fmt::format("at least {}", min_count)
                                                          : fmt::format("{} to {}", min_count, max_count);
        Fail(where, node, fmt::format("expected {} values, got {}", count, node.size()));
    }
    std::vector<T> values;
    for (std::size_t i = 0; i < node.size(); ++i) {
        const Where item{where.source, fmt::format("{}[{}]", where.path, i)};
        values.push_back(parse(item, node[i]));
    }
    return values;
}

bool IsWaveletName(const std::string& name) {
    // pywt.wavelist(kind='discrete'): the wavelets PyRadiomics' wavelet filter can use.
    static const std::regex kWavelet{
        R"(haar|dmey|db([1-9]|[12][0-9]|3[0-8])|sym([2-9]|1[0-9]|20)|coif([1-9]|1[0-7])|)"
        R"((bior|rbio)(1\.[135]|2\.[2468]|3\.[13579]|4\.4|5\.5|6\.8))"};
    return std::regex_match(name, kWavelet);
}

/// Validates a filter setting and returns it as text.
std::vector<std::string> FilterSetting(const Where& where, std::string_view key, const YAML::Node& value) {
    const auto text = [](auto number) { return std::vector<std::string>{fmt::format("{}", number)}; };
    if (value.IsNull())
        return {};
    if (key == "sigma") {
        List<double>(where, value, [&](const Where& w, const YAML::Node& n) { return Float(w, n, kPositive); }, 1,
                     SIZE_MAX);
        std::vector<std::string> out;
        for (const YAML::Node& item : value)
            out.push_back(item.Scalar());
        return out;
    }
    if (key == "start_level")
        return text(Int(where, value, kNonNegative));
    if (key == "level")
        return text(Int(where, value, kPositive));
    if (key == "wavelet") {
        const std::string name = String(where, value);
        if (!IsWaveletName(name))
            Fail(where, value, fmt::format("'{}' is not a discrete wavelet of PyWavelets (haar, dbN, symN, coifN, "
                                           "biorN.M, rbioN.M, dmey)",
                                           name));
        return {name};
    }
    if (key == "gradientUseSpacing")
        return {Bool(where, value) ? "true" : "false"};
    if (key == "lbp2DRadius" || key == "lbp3DIcosphereRadius") {
        Float(where, value, kPositive);
        return {value.Scalar()};
    }
    if (key == "lbp2DSamples" || key == "lbp3DLevels")
        return text(Int(where, value, Range{1.0, std::nullopt, false}));
    if (key == "lbp2DMethod") {
        static constexpr std::array<std::string_view, 4> kMethods = {"default", "ror", "uniform", "var"};
        return {Choice(where, value, kMethods)};
    }
    if (key == "lbp3DIcosphereSubdivision")
        return text(Int(where, value, kNonNegative));
    Fail(where, value, "not a filter setting"); // unreachable: callers check FilterSettingOwners
}

/// Applies one general (non-filter) setting. `interpolator_none` records
/// `interpolator: null`, resolved once the whole section is read.
void ApplySetting(const Where& where, std::string_view key, const YAML::Node& value, rad::Settings& s,
                  bool& interpolator_none) {
    const bool null = value.IsNull();
    if (key == "minimumROIDimensions") {
        if (!null)
            s.minimum_roi_dimensions = Int(where, value, Range{1.0, 3.0, false});
    } else if (key == "minimumROISize") {
        s.minimum_roi_size = null ? std::nullopt : std::optional<int>{Int(where, value, kPositive)};
    } else if (key == "geometryTolerance") {
        if (!null)
            s.geometry_tolerance = Float(where, value, kPositive);
    } else if (key == "correctMask") {
        if (!null)
            s.correct_mask = Bool(where, value);
    } else if (key == "additionalInfo") {
        if (!null)
            s.additional_info = Bool(where, value);
    } else if (key == "label") {
        if (!null)
            s.label = Int(where, value, kPositive);
    } else if (key == "label_channel") {
        s.label_channel = null ? std::nullopt : std::optional<int>{Int(where, value, kNonNegative)};
    } else if (key == "binWidth") {
        if (!null)
            s.bin_width = Float(where, value, kPositive);
    } else if (key == "binCount") {
        s.bin_count = null ? std::nullopt : std::optional<int>{Int(where, value, kPositive)};
    } else if (key == "normalize") {
        if (!null)
            s.normalize = Bool(where, value);
    } else if (key == "normalizeScale") {
        if (!null)
            s.normalize_scale = Float(where, value, kPositive);
    } else if (key == "removeOutliers") {
        s.remove_outliers = null ? std::nullopt : std::optional<double>{Float(where, value, kPositive)};
    } else if (key == "resampledPixelSpacing") {
        if (null) {
            s.resampled_pixel_spacing.reset();
        } else {
            // PyRadiomics zips the list with the image's 3 spacings; radnode images are 3D.
            const std::vector<double> spacing = List<double>(
                where, value, [](const Where& w, const YAML::Node& n) { return Float(w, n, kNonNegative); }, 3, 3);
            s.resampled_pixel_spacing = std::array<double, 3>{spacing[0], spacing[1], spacing[2]};
        }
    } else if (key == "interpolator") {
        interpolator_none = null;
        if (null)
            return;
        // SimpleITK's InterpolatorEnum codes; PyRadiomics accepts 1-10 and the names.
        static const std::map<std::string, int, std::less<>> kCodes = {
            {"sitkNearestNeighbor", 1},      {"sitkLinear", 2},
            {"sitkBSpline", 3},              {"sitkGaussian", 4},
            {"sitkLabelGaussian", 5},        {"sitkHammingWindowedSinc", 6},
            {"sitkCosineWindowedSinc", 7},   {"sitkWelchWindowedSinc", 8},
            {"sitkLanczosWindowedSinc", 9},  {"sitkBlackmanWindowedSinc", 10}};
        int code = 0;
        if (value.IsScalar() && !IsQuoted(value) && std::regex_match(value.Scalar(), std::regex{R"([-+]?[0-9]+)"})) {
            code = Int(where, value, Range{1.0, 10.0, false});
        } else {
            const std::string name = String(where, value);
            const auto it = kCodes.find(name);
            if (it == kCodes.end())
                Fail(where, value,
                     fmt::format("'{}' is not a SimpleITK interpolator (sitkNearestNeighbor, sitkLinear, sitkBSpline, "
                                 "or an integer code 1-10)",
                                 name));
            code = it->second;
        }
        switch (code) {
        case 1: s.interpolator = rad::Interpolator::Nearest; break;
        case 2: s.interpolator = rad::Interpolator::Linear; break;
        case 3: s.interpolator = rad::Interpolator::BSpline; break;
        default:
            Fail(where, value,
                 fmt::format("interpolator {} is valid in PyRadiomics but not implemented by radnode; use "
                             "sitkNearestNeighbor (1), sitkLinear (2) or sitkBSpline (3)",
                             value.Scalar()));
        }
    } else if (key == "padDistance") {
        if (!null)
            s.pad_distance = Int(where, value, kNonNegative);
    } else if (key == "distances") {
        if (!null)
            s.distances = List<int>(
                where, value, [](const Where& w, const YAML::Node& n) { return Int(w, n, kPositive); }, 1, SIZE_MAX);
    } else if (key == "force2D") {
        if (!null)
            s.force_2d = Bool(where, value);
    } else if (key == "force2Ddimension") {
        if (!null)
            s.force_2d_dimension = Int(where, value, Range{0.0, 2.0, false});
    } else if (key == "resegmentRange") {
        if (null)
            s.resegment_range.reset();
        else
            // PyRadiomics' resegmentMask takes a lower bound, or lower and upper bounds.
            s.resegment_range = List<double>(
                where, value, [](const Where& w, const YAML::Node& n) { return Float(w, n, kAny); }, 1, 2);
    } else if (key == "resegmentMode") {
        if (!null) {
            static constexpr std::array<std::string_view, 3> kModes = {"absolute", "relative", "sigma"};
            const std::string mode = Choice(where, value, kModes);
            s.resegment_mode = mode == "relative" ? rad::ResegmentMode::Relative
                               : mode == "sigma"  ? rad::ResegmentMode::Sigma
                                                  : rad::ResegmentMode::Absolute;
        }
    } else if (key == "resegmentShape") {
        if (!null)
            s.resegment_shape = Bool(where, value);
    } else if (key == "preCrop") {
        if (!null)
            s.pre_crop = Bool(where, value);
    } else if (key == "voxelArrayShift") {
        if (!null)
            s.voxel_array_shift = Int(where, value, kAny);
    } else if (key == "symmetricalGLCM") {
        if (!null)
            s.symmetrical_glcm = Bool(where, value);
    } else if (key == "weightingNorm") {
        if (null) {
            s.weighting_norm = rad::WeightingNorm::None;
        } else {
            static constexpr std::array<std::string_view, 4> kNorms = {"euclidean", "manhattan", "infinity",
                                                                       "no_weighting"};
            const std::string norm = Choice(where, value, kNorms);
            s.weighting_norm = norm == "euclidean"   ? rad::WeightingNorm::Euclidean
                               : norm == "manhattan" ? rad::WeightingNorm::Manhattan
                               : norm == "infinity"  ? rad::WeightingNorm::Infinity
                                                     : rad::WeightingNorm::NoWeighting;
        }
    } else if (key == "gldm_a") {
        if (!null)
            s.gldm_a = Int(where, value, kNonNegative);
    } else if (key == "ibsiCompliant") {
        if (!null)
            s.ibsi_compliant = Bool(where, value);
    } else if (key == "ibsiAggregation") {
        if (!null) {
            static constexpr std::array<std::string_view, 6> kAggregations = {"2D_avg", "2D_smrg", "2.5D_avg",
                                                                              "2.5D_mrg", "3D_avg", "3D_mrg"};
            const std::string aggregation = Choice(where, value, kAggregations);
            s.ibsi_aggregation = aggregation == "2D_avg"     ? rad::Aggregation::TwoDAverage
                                 : aggregation == "2D_smrg"  ? rad::Aggregation::TwoDSliceMerged
                                 : aggregation == "2.5D_avg" ? rad::Aggregation::TwoAndHalfDAverage
                                 : aggregation == "2.5D_mrg" ? rad::Aggregation::TwoAndHalfDMerged
                                 : aggregation == "3D_avg"   ? rad::Aggregation::ThreeDAverage
                                                             : rad::Aggregation::ThreeDMerged;
        }
    } else if (key == "ibsiDiscretisationMinimum") {
        s.ibsi_discretisation_minimum = null ? std::nullopt : std::optional<double>{Float(where, value, kAny)};
    } else if (key == "ivhBinWidth") {
        s.ivh_bin_width = null ? std::nullopt : std::optional<double>{Float(where, value, kPositive)};
    } else if (key == "ivhBinCount") {
        s.ivh_bin_count = null ? std::nullopt : std::optional<int>{Int(where, value, kPositive)};
    } else if (key == "ibsiRoundIntensities") {
        if (!null)
            s.ibsi_round_intensities = Bool(where, value);
    } else if (key == "ibsiMaskThreshold") {
        if (!null)
            s.ibsi_mask_threshold = Float(where, value, Range{0.0, 1.0, true});
    } else if (key == "ibsiOutlierSigma") {
        s.ibsi_outlier_sigma = null ? std::nullopt : std::optional<double>{Float(where, value, kPositive)};
    } else if (key == "kernelRadius" || key == "voxelBatch") {
        if (!null)
            Int(where, value, kPositive);
    } else if (key == "maskedKernel") {
        if (!null)
            Bool(where, value);
    } else if (key == "initValue") {
        if (!null)
            Float(where, value, kAny);
    } else {
        Fail(where, value, "unknown setting");
    }
}

std::string KeyText(const Where& section, const YAML::Node& key) {
    if (!key.IsScalar())
        Fail(section, key, "keys must be names");
    return key.Scalar();
}

void RequireKnownSetting(const Where& where, const YAML::Node& node, const std::string& key) {
    if (std::find(kSettingKeys.begin(), kSettingKeys.end(), key) == kSettingKeys.end())
        Fail(where, node,
             fmt::format("unknown setting; the settings are: {}", fmt::join(kSettingKeys, ", ")));
}

/// The value as text: a scalar is one element, a list one element per item, null none.
std::vector<std::string> AsText(const YAML::Node& value) {
    if (value.IsNull())
        return {};
    if (value.IsSequence()) {
        std::vector<std::string> out;
        for (const YAML::Node& item : value)
            out.push_back(item.IsScalar() ? item.Scalar() : std::string{});
        return out;
    }
    if (bool b = false; value.IsScalar() && !IsQuoted(value) && YAML::convert<bool>::decode(value, b) &&
                        !std::regex_match(value.Scalar(), std::regex{"[0-9]+"}))
        return {b ? "true" : "false"};
    return {value.Scalar()};
}

void RequireMap(const Where& where, const YAML::Node& node) {
    if (!node.IsMap())
        Fail(where, node, fmt::format("expected a mapping (use {{}} for an empty one), got {}", Describe(node)));
}

std::vector<std::string> IbsiImageTypeNames() {
    std::vector<std::string> names;
    for (const auto& [name, keys] : rad::IbsiImageTypeOptions())
        names.push_back(name);
    return names;
}

/// An IBSI-mode image type: its filter options as text (checked by expanding it once), and any
/// general setting in its dict merged over the global ones, as for PyRadiomics' types.
rad::ImageTypeSpec IbsiImageType(const Where& at, const YAML::Node& body, const std::string& name,
                                 const std::set<std::string>& keys, const rad::Settings& global) {
    if (!global.ibsi_compliant)
        Fail(at, body, fmt::format("image type {} is an IBSI 2 filter: it needs setting ibsiCompliant: true", name));
    rad::ImageTypeSpec spec{name, {}};
    if (!body.IsNull()) {
        RequireMap(at, body);
        for (const auto& item : body) {
            const std::string key = KeyText(at, item.first);
            const Where option{at.source, fmt::format("{}.{}", at.path, key)};
            if (keys.contains(key)) {
                spec.options[key] = AsText(item.second);
                continue;
            }
            if (std::find(kSettingKeys.begin(), kSettingKeys.end(), key) == kSettingKeys.end() ||
                FilterSettingOwners().contains(key))
                Fail(option, item.first,
                     fmt::format("unknown option of {}; it reads {} (and general settings such as binWidth)", name,
                                 fmt::join(keys, ", ")));
            // A general setting of this image type: its own settings, not a filter option.
            if (!spec.settings)
                spec.settings = global;
            bool interpolator_none = false;
            ApplySetting(option, key, item.second, *spec.settings, interpolator_none);
        }
    }
    if (const rad::DerivedImageList probe = rad::ExpandIbsiImageType(spec, processing::ImageGeometry{}, global);
        !probe.error.empty())
        Fail(at, body, probe.error);
    return spec;
}

rad::ExtractionParams Parse(const YAML::Node& root, std::string_view source) {
    const Where top{source, "parameter file"};
    if (!root.IsDefined() || root.IsNull())
        throw ConfigError(fmt::format("{}: the parameter file is empty; expected a mapping with setting, imageType "
                                      "and/or featureClass",
                                      source));
    RequireMap(top, root);

    rad::ExtractionParams params;
    std::map<std::string, std::vector<std::string>> global_filter_settings;
    bool interpolator_none = false;
    YAML::Node image_types, feature_classes;

    for (const auto& entry : root) {
        const std::string section = KeyText(top, entry.first);
        const YAML::Node& body = entry.second;
        const Where where{source, section};
        if (section == "setting") {
            RequireMap(where, body);
            for (const auto& item : body) {
                const std::string key = KeyText(where, item.first);
                const Where at{source, fmt::format("setting.{}", key)};
                RequireKnownSetting(at, item.first, key);
                if (FilterSettingOwners().contains(key))
                    global_filter_settings[key] = FilterSetting(at, key, item.second);
                else
                    ApplySetting(at, key, item.second, params.settings, interpolator_none);
            }
        } else if (section == "voxelSetting") {
            RequireMap(where, body);
            for (const auto& item : body) {
                const std::string key = KeyText(where, item.first);
                const Where at{source, fmt::format("voxelSetting.{}", key)};
                if (key == "kernelRadius" || key == "voxelBatch" || key == "maskedKernel" || key == "initValue") {
                    rad::Settings scratch;
                    bool ignored = false;
                    ApplySetting(at, key, item.second, scratch, ignored);
                } else {
                    Fail(at, item.first, "unknown voxel setting; expected kernelRadius, maskedKernel, initValue or "
                                         "voxelBatch");
                }
            }
        } else if (section == "imageType") {
            RequireMap(where, body);
            image_types = body;
        } else if (section == "featureClass") {
            RequireMap(where, body);
            feature_classes = body;
        } else {
            Fail(where, entry.first, "unknown section; expected setting, imageType, featureClass or voxelSetting");
        }
    }
    // PyRadiomics resamples only when both an interpolator and a spacing are given.
    if (interpolator_none)
        params.settings.resampled_pixel_spacing.reset();

    if (image_types.IsDefined() && image_types.size() > 0) {
        params.image_types.clear();
        for (const auto& entry : image_types) {
            const Where where{source, "imageType"};
            const std::string name = KeyText(where, entry.first);
            const Where at{source, fmt::format("imageType.{}", name)};
            const auto ibsi_type = rad::IbsiImageTypeOptions().find(name);
            if (ibsi_type != rad::IbsiImageTypeOptions().end()) {
                params.image_types.push_back(IbsiImageType(at, entry.second, name, ibsi_type->second, params.settings));
                continue;
            }
            if (std::find(kImageTypes.begin(), kImageTypes.end(), name) == kImageTypes.end())
                Fail(at, entry.first,
                     fmt::format("unknown image type; PyRadiomics image types are: {}; in IBSI mode also: {}",
                                 fmt::join(kImageTypes, ", "), fmt::join(IbsiImageTypeNames(), ", ")));
            rad::ImageTypeSpec spec{name, {}};
            if (!entry.second.IsNull()) {
                RequireMap(at, entry.second);
                for (const auto& item : entry.second) {
                    const std::string key = KeyText(at, item.first);
                    const Where option{source, fmt::format("imageType.{}.{}", name, key)};
                    RequireKnownSetting(option, item.first, key);
                    if (FilterSettingOwners().contains(key)) {
                        spec.options[key] = FilterSetting(option, key, item.second);
                    } else {
                        // PyRadiomics merges the type's own settings over the global ones for its
                        // filter and feature classes; the text stays for the configuration echo.
                        if (!spec.settings)
                            spec.settings = params.settings;
                        bool type_interpolator_none = false;
                        ApplySetting(option, key, item.second, *spec.settings, type_interpolator_none);
                        spec.options[key] = AsText(item.second);
                    }
                }
            }
            for (const auto& [key, value] : global_filter_settings)
                if (FilterSettingOwners().at(key) == name && !spec.options.contains(key))
                    spec.options[key] = value;
            params.image_types.push_back(std::move(spec));
        }
    }

    if (feature_classes.IsDefined() && feature_classes.size() > 0) {
        for (const auto& entry : feature_classes) {
            const Where where{source, "featureClass"};
            const std::string name = KeyText(where, entry.first);
            const Where at{source, fmt::format("featureClass.{}", name)};
            const auto known = FeatureNames().find(name);
            const bool ibsi_family =
                params.settings.ibsi_compliant &&
                std::find(kIbsiFeatureClasses.begin(), kIbsiFeatureClasses.end(), name) != kIbsiFeatureClasses.end();
            if (known == FeatureNames().end() && !ibsi_family)
                Fail(at, entry.first,
                     params.settings.ibsi_compliant
                         ? fmt::format("unknown feature class; the feature classes are: {}, and in IBSI mode: {}",
                                       fmt::join(kFeatureClasses, ", "), fmt::join(kIbsiFeatureClasses, ", "))
                         : fmt::format("unknown feature class; PyRadiomics feature classes are: {}",
                                       fmt::join(kFeatureClasses, ", ")));
            std::vector<std::string> features;
            if (!entry.second.IsNull()) {
                features = List<std::string>(where, entry.second, String, 0, SIZE_MAX);
                for (std::size_t i = 0; known != FeatureNames().end() && i < features.size(); ++i)
                    if (std::find(known->second.begin(), known->second.end(), features[i]) == known->second.end())
                        Fail(Where{source, fmt::format("featureClass.{}[{}]", name, i)}, entry.second[i],
                             fmt::format("'{}' is not a {} feature; {} features are: {}", features[i], name, name,
                                         fmt::join(known->second, ", ")));
            }
            params.feature_classes.emplace_back(name, std::move(features));
        }
    } else {
        // A parameter file without feature classes enables every class (PyRadiomics' _applyParams).
        for (std::string_view name : kFeatureClasses)
            params.feature_classes.emplace_back(std::string{name}, std::vector<std::string>{});
    }
    return params;
}

} // namespace

processing::radiomics::ExtractionParams ParseRadiomicsParams(const std::string& yaml_text, std::string_view source) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("{}: not valid YAML (line {}): {}", source, e.mark.line + 1, e.msg));
    }
    return Parse(root, source);
}

processing::radiomics::ExtractionParams LoadRadiomicsParams(const std::filesystem::path& file) {
    std::ifstream stream(file, std::ios::binary);
    if (!stream)
        throw ConfigError(fmt::format("cannot read parameter file {}", file.string()));
    std::ostringstream text;
    text << stream.rdbuf();
    return ParseRadiomicsParams(text.str(), file.string());
}

processing::radiomics::ExtractionParams DefaultRadiomicsParams() {
    rad::ExtractionParams params;
    for (std::string_view name : kFeatureClasses)
        if (name != "shape2D") // RadiomicsFeatureExtractor() leaves shape2D off
            params.feature_classes.emplace_back(std::string{name}, std::vector<std::string>{});
    return params;
}

std::span<const std::string_view> RadiomicsFeatureClassNames() { return kFeatureClasses; }

std::span<const std::string_view> RadiomicsImageTypeNames() { return kImageTypes; }

} // namespace radnode::config
