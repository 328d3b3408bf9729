#include "processing/radiomics/shape.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

// Geometry below is in numpy axis order (z, y, x), the order PyRadiomics' mesh code uses, so
// vertex coordinates (and hence the diameter ties and plane tests) come out identical.

/// Offset of cube corner c from the cube origin.
constexpr std::array<std::array<int, 3>, 8> kCorner{{
    {0, 0, 0},
    {0, 0, 1},
    {0, 1, 1},
    {0, 1, 0},
    {1, 0, 0},
    {1, 0, 1},
    {1, 1, 1},
    {1, 1, 0},
}};

/// Midpoint of cube edge e, relative to the cube origin.
constexpr std::array<std::array<double, 3>, 12> kEdgeMidpoint{{
    {0, 0, 0.5},
    {0, 0.5, 1},
    {0, 1, 0.5},
    {0, 0.5, 0},
    {1, 0, 0.5},
    {1, 0.5, 1},
    {1, 1, 0.5},
    {1, 0.5, 0},
    {0.5, 0, 0},
    {0.5, 0, 1},
    {0.5, 1, 1},
    {0.5, 1, 0},
}};

/// Triangles of each cube configuration (bit c set = corner c inside), PyRadiomics'
/// triangulation with outward normals. Configurations with corner 7 inside use their
/// complement with the volume sign reversed. Each hex digit is an edge, three per triangle.
// clang-format off
constexpr std::array<std::string_view, 128> kTriangles{
    "", "083", "190", "183198", "12a", "08312a", "92a029", "2832a8a98",
    "b23", "b2008b", "190b23", "b2119b98b", "3a1ba3", "a1008a8ba", "9033b9ba9", "98aba8",
    "478", "043473", "190478", "194147173", "12a478", "34730412a", "92a902478", "2a9297273479",
    "478b23", "b47b24204", "190478b23", "47b94bb29192", "3a1ba3478", "ba114b10447b", "4789033b9ba9", "47b4b99ba",
    "954", "954083", "054015", "854835315", "12a954", "08312a954", "2a5542240", "2a5325354834",
    "954b23", "b2008b954", "054015b23", "215258b28548", "3a1ba3954", "549a1008a8ba", "54050ba5bb03", "548a58ba8",
    "789579", "309539357", "780017715", "157173", "78957912a", "12a309395357", "0288258572a5", "2a5253357",
    "579789b23", "579972209b27", "b23018178157", "21b17b157", "7895793a1ba3", "5705097b0a10ba0", "ba003ba50078570", "ba557b",
    "65a", "08365a", "19065a", "18319865a", "165126", "165126083", "965906026", "598582526832",
    "b2365a", "b2008b65a", "190b2365a", "b2119b98b65a", "63b653513", "08b0b50515b6", "63b036065059", "65969bb98",
    "47865a", "04347365a", "19047865a", "19414717365a", "478165126", "043473165126", "478965906026", "739479329596269",
    "b2347865a", "b47b2420465a", "190b2347865a", "47b94bb2919265a", "47863b653513", "51b5b610b47b04b", "47863b036065059", "65969b4797b9",
    "a4964a", "a4964a083", "01aa60640", "18316886461a", "149124264", "149124264083", "024426", "832824426",
    "b23a4964a", "b2008ba4964a", "b2301aa60640", "64161a148b2118b", "964369139b63", "18b081b61149641", "63b036640", "86468b",
    "67a78a89a", "67a0a709a073", "67a1a7178018", "67a1a7173", "126168189678", "269129679309739", "078706602", "273267",
    "b2367a78a89a", "207b2709767a9a7", "67a1a7178018b23", "b2117ba61167", "896678169b63136", "09167b", "07870603bb60", "67b",
};
// clang-format on

constexpr int EdgeOf(char digit) {
    return digit <= '9' ? digit - '0' : digit - 'a' + 10;
}

