// ExpandIbsiImageType: IBSI-mode image types and their text options -> named derived images
// running the IBSI 2 filters (ibsi_filters.h). The option table is documented in
// docs/radiomics.md ("IBSI mode filters").

#include "processing/radiomics/ibsi_filters.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

/// One value per option: a single configuration of an image type.
using Config = std::map<std::string, std::string>;


std::string Lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

std::optional<double> ParseNumber(const std::string& text) {
    double value = 0.0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return std::nullopt;
    return value;
}

/// An integer, also written as an integral number ("15.0", as a YAML float may arrive).
std::optional<int> ParseInteger(const std::string& text) {
    const std::optional<double> value = ParseNumber(text);
    if (!value || *value != std::floor(*value) || std::abs(*value) > 1e9)
        return std::nullopt;
    return static_cast<int>(*value);
}

/// Shortest round-trip text of a number with '.' written '-', as PyRadiomics names do.
std::string NameNumber(double value) {
    std::array<char, 32> buffer{};
    const auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    std::string text(buffer.data(), ec == std::errc() ? ptr : buffer.data());
    std::replace(text.begin(), text.end(), '.', '-');
    return text;
}

/// Reads one configuration; the first failure is kept in `error`, later reads return defaults.
class ConfigReader {
public:
    ConfigReader(std::string type, const Config& config) : type_(std::move(type)), config_(config) {}

    [[nodiscard]] const std::string& Error() const { return error_; }
    [[nodiscard]] bool Has(const std::string& key) const { return config_.count(key) != 0; }

    /// A number >= (or > unless `inclusive`) `minimum`; `fallback` nullopt = required.
    double Number(const std::string& key, std::optional<double> fallback, double minimum, bool inclusive = true) {
        const auto text = Text(key, !fallback);
        if (!text)
            return fallback.value_or(0.0);
        const std::optional<double> value = ParseNumber(*text);
        if (!value || *value < minimum || (!inclusive && *value == minimum))
            Fail(key, *text, std::string("a number ") + (inclusive ? ">= " : "> ") + NameNumber(minimum));
        return value.value_or(0.0);
    }

    /// An integer >= `minimum` (odd when `odd`); `fallback` nullopt = required.
    int Integer(const std::string& key, std::optional<int> fallback, int minimum, bool odd = false) {
        const auto text = Text(key, !fallback);
        if (!text)
            return fallback.value_or(0);
        const std::optional<int> value = ParseInteger(*text);
        if (!value || *value < minimum || (odd && *value % 2 == 0))
            Fail(key, *text, std::string(odd ? "an odd" : "an") + " integer >= " + std::to_string(minimum));
        return value.value_or(0);
    }

