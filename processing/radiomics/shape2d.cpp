#include "processing/radiomics/shape2d.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

// The plane is addressed as PyRadiomics addresses its squeezed numpy array: axis u (rows,
// the slower remaining numpy axis) and axis v (columns).

/// Offset (du, dv) of square corner c from the square origin.
constexpr std::array<std::array<int, 2>, 4> kCorner{{{0, 0}, {0, 1}, {1, 1}, {1, 0}}};

/// Midpoint of square edge e, relative to the square origin.
constexpr std::array<std::array<double, 2>, 4> kEdgeMidpoint{{{0, 0.5}, {0.5, 1}, {1, 0.5}, {0.5, 0}}};

/// Oriented outline segments of each square configuration (bit c set = corner c inside), as
/// pairs of edge digits; PyRadiomics' orientation, so the signed areas sum to the ROI area.
constexpr std::array<std::string_view, 16> kSegments{
    "", "30", "01", "31", "12", "1230", "02", "32", "23", "20", "0123", "21", "13", "10", "03", "",
};

using Vec2 = std::array<double, 2>;

double Cross(const Vec2& a, const Vec2& b) {
    return a[0] * b[1] - b[0] * a[1];
}

/// Per configuration: sum of a x b over its segments (o = 0), the sum of (b - a), whose
/// cross product with the square origin gives the rest of (o + a) x (o + b), and the length.
struct ConfigurationTerms {
    std::array<double, 16> cross{};
    std::array<Vec2, 16> direction{};
    std::array<double, 16> length{};
};

ConfigurationTerms OutlineTerms(const Vec2& spacing) {
    ConfigurationTerms terms;
    for (std::size_t k = 1; k < 15; ++k) {
        const std::string_view seg = kSegments[k];
        for (std::size_t s = 0; s + 1 < seg.size(); s += 2) {
            const auto& ea = kEdgeMidpoint[static_cast<std::size_t>(seg[s] - '0')];
            const auto& eb = kEdgeMidpoint[static_cast<std::size_t>(seg[s + 1] - '0')];
            const Vec2 a{ea[0] * spacing[0], ea[1] * spacing[1]};
            const Vec2 b{eb[0] * spacing[0], eb[1] * spacing[1]};
            terms.cross[k] += Cross(a, b);
            terms.direction[k][0] += b[0] - a[0];
            terms.direction[k][1] += b[1] - a[1];
            const double du = a[0] - b[0];
            const double dv = a[1] - b[1];
            terms.length[k] += std::sqrt(du * du + dv * dv);
        }
    }
    return terms;
}

/// The 2D view of the region's shape mask: bounding box padded by one pixel, u slower.
struct PaddedPlane {
    std::size_t nu = 0;
    std::size_t nv = 0;
    std::vector<std::uint8_t> data;
    std::size_t count = 0;
    std::array<std::int64_t, 2> index_sum{0, 0};
};

PaddedPlane PadPlane(const Region& region, int out_of_plane) {
    // numpy axis n is region axis 2 - n; the in-plane numpy axes keep their order.
    std::array<std::size_t, 2> axes{};
    std::size_t next = 0;
    for (int n = 0; n < 3; ++n)
        if (n != out_of_plane)
            axes[next++] = static_cast<std::size_t>(2 - n);
    const auto& sz = region.size;
    std::array<std::size_t, 3> lo{sz[0], sz[1], sz[2]};
    std::array<std::size_t, 3> hi{0, 0, 0};
    bool any = false;
    for (std::size_t k = 0; k < sz[2]; ++k)
        for (std::size_t j = 0; j < sz[1]; ++j)
            for (std::size_t i = 0; i < sz[0]; ++i)
                if (region.shape_mask[region.Index(i, j, k)] != 0) {
                    any = true;
                    lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
                    hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
                }
    if (!any)
        throw std::invalid_argument("shape2D features need a non-empty shape mask");
    const std::size_t normal = static_cast<std::size_t>(2 - out_of_plane);
    if (hi[normal] != lo[normal])
        throw std::invalid_argument("shape2D: the mask spans " + std::to_string(hi[normal] - lo[normal] + 1) +
                                    " slices along force2Ddimension " + std::to_string(out_of_plane) +
                                    "; 2D shape needs a single-slice mask");
    PaddedPlane plane;
    plane.nu = hi[axes[0]] - lo[axes[0]] + 3;
    plane.nv = hi[axes[1]] - lo[axes[1]] + 3;
    plane.data.assign(plane.nu * plane.nv, 0);
    for (std::size_t k = lo[2]; k <= hi[2]; ++k)
        for (std::size_t j = lo[1]; j <= hi[1]; ++j)
            for (std::size_t i = lo[0]; i <= hi[0]; ++i) {
                if (region.shape_mask[region.Index(i, j, k)] == 0)
                    continue;
                const std::array<std::size_t, 3> at{i - lo[0], j - lo[1], k - lo[2]};
                const std::size_t u = at[axes[0]] + 1;
                const std::size_t v = at[axes[1]] + 1;
                plane.data[u * plane.nv + v] = 1;
                ++plane.count;
                plane.index_sum[0] += static_cast<std::int64_t>(u);
                plane.index_sum[1] += static_cast<std::int64_t>(v);
            }
    return plane;
}