/// Cube configuration from two adjacent 2x2 faces: `pair` holds the face at the cube's x in its
/// low nibble and the face at x + 1 in its high nibble, face bit 2 * dz + dy.
constexpr std::array<std::uint8_t, 256> kCubeFromFaces = [] {
    std::array<std::uint8_t, 256> table{};
    for (unsigned pair = 0; pair < 256; ++pair) {
        unsigned cube = 0;
        for (unsigned c = 0; c < 8; ++c) {
            const unsigned bit = 4U * static_cast<unsigned>(kCorner[c][2]) + 2U * static_cast<unsigned>(kCorner[c][0]) +
                                 static_cast<unsigned>(kCorner[c][1]);
            if ((pair >> bit) & 1U)
                cube |= 1U << c;
        }
        table[pair] = static_cast<std::uint8_t>(cube);
    }
    return table;
}();

using Vec3 = std::array<double, 3>;

Vec3 Cross(const Vec3& a, const Vec3& b) {
    return {a[1] * b[2] - b[1] * a[2], a[2] * b[0] - b[2] * a[0], a[0] * b[1] - b[0] * a[1]};
}
double Dot(const Vec3& a, const Vec3& b) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/// Per-configuration mesh terms for the given spacing. A triangle (o + a, o + b, o + c) of a
/// cube at o contributes det(o + a, o + b, o + c) = det(a, b, c) + o . (a x b + b x c + c x a)
/// to six times the signed volume, so per configuration only a constant and a vector are
/// needed; the area does not depend on o at all.
struct ConfigurationTerms {
    std::array<double, 128> determinant{};
    std::array<Vec3, 128> normal{};
    std::array<double, 128> area{};
};

ConfigurationTerms MeshTerms(const Vec3& spacing) {
    ConfigurationTerms terms;
    for (std::size_t k = 1; k < 128; ++k) {
        const std::string_view tri = kTriangles[k];
        for (std::size_t t = 0; t + 2 < tri.size(); t += 3) {
            std::array<Vec3, 3> p{};
            for (std::size_t v = 0; v < 3; ++v)
                for (std::size_t d = 0; d < 3; ++d)
                    p[v][d] = kEdgeMidpoint[static_cast<std::size_t>(EdgeOf(tri[t + v]))][d] * spacing[d];
            const Vec3 ab = Cross(p[0], p[1]);
            terms.determinant[k] += Dot(ab, p[2]);
            const Vec3 bc = Cross(p[1], p[2]);
            const Vec3 ca = Cross(p[2], p[0]);
            for (std::size_t d = 0; d < 3; ++d)
                terms.normal[k][d] += ab[d] + bc[d] + ca[d];
            const Vec3 u{p[0][0] - p[2][0], p[0][1] - p[2][1], p[0][2] - p[2][2]};
            const Vec3 w{p[1][0] - p[2][0], p[1][1] - p[2][1], p[1][2] - p[2][2]};
            terms.area[k] += 0.5 * std::sqrt(Dot(Cross(u, w), Cross(u, w)));
        }
    }
    return terms;
}

/// A mesh vertex in doubled grid coordinates (z, y, x): the midpoint of a boundary edge.
struct Vertex {
    std::array<std::int32_t, 3> c;
};

struct MeshResult {
    double volume = 0.0;
    double area = 0.0;
    std::vector<Vertex> vertices;
};

/// The shape mask cut to its bounding box and padded by one empty voxel on every side, laid
/// out x fastest; dims in (z, y, x).
struct PaddedMask {
    std::array<std::size_t, 3> dims{0, 0, 0};
    std::vector<std::uint8_t> data;
    std::vector<std::uint8_t> row_used; ///< per (z, y) row: any voxel set
    std::size_t count = 0;              ///< voxels set
    std::array<std::int64_t, 3> index_sum{0, 0, 0};
    std::array<std::size_t, 3> box_lo{0, 0, 0}; ///< region box index (x, y, z) of padded voxel (1, 1, 1)
};