    /// One of `allowed` (case-insensitive), returned as listed there.
    std::string Choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& allowed) {
        const auto text = Text(key, false);
        if (!text)
            return fallback;
        for (const std::string& a : allowed)
            if (Lower(a) == Lower(*text))
                return a;
        std::string list;
        for (const std::string& a : allowed)
            list += (list.empty() ? "" : ", ") + a;
        Fail(key, *text, "one of " + list);
        return fallback;
    }

    bool Flag(const std::string& key, bool fallback) {
        const std::string value =
            Choice(key, fallback ? "true" : "false", {"true", "false", "yes", "no", "on", "off", "1", "0"});
        return value == "true" || value == "yes" || value == "on" || value == "1";
    }

    IbsiPadding Padding() {
        const std::string value = Choice("padding", "mirror", {"constant", "zero", "nearest", "periodic", "mirror"});
        if (value == "constant" || value == "zero")
            return IbsiPadding::Constant;
        if (value == "nearest")
            return IbsiPadding::Nearest;
        return value == "periodic" ? IbsiPadding::Periodic : IbsiPadding::Mirror;
    }

    IbsiPooling Pooling(IbsiPooling fallback) {
        const std::string value =
            Choice("pooling", fallback == IbsiPooling::Max ? "max" : "mean", {"max", "mean", "average", "min"});
        if (value == "max")
            return IbsiPooling::Max;
        return value == "min" ? IbsiPooling::Min : IbsiPooling::Mean;
    }

    bool TwoD(bool force_2d) { return Choice("dimensions", force_2d ? "2D" : "3D", {"2D", "3D"}) == "2D"; }

    /// "1,0,0" (or "1 0 0"): one order per axis, x first, two entries for a 2D filter.
    RieszOrder Riesz(bool required, bool two_d) {
        RieszOrder order{0, 0, 0};
        const auto text = Text("riesz_order", required);
        if (!text)
            return order;
        std::vector<int> values;
        std::string token;
        for (const char c : *text + ",") {
            if (c != ',' && c != ' ') {
                token += c;
                continue;
            }
            if (token.empty())
                continue;
            // Single digits keep the derived image names ("riesz020") unambiguous.
            const std::optional<int> v = ParseInteger(token);
            values.push_back(v && *v >= 0 && *v <= 9 ? *v : -1);
            token.clear();
        }
        const std::size_t axes = two_d ? 2 : 3;
        if (values.size() != axes || std::count(values.begin(), values.end(), -1) != 0) {
            Fail("riesz_order", *text, std::to_string(axes) + " integers 0..9 (x, y" + (two_d ? ")" : ", z)"));
            return order;
        }
        for (std::size_t a = 0; a < axes; ++a)
            order[a] = values[a];
        return order;
    }

    /// The option's text, nullopt when absent (an error when `required`).
    std::optional<std::string> Text(const std::string& key, bool required) {
        const auto it = config_.find(key);
        if (it != config_.end())
            return it->second;
        if (required && error_.empty())
            error_ = type_ + ": option '" + key + "' is required";
        return std::nullopt;
    }

    void Fail(const std::string& key, const std::string& value, const std::string& expected) {
        if (error_.empty())
            error_ = type_ + ": option '" + key + "' has value '" + value + "', expected " + expected;
    }

private:
    std::string type_;
    const Config& config_;
    std::string error_;
};

std::string PaddingName(IbsiPadding padding) {
    switch (padding) {
    case IbsiPadding::Constant:
        return "constant";
    case IbsiPadding::Nearest:
        return "nearest";
    case IbsiPadding::Periodic:
        return "periodic";
    case IbsiPadding::Mirror:
        return "mirror";
    }
    return "";
}

std::string PoolingName(IbsiPooling pooling) {
    return pooling == IbsiPooling::Max ? "max" : pooling == IbsiPooling::Min ? "min" : "mean";
}

std::string RieszName(const RieszOrder& order, bool two_d) {
    std::string name = "-riesz";
    for (std::size_t a = 0; a < (two_d ? 2U : 3U); ++a)
        name += std::to_string(order[a]);
    return name;
}

/// The values of the box from a whole-image response.
std::vector<double> BoxOf(const Volume<double>& response, const VoxelBox& box) {
    std::vector<double> out;
    out.reserve(box.VoxelCount());
    for (std::size_t k = 0; k < box.size[2]; ++k)
        for (std::size_t j = 0; j < box.size[1]; ++j)
            for (std::size_t i = 0; i < box.size[0]; ++i)
                out.push_back(response.At(box.begin[0] + i, box.begin[1] + j, box.begin[2] + k));
    return out;
}

using WholeImageFilter = std::function<Volume<double>(const Volume<double>&)>;

/// How far (voxels along x, y, z) the response at a voxel reads into the image, for filters of
/// finite support, from the image geometry; nullopt = the whole image.
using Reach = std::function<std::optional<std::array<std::size_t, 3>>(const ImageGeometry&)>;

