#include "processing/radiomics/ibsi_preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

namespace radnode::processing::radiomics {
namespace {

using Index3 = std::array<std::size_t, 3>;

/// A dense grid of doubles, x fastest, as the separable resampling passes need it.
struct Grid {
    Index3 size{0, 0, 0};
    std::vector<double> values;
};

enum class Kernel { Nearest, Linear, CubicBSpline };

/// Continuous source index of every target index along one axis. The target grid has the
/// same centre as the source grid (IBSI 1 "Notes on interpolation"), so target index m sits at
/// (m - (n_new - 1) / 2) * s_new / s_old + (n_old - 1) / 2 source voxels (unclamped).
double SourcePosition(std::size_t m, std::size_t n_old, std::size_t n_new, double s_old, double s_new) {
    return (static_cast<double>(m) - 0.5 * static_cast<double>(n_new - 1)) * s_new / s_old +
           0.5 * static_cast<double>(n_old - 1);
}

/// In-place cubic B-spline prefilter of one line (Unser's recursive filter, mirror-symmetric
/// boundaries, as ITK's BSplineDecompositionImageFilter), so evaluating the spline at the
/// sample positions returns the samples.
void BSplinePrefilter(std::vector<double>& c) {
    const std::size_t n = c.size();
    if (n < 2)
        return;
    const double z = std::sqrt(3.0) - 2.0;
    const double gain = (1.0 - z) * (1.0 - 1.0 / z);
    for (double& v : c)
        v *= gain;
    // Causal initialisation: the mirrored sum truncated where z^k drops below double precision.
    const auto horizon = static_cast<std::size_t>(std::ceil(std::log(1e-16) / std::log(std::abs(z))));
    double sum = c[0];
    if (horizon < n) {
        double zn = z;
        for (std::size_t k = 1; k < horizon; ++k) {
            sum += zn * c[k];
            zn *= z;
        }
    } else {
        double zn = z;
        const double iz = 1.0 / z;
        double z2n = std::pow(z, static_cast<double>(n - 1));
        sum = c[0] + z2n * c[n - 1];
        z2n *= z2n * iz;
        for (std::size_t k = 1; k + 1 < n; ++k) {
            sum += (zn + z2n) * c[k];
            zn *= z;
            z2n *= iz;
        }
        sum /= 1.0 - zn * zn;
    }
    c[0] = sum;
    for (std::size_t k = 1; k < n; ++k)
        c[k] += z * c[k - 1];
    c[n - 1] = (z / (z * z - 1.0)) * (z * c[n - 2] + c[n - 1]);
    for (std::size_t k = n - 1; k-- > 0;)
        c[k] = z * (c[k + 1] - c[k]);
}

/// Mirror-symmetric index (no edge repeat), matching the prefilter's boundary condition.
std::size_t Mirror(long long i, std::size_t n) {
    const auto last = static_cast<long long>(n) - 1;
    if (last == 0)
        return 0;
    const long long period = 2 * last;
    i %= period;
    if (i < 0)
        i += period;
    return static_cast<std::size_t>(i > last ? period - i : i);
}

/// Value of one line at continuous index x (already clamped to [0, n-1]: nearest-edge
/// extrapolation). `line` holds B-spline coefficients for the cubic kernel.
double Evaluate(const std::vector<double>& line, double x, Kernel kernel) {
    const std::size_t n = line.size();
    if (kernel == Kernel::Nearest)
        return line[std::min(n - 1, static_cast<std::size_t>(std::floor(x + 0.5)))];
    const double f = std::floor(x);
    const double t = x - f;
    const auto i0 = static_cast<long long>(f);
    if (kernel == Kernel::Linear) {
        const auto a = static_cast<std::size_t>(i0);
        const std::size_t b = std::min(a + 1, n - 1);
        return line[a] + t * (line[b] - line[a]);
    }
    const double t2 = t * t;
    const double t3 = t2 * t;
    const double w[4] = {(1.0 - t) * (1.0 - t) * (1.0 - t) / 6.0, (4.0 - 6.0 * t2 + 3.0 * t3) / 6.0,
                         (1.0 + 3.0 * t + 3.0 * t2 - 3.0 * t3) / 6.0, t3 / 6.0};
    double value = 0.0;
    for (long long d = 0; d < 4; ++d)
        value += w[d] * line[Mirror(i0 - 1 + d, n)];
    return value;
}

/// Resamples `in` along `axis` to `n_new` voxels of spacing `s_new` (source spacing `s_old`).
/// Tensor-product kernels are separable, so three such passes equal the 3D interpolation.
Grid ResampleAxis(const Grid& in, int axis, std::size_t n_new, double s_old, double s_new, Kernel kernel) {
    const std::size_t n_old = in.size[axis];
    std::vector<double> positions(n_new);
    for (std::size_t m = 0; m < n_new; ++m)
        positions[m] = std::clamp(SourcePosition(m, n_old, n_new, s_old, s_new), 0.0, static_cast<double>(n_old - 1));
    Grid out;
    out.size = in.size;
    out.size[axis] = n_new;
    out.values.resize(out.size[0] * out.size[1] * out.size[2]);
    const std::array<std::size_t, 3> in_stride{1, in.size[0], in.size[0] * in.size[1]};
    const std::array<std::size_t, 3> out_stride{1, out.size[0], out.size[0] * out.size[1]};
    // The two axes other than `axis` enumerate the lines.
    const int a1 = axis == 0 ? 1 : 0;
    const int a2 = axis == 2 ? 1 : 2;
    std::vector<double> line(n_old);
    for (std::size_t q = 0; q < in.size[a2]; ++q)
        for (std::size_t p = 0; p < in.size[a1]; ++p) {
            const std::size_t in_base = p * in_stride[a1] + q * in_stride[a2];
            const std::size_t out_base = p * out_stride[a1] + q * out_stride[a2];
            for (std::size_t i = 0; i < n_old; ++i)
                line[i] = in.values[in_base + i * in_stride[axis]];
            if (kernel == Kernel::CubicBSpline)
                BSplinePrefilter(line);
            for (std::size_t m = 0; m < n_new; ++m)
                out.values[out_base + m * out_stride[axis]] = Evaluate(line, positions[m], kernel);
        }
    return out;
}

std::string FormatNumber(double value) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.10g", value);
    return text;
}

/// Bounding box and intensity statistics of a 0/1 mask over an image on the same grid.
struct MaskStats {
    std::size_t count = 0;
    Index3 lo{0, 0, 0};
    Index3 hi{0, 0, 0};
    double mean = 0.0;
    double minimum = 0.0;
    double maximum = 0.0;
};

MaskStats Measure(const Index3& size, const std::vector<std::uint8_t>& mask, const std::vector<double>& image) {
    MaskStats s;
    s.lo = size;
    double sum = 0.0;
    s.minimum = std::numeric_limits<double>::infinity();
    s.maximum = -s.minimum;
    std::size_t b = 0;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i, ++b) {
                if (mask[b] == 0)
                    continue;
                ++s.count;
                s.lo = {std::min(s.lo[0], i), std::min(s.lo[1], j), std::min(s.lo[2], k)};
                s.hi = {std::max(s.hi[0], i), std::max(s.hi[1], j), std::max(s.hi[2], k)};
                sum += image[b];
                s.minimum = std::min(s.minimum, image[b]);
                s.maximum = std::max(s.maximum, image[b]);
            }
    if (s.count > 0)
        s.mean = sum / static_cast<double>(s.count);
    return s;
}