PaddedMask PadShapeMask(const Region& region) {
    const auto& sz = region.size;
    std::array<std::size_t, 3> lo{sz[0], sz[1], sz[2]};
    std::array<std::size_t, 3> hi{0, 0, 0};
    const auto inside = [](std::uint8_t v) { return v != 0; };
    for (std::size_t k = 0; k < sz[2]; ++k)
        for (std::size_t j = 0; j < sz[1]; ++j) {
            const std::uint8_t* row = region.shape_mask.data() + region.Index(0, j, k);
            const std::uint8_t* first = std::find_if(row, row + sz[0], inside);
            if (first == row + sz[0])
                continue;
            const std::uint8_t* last =
                std::find_if(std::make_reverse_iterator(row + sz[0]), std::make_reverse_iterator(first), inside)
                    .base() -
                1;
            lo = {std::min(lo[0], static_cast<std::size_t>(first - row)), std::min(lo[1], j), std::min(lo[2], k)};
            hi = {std::max(hi[0], static_cast<std::size_t>(last - row)), std::max(hi[1], j), std::max(hi[2], k)};
        }
    if (lo[0] > hi[0])
        throw std::invalid_argument("shape features need a non-empty shape mask");
    PaddedMask padded;
    // (z, y, x) extents of the bounding box plus one voxel of padding each side.
    padded.dims = {hi[2] - lo[2] + 3, hi[1] - lo[1] + 3, hi[0] - lo[0] + 3};
    const std::size_t px = padded.dims[2];
    const std::size_t py = padded.dims[1];
    padded.data.assign(padded.dims[0] * py * px, 0);
    padded.row_used.assign(padded.dims[0] * py, 0);
    for (std::size_t k = lo[2]; k <= hi[2]; ++k)
        for (std::size_t j = lo[1]; j <= hi[1]; ++j) {
            const std::uint8_t* src = region.shape_mask.data() + region.Index(lo[0], j, k);
            const std::size_t z = k - lo[2] + 1;
            const std::size_t y = j - lo[1] + 1;
            std::uint8_t* dst = padded.data.data() + (z * py + y) * px + 1;
            std::size_t row_count = 0;
            std::size_t row_x_sum = 0;
            for (std::size_t i = 0; i <= hi[0] - lo[0]; ++i) {
                const std::size_t v = src[i] != 0 ? 1 : 0;
                dst[i] = static_cast<std::uint8_t>(v);
                row_count += v;
                row_x_sum += v * (i + 1);
            }
            if (row_count == 0)
                continue;
            padded.row_used[z * py + y] = 1;
            padded.count += row_count;
            padded.index_sum[0] += static_cast<std::int64_t>(row_count * z);
            padded.index_sum[1] += static_cast<std::int64_t>(row_count * y);
            padded.index_sum[2] += static_cast<std::int64_t>(row_x_sum);
        }
    return padded;
}

MeshResult MarchingCubes(const PaddedMask& mask, const Vec3& spacing) {
    const std::size_t pz = mask.dims[0];
    const std::size_t py = mask.dims[1];
    const std::size_t px = mask.dims[2];
    // Per configuration and orientation: how many cubes, and the sum of their origins.
    std::array<std::array<std::int64_t, 2>, 128> cubes{};
    std::array<std::array<std::array<std::int64_t, 3>, 2>, 128> origin_sum{};
    MeshResult result;
    const std::uint8_t* m = mask.data.data();
    for (std::size_t z = 0; z + 1 < pz; ++z)
        for (std::size_t y = 0; y + 1 < py; ++y) {
            const std::size_t r00 = z * py + y;
            const std::size_t r01 = r00 + 1;
            const std::size_t r10 = r00 + py;
            const std::size_t r11 = r10 + 1;
            if ((mask.row_used[r00] | mask.row_used[r01] | mask.row_used[r10] | mask.row_used[r11]) == 0)
                continue;
            const std::uint8_t* a = m + r00 * px;
            const std::uint8_t* b = m + r01 * px;
            const std::uint8_t* c = m + r10 * px;
            const std::uint8_t* d = m + r11 * px;
            const auto face = [&](std::size_t x) {
                return static_cast<unsigned>(a[x] | (b[x] << 1) | (c[x] << 2) | (d[x] << 3));
            };
            unsigned left = face(0);
            for (std::size_t x = 0; x + 1 < px; ++x) {
                const unsigned right = face(x + 1);
                unsigned cube = kCubeFromFaces[left | (right << 4)];
                left = right;
                std::size_t orientation = 0;
                if ((cube & 0x80U) != 0) {
                    cube ^= 0xffU;
                    orientation = 1;
                }
                if (cube == 0)
                    continue;
                ++cubes[cube][orientation];
                auto& sum = origin_sum[cube][orientation];
                sum[0] += static_cast<std::int64_t>(z);
                sum[1] += static_cast<std::int64_t>(y);
                sum[2] += static_cast<std::int64_t>(x);
                // Each boundary edge is recorded once: by the cube whose corner 7 it touches
                // (edges 6, 7, 11); corner 7 is outside after the flip, so the edge is on the
                // boundary exactly when its other corner (6, 4, 3) is inside.
                const auto zz = static_cast<std::int32_t>(2 * z);
                const auto yy = static_cast<std::int32_t>(2 * y);
                const auto xx = static_cast<std::int32_t>(2 * x);
                if ((cube & (1U << 6)) != 0)
                    result.vertices.push_back({{zz + 2, yy + 2, xx + 1}});
                if ((cube & (1U << 4)) != 0)
                    result.vertices.push_back({{zz + 2, yy + 1, xx}});
                if ((cube & (1U << 3)) != 0)
                    result.vertices.push_back({{zz + 1, yy + 2, xx}});
            }
        }
    const ConfigurationTerms terms = MeshTerms(spacing);
    double six_volume = 0.0;
    double area = 0.0;
    for (std::size_t k = 1; k < 128; ++k)
        for (std::size_t o = 0; o < 2; ++o) {
            if (cubes[k][o] == 0)
                continue;
            const auto n = static_cast<double>(cubes[k][o]);
            const Vec3 origin{static_cast<double>(origin_sum[k][o][0]) * spacing[0],
                              static_cast<double>(origin_sum[k][o][1]) * spacing[1],
                              static_cast<double>(origin_sum[k][o][2]) * spacing[2]};
            const double contribution = n * terms.determinant[k] + Dot(origin, terms.normal[k]);
            six_volume += o == 0 ? contribution : -contribution;
            area += n * terms.area[k];
        }
    result.volume = six_volume / 6.0;
    result.area = area;
    return result;
}

