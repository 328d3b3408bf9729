#include "processing/radiomics/lbp_numerics.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numbers>
#include <stdexcept>
#include <string>

namespace radnode::processing::radiomics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// numpy's PW_BLOCKSIZE.
constexpr std::size_t kPairwiseBlock = 128;

double PairwiseSumRecursive(const double* a, std::size_t n) {
    if (n < 8) {
        double res = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            res += a[i];
        return res;
    }
    if (n <= kPairwiseBlock) {
        std::array<double, 8> r{};
        for (std::size_t j = 0; j < 8; ++j)
            r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (std::size_t j = 0; j < 8; ++j)
                r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i)
            res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return PairwiseSumRecursive(a, n2) + PairwiseSumRecursive(a + n2, n - n2);
}

/// cephes poch(a, m) for an integer m (the recurrences reduce m to 0 exactly).
double Poch(double a, double m) {
    double r = 1.0;
    while (m >= 1.0) {
        if (a + m == 1)
            break;
        m -= 1.0;
        r *= (a + m);
        if (!std::isfinite(r) || r == 0)
            break;
    }
    while (m <= -1.0) {
        if (a + m == 0)
            break;
        r /= (a + m);
        m += 1.0;
        if (!std::isfinite(r) || r == 0)
            break;
    }
    return r;
}

/// specfun LPMV0 for an integer degree nv >= 0 and order 0 <= m (the V0 == 0 branch).
double Lpmv0(int nv, int m, double x) {
    const double v = nv;
    double c0 = 1.0;
    if (m != 0) {
        double rg = v * (v + m);
        for (int j = 1; j <= m - 1; ++j)
            rg = rg * (v * v - static_cast<double>(j * j));
        const double xq = std::sqrt(1.0 - x * x);
        double r0 = 1.0;
        for (int j = 1; j <= m; ++j)
            r0 = 0.5 * r0 * xq / j;
        c0 = r0 * rg;
    }
    double pmv = 1.0;
    double r = 1.0;
    for (int k = 1; k <= nv - m; ++k) {
        r = 0.5 * r * (static_cast<double>(-nv + m + k) - 1.0) * static_cast<double>(nv + m + k) /
            static_cast<double>(k * (k + m)) * (1.0 + x);
        pmv = pmv + r;
    }
    return (nv % 2 == 0 ? 1.0 : -1.0) * c0 * pmv;
}

/// specfun LPMV for an integer degree n >= 0 and order 0 <= m: up-recursion on the degree.
double Lpmv(int m, int n, double x) {
    if (n > 2 && n > m) {
        constexpr double v0 = 0.0;
        double p0 = Lpmv0(m, m, x);
        double p1 = Lpmv0(m + 1, m, x);
        double pmv = p1;
        for (int j = m + 2; j <= n; ++j) {
            pmv = ((2.0 * (v0 + j) - 1) * x * p1 - (v0 + j - 1 + m) * p0) / (v0 + j - m);
            p0 = p1;
            p1 = pmv;
        }
        return pmv;
    }
    return Lpmv0(n, m, x);
}

/// scipy's map_coordinate() for NI_EXTEND_MIRROR on an integer index.
std::ptrdiff_t MirrorIndex(std::ptrdiff_t in, std::ptrdiff_t len) {
    if (len <= 1)
        return 0;
    const std::ptrdiff_t sz2 = 2 * len - 2;
    if (in < 0) {
        in = sz2 * (-in / sz2) + in;
        return in <= 1 - len ? in + sz2 : -in;
    }
    if (in > len - 1) {
        in -= sz2 * (in / sz2);
        if (in >= len)
            in = sz2 - in;
    }
    return in;
}

/// scipy's apply_filter() for order 3 and mode mirror on every column of a row-major n x w
/// matrix at once (w independent lines, each filtered exactly as scipy filters one line).
void SplineFilterColumns(double* m, std::size_t n, std::size_t w, std::vector<double>& acc) {
    if (n <= 1)
        return;
    constexpr double z = -0.267949192431122706472553658494127633; // sqrt(3) - 2
    double gain = 1.0;
    gain *= (1.0 - z) * (1.0 - 1.0 / z);
    for (std::size_t e = 0; e < n * w; ++e)
        m[e] *= gain;
    // Causal initialisation (_init_causal_mirror).
    const double z_n_1 = std::pow(z, static_cast<double>(n - 1));
    double* first = m;
    const double* last = m + (n - 1) * w;
    acc.resize(w);
    for (std::size_t l = 0; l < w; ++l)
        acc[l] = first[l] + z_n_1 * last[l];
    double z_i = z;
    for (std::size_t i = 1; i + 1 < n; ++i) {
        const double* row = m + i * w;
        const double* mirror = m + (n - 1 - i) * w;
        for (std::size_t l = 0; l < w; ++l)
            acc[l] += z_i * (row[l] + z_n_1 * mirror[l]);
        z_i *= z;
    }
    const double causal_denominator = 1 - z_n_1 * z_n_1;
    for (std::size_t l = 0; l < w; ++l)
        first[l] = acc[l] / causal_denominator;
    for (std::size_t i = 1; i < n; ++i) {
        double* row = m + i * w;
        const double* previous = row - w;
        for (std::size_t l = 0; l < w; ++l)
            row[l] += z * previous[l];
    }
    // Anti-causal initialisation (_init_anticausal_mirror) and pass.
    double* tail = m + (n - 1) * w;
    const double* before = tail - w;
    for (std::size_t l = 0; l < w; ++l)
        tail[l] = (z * before[l] + tail[l]) * z / (z * z - 1);
    for (std::size_t i = n - 1; i-- > 0;) {
        double* row = m + i * w;
        const double* next = row + w;
        for (std::size_t l = 0; l < w; ++l)
            row[l] = z * (next[l] - row[l]);
    }
}

} // namespace

