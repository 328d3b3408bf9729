#include "processing/radiomics/lbp_filters.h"

#include "processing/radiomics/lbp_numerics.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <complex>
#include <cstddef>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace radnode::processing::radiomics {
namespace {

enum class LbpMethod { Default, Ror, Uniform, NriUniform, Var };

LbpMethod ParseMethod(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "default")
        return LbpMethod::Default;
    if (lower == "ror")
        return LbpMethod::Ror;
    if (lower == "uniform")
        return LbpMethod::Uniform;
    if (lower == "nri_uniform")
        return LbpMethod::NriUniform;
    if (lower == "var")
        return LbpMethod::Var;
    throw std::invalid_argument("unknown LBP method '" + name + "' (default, ror, uniform, nri_uniform or var)");
}

void CheckBox(const ImageGeometry& geometry, const VoxelBox& box) {
    for (int a = 0; a < 3; ++a)
        if (box.begin[a] + box.size[a] > geometry.size[a])
            throw std::invalid_argument("voxel box outside the image");
}

std::optional<IntegerDtype> DtypeFor(const std::optional<std::pair<double, double>>& integer_range) {
    if (!integer_range)
        return std::nullopt;
    return IntegerDtypeForRange(*integer_range);
}

/// skimage's _bit_rotate_right.
int RotateRight(int value, int length) { return (value >> 1) | ((value & 1) << (length - 1)); }

/// The LBP code of one pixel from its thresholded samples (skimage's per-method branch).
double LbpCode(LbpMethod method, const std::vector<double>& texture, const std::vector<signed char>& bits) {
    const int p_count = static_cast<int>(bits.size());
    if (method == LbpMethod::Var) {
        double sum = 0.0;
        double var = 0.0;
        for (const double t : texture) {
            sum += t;
            var += t * t;
        }
        var = (var - (sum * sum) / p_count) / p_count;
        return var != 0 ? var : std::numeric_limits<double>::quiet_NaN();
    }
    if (method == LbpMethod::Uniform || method == LbpMethod::NriUniform) {
        int changes = 0;
        for (int i = 0; i + 1 < p_count; ++i)
            changes += bits[i] != bits[i + 1];
        if (method == LbpMethod::Uniform) {
            if (changes > 2)
                return p_count + 1;
            double lbp = 0;
            for (const signed char b : bits)
                lbp += b;
            return lbp;
        }
        if (changes > 2)
            return p_count * (p_count - 1) + 2;
        int n_ones = 0;
        int first_one = -1;
        int first_zero = -1;
        for (int i = 0; i < p_count; ++i) {
            if (bits[i]) {
                ++n_ones;
                if (first_one == -1)
                    first_one = i;
            } else if (first_zero == -1) {
                first_zero = i;
            }
        }
        if (n_ones == 0)
            return 0;
        if (n_ones == p_count)
            return p_count * (p_count - 1) + 1;
        const int rot_index = first_one == 0 ? n_ones - first_zero : p_count - first_one;
        return 1 + (n_ones - 1) * p_count + rot_index;
    }
    double lbp = 0;
    for (int i = 0; i < p_count; ++i)
        lbp += bits[i] * (1 << i);
    if (method == LbpMethod::Ror) {
        int chain = static_cast<int>(lbp);
        int best = chain;
        for (int i = 1; i < p_count; ++i) {
            chain = RotateRight(chain, p_count);
            best = std::min(best, chain);
        }
        lbp = best;
    }
    return lbp;
}

/// Complex product as numpy's loops compute it (no contraction, no NaN recovery).
std::complex<double> Mul(const std::complex<double>& a, const std::complex<double>& b) {
    return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

} // namespace