/// Largest pairwise distance between mesh vertices, overall and within planes of equal z,
/// y and x (PyRadiomics' diameters 3D, Slice, Column, Row). A largest distance is always
/// realised by extreme points (vertices of the convex hull), so the exhaustive search only
/// runs over those: in each plane, the 2D hull (exact, in integer grid coordinates; scaling
/// by the spacing keeps hull vertices) of the points that end their grid row; in 3D, the
/// points that are hull vertices in all three planes through them. Distances are formed as
/// PyRadiomics forms them, so the maxima agree to the last bit.
struct Diameters {
    double slice = 0.0;
    double column = 0.0;
    double row = 0.0;
    double full = 0.0;
};

/// Ends of the vertex run on one grid line: extreme coordinates and their vertex indices.
struct LineEnds {
    std::int32_t lo = std::numeric_limits<std::int32_t>::max();
    std::int32_t hi = std::numeric_limits<std::int32_t>::min();
    std::uint32_t lo_vertex = 0;
    std::uint32_t hi_vertex = 0;
};

/// A point of a plane in integer grid coordinates (t, q) with its vertex index.
struct PlanePoint {
    std::int64_t t;
    std::int64_t q;
    std::uint32_t vertex;
};

std::int64_t Turn(const PlanePoint& o, const PlanePoint& a, const PlanePoint& b) {
    return (a.t - o.t) * (b.q - o.q) - (a.q - o.q) * (b.t - o.t);
}

/// Strict convex hull (no collinear points) of points sorted by (t, q): Andrew's monotone chain.
void ConvexHull(const std::vector<PlanePoint>& sorted, std::vector<PlanePoint>& hull) {
    hull.clear();
    if (sorted.size() <= 2) {
        hull = sorted;
        return;
    }
    hull.resize(2 * sorted.size());
    std::size_t k = 0;
    for (const PlanePoint& p : sorted) {
        while (k >= 2 && Turn(hull[k - 2], hull[k - 1], p) <= 0)
            --k;
        hull[k++] = p;
    }
    const std::size_t lower = k + 1;
    for (std::size_t i = sorted.size() - 1; i-- > 0;) {
        while (k >= lower && Turn(hull[k - 2], hull[k - 1], sorted[i]) <= 0)
            --k;
        hull[k++] = sorted[i];
    }
    hull.resize(k - 1); // the last point repeats the first
}