IntegerDtype IntegerDtypeForRange(const std::pair<double, double>& range) {
    for (const IntegerDtype& d : {IntegerDtype{8, true, -128.0, 127.0}, IntegerDtype{8, false, 0.0, 255.0},
                                  IntegerDtype{16, true, -32768.0, 32767.0}, IntegerDtype{16, false, 0.0, 65535.0},
                                  IntegerDtype{32, true, -2147483648.0, 2147483647.0}})
        if (range.first == d.min && range.second == d.max)
            return d;
    throw std::invalid_argument("unsupported integer pixel range [" + std::to_string(range.first) + ", " +
                                std::to_string(range.second) + "] (int8, uint8, int16, uint16, int32 only)");
}

double NumpyCastToInteger(double value, const IntegerDtype& dtype) {
    std::int64_t t = std::numeric_limits<std::int32_t>::min();
    if (value > -2147483649.0 && value < 2147483648.0)
        t = static_cast<std::int64_t>(value);
    if (dtype.bits < 32) {
        const std::int64_t modulus = std::int64_t{1} << dtype.bits;
        t = ((t % modulus) + modulus) % modulus;
        if (dtype.is_signed && t >= modulus / 2)
            t -= modulus;
    }
    return static_cast<double>(t);
}

double ScipyInterpolationToInteger(double value, const IntegerDtype& dtype) {
    double t = value;
    if (dtype.is_signed) {
        t = t > 0 ? t + 0.5 : t - 0.5;
        t = t > dtype.max ? dtype.max : t;
        t = t < dtype.min ? dtype.min : t;
    } else {
        t = t > 0 ? t + 0.5 : 0;
        t = t > dtype.max ? dtype.max : t;
        t = t < 0 ? 0 : t;
    }
    return NumpyCastToInteger(t, dtype);
}

double NumpyPairwiseSum(std::span<const double> values) {
    // The reduction starts from add's identity 0 and adds the pairwise sum of all values.
    return 0.0 + PairwiseSumRecursive(values.data(), values.size());
}

double ScipyKurtosis(std::span<const double> samples, std::vector<double>& scratch) {
    const double n = static_cast<double>(samples.size());
    const double mean = NumpyPairwiseSum(samples) / n;
    scratch.resize(samples.size());
    for (std::size_t v = 0; v < samples.size(); ++v) {
        const double d = samples[v] - mean;
        scratch[v] = d * d;
    }
    const double m2 = NumpyPairwiseSum(scratch) / n;
    for (double& s : scratch)
        s = s * s;
    const double m4 = NumpyPairwiseSum(scratch) / n;
    const double scaled_mean = 1e-15 * mean;
    const double vals = m2 <= scaled_mean * scaled_mean ? kNaN : m4 / (m2 * m2);
    return vals - 3;
}

std::complex<double> ScipySphHarm(int m, int n, double theta, double phi) {
    const double x = std::cos(phi);
    if (std::abs(m) > n || n < 0)
        return {kNaN, 0.0};
    const int mp = std::abs(m);
    double val = Lpmv(mp, n, x);
    if (m < 0)
        val *= (mp % 2 == 0 ? 1.0 : -1.0) * Poch(n + mp + 1, -2.0 * mp);
    val *= std::sqrt((2 * n + 1) / 4.0 / std::numbers::pi);
    val *= std::sqrt(Poch(n + m + 1, -2.0 * m));
    if (m == 0)
        return {val, 0.0};
    const double angle = m * theta;
    return {val * std::cos(angle), val * std::sin(angle)};
}

