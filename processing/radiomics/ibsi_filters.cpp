#include "processing/radiomics/ibsi_filters.h"

#include "processing/radiomics/ibsi_convolution.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

namespace radnode::processing::radiomics {
namespace {

using ibsi::Complex;
using ibsi::Dims;
using ibsi::ToVolume;
using ibsi::Voxels;

std::vector<double> Reversed(std::vector<double> kernel) {
    std::reverse(kernel.begin(), kernel.end());
    return kernel;
}

/// One Laws 1D kernel ("L5", "e3", ...), scaled to unit L2 norm as IBSI 2 defines them.
std::vector<double> LawsKernel(const std::string& name) {
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    static const std::vector<std::pair<std::string, std::vector<double>>> kTable{
        {"L3", {1, 2, 1}},         {"E3", {-1, 0, 1}},        {"S3", {-1, 2, -1}},       {"L5", {1, 4, 6, 4, 1}},
        {"E5", {-1, -2, 0, 2, 1}}, {"S5", {-1, 0, 2, 0, -1}}, {"W5", {-1, 2, 0, -2, 1}}, {"R5", {1, -4, 6, -4, 1}}};
    for (const auto& [key, values] : kTable) {
        if (key != upper)
            continue;
        double norm = 0.0;
        for (const double v : values)
            norm += v * v;
        std::vector<double> kernel = values;
        for (double& v : kernel)
            v /= std::sqrt(norm);
        return kernel;
    }
    return {};
}

/// Convolves a copy of `image` with the separable kernel `kernels` (one per filtered axis).
std::vector<double> Separable(const std::vector<double>& image, const Dims& dims,
                              const std::vector<std::vector<double>>& kernels, IbsiPadding padding) {
    std::vector<double> out = image;
    for (std::size_t a = 0; a < kernels.size(); ++a)
        ibsi::ConvolveAxis(out, dims, a, kernels[a], padding);
    return out;
}

/// The 1D Gaussian (order 0) or its second derivative (order 2) in voxel units, radius
/// floor(cutoff * s + 0.5).
std::vector<double> GaussianKernel(double s, double cutoff, int order) {
    const auto radius = static_cast<std::ptrdiff_t>(std::floor(cutoff * s + 0.5));
    std::vector<double> kernel;
    for (std::ptrdiff_t t = -radius; t <= radius; ++t) {
        const auto x = static_cast<double>(t);
        const double g = std::exp(-x * x / (2.0 * s * s)) / std::sqrt(2.0 * std::numbers::pi * s * s);
        kernel.push_back(order == 0 ? g : g * (x * x / (s * s * s * s) - 1.0 / (s * s)));
    }
    return kernel;
}

} // namespace

Volume<double> IbsiMeanFilter(const Volume<double>& image, int support, bool two_d, IbsiPadding padding) {
    const ImageGeometry& g = image.Geometry();
    const std::vector<double> kernel(static_cast<std::size_t>(support), 1.0 / support);
    const std::vector<std::vector<double>> kernels(two_d ? 2 : 3, kernel);
    return ToVolume(g, Separable(Voxels(image), g.size, kernels, padding));
}

Volume<double> IbsiLogFilter(const Volume<double>& image, double sigma_mm, double cutoff, bool two_d,
                             IbsiPadding padding) {
    const ImageGeometry& g = image.Geometry();
    const std::size_t axes = two_d ? 2 : 3;
    const std::vector<double> voxels = Voxels(image);
    // Laplacian = sum over axes of the second derivative along that axis times the Gaussian
    // along the others: exactly the sampled, truncated kernel, at 3 x 3 passes of 1D cost.
    std::vector<double> sum(voxels.size(), 0.0);
    for (std::size_t d = 0; d < axes; ++d) {
        std::vector<std::vector<double>> kernels;
        for (std::size_t a = 0; a < axes; ++a)
            kernels.push_back(GaussianKernel(sigma_mm / g.spacing[a], cutoff, a == d ? 2 : 0));
        const std::vector<double> term = Separable(voxels, g.size, kernels, padding);
        for (std::size_t v = 0; v < sum.size(); ++v)
            sum[v] += term[v];
    }
    return ToVolume(g, sum);
}

Volume<double> IbsiLawsFilter(const Volume<double>& image, const IbsiLawsParameters& parameters) {
    const ImageGeometry& g = image.Geometry();
    const std::size_t axes = parameters.two_d ? 2 : 3;
    std::vector<std::vector<double>> base;
    for (std::size_t a = 0; a < axes; ++a) {
        std::vector<double> kernel = 2 * a + 2 <= parameters.kernel.size()
                                         ? LawsKernel(parameters.kernel.substr(2 * a, 2))
                                         : std::vector<double>{};
        if (kernel.empty() || parameters.kernel.size() != 2 * axes)
            throw std::invalid_argument("Laws kernel '" + parameters.kernel + "' is not " + std::to_string(axes) +
                                        " of L3 E3 S3 L5 E5 S5 W5 R5");
        base.push_back(std::move(kernel));
    }
    const std::vector<double> voxels = Voxels(image);
    std::vector<double> response;
    if (!parameters.rotation_invariant) {
        response = Separable(voxels, g.size, base, parameters.padding);
    } else {
        const std::vector<ibsi::AxisRotation> rotations = ibsi::RightAngleRotations(parameters.two_d);
        for (const ibsi::AxisRotation& rotation : rotations) {
            std::vector<std::vector<double>> kernels;
            for (std::size_t a = 0; a < axes; ++a) {
                const std::vector<double>& k = base[rotation.source[a]];
                kernels.push_back(rotation.flip[a] ? Reversed(k) : k);
            }
            ibsi::Pool(response, Separable(voxels, g.size, kernels, parameters.padding), parameters.pooling);
        }
        ibsi::FinishPooling(response, parameters.pooling, rotations.size());
    }
    if (parameters.energy_distance) {
        for (double& v : response)
            v = std::abs(v);
        const int support = 2 * *parameters.energy_distance + 1;
        const std::vector<std::vector<double>> kernels(
            axes, std::vector<double>(static_cast<std::size_t>(support), 1.0 / support));
        response = Separable(response, g.size, kernels, parameters.padding);
    }
    return ToVolume(g, response);
}

Volume<double> IbsiGaborFilter(const Volume<double>& image, const IbsiGaborParameters& parameters) {
    const ImageGeometry& g = image.Geometry();
    const Dims dims = g.size;
    const std::vector<double> voxels = Voxels(image);

    // Orientations with their weights. The kernel at theta + 180 degrees is the complex
    // conjugate of the one at theta, so for a real image its modulus is the same: each
    // orientation is filtered once per half turn.
    std::vector<std::pair<double, double>> thetas{{parameters.theta_deg, 1.0}};
    std::size_t orientations = 1;
    if (parameters.theta_step_deg) {
        const auto steps = std::max<long>(1, std::lround(360.0 / *parameters.theta_step_deg));
        orientations = static_cast<std::size_t>(steps);
        thetas.clear();
        for (long s = 0; s < steps; ++s) {
            const double theta = parameters.theta_deg + static_cast<double>(s) * *parameters.theta_step_deg;
            const auto same = std::find_if(thetas.begin(), thetas.end(), [&](const auto& t) {
                const double half_turns = (theta - t.first) / 180.0;
                return std::abs(half_turns - std::round(half_turns)) < 1e-9;
            });
            if (same != thetas.end())
                same->second += 1.0;
            else
                thetas.emplace_back(theta, 1.0);
        }
    }
    // Kernel (x, y) axes: the axial plane, then x-z and y-z.
    std::vector<std::pair<std::size_t, std::size_t>> planes{{0, 1}};
    if (parameters.orthogonal_planes) {
        planes.emplace_back(0, 2);
        planes.emplace_back(1, 2);
    }

    std::vector<double> sum(voxels.size(), 0.0);
    const std::array<std::size_t, 3> stride{1, dims[0], dims[0] * dims[1]};
    for (const auto& [u, v] : planes) {
        const std::size_t w = 3 - u - v;
        const double spacing = std::max(g.spacing[u], g.spacing[v]);
        const double sigma = parameters.sigma_mm / spacing;
        const double lambda = parameters.lambda_mm / spacing;
        // The kernel spans the plane, as in the IBSI 2 reference maps, but stops where the
        // envelope is below exp(-18) so large images do not get absurdly large kernels.
        const auto reach = static_cast<std::size_t>(std::ceil(6.0 * sigma * std::max(1.0, 1.0 / parameters.gamma)));
        const std::size_t half = std::min(std::max(dims[u], dims[v]) / 2, reach);
        const std::size_t mu = ibsi::FftLength(dims[u] + 2 * half);
        const std::size_t mv = ibsi::FftLength(dims[v] + 2 * half);
        const Dims grid{mu, mv, 1};

        std::vector<std::vector<Complex>> kernels;
        for (const auto& orientation : thetas) {
            const double theta = orientation.first * std::numbers::pi / 180.0;
            // The kernel on the plane's FFT grid, centre at (half, half).
            std::vector<Complex> kernel(mu * mv, Complex(0.0, 0.0));
            for (std::size_t tv = 0; tv <= 2 * half; ++tv)
                for (std::size_t tu = 0; tu <= 2 * half; ++tu) {
                    const double x = static_cast<double>(tu) - static_cast<double>(half);
                    const double y = static_cast<double>(tv) - static_cast<double>(half);
                    const double ur = x * std::cos(theta) + y * std::sin(theta);
                    const double vr = -x * std::sin(theta) + y * std::cos(theta);
                    const double envelope =
                        std::exp(-(ur * ur + parameters.gamma * parameters.gamma * vr * vr) / (2.0 * sigma * sigma));
                    kernel[tu + mu * tv] = std::polar(envelope, 2.0 * std::numbers::pi * ur / lambda);
                }
            ibsi::Fft(kernel, grid, {true, true, false}, false);
            kernels.push_back(std::move(kernel));
        }

        std::vector<std::ptrdiff_t> source_u(mu);
        std::vector<std::ptrdiff_t> source_v(mv);
        for (std::size_t t = 0; t < mu; ++t)
            source_u[t] = ibsi::PaddedIndex(static_cast<std::ptrdiff_t>(t) - static_cast<std::ptrdiff_t>(half), dims[u],
                                            parameters.padding);
        for (std::size_t t = 0; t < mv; ++t)
            source_v[t] = ibsi::PaddedIndex(static_cast<std::ptrdiff_t>(t) - static_cast<std::ptrdiff_t>(half), dims[v],
                                            parameters.padding);
        // Slice by slice, so memory stays at one padded plane per orientation.
        std::vector<Complex> slice(mu * mv);
        std::vector<Complex> product(mu * mv);
        for (std::size_t iw = 0; iw < dims[w]; ++iw) {
            for (std::size_t tv = 0; tv < mv; ++tv)
                for (std::size_t tu = 0; tu < mu; ++tu) {
                    const bool outside = source_u[tu] < 0 || source_v[tv] < 0;
                    slice[tu + mu * tv] =
                        outside ? Complex(0.0, 0.0)
                                : Complex(voxels[static_cast<std::size_t>(source_u[tu]) * stride[u] +
                                                 static_cast<std::size_t>(source_v[tv]) * stride[v] + iw * stride[w]],
                                          0.0);
                }
            ibsi::Fft(slice, grid, {true, true, false}, false);
            for (std::size_t t = 0; t < thetas.size(); ++t) {
                for (std::size_t p = 0; p < product.size(); ++p)
                    product[p] = slice[p] * kernels[t][p];
                ibsi::Fft(product, grid, {true, true, false}, true);
                // Linear convolution with the kernel at [0, 2 half] puts voxel n at n + 2 half.
                for (std::size_t b = 0; b < dims[v]; ++b)
                    for (std::size_t a = 0; a < dims[u]; ++a)
                        sum[a * stride[u] + b * stride[v] + iw * stride[w]] +=
                            thetas[t].second * std::abs(product[(a + 2 * half) + mu * (b + 2 * half)]);
            }
        }
    }
    const auto count = static_cast<double>(orientations * planes.size());
    for (double& value : sum)
        value /= count;
    return ToVolume(g, sum);
}

} // namespace radnode::processing::radiomics