std::vector<double> Lbp2dFilter(const Volume<double>& image, const VoxelBox& box, const Lbp2dOptions& options,
                                const std::optional<std::pair<double, double>>& integer_range) {
    const LbpMethod method = ParseMethod(options.method);
    const int p_count = options.samples;
    const int max_samples = (method == LbpMethod::Default || method == LbpMethod::Ror) ? 31 : 127;
    if (p_count < 1 || p_count > max_samples)
        throw std::invalid_argument("LBP samples must be 1.." + std::to_string(max_samples) + " for method '" +
                                    options.method + "', got " + std::to_string(p_count));
    if (options.axis < 0 || options.axis > 2)
        throw std::invalid_argument("force2Ddimension must be 0, 1 or 2, got " + std::to_string(options.axis));
    if (!(std::abs(options.radius) <= 1e6))
        throw std::invalid_argument("lbp2DRadius must be finite and at most 1e6 voxels");
    const ImageGeometry& g = image.Geometry();
    CheckBox(g, box);
    const std::optional<IntegerDtype> dtype = DtypeFor(integer_range);

    // skimage: R is a C float parameter; offsets rounded to 5 decimals (np.round: rint(x*1e5)/1e5).
    const double radius = static_cast<float>(options.radius);
    std::vector<double> row_offset(p_count), col_offset(p_count);
    for (int p = 0; p < p_count; ++p) {
        const double angle = 2.0 * std::numbers::pi * static_cast<double>(p) / static_cast<double>(p_count);
        row_offset[p] = std::rint(-radius * std::sin(angle) * 100000.0) / 100000.0;
        col_offset[p] = std::rint(radius * std::cos(angle) * 100000.0) / 100000.0;
    }

    // In-plane axes of the slices along numpy axis `axis` (see Lbp2dOptions::axis).
    static constexpr std::array<std::array<int, 3>, 3> kPlanes{{{1, 0, 2}, {2, 0, 1}, {1, 2, 0}}};
    const auto [row_axis, col_axis, slice_axis] = kPlanes[options.axis];
    const std::array<std::ptrdiff_t, 3> stride{1, static_cast<std::ptrdiff_t>(g.size[0]),
                                               static_cast<std::ptrdiff_t>(g.size[0] * g.size[1])};
    const auto rows = static_cast<long>(g.size[row_axis]);
    const auto cols = static_cast<long>(g.size[col_axis]);
    const double* data = image.Data().data();

    std::vector<double> out(box.VoxelCount());
    std::vector<double> texture(p_count);
    std::vector<signed char> bits(p_count);
    std::size_t b = 0;
    for (std::size_t kk = 0; kk < box.size[2]; ++kk)
        for (std::size_t jj = 0; jj < box.size[1]; ++jj)
            for (std::size_t ii = 0; ii < box.size[0]; ++ii, ++b) {
                const std::array<std::size_t, 3> idx{box.begin[0] + ii, box.begin[1] + jj, box.begin[2] + kk};
                const double* slice = data + static_cast<std::ptrdiff_t>(idx[slice_axis]) * stride[slice_axis];
                const auto pixel = [&](long r, long c) {
                    if (r < 0 || r >= rows || c < 0 || c >= cols)
                        return 0.0;
                    return slice[r * stride[row_axis] + c * stride[col_axis]];
                };
                const long r0 = static_cast<long>(idx[row_axis]);
                const long c0 = static_cast<long>(idx[col_axis]);
                const double centre = pixel(r0, c0);
                for (int p = 0; p < p_count; ++p) {
                    // skimage's bilinear_interpolation with mode 'C', cval 0.
                    const double r = static_cast<double>(r0) + row_offset[p];
                    const double c = static_cast<double>(c0) + col_offset[p];
                    const long minr = static_cast<long>(std::floor(r));
                    const long minc = static_cast<long>(std::floor(c));
                    const long maxr = static_cast<long>(std::ceil(r));
                    const long maxc = static_cast<long>(std::ceil(c));
                    const double dr = r - static_cast<double>(minr);
                    const double dc = c - static_cast<double>(minc);
                    const double top = (1 - dc) * pixel(minr, minc) + dc * pixel(minr, maxc);
                    const double bottom = (1 - dc) * pixel(maxr, minc) + dc * pixel(maxr, maxc);
                    texture[p] = (1 - dr) * top + dr * bottom;
                    bits[p] = texture[p] - centre >= 0 ? 1 : 0;
                }
                const double lbp = LbpCode(method, texture, bits);
                out[b] = dtype ? NumpyCastToInteger(lbp, *dtype) : lbp;
            }
    return out;
}