/// The part of the image a box's response needs: the box grown by `reach`, clamped to the
/// image. Along an axis where it is clamped, the filter pads at the image's own border, which
/// gives the whole-image values only when the padding reads nothing past the crop: so the
/// axis is kept whole for periodic padding (which reads the far border) and when the crop is
/// shorter than 2 reach + 1 (mirror reflects up to `reach` voxels inwards, also for chains of
/// convolutions whose reaches add up; and a Gabor kernel, at most half the plane wide, keeps
/// its whole-image size on such a crop).
VoxelBox CropFor(const VoxelBox& box, const std::array<std::size_t, 3>& reach, const ImageGeometry& g,
                 IbsiPadding padding) {
    VoxelBox crop;
    for (std::size_t a = 0; a < 3; ++a) {
        const std::size_t n = g.size[a];
        const std::size_t lo = box.begin[a] > reach[a] ? box.begin[a] - reach[a] : 0;
        const std::size_t hi = std::min(n, box.begin[a] + box.size[a] + reach[a]);
        const bool clamped = lo + reach[a] > box.begin[a] || hi < box.begin[a] + box.size[a] + reach[a];
        const bool whole = clamped && (padding == IbsiPadding::Periodic || hi - lo < 2 * reach[a] + 1);
        crop.begin[a] = whole ? 0 : lo;
        crop.size[a] = whole ? n : hi - lo;
    }
    return crop;
}

/// A derived image whose filter runs on the whole image, or, with `reach`, on the crop of the
/// image the box needs (CropFor): the same response in the box at a fraction of the cost.
DerivedImage Derived(std::string name, WholeImageFilter filter, IbsiPadding padding = IbsiPadding::Mirror,
                     Reach reach = {}) {
    return {std::move(name), [filter = std::move(filter), padding, reach = std::move(reach)](const FilterInput& input) {
                const ImageGeometry& g = input.image.Geometry();
                const auto r = reach ? reach(g) : std::nullopt;
                if (!r)
                    return BoxOf(filter(input.image), input.box);
                const VoxelBox crop = CropFor(input.box, *r, g, padding);
                if (crop.size == g.size)
                    return BoxOf(filter(input.image), input.box);
                ImageGeometry cropped = g;
                cropped.size = crop.size;
                cropped.origin =
                    g.IndexToPhysical(static_cast<double>(crop.begin[0]), static_cast<double>(crop.begin[1]),
                                      static_cast<double>(crop.begin[2]));
                Volume<double> part(cropped, kUninitialized);
                for (std::size_t k = 0; k < crop.size[2]; ++k)
                    for (std::size_t j = 0; j < crop.size[1]; ++j)
                        for (std::size_t i = 0; i < crop.size[0]; ++i)
                            part.At(i, j, k) = input.image.At(crop.begin[0] + i, crop.begin[1] + j, crop.begin[2] + k);
                VoxelBox inside = input.box;
                for (std::size_t a = 0; a < 3; ++a)
                    inside.begin[a] -= crop.begin[a];
                return BoxOf(filter(part), inside);
            }};
}

/// Reach of a separable chain: `radius` voxels along the filtered axes (x, y, and z unless 2D).
std::array<std::size_t, 3> AxesReach(std::size_t radius, bool two_d) {
    return {radius, radius, two_d ? 0 : radius};
}