using Diagnostics = std::vector<std::pair<std::string, std::string>>;

void AddImageDiagnostics(Diagnostics& out, const std::string& step, const Index3& size,
                         const std::array<double, 3>& spacing, const std::vector<double>& values) {
    const char* axes[3] = {"x", "y", "z"};
    for (int a = 0; a < 3; ++a)
        out.emplace_back(std::string("img_dim_") + axes[a] + "_" + step, std::to_string(size[a]));
    for (int a = 0; a < 3; ++a)
        out.emplace_back(std::string("vox_dim_") + axes[a] + "_" + step, FormatNumber(spacing[a]));
    double sum = 0.0;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const double v : values) {
        sum += v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    out.emplace_back("mean_int_" + step, FormatNumber(values.empty() ? 0.0 : sum / static_cast<double>(values.size())));
    out.emplace_back("min_int_" + step, FormatNumber(lo));
    out.emplace_back("max_int_" + step, FormatNumber(hi));
}

void AddMaskDiagnostics(Diagnostics& out, const std::string& step, const Index3& size,
                        const std::vector<std::uint8_t>& intensity_mask, const std::vector<std::uint8_t>& morph_mask,
                        const std::vector<double>& image) {
    const char* axes[3] = {"x", "y", "z"};
    const MaskStats in = Measure(size, intensity_mask, image);
    const MaskStats morph = Measure(size, morph_mask, image);
    for (int a = 0; a < 3; ++a)
        out.emplace_back(std::string("int_mask_dim_") + axes[a] + "_" + step, std::to_string(size[a]));
    for (int a = 0; a < 3; ++a)
        out.emplace_back(std::string("int_mask_bb_dim_") + axes[a] + "_" + step,
                         std::to_string(in.count == 0 ? 0 : in.hi[a] - in.lo[a] + 1));
    for (int a = 0; a < 3; ++a)
        out.emplace_back(std::string("morph_mask_bb_dim_") + axes[a] + "_" + step,
                         std::to_string(morph.count == 0 ? 0 : morph.hi[a] - morph.lo[a] + 1));
    out.emplace_back("int_mask_vox_count_" + step, std::to_string(in.count));
    out.emplace_back("morph_mask_vox_count_" + step, std::to_string(morph.count));
    out.emplace_back("int_mask_mean_int_" + step, FormatNumber(in.mean));
    out.emplace_back("int_mask_min_int_" + step, FormatNumber(in.minimum));
    out.emplace_back("int_mask_max_int_" + step, FormatNumber(in.maximum));
}

} // namespace