Diameters MeshDiameters(const std::vector<Vertex>& vertices, const std::array<std::size_t, 3>& dims,
                        const Vec3& spacing) {
    Diameters out;
    if (vertices.empty())
        return out;
    const std::array<std::size_t, 3> extent{2 * dims[0], 2 * dims[1], 2 * dims[2]};
    // Lines along axis q, keyed by the other two coordinates in axis order.
    const auto others = [](std::size_t axis) {
        return std::array<std::size_t, 2>{axis == 0 ? 1U : 0U, axis == 2 ? 1U : 2U};
    };
    std::array<std::vector<LineEnds>, 3> lines;
    for (std::size_t q = 0; q < 3; ++q) {
        const auto o = others(q);
        lines[q].assign(extent[o[0]] * extent[o[1]], LineEnds{});
    }
    for (std::uint32_t i = 0; i < vertices.size(); ++i) {
        const auto& c = vertices[i].c;
        for (std::size_t q = 0; q < 3; ++q) {
            const auto o = others(q);
            LineEnds& line =
                lines[q][static_cast<std::size_t>(c[o[0]]) * extent[o[1]] + static_cast<std::size_t>(c[o[1]])];
            if (c[q] < line.lo) {
                line.lo = c[q];
                line.lo_vertex = i;
            }
            if (c[q] > line.hi) {
                line.hi = c[q];
                line.hi_vertex = i;
            }
        }
    }
    const auto position = [&](std::uint32_t v) {
        const auto& c = vertices[v].c;
        return Vec3{static_cast<double>(c[0]) * 0.5 * spacing[0], static_cast<double>(c[1]) * 0.5 * spacing[1],
                    static_cast<double>(c[2]) * 0.5 * spacing[2]};
    };
    const auto squared = [](const Vec3& a, const Vec3& b) {
        const double dz = a[0] - b[0];
        const double dy = a[1] - b[1];
        const double dx = a[2] - b[2];
        return dz * dz + dy * dy + dx * dx;
    };

    std::vector<std::uint8_t> hull_in(vertices.size(), 0); // bit a: hull vertex of its plane normal to a
    std::vector<PlanePoint> sorted;
    std::vector<PlanePoint> hull;
    std::vector<Vec3> at;
    // Hull vertices of every plane, and per plane an upper bound of its squared diameter
    // (its bounding box diagonal), so planes that cannot beat the best so far are skipped.
    struct PlaneRange {
        std::size_t begin;
        std::size_t end;
        double bound;
    };
    std::vector<PlaneRange> planes;
    std::array<double, 3> in_plane{};
    for (std::size_t a = 0; a < 3; ++a) {
        const auto [p, q] = others(a);
        // Rows run along q; the table of lines along q is keyed by {a, p} in axis order.
        const bool a_first = a < p;
        at.clear();
        planes.clear();
        for (std::size_t s = 0; s < extent[a]; ++s) {
            sorted.clear();
            std::int64_t q_lo = std::numeric_limits<std::int64_t>::max();
            std::int64_t q_hi = std::numeric_limits<std::int64_t>::min();
            for (std::size_t t = 0; t < extent[p]; ++t) {
                const std::size_t key = a_first ? s * extent[p] + t : t * extent[a] + s;
                const LineEnds& line = lines[q][key];
                if (line.lo > line.hi)
                    continue;
                sorted.push_back({static_cast<std::int64_t>(t), line.lo, line.lo_vertex});
                if (line.hi != line.lo)
                    sorted.push_back({static_cast<std::int64_t>(t), line.hi, line.hi_vertex});
                q_lo = std::min<std::int64_t>(q_lo, line.lo);
                q_hi = std::max<std::int64_t>(q_hi, line.hi);
            }
            if (sorted.empty())
                continue;
            ConvexHull(sorted, hull);
            const std::size_t begin = at.size();
            for (const PlanePoint& h : hull) {
                hull_in[h.vertex] = static_cast<std::uint8_t>(hull_in[h.vertex] | (1U << a));
                at.push_back(position(h.vertex));
            }
            const double dt = static_cast<double>(sorted.back().t - sorted.front().t) * 0.5 * spacing[p];
            const double dq = static_cast<double>(q_hi - q_lo) * 0.5 * spacing[q];
            planes.push_back({begin, at.size(), dt * dt + dq * dq});
        }
        std::sort(planes.begin(), planes.end(),
                  [](const PlaneRange& x, const PlaneRange& y) { return x.bound > y.bound; });
        double best = 0.0;
        for (const PlaneRange& plane : planes) {
            // The margin keeps the skip safe against rounding of bound and distances.
            if (plane.bound * (1.0 + 1e-9) < best)
                break;
            for (std::size_t i = plane.begin; i < plane.end; ++i)
                for (std::size_t j = i + 1; j < plane.end; ++j)
                    best = std::max(best, squared(at[i], at[j]));
        }
        in_plane[a] = std::sqrt(best);
    }
    out.slice = in_plane[0];
    out.column = in_plane[1];
    out.row = in_plane[2];

    at.clear();
    for (std::uint32_t v = 0; v < vertices.size(); ++v)
        if (hull_in[v] == 7)
            at.push_back(position(v));
    double best = 0.0;
    for (std::size_t i = 0; i < at.size(); ++i)
        for (std::size_t j = i + 1; j < at.size(); ++j)
            best = std::max(best, squared(at[i], at[j]));
    out.full = std::sqrt(best);
    return out;
}