/// One derived image for one configuration of `type`; empty name with reader.Error() set on failure.
DerivedImage BuildOne(const std::string& type, ConfigReader& r, const Settings& settings) {
    const IbsiPadding padding = r.Padding();
    const std::string pad = "-" + PaddingName(padding);
    if (type == "Mean") {
        const int support = r.Integer("support", std::nullopt, 1, true);
        const bool two_d = r.TwoD(settings.force_2d);
        return Derived(
            "mean-" + std::to_string(support) + (two_d ? "-2D" : "-3D") + pad,
            [=](const Volume<double>& image) { return IbsiMeanFilter(image, support, two_d, padding); }, padding,
            [=](const ImageGeometry&) {
                return std::optional{AxesReach(static_cast<std::size_t>(support / 2), two_d)};
            });
    }
    if (type == "LaplacianOfGaussian" || type == "RieszLaplacianOfGaussian") {
        const double sigma = r.Number("sigma", std::nullopt, 0.0, false);
        const double cutoff = r.Number("cutoff", 4.0, 0.0, false);
        const bool two_d = r.TwoD(settings.force_2d);
        const bool riesz = type == "RieszLaplacianOfGaussian";
        const RieszOrder order = riesz ? r.Riesz(true, two_d) : RieszOrder{0, 0, 0};
        const std::string name = "log-sigma-" + NameNumber(sigma) + "-mm" + (two_d ? "-2D" : "-3D") + "-cutoff" +
                                 NameNumber(cutoff) + (riesz ? RieszName(order, two_d) : "") + pad;
        if (!riesz)
            return Derived(
                name, [=](const Volume<double>& image) { return IbsiLogFilter(image, sigma, cutoff, two_d, padding); },
                padding, [=](const ImageGeometry& g) {
                    // The kernel's radius per axis, floor(cutoff s + 0.5), s = sigma in voxels.
                    std::array<std::size_t, 3> reach{0, 0, 0};
                    for (std::size_t a = 0; a < (two_d ? 2U : 3U); ++a)
                        reach[a] = static_cast<std::size_t>(std::floor(cutoff * sigma / g.spacing[a] + 0.5));
                    return std::optional{reach};
                });
        // The Riesz transform is a Fourier multiplier: it sees the whole image.
        return Derived(name, [=](const Volume<double>& image) {
            return IbsiRieszLogFilter(image, sigma, cutoff, order, two_d, padding);
        });
    }
    if (type == "Laws") {
        IbsiLawsParameters p;
        p.padding = padding;
        const auto kernel = r.Text("kernel", true).value_or("");
        p.kernel = kernel;
        std::transform(p.kernel.begin(), p.kernel.end(), p.kernel.begin(),
                       [](unsigned char c) { return std::toupper(c); });
        static const std::set<std::string> kOneD{"L3", "E3", "S3", "L5", "E5", "S5", "W5", "R5"};
        bool valid = p.kernel.size() == 4 || p.kernel.size() == 6;
        for (std::size_t t = 0; valid && t < p.kernel.size(); t += 2)
            valid = kOneD.count(p.kernel.substr(t, 2)) != 0;
        if (!valid && r.Has("kernel"))
            r.Fail("kernel", kernel, "2 (2D) or 3 (3D) of L3 E3 S3 L5 E5 S5 W5 R5, e.g. E5L5S5");
        p.two_d = p.kernel.size() == 4;
        p.rotation_invariant = r.Flag("rotation_invariance", false);
        p.pooling = r.Pooling(IbsiPooling::Max);
        if (r.Has("energy_distance"))
            p.energy_distance = r.Integer("energy_distance", std::nullopt, 0);
        std::string name = "laws-" + p.kernel + (p.two_d ? "-2D" : "-3D");
        if (p.rotation_invariant)
            name += "-rotinv-" + PoolingName(p.pooling);
        if (p.energy_distance)
            name += "-energy" + std::to_string(*p.energy_distance);
        // Kernel radius (rotations move every 1D kernel to every axis) plus the energy window.
        std::size_t radius = 0;
        for (std::size_t t = 1; t < p.kernel.size(); t += 2)
            radius = std::max<std::size_t>(radius, p.kernel[t] == '3' ? 1 : 2);
        radius += static_cast<std::size_t>(p.energy_distance.value_or(0));
        return Derived(
            name + pad, [=](const Volume<double>& image) { return IbsiLawsFilter(image, p); }, padding,
            [=](const ImageGeometry&) { return std::optional{AxesReach(radius, p.two_d)}; });
    }
    if (type == "Gabor") {
        IbsiGaborParameters p;
        p.padding = padding;
        p.sigma_mm = r.Number("sigma", std::nullopt, 0.0, false);
        p.lambda_mm = r.Number("lambda", std::nullopt, 0.0, false);
        p.gamma = r.Number("gamma", 1.0, 0.0, false);
        p.theta_deg = r.Number("theta", 0.0, -360.0);
        std::string name = "gabor-sigma-" + NameNumber(p.sigma_mm) + "-mm-lambda-" + NameNumber(p.lambda_mm) +
                           "-mm-gamma-" + NameNumber(p.gamma) + "-theta-" + NameNumber(p.theta_deg);
        if (r.Has("theta_step")) {
            const double step = r.Number("theta_step", std::nullopt, 0.0, false);
            const double turns = 360.0 / step;
            if (step > 0.0 && std::abs(turns - std::round(turns)) > 1e-9)
                r.Fail("theta_step", r.Text("theta_step", false).value_or(""), "an angle (degrees) dividing 360");
            p.theta_step_deg = step;
            name += "-step-" + NameNumber(step);
        }
        p.orthogonal_planes = !r.TwoD(settings.force_2d);
        return Derived(
            name + (p.orthogonal_planes ? "-3D" : "-2D") + pad,
            [=](const Volume<double>& image) { return IbsiGaborFilter(image, p); }, padding,
            [=](const ImageGeometry& g) {
                // Half-width of the kernel in each plane: ceil(6 sigma max(1, 1/gamma)) voxels,
                // sigma converted with the plane's largest spacing (ibsi_filters.h).
                std::array<std::size_t, 3> reach{0, 0, 0};
                std::vector<std::pair<std::size_t, std::size_t>> planes{{0, 1}};
                if (p.orthogonal_planes)
                    planes = {{0, 1}, {0, 2}, {1, 2}};
                for (const auto& [u, v] : planes) {
                    const double sigma = p.sigma_mm / std::max(g.spacing[u], g.spacing[v]);
                    const auto half = static_cast<std::size_t>(std::ceil(6.0 * sigma * std::max(1.0, 1.0 / p.gamma)));
                    reach[u] = std::max(reach[u], half);
                    reach[v] = std::max(reach[v], half);
                }
                return std::optional{reach};
            });
    }
    if (type == "SeparableWavelet") {
        IbsiWaveletParameters p;
        p.padding = padding;
        const std::string wavelet = r.Text("wavelet", true).value_or("");
        if (r.Has("wavelet") && !WaveletFiltersFor(wavelet, p.filters))
            r.Fail("wavelet", wavelet, "a discrete PyWavelets wavelet (e.g. haar, db2, coif1)");
        const std::string letters = r.Text("decomposition", true).value_or("");
        p.letters = letters;
        std::transform(p.letters.begin(), p.letters.end(), p.letters.begin(),
                       [](unsigned char c) { return std::toupper(c); });
        const bool valid =
            (p.letters.size() == 2 || p.letters.size() == 3) && p.letters.find_first_not_of("LH") == std::string::npos;
        if (!valid && r.Has("decomposition"))
            r.Fail("decomposition", letters, "2 (2D) or 3 (3D) letters L/H, x first, e.g. LHL");
        p.level = r.Integer("level", 1, 1);
        p.rotation_invariant = r.Flag("rotation_invariance", false);
        p.pooling = r.Pooling(IbsiPooling::Mean);
        std::string name = "wavelet-" + Lower(wavelet) + "-" + p.letters + "-level" + std::to_string(p.level) +
                           (p.letters.size() == 2 ? "-2D" : "-3D");
        if (p.rotation_invariant)
            name += "-rotinv-" + PoolingName(p.pooling);
        // Levels 1 .. level: kernels of radius r upsampled by 1, 2, ..., 2^(level - 1), where
        // r = len / 2 (an even-length filter gets a trailing zero) or (len - 1) / 2.
        const std::size_t taps = std::max(p.filters.low.size(), p.filters.high.size());
        const std::size_t radius = (taps + (taps % 2 == 0 ? 1 : 0) - 1) / 2;
        const std::size_t chain = radius * ((std::size_t{1} << std::clamp(p.level, 0, 30)) - 1);
        return Derived(
            name + pad, [=](const Volume<double>& image) { return IbsiSeparableWaveletFilter(image, p); }, padding,
            [=](const ImageGeometry&) { return std::optional{AxesReach(chain, p.letters.size() == 2)}; });
    }
    // Simoncelli (the caller checked the type).
    const int level = r.Integer("level", 1, 1);
    const bool two_d = r.TwoD(settings.force_2d);
    const RieszOrder order = r.Riesz(false, two_d);
    const bool riesz = order != RieszOrder{0, 0, 0};
    return Derived(
        "simoncelli-level" + std::to_string(level) + (two_d ? "-2D" : "-3D") + (riesz ? RieszName(order, two_d) : "") +
            pad,
        [=](const Volume<double>& image) { return IbsiSimoncelliFilter(image, level, order, two_d, padding); });
}