struct Outline {
    double perimeter = 0.0;
    double area = 0.0;
    double diameter = 0.0;
};

Outline MarchingSquares(const PaddedPlane& plane, const Vec2& spacing) {
    std::array<std::int64_t, 16> squares{};
    std::array<std::array<std::int64_t, 2>, 16> origin_sum{};
    // Boundary edge midpoints in doubled coordinates (u, v).
    std::vector<std::array<std::int32_t, 2>> vertices;
    const std::uint8_t* m = plane.data.data();
    for (std::size_t u = 0; u + 1 < plane.nu; ++u)
        for (std::size_t v = 0; v + 1 < plane.nv; ++v) {
            unsigned square = 0;
            for (unsigned c = 0; c < 4; ++c)
                if (m[(u + static_cast<std::size_t>(kCorner[c][0])) * plane.nv + v +
                      static_cast<std::size_t>(kCorner[c][1])] != 0)
                    square |= 1U << c;
            if (square == 0 || square == 0xF)
                continue;
            ++squares[square];
            origin_sum[square][0] += static_cast<std::int64_t>(u);
            origin_sum[square][1] += static_cast<std::int64_t>(v);
            // Each boundary edge is recorded once, by the square whose corner 3 it touches
            // (edges 3 and 2).
            const bool corner3 = (square & 8U) != 0;
            const auto uu = static_cast<std::int32_t>(2 * u);
            const auto vv = static_cast<std::int32_t>(2 * v);
            if (((square & 1U) != 0) != corner3)
                vertices.push_back({uu + 1, vv});
            if (((square & 4U) != 0) != corner3)
                vertices.push_back({uu + 2, vv + 1});
        }
    const ConfigurationTerms terms = OutlineTerms(spacing);
    Outline out;
    double twice_area = 0.0;
    for (std::size_t k = 1; k < 15; ++k) {
        if (squares[k] == 0)
            continue;
        const auto n = static_cast<double>(squares[k]);
        const Vec2 origin{static_cast<double>(origin_sum[k][0]) * spacing[0],
                          static_cast<double>(origin_sum[k][1]) * spacing[1]};
        twice_area += n * terms.cross[k] + Cross(origin, terms.direction[k]);
        out.perimeter += n * terms.length[k];
    }
    out.area = twice_area / 2.0;

    // Largest vertex distance; only vertices first or last on both their grid lines can be
    // extreme points of the vertex set, so the pairwise search runs on those.
    const std::size_t eu = 2 * plane.nu;
    const std::size_t ev = 2 * plane.nv;
    std::vector<std::int32_t> row_min(eu, std::numeric_limits<std::int32_t>::max());
    std::vector<std::int32_t> row_max(eu, std::numeric_limits<std::int32_t>::min());
    std::vector<std::int32_t> col_min(ev, std::numeric_limits<std::int32_t>::max());
    std::vector<std::int32_t> col_max(ev, std::numeric_limits<std::int32_t>::min());
    for (const auto& p : vertices) {
        const auto ru = static_cast<std::size_t>(p[0]);
        const auto cv = static_cast<std::size_t>(p[1]);
        row_min[ru] = std::min(row_min[ru], p[1]);
        row_max[ru] = std::max(row_max[ru], p[1]);
        col_min[cv] = std::min(col_min[cv], p[0]);
        col_max[cv] = std::max(col_max[cv], p[0]);
    }
    std::vector<Vec2> candidates;
    for (const auto& p : vertices) {
        const auto ru = static_cast<std::size_t>(p[0]);
        const auto cv = static_cast<std::size_t>(p[1]);
        const bool row_end = p[1] == row_min[ru] || p[1] == row_max[ru];
        const bool col_end = p[0] == col_min[cv] || p[0] == col_max[cv];
        if (row_end && col_end)
            candidates.push_back(
                {static_cast<double>(p[0]) * 0.5 * spacing[0], static_cast<double>(p[1]) * 0.5 * spacing[1]});
    }
    double best = 0.0;
    for (std::size_t i = 0; i < candidates.size(); ++i)
        for (std::size_t j = i + 1; j < candidates.size(); ++j) {
            const double du = candidates[i][0] - candidates[j][0];
            const double dv = candidates[i][1] - candidates[j][1];
            best = std::max(best, du * du + dv * dv);
        }
    out.diameter = std::sqrt(best);
    return out;
}