/// Eigenvalues (ascending) of the covariance of the voxel centres in mm, PyRadiomics style:
/// population covariance, values in (-1e-10, 0) set to 0.
/// Eigenvalues (ascending) of the voxel-centre covariance, divided by N as PyRadiomics does or
/// by N - 1 (the sample covariance, which IBSI's reference axis lengths use).
std::array<double, 3> PrincipalMoments(const PaddedMask& mask, const Vec3& spacing, bool sample_covariance) {
    const auto n = static_cast<double>(mask.count);
    const Vec3 mean{static_cast<double>(mask.index_sum[0]) / n, static_cast<double>(mask.index_sum[1]) / n,
                    static_cast<double>(mask.index_sum[2]) / n};
    std::array<double, 6> c{}; // zz, zy, zx, yy, yx, xx
    const std::size_t py = mask.dims[1];
    const std::size_t px = mask.dims[2];
    for (std::size_t z = 1; z + 1 < mask.dims[0]; ++z)
        for (std::size_t y = 1; y + 1 < py; ++y) {
            if (mask.row_used[z * py + y] == 0)
                continue;
            const std::uint8_t* row = mask.data.data() + (z * py + y) * px;
            const double dz = (static_cast<double>(z) - mean[0]) * spacing[0];
            const double dy = (static_cast<double>(y) - mean[1]) * spacing[1];
            for (std::size_t x = 1; x + 1 < px; ++x) {
                if (row[x] == 0)
                    continue;
                const double dx = (static_cast<double>(x) - mean[2]) * spacing[2];
                c[0] += dz * dz;
                c[1] += dz * dy;
                c[2] += dz * dx;
                c[3] += dy * dy;
                c[4] += dy * dx;
                c[5] += dx * dx;
            }
        }
    Eigen::Matrix3d covariance;
    covariance << c[0], c[1], c[2], c[1], c[3], c[4], c[2], c[4], c[5];
    covariance /= sample_covariance ? std::max(1.0, n - 1.0) : n;
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(covariance, Eigen::EigenvaluesOnly);
    std::array<double, 3> values{solver.eigenvalues()[0], solver.eigenvalues()[1], solver.eigenvalues()[2]};
    for (double& v : values)
        if (v < 0.0 && v > -1e-10)
            v = 0.0;
    std::sort(values.begin(), values.end());
    return values;
}

double AxisLength(double eigenvalue) {
    return eigenvalue < 0.0 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(eigenvalue) * 4.0;
}

double AxisRatio(double small, double large) {
    return small < 0.0 || large < 0.0 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(small / large);
}

} // namespace

ShapeMesh ComputeShapeMesh(const Region& region) {
    const PaddedMask mask = PadShapeMask(region);
    const Vec3 spacing{region.spacing[2], region.spacing[1], region.spacing[0]}; // (z, y, x)
    const MeshResult mesh = MarchingCubes(mask, spacing);
    ShapeMesh out;
    out.volume = std::abs(mesh.volume);
    out.area = mesh.area;
    out.vertices.reserve(mesh.vertices.size());
    // Vertex coordinates are doubled padded indices (z, y, x); padded index 1 is box index box_lo.
    for (const Vertex& v : mesh.vertices) {
        std::array<double, 3> p{};
        for (std::size_t a = 0; a < 3; ++a) {
            const std::size_t q = 2 - a; // (x, y, z) from (z, y, x)
            p[a] = (0.5 * static_cast<double>(v.c[q]) - 1.0 + static_cast<double>(mask.box_lo[a])) *
                   region.spacing[a];
        }
        out.vertices.push_back(p);
    }
    return out;
}