/// Every combination of the option values (keys in alphabetical order, last key fastest).
/// riesz_order lists either one order as separate integers ([1, 0, 0]) or orders as text.
std::vector<Config> Combinations(const ImageTypeSpec& spec) {
    std::vector<Config> configs{Config{}};
    for (const auto& [key, given] : spec.options) {
        std::vector<std::string> values = given;
        const bool split_order = key == "riesz_order" && !values.empty() &&
                                 std::none_of(values.begin(), values.end(), [](const std::string& v) {
                                     return v.find_first_of(", ") != std::string::npos;
                                 });
        if (split_order) {
            std::string joined;
            for (const std::string& v : values)
                joined += (joined.empty() ? "" : ",") + v;
            values = {joined};
        }
        std::vector<Config> next;
        for (const Config& config : configs)
            for (const std::string& value : values) {
                Config c = config;
                c[key] = value;
                next.push_back(std::move(c));
            }
        configs = std::move(next);
    }
    return configs;
}

} // namespace

const std::map<std::string, std::set<std::string>>& IbsiImageTypeOptions() {
    static const std::map<std::string, std::set<std::string>> known{
        {"Mean", {"support", "dimensions", "padding"}},
        {"LaplacianOfGaussian", {"sigma", "cutoff", "dimensions", "padding"}},
        {"RieszLaplacianOfGaussian", {"sigma", "cutoff", "riesz_order", "dimensions", "padding"}},
        {"Laws", {"kernel", "rotation_invariance", "pooling", "energy_distance", "padding"}},
        {"Gabor", {"sigma", "lambda", "gamma", "theta", "theta_step", "dimensions", "padding"}},
        {"SeparableWavelet", {"wavelet", "decomposition", "level", "rotation_invariance", "pooling", "padding"}},
        {"Simoncelli", {"level", "riesz_order", "dimensions", "padding"}},
    };
    return known;
}