/// Eigenvalues (ascending) of the pixel-centre covariance in mm, PyRadiomics style.
std::array<double, 2> PrincipalMoments(const PaddedPlane& plane, const Vec2& spacing) {
    const auto n = static_cast<double>(plane.count);
    const Vec2 mean{static_cast<double>(plane.index_sum[0]) / n, static_cast<double>(plane.index_sum[1]) / n};
    double uu = 0.0;
    double uv = 0.0;
    double vv = 0.0;
    for (std::size_t u = 1; u + 1 < plane.nu; ++u) {
        const double du = (static_cast<double>(u) - mean[0]) * spacing[0];
        for (std::size_t v = 1; v + 1 < plane.nv; ++v) {
            if (plane.data[u * plane.nv + v] == 0)
                continue;
            const double dv = (static_cast<double>(v) - mean[1]) * spacing[1];
            uu += du * du;
            uv += du * dv;
            vv += dv * dv;
        }
    }
    Eigen::Matrix2d covariance;
    covariance << uu, uv, uv, vv;
    covariance /= n;
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> solver(covariance, Eigen::EigenvaluesOnly);
    std::array<double, 2> values{solver.eigenvalues()[0], solver.eigenvalues()[1]};
    for (double& value : values)
        if (value < 0.0 && value > -1e-10)
            value = 0.0;
    std::sort(values.begin(), values.end());
    return values;
}

double AxisLength(double eigenvalue) {
    return eigenvalue < 0.0 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(eigenvalue) * 4.0;
}

} // namespace

Features ComputeShape2D(const Region& region, const Settings& settings) {
    if (!settings.force_2d)
        throw std::invalid_argument("shape2D features of a 3D mask need force2D = true");
    const int dimension = settings.force_2d_dimension;
    if (dimension < 0 || dimension > 2)
        throw std::invalid_argument("shape2D: force2Ddimension must be 0, 1 or 2, got " + std::to_string(dimension));
    const PaddedPlane plane = PadPlane(region, dimension);
    std::array<std::size_t, 2> axes{};
    std::size_t next = 0;
    for (int n = 0; n < 3; ++n)
        if (n != dimension)
            axes[next++] = static_cast<std::size_t>(2 - n);
    const Vec2 spacing{region.spacing[axes[0]], region.spacing[axes[1]]};

    const Outline outline = MarchingSquares(plane, spacing);
    const std::array<double, 2> eigen = PrincipalMoments(plane, spacing);
    const double sphericity = (2.0 * std::sqrt(std::numbers::pi * outline.area)) / outline.perimeter;
    const double elongation =
        eigen[0] < 0.0 || eigen[1] < 0.0 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(eigen[0] / eigen[1]);
    // PyRadiomics: Np * (x * y) with spacing (y, x) = (u, v).
    const double pixel_surface = static_cast<double>(plane.count) * (spacing[1] * spacing[0]);

    return {
        {"shape2D_Elongation", elongation, "", false},
        {"shape2D_MajorAxisLength", AxisLength(eigen[1]), "", false},
        {"shape2D_MaximumDiameter", outline.diameter, "", false},
        {"shape2D_MeshSurface", outline.area, "", false},
        {"shape2D_MinorAxisLength", AxisLength(eigen[0]), "", false},
        {"shape2D_Perimeter", outline.perimeter, "", false},
        {"shape2D_PerimeterSurfaceRatio", outline.perimeter / outline.area, "", false},
        {"shape2D_PixelSurface", pixel_surface, "", false},
        {"shape2D_SphericalDisproportion", 1.0 / sphericity, "", true},
        {"shape2D_Sphericity", sphericity, "", false},
    };
}

} // namespace radnode::processing::radiomics