std::string IbsiPreprocess(const Volume<double>& image, const Volume<std::int32_t>& mask, const Settings& settings,
                           Region& region, std::vector<std::pair<std::string, std::string>>* diagnostics,
                           Volume<double>* interpolated_image) {
    const ImageGeometry& g = image.Geometry();
    if (mask.Geometry().size != g.size)
        return "image and mask sizes differ";
    if (g.VoxelCount() == 0)
        return "empty image";

    Grid values{g.size, std::vector<double>(image.Data().begin(), image.Data().end())};
    Grid roi{g.size, std::vector<double>(g.VoxelCount())};
    std::vector<std::uint8_t> initial_mask(g.VoxelCount());
    for (std::size_t v = 0; v < g.VoxelCount(); ++v) {
        initial_mask[v] = mask.Data()[v] == settings.label ? 1 : 0;
        roi.values[v] = initial_mask[v];
    }
    if (diagnostics != nullptr) {
        AddImageDiagnostics(*diagnostics, "init_img", g.size, g.spacing, values.values);
        AddMaskDiagnostics(*diagnostics, "init_roi", g.size, initial_mask, initial_mask, values.values);
    }

    // ---- interpolation -----------------------------------------------------------------------
    ImageGeometry grid = g;
    bool interpolated = false;
    if (settings.resampled_pixel_spacing) {
        const Kernel image_kernel = settings.interpolator == Interpolator::Nearest  ? Kernel::Nearest
                                    : settings.interpolator == Interpolator::Linear ? Kernel::Linear
                                                                                    : Kernel::CubicBSpline;
        std::array<double, 3> start{0.0, 0.0, 0.0}; // source continuous index of target voxel 0
        for (int a = 0; a < 3; ++a) {
            const double s_new = (*settings.resampled_pixel_spacing)[a];
            if (s_new < 0.0)
                return "resampledPixelSpacing must not be negative";
            if (s_new == 0.0 || s_new == g.spacing[a])
                continue; // the axis keeps its grid (config B keeps the slice spacing)
            const double extent = static_cast<double>(g.size[a]) * g.spacing[a];
            // The tiny slack keeps an exact multiple (e.g. 60 * 3 mm / 2 mm) from rounding up.
            const auto n_new = static_cast<std::size_t>(std::ceil(extent / s_new - 1e-9));
            start[a] = SourcePosition(0, g.size[a], n_new, g.spacing[a], s_new);
            values = ResampleAxis(values, a, n_new, g.spacing[a], s_new, image_kernel);
            // IBSI interpolates the ROI as a float image with the (tri)linear kernel.
            roi = ResampleAxis(roi, a, n_new, g.spacing[a], s_new, Kernel::Linear);
            grid.size[a] = n_new;
            grid.spacing[a] = s_new;
            interpolated = true;
        }
        grid.origin = g.IndexToPhysical(start[0], start[1], start[2]);
    }
    if (interpolated && settings.ibsi_round_intensities)
        for (double& v : values.values)
            v = std::nearbyint(v); // round half to even, as numpy.round
    const std::size_t voxel_count = grid.VoxelCount();
    std::vector<std::uint8_t> morph_mask(voxel_count);
    if (interpolated) {
        for (std::size_t v = 0; v < voxel_count; ++v)
            morph_mask[v] = roi.values[v] >= settings.ibsi_mask_threshold ? 1 : 0;
    } else {
        morph_mask = initial_mask;
    }
    if (diagnostics != nullptr) {
        AddImageDiagnostics(*diagnostics, "interp_img", grid.size, grid.spacing, values.values);
        AddMaskDiagnostics(*diagnostics, "interp_roi", grid.size, morph_mask, morph_mask, values.values);
    }

    // ---- re-segmentation: range and outliers, intersected ------------------------------------
    double lower = -std::numeric_limits<double>::infinity();
    double upper = std::numeric_limits<double>::infinity();
    std::optional<double> range_lower;
    std::size_t roi_count = 0;
    double sum = 0.0;
    double maximum = -std::numeric_limits<double>::infinity();
    for (std::size_t v = 0; v < voxel_count; ++v)
        if (morph_mask[v] != 0) {
            ++roi_count;
            sum += values.values[v];
            maximum = std::max(maximum, values.values[v]);
        }
    if (roi_count == 0)
        return "label " + std::to_string(settings.label) + " not present in the mask";
    const double mean = sum / static_cast<double>(roi_count);
    double squares = 0.0;
    for (std::size_t v = 0; v < voxel_count; ++v)
        if (morph_mask[v] != 0)
            squares += (values.values[v] - mean) * (values.values[v] - mean);
    const double sd = std::sqrt(squares / static_cast<double>(roi_count)); // population SD
    if (settings.resegment_range) {
        std::vector<double> range = *settings.resegment_range;
        if (range.empty() || range.size() > 2)
            return "resegmentRange: Length " + std::to_string(range.size()) + " is not allowed";
        std::sort(range.begin(), range.end());
        for (double& t : range) {
            if (settings.resegment_mode == ResegmentMode::Relative)
                t *= maximum;
            else if (settings.resegment_mode == ResegmentMode::Sigma)
                t = mean + sd * t;
        }
        lower = range[0];
        if (range.size() == 2)
            upper = range[1];
        if (settings.resegment_mode == ResegmentMode::Absolute)
            range_lower = range[0];
    }
    if (settings.ibsi_outlier_sigma) {
        lower = std::max(lower, mean - *settings.ibsi_outlier_sigma * sd);
        upper = std::min(upper, mean + *settings.ibsi_outlier_sigma * sd);
    }
    std::vector<std::uint8_t> intensity_mask(voxel_count);
    std::size_t kept = 0;
    for (std::size_t v = 0; v < voxel_count; ++v) {
        const double x = values.values[v];
        intensity_mask[v] = morph_mask[v] != 0 && x >= lower && x <= upper ? 1 : 0;
        kept += intensity_mask[v];
    }
    if (diagnostics != nullptr)
        AddMaskDiagnostics(*diagnostics, "reseg_roi", grid.size, intensity_mask, morph_mask, values.values);
    if (kept == 0)
        return "re-segmentation removed every voxel of label " + std::to_string(settings.label);

    // ---- region: the morphological mask's box (it contains the intensity mask) --------------
    const MaskStats box = Measure(grid.size, morph_mask, values.values);
    region = Region{};
    region.size = {box.hi[0] - box.lo[0] + 1, box.hi[1] - box.lo[1] + 1, box.hi[2] - box.lo[2] + 1};
    region.box_origin = box.lo;
    region.spacing = grid.spacing;
    region.image.resize(region.BoxVoxelCount());
    region.mask.resize(region.BoxVoxelCount());
    region.shape_mask.resize(region.BoxVoxelCount());
    for (std::size_t k = 0; k < region.size[2]; ++k)
        for (std::size_t j = 0; j < region.size[1]; ++j)
            for (std::size_t i = 0; i < region.size[0]; ++i) {
                const std::size_t b = region.Index(i, j, k);
                const std::size_t v = grid.LinearIndex(box.lo[0] + i, box.lo[1] + j, box.lo[2] + k);
                region.image[b] = values.values[v];
                region.mask[b] = intensity_mask[v];
                region.shape_mask[b] = morph_mask[v];
                if (intensity_mask[v] != 0)
                    region.voxels.push_back(static_cast<std::uint32_t>(b));
            }
    Settings discretisation = settings;
    discretisation.ibsi_compliant = true;
    if (!discretisation.ibsi_discretisation_minimum && range_lower)
        discretisation.ibsi_discretisation_minimum = range_lower;
    Discretise(region, discretisation);

    if (interpolated_image != nullptr) {
        *interpolated_image = Volume<double>(grid, kUninitialized);
        std::copy(values.values.begin(), values.values.end(), interpolated_image->Data().begin());
    }
    return {};
}

} // namespace radnode::processing::radiomics