DerivedImageList ExpandIbsiImageType(const ImageTypeSpec& spec, const ImageGeometry& /*geometry*/,
                                     const Settings& settings) {
    DerivedImageList list;
    const auto known = IbsiImageTypeOptions().find(spec.name);
    if (known == IbsiImageTypeOptions().end()) {
        list.error = "unknown IBSI image type '" + spec.name +
                     "' (Mean, LaplacianOfGaussian, RieszLaplacianOfGaussian, Laws, Gabor, SeparableWavelet, "
                     "Simoncelli)";
        return list;
    }
    for (const auto& [key, values] : spec.options) {
        if (known->second.count(key) == 0) {
            std::string allowed;
            for (const std::string& k : known->second)
                allowed += (allowed.empty() ? "" : ", ") + k;
            list.error = spec.name + ": unknown option '" + key + "' (known: " + allowed + ")";
            return list;
        }
        if (values.empty()) {
            list.error = spec.name + ": option '" + key + "' has no value";
            return list;
        }
    }
    std::set<std::string> names;
    for (const Config& config : Combinations(spec)) {
        ConfigReader reader(spec.name, config);
        DerivedImage image = BuildOne(spec.name, reader, settings);
        if (!reader.Error().empty()) {
            list.error = reader.Error();
            list.images.clear();
            return list;
        }
        // Two spellings of one configuration (zero / constant) give one image.
        if (names.insert(image.name).second)
            list.images.push_back(std::move(image));
    }
    return list;
}

} // namespace radnode::processing::radiomics