std::vector<std::vector<double>> Lbp3dFilter(const Volume<double>& image, const VoxelBox& box,
                                             const std::vector<std::uint8_t>& roi, const Lbp3dOptions& options,
                                             const std::optional<std::pair<double, double>>& integer_range) {
    // With fewer than 2 levels sph_harm's result stays 1-D and getLBP3DImage fails (IndexError).
    if (options.levels < 2)
        throw std::invalid_argument("lbp3DLevels must be >= 2 (PyRadiomics fails for fewer), got " +
                                    std::to_string(options.levels));
    if (options.subdivision < 0 || options.subdivision > 6)
        throw std::invalid_argument("lbp3DIcosphereSubdivision must be 0..6, got " +
                                    std::to_string(options.subdivision));
    if (!std::isfinite(options.icosphere_radius))
        throw std::invalid_argument("lbp3DIcosphereRadius must be finite");
    const ImageGeometry& g = image.Geometry();
    CheckBox(g, box);
    if (roi.size() != box.VoxelCount())
        throw std::invalid_argument("LBP3D roi does not match the voxel box");
    const std::optional<IntegerDtype> dtype = DtypeFor(integer_range);
    const double radius = options.icosphere_radius;
    const int levels = options.levels;

    // Vertices and the harmonics PyRadiomics stacks: (0, 0), then (m, n) for n = 1 .. levels - 1.
    const auto vertices = IcosphereVertices(options.subdivision, radius);
    const std::size_t nv = vertices.size();
    std::vector<int> level_of{0};
    std::vector<int> order_of{0};
    for (int n = 1; n < levels; ++n)
        for (int m = -n; m <= n; ++m) {
            level_of.push_back(n);
            order_of.push_back(m);
        }
    const std::size_t nj = level_of.size();
    std::vector<std::complex<double>> harmonics(nv * nj);
    for (std::size_t v = 0; v < nv; ++v) {
        const double theta = std::acos(vertices[v][2] / radius);
        const double phi = std::atan2(vertices[v][1], vertices[v][0]);
        for (std::size_t j = 0; j < nj; ++j)
            harmonics[v * nj + j] = ScipySphHarm(order_of[j], level_of[j], theta, phi);
    }

    std::vector<std::vector<double>> out(static_cast<std::size_t>(levels) + 1,
                                         std::vector<double>(box.VoxelCount(), 0.0));
    std::array<std::size_t, 3> lo{g.size}, hi{0, 0, 0};
    bool any = false;
    for (std::size_t b = 0, kk = 0; kk < box.size[2]; ++kk)
        for (std::size_t jj = 0; jj < box.size[1]; ++jj)
            for (std::size_t ii = 0; ii < box.size[0]; ++ii, ++b)
                if (roi[b] != 0) {
                    const std::array<std::size_t, 3> idx{box.begin[0] + ii, box.begin[1] + jj, box.begin[2] + kk};
                    for (int a = 0; a < 3; ++a) {
                        lo[a] = std::min(lo[a], idx[a]);
                        hi[a] = std::max(hi[a], idx[a]);
                    }
                    any = true;
                }
    if (!any)
        return out;

    // Coefficients the samples can touch: ROI range plus the vertex extent plus the 4-tap
    // footprint (vertex component 2 - a moves image axis a).
    std::array<std::size_t, 3> cbegin{}, csize{};
    for (int a = 0; a < 3; ++a) {
        double cmin = 0.0, cmax = 0.0;
        for (const auto& v : vertices) {
            cmin = std::min(cmin, v[2 - a]);
            cmax = std::max(cmax, v[2 - a]);
        }
        const double first = std::max(0.0, static_cast<double>(lo[a]) + std::floor(cmin) - 3.0);
        const double last =
            std::min(static_cast<double>(g.size[a] - 1), static_cast<double>(hi[a]) + std::ceil(cmax) + 3.0);
        cbegin[a] = static_cast<std::size_t>(first);
        csize[a] = last >= first ? static_cast<std::size_t>(last - first) + 1 : 0;
    }
    const std::vector<double> coeff = CubicSplineCoefficients(image, cbegin, csize);
    const auto coefficient = [&](std::ptrdiff_t x, std::ptrdiff_t y, std::ptrdiff_t z) {
        const auto cx = static_cast<std::size_t>(x) - cbegin[0];
        const auto cy = static_cast<std::size_t>(y) - cbegin[1];
        const auto cz = static_cast<std::size_t>(z) - cbegin[2];
        if (cx >= csize[0] || cy >= csize[1] || cz >= csize[2])
            throw std::logic_error("LBP3D spline tap outside the coefficient box");
        return coeff[cx + csize[0] * (cy + csize[1] * cz)];
    };

    std::vector<double> samples(nv), scratch;
    std::vector<std::complex<double>> c(nj);
    std::vector<std::complex<double>> sums(static_cast<std::size_t>(levels));
    const double* data = image.Data().data();
    for (std::size_t b = 0, kk = 0; kk < box.size[2]; ++kk)
        for (std::size_t jj = 0; jj < box.size[1]; ++jj)
            for (std::size_t ii = 0; ii < box.size[0]; ++ii, ++b) {
                if (roi[b] == 0)
                    continue;
                const std::size_t i = box.begin[0] + ii, j = box.begin[1] + jj, k = box.begin[2] + kk;
                // map_coordinates(order=3): numpy coordinates (k, j, i) + vertex.
                for (std::size_t v = 0; v < nv; ++v) {
                    const SplineTaps tz = CubicSplineTaps(static_cast<double>(k) + vertices[v][0], g.size[2]);
                    const SplineTaps ty = CubicSplineTaps(static_cast<double>(j) + vertices[v][1], g.size[1]);
                    const SplineTaps tx = CubicSplineTaps(static_cast<double>(i) + vertices[v][2], g.size[0]);
                    double t = 0.0;
                    if (tz.inside && ty.inside && tx.inside)
                        for (int a = 0; a < 4; ++a)
                            for (int bb = 0; bb < 4; ++bb)
                                for (int cc = 0; cc < 4; ++cc) {
                                    double term = coefficient(tx.index[cc], ty.index[bb], tz.index[a]);
                                    term *= tz.weight[a];
                                    term *= ty.weight[bb];
                                    term *= tx.weight[cc];
                                    t += term;
                                }
                    samples[v] = dtype ? ScipyInterpolationToInteger(t, *dtype) : t;
                }
                out[static_cast<std::size_t>(levels)][b] = ScipyKurtosis(samples, scratch);
                // Sign function and c_{m,n} = sum_v f_v Y_{m,n}(v), complex products; numpy reduces
                // the middle (vertex) axis of a C-contiguous (Np, Nv, J) array: sequentially.
                const double centre = data[g.LinearIndex(i, j, k)];
                std::fill(c.begin(), c.end(), std::complex<double>(0.0, 0.0));
                for (std::size_t v = 0; v < nv; ++v) {
                    const std::complex<double> f(samples[v] >= centre ? 1.0 : 0.0, 0.0);
                    for (std::size_t jx = 0; jx < nj; ++jx)
                        c[jx] += Mul(f, harmonics[v * nj + jx]);
                }
                // Per level and vertex: sum over m of c_{m,n} Y_{m,n}(v), sequential (numpy's product
                // array, built from a fancy-indexed c, has the m axis outermost in memory, so the
                // reduction is not its pairwise one), squared; summed over the vertices (middle axis
                // again: sequential), then the complex sqrt.
                std::fill(sums.begin(), sums.end(), std::complex<double>(0.0, 0.0));
                for (std::size_t v = 0; v < nv; ++v) {
                    const std::complex<double> level0 = Mul(c[0], harmonics[v * nj]);
                    sums[0] += Mul(level0, level0);
                    std::size_t jx = 1;
                    for (int n = 1; n < levels; ++n) {
                        std::complex<double> value(0.0, 0.0);
                        for (int m = -n; m <= n; ++m, ++jx)
                            value += Mul(c[jx], harmonics[v * nj + jx]);
                        sums[n] += Mul(value, value);
                    }
                }
                for (int n = 0; n < levels; ++n)
                    out[static_cast<std::size_t>(n)][b] = std::sqrt(sums[n]).real();
            }
    return out;
}

} // namespace radnode::processing::radiomics