std::vector<std::array<double, 3>> IcosphereVertices(int subdivision, double radius) {
    // trimesh's resources/creation.json "icosahedron".
    constexpr double a = 0.5257311121191336;
    constexpr double b = 0.85065080835204;
    std::vector<std::array<double, 3>> vertices{{-a, b, 0.0}, {a, b, 0.0},  {-a, -b, 0.0}, {a, -b, 0.0},
                                                {0.0, -a, b}, {0.0, a, b},  {0.0, -a, -b}, {0.0, a, -b},
                                                {b, 0.0, -a}, {b, 0.0, a},  {-b, 0.0, -a}, {-b, 0.0, a}};
    std::vector<std::array<std::size_t, 3>> faces{{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11},
                                                  {1, 5, 9},  {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
                                                  {3, 9, 4},  {3, 4, 2},  {3, 2, 6},   {3, 6, 8},  {3, 8, 9},
                                                  {4, 9, 5},  {2, 4, 11}, {6, 2, 10},  {8, 6, 7},  {9, 8, 1}};
    const auto refine = [&vertices, radius] {
        for (auto& v : vertices) {
            const double scalar = std::sqrt((v[0] * v[0] + v[1] * v[1]) + v[2] * v[2]);
            for (double& c : v)
                c += c / scalar * (radius - scalar);
        }
    };
    for (int s = 0; s < subdivision; ++s) {
        // remesh.subdivide: unique edges (sorted vertex pairs) ordered by grouping.unique_rows'
        // hash (max << 32 | min, ascending), one midpoint each, 4 faces per face.
        std::map<std::pair<std::size_t, std::size_t>, std::size_t> edge_index; // (max, min) -> midpoint
        for (const auto& f : faces)
            for (int e = 0; e < 3; ++e) {
                const std::size_t p = f[e], q = f[(e + 1) % 3];
                edge_index.emplace(std::pair{std::max(p, q), std::min(p, q)}, 0);
            }
        for (auto& [edge, index] : edge_index) {
            index = vertices.size();
            const auto& lo = vertices[edge.second];
            const auto& hi = vertices[edge.first];
            vertices.push_back({(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0, (lo[2] + hi[2]) / 2.0});
        }
        std::vector<std::array<std::size_t, 3>> next;
        next.reserve(faces.size() * 4);
        for (const auto& f : faces) {
            std::array<std::size_t, 3> mid{};
            for (int e = 0; e < 3; ++e) {
                const std::size_t p = f[e], q = f[(e + 1) % 3];
                mid[e] = edge_index.at({std::max(p, q), std::min(p, q)});
            }
            next.push_back({f[0], mid[0], mid[2]});
            next.push_back({mid[0], f[1], mid[1]});
            next.push_back({mid[2], mid[1], f[2]});
            next.push_back({mid[0], mid[1], mid[2]});
        }
        faces = std::move(next);
        refine();
    }
    if (subdivision <= 0)
        refine();
    return vertices;
}

std::vector<double> CubicSplineCoefficients(const Volume<double>& image, const std::array<std::size_t, 3>& begin,
                                            const std::array<std::size_t, 3>& size) {
    const auto& dims = image.Geometry().size;
    for (int a = 0; a < 3; ++a)
        if (begin[a] + size[a] > dims[a])
            throw std::invalid_argument("spline coefficient box outside the image");
    const std::size_t nx = dims[0], ny = dims[1], nz = dims[2];
    const std::size_t bz = size[2];
    const double* data = image.Data().data();
    std::vector<double> acc;
    // numpy axis 0 (z): every (x, z) plane of the image, keeping the box's slices; all rows and
    // columns are kept because the y and x passes filter whole lines.
    std::vector<double> slab(bz * ny * nx);
    std::vector<double> plane(nz * nx);
    for (std::size_t j = 0; j < ny; ++j) {
        for (std::size_t k = 0; k < nz; ++k)
            std::copy_n(data + (k * ny + j) * nx, nx, plane.data() + k * nx);
        SplineFilterColumns(plane.data(), nz, nx, acc);
        for (std::size_t kk = 0; kk < bz; ++kk)
            std::copy_n(plane.data() + (begin[2] + kk) * nx, nx, slab.data() + (kk * ny + j) * nx);
    }
    // numpy axis 1 (y), then axis 2 (x) on the box's rows only.
    std::vector<double> out(size[0] * size[1] * size[2]);
    for (std::size_t kk = 0; kk < bz; ++kk) {
        double* slice = slab.data() + kk * ny * nx;
        SplineFilterColumns(slice, ny, nx, acc);
        for (std::size_t jj = 0; jj < size[1]; ++jj) {
            double* row = slice + (begin[1] + jj) * nx;
            SplineFilterColumns(row, nx, 1, acc);
            std::copy_n(row + begin[0], size[0], out.data() + (kk * size[1] + jj) * size[0]);
        }
    }
    return out;
}

SplineTaps CubicSplineTaps(double coordinate, std::size_t length) {
    SplineTaps taps;
    const auto len = static_cast<std::ptrdiff_t>(length);
    // mode 'constant': a coordinate outside [0, len - 1] (or NaN) gives cval.
    if (!(coordinate >= 0.0 && coordinate <= static_cast<double>(len - 1)))
        return taps;
    taps.inside = true;
    const double floor_c = std::floor(coordinate);
    const auto start = static_cast<std::ptrdiff_t>(floor_c) - 1;
    for (std::ptrdiff_t l = 0; l < 4; ++l)
        taps.index[l] = MirrorIndex(start + l, len);
    const double x = coordinate - floor_c;
    const double y = x;
    const double z = 1.0 - x;
    taps.weight[1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
    taps.weight[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
    taps.weight[0] = z * z * z / 6.0;
    taps.weight[3] = 1.0;
    for (int i = 0; i < 3; ++i)
        taps.weight[3] -= taps.weight[i];
    return taps;
}

} // namespace radnode::processing::radiomics