Features ComputeShape(const Region& region, const Settings& settings) {
    const PaddedMask mask = PadShapeMask(region);
    const Vec3 spacing{region.spacing[2], region.spacing[1], region.spacing[0]}; // (z, y, x)
    const MeshResult mesh = MarchingCubes(mask, spacing);
    const Diameters diameters = MeshDiameters(mesh.vertices, mask.dims, spacing);
    const std::array<double, 3> eigen = PrincipalMoments(mask, spacing, settings.ibsi_compliant);

    const double volume = mesh.volume;
    const double area = mesh.area;
    constexpr double kPi = std::numbers::pi;
    const double sphere_area = std::cbrt(36.0 * kPi * volume * volume);
    // PyRadiomics: Np * (z * x * y) with spacing (z, y, x).
    const double voxel_volume = static_cast<double>(mask.count) * (spacing[0] * spacing[2] * spacing[1]);

    if (settings.ibsi_compliant) {
        // IBSI morphology, each feature once: voxel-counting volume, compactness 1/2 and
        // spherical disproportion come from ibsi_morphology (its morphology_* names). The 2D
        // diameters have no IBSI definition: on request only, without code. Axis lengths use
        // the sample covariance.
        return {
            {"shape_Elongation", AxisRatio(eigen[1], eigen[2]), "Q3CK", false},
            {"shape_Flatness", AxisRatio(eigen[0], eigen[2]), "N17B", false},
            {"shape_LeastAxisLength", AxisLength(eigen[0]), "7J51", false},
            {"shape_MajorAxisLength", AxisLength(eigen[2]), "TDIC", false},
            {"shape_Maximum2DDiameterColumn", diameters.column, "", true},
            {"shape_Maximum2DDiameterRow", diameters.row, "", true},
            {"shape_Maximum2DDiameterSlice", diameters.slice, "", true},
            {"shape_Maximum3DDiameter", diameters.full, "L0JK", false},
            {"shape_MeshVolume", volume, "RNU0", false},
            {"shape_MinorAxisLength", AxisLength(eigen[1]), "P9VJ", false},
            {"shape_Sphericity", sphere_area / area, "QCFX", false},
            {"shape_SurfaceArea", area, "C0JK", false},
            {"shape_SurfaceVolumeRatio", area / volume, "2PR5", false},
        };
    }

    return {
        {"shape_Compactness1", volume / (std::pow(area, 1.5) * std::sqrt(kPi)), "SKGS", true},
        {"shape_Compactness2", (36.0 * kPi) * (volume * volume) / (area * area * area), "BQWJ", true},
        {"shape_Elongation", AxisRatio(eigen[1], eigen[2]), "Q3CK", false},
        {"shape_Flatness", AxisRatio(eigen[0], eigen[2]), "N17B", false},
        {"shape_LeastAxisLength", AxisLength(eigen[0]), "7J51", false},
        {"shape_MajorAxisLength", AxisLength(eigen[2]), "TDIC", false},
        {"shape_Maximum2DDiameterColumn", diameters.column, "", false},
        {"shape_Maximum2DDiameterRow", diameters.row, "", false},
        {"shape_Maximum2DDiameterSlice", diameters.slice, "", false},
        {"shape_Maximum3DDiameter", diameters.full, "L0JK", false},
        {"shape_MeshVolume", volume, "RNU0", false},
        {"shape_MinorAxisLength", AxisLength(eigen[1]), "P9VJ", false},
        {"shape_SphericalDisproportion", area / sphere_area, "KRCK", true},
        {"shape_Sphericity", sphere_area / area, "QCFX", false},
        {"shape_SurfaceArea", area, "C0JK", false},
        {"shape_SurfaceVolumeRatio", area / volume, "2PR5", false},
        {"shape_VoxelVolume", voxel_volume, "YEKZ", false},
    };
}

} // namespace radnode::processing::radiomics
