// Peritumoral regions: ring and annulus volumes against the analytic shells of a sphere at
// anisotropic spacing, exact cores of a cuboid, exact agreement with a brute-force definition
// (edge cut and clipping included), half-space clipping by symmetry, a tumour at the image edge,
// the phantom's tumour clipped to its lungs, and the error values.

#include "processing/phantom/thorax_phantom.h"
#include "processing/regions/peritumoral.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

namespace radnode::processing::regions {
namespace {

using Size = std::array<std::size_t, 3>;
using Spacing = std::array<double, 3>;
using Centre = std::array<double, 3>; ///< continuous voxel index

constexpr double kPi = 3.14159265358979323846;

ImageGeometry Grid(const Size& size, const Spacing& spacing) {
    ImageGeometry g;
    g.size = size;
    g.spacing = spacing;
    return g;
}

/// Voxels whose centre lies in the sphere (the phantom's rule), as a BoxMask.
BoxMask Sphere(const ImageGeometry& g, const Centre& c, double radius_mm) {
    LabelMap full(g, 0);
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                const double dx = (static_cast<double>(i) - c[0]) * g.spacing[0];
                const double dy = (static_cast<double>(j) - c[1]) * g.spacing[1];
                const double dz = (static_cast<double>(k) - c[2]) * g.spacing[2];
                full.At(i, j, k) = dx * dx + dy * dy + dz * dz <= radius_mm * radius_mm ? 1 : 0;
            }
    return BoxMaskFromVolume(full);
}

/// A grid holding a sphere of radius `r` mm plus `reach` mm and a margin, with its centre at
/// `phase` (fractions of a voxel) off the middle voxel.
struct SphereCase {
    ImageGeometry grid;
    Centre centre{};
};
SphereCase CentredSphere(const Spacing& spacing, double r, double reach, const Centre& phase) {
    SphereCase c;
    Size size{};
    for (std::size_t a = 0; a < 3; ++a) {
        size[a] = 2 * static_cast<std::size_t>(std::ceil((r + reach) / spacing[a])) + 6;
        c.centre[a] = static_cast<double>(size[a] / 2) + phase[a];
    }
    c.grid = Grid(size, spacing);
    return c;
}

double Ball(double r) { return 4.0 / 3.0 * kPi * r * r * r; }

double VolumeMm3(const PeritumoralRegion& region, const ImageGeometry& g) {
    return static_cast<double>(region.voxel_count) * g.VoxelVolume();
}

const PeritumoralRegion& Get(const PeritumoralResult& result, const std::string& name) {
    const PeritumoralRegion* region = result.Find(name);
    EXPECT_NE(region, nullptr) << name;
    static const PeritumoralRegion none;
    return region != nullptr ? *region : none;
}

TEST(RegionsPeritumoral, RingsAndAnnuliMatchAnalyticShells) {
    const std::vector<Spacing> spacings{{0.7, 0.7, 3.0}, {0.8, 0.8, 1.25}, {0.7, 0.7, 1.5}};
    const std::vector<double> radii{12.0, 15.0};
    const std::vector<Centre> phases{{0.0, 0.0, 0.0}, {0.31, -0.17, 0.43}, {-0.26, 0.38, -0.21}};
    PeritumoralSettings settings;
    settings.annuli = true;
    double worst = 0.0;
    for (const Spacing& spacing : spacings)
        for (const double r : radii)
            for (const Centre& phase : phases) {
                const SphereCase c = CentredSphere(spacing, r, 9.0, phase);
                const BoxMask tumour = Sphere(c.grid, c.centre, r);
                const PeritumoralResult result = BuildPeritumoralRegions(tumour, c.grid, settings);
                ASSERT_TRUE(result.IsOk()) << result.reason;
                ASSERT_EQ(result.regions.size(), 6U);
                const double tumour_error =
                    static_cast<double>(result.tumour_voxels) * c.grid.VoxelVolume() / Ball(r) - 1.0;
                std::printf("spacing %.2f x %.2f x %.2f  R %4.1f  phase (%5.2f %5.2f %5.2f)  tumour %+6.2f %%\n",
                            spacing[0], spacing[1], spacing[2], r, phase[0], phase[1], phase[2], 100.0 * tumour_error);
                double previous = 0.0;
                for (const double d : {3.0, 6.0, 9.0}) {
                    const PeritumoralRegion& ring = Get(result, "ring_" + DistanceName(d) + "mm");
                    const PeritumoralRegion& annulus =
                        Get(result, "annulus_" + DistanceName(previous) + "_" + DistanceName(d) + "mm");
                    const double ring_error = VolumeMm3(ring, c.grid) / (Ball(r + d) - Ball(r)) - 1.0;
                    const double annulus_error =
                        VolumeMm3(annulus, c.grid) / (Ball(r + d) - Ball(r + previous)) - 1.0;
                    std::printf("    ring_%gmm %+6.2f %%   annulus_%g_%gmm %+6.2f %%\n", d, 100.0 * ring_error,
                                previous, d, 100.0 * annulus_error);
                    EXPECT_LT(std::abs(ring_error), 0.02) << ring.name;
                    EXPECT_LT(std::abs(annulus_error), 0.02) << annulus.name;
                    EXPECT_EQ(ring.outside_image_voxels, 0U);
                    EXPECT_EQ(ring.unclipped_voxels, ring.voxel_count);
                    EXPECT_NEAR(ring.volume_ml, VolumeMm3(ring, c.grid) / 1000.0, 1e-12);
                    worst = std::max({worst, std::abs(ring_error), std::abs(annulus_error)});
                    previous = d;
                }
            }
    std::printf("worst ring/annulus volume error: %.2f %%\n", 100.0 * worst);
}

TEST(RegionsPeritumoral, AnnuliPartitionTheWidestRing) {
    const SphereCase c = CentredSphere({0.7, 0.7, 3.0}, 10.0, 9.0, {0.2, 0.1, 0.3});
    const BoxMask tumour = Sphere(c.grid, c.centre, 10.0);
    PeritumoralSettings settings;
    settings.annuli = true;
    settings.tumour_rings = true;
    const PeritumoralResult result = BuildPeritumoralRegions(tumour, c.grid, settings);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    const LabelMap ring9 = ToLabelMap(Get(result, "ring_9mm").mask, c.grid);
    const LabelMap ring3 = ToLabelMap(Get(result, "ring_3mm").mask, c.grid);
    const LabelMap tumour_ring3 = ToLabelMap(Get(result, "tumour_ring_3mm").mask, c.grid);
    const LabelMap tumour_full = ToLabelMap(tumour, c.grid);
    std::vector<LabelMap> annuli;
    for (const char* name : {"annulus_0_3mm", "annulus_3_6mm", "annulus_6_9mm"})
        annuli.push_back(ToLabelMap(Get(result, name).mask, c.grid));
    std::size_t ring9_voxels = 0;
    for (std::size_t n = 0; n < c.grid.VoxelCount(); ++n) {
        const int cover = annuli[0].Data()[n] + annuli[1].Data()[n] + annuli[2].Data()[n];
        ASSERT_EQ(cover, ring9.Data()[n]) << n; // disjoint, and together exactly ring_9mm
        ASSERT_EQ(annuli[0].Data()[n], ring3.Data()[n]);
        ASSERT_EQ(tumour_ring3.Data()[n], tumour_full.Data()[n] | ring3.Data()[n]);
        ASSERT_FALSE(ring9.Data()[n] != 0 && tumour_full.Data()[n] != 0); // rings exclude the tumour
        ring9_voxels += ring9.Data()[n];
    }
    EXPECT_EQ(ring9_voxels, Get(result, "ring_9mm").voxel_count);
    EXPECT_GT(ring9_voxels, 0U);
    EXPECT_EQ(Get(result, "tumour_ring_9mm").voxel_count, ring9_voxels + result.tumour_voxels);
}

TEST(RegionsPeritumoral, CoreOfACuboidKeepsExactLayersAwayFromItsEdges) {
    const Spacing spacing{0.75, 0.5, 2.5};
    const ImageGeometry g = Grid({30, 40, 14}, spacing);
    const Size lo{4, 5, 3};
    const Size length{20, 30, 8};
    BoxMask tumour;
    tumour.begin = lo;
    tumour.size = length;
    tumour.values.assign(length[0] * length[1] * length[2], 1);
    PeritumoralSettings settings;
    settings.rings = false;
    settings.core_distances_mm = {4.0, 1.0, 2.5, 9.0}; // sorted on output
    const PeritumoralResult result = BuildPeritumoralRegions(tumour, g, settings);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    ASSERT_EQ(result.regions.size(), 4U);
    EXPECT_EQ(result.regions[0].name, "core_1mm");
    const Size mid{lo[0] + length[0] / 2, lo[1] + length[1] / 2, lo[2] + length[2] / 2};
    for (const PeritumoralRegion& core : result.regions) {
        EXPECT_EQ(core.kind, PeritumoralKind::Core);
        EXPECT_EQ(core.clipped_voxels, 0U);
        // Far from the edges the surface is the face plane half a voxel beyond the last centre:
        // a voxel n layers in is (n + 1/2) s from it, so along the central line of each axis the
        // core loses m = #{n >= 0 : (n + 1/2) s <= d} layers at each end (the distances here are
        // at least 0.1 mm away from any (n + 1/2) s, beyond the lattice's sub-step offsets).
        std::size_t inside_box = 1;
        for (std::size_t a = 0; a < 3; ++a) {
            const double d = core.inner_mm;
            const std::size_t m = d < spacing[a] / 2 ? 0 : static_cast<std::size_t>(std::floor(d / spacing[a] - 0.5)) + 1;
            const std::size_t expected = length[a] > 2 * m ? length[a] - 2 * m : 0;
            inside_box *= expected;
            std::size_t along = 0;
            for (std::size_t n = 0; n < length[a]; ++n) {
                Size at = mid;
                at[a] = lo[a] + n;
                along += core.mask.At(at[0], at[1], at[2]) ? 1 : 0;
            }
            if (expected > 0 && inside_box > 0) {
                EXPECT_EQ(along, expected) << core.name << " axis " << a;
            }
        }
        // Near the edges the interpolated surface is rounded, so the core is the eroded box less
        // a little along its edges, never more.
        EXPECT_LE(core.voxel_count, inside_box) << core.name;
        EXPECT_GE(static_cast<double>(core.voxel_count), 0.9 * static_cast<double>(inside_box)) << core.name;
    }
    EXPECT_TRUE(Get(result, "core_9mm").mask.Empty()); // 8 slices of 2.5 mm: nothing is 9 mm deep
}

TEST(RegionsPeritumoral, CoreOfASphereNearsTheSmallerBall) {
    const SphereCase c = CentredSphere({0.7, 0.7, 1.25}, 15.0, 0.0, {0.1, 0.2, 0.3});
    const BoxMask tumour = Sphere(c.grid, c.centre, 15.0);
    PeritumoralSettings settings;
    settings.rings = false;
    settings.core_distances_mm = {2.0, 5.0};
    const PeritumoralResult result = BuildPeritumoralRegions(tumour, c.grid, settings);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    for (const PeritumoralRegion& core : result.regions) {
        // Compared as the radius of the ball of the core's volume: within 0.15 mm (a fifth of the
        // pixel) of R - d.
        const double radius = std::cbrt(VolumeMm3(core, c.grid) * 3.0 / (4.0 * kPi));
        std::printf("%s: equivalent radius %.3f mm vs R - d = %.3f mm\n", core.name.c_str(), radius,
                    15.0 - core.inner_mm);
        EXPECT_NEAR(radius, 15.0 - core.inner_mm, 0.15) << core.name;
    }
}

/// Brute force of the definition (peritumoral.h) on the image extended by `pad` voxels: the signed
/// distance between voxel centres from every voxel against every other, its trilinear
/// interpolation on the fine lattice, then every voxel against every lattice point.
TEST(RegionsPeritumoral, EqualsBruteForceDefinitionAtTheImageEdgeWithClipping) {
    const Spacing spacing{0.75, 0.5, 1.25};
    const long nx = 14, ny = 16, nz = 9;
    const ImageGeometry g = Grid({14, 16, 9}, spacing);
    std::mt19937 rng(5);
    std::bernoulli_distribution coin(0.6);
    LabelMap tumour_full(g, 0);
    LabelMap clip_full(g, 0);
    for (long k = 0; k < nz; ++k)
        for (long j = 0; j < ny; ++j)
            for (long i = 0; i < nx; ++i) {
                // A random blob touching the x = 0 and z = 0 faces of the image.
                tumour_full.At(i, j, k) = i < 5 && j >= 6 && j < 11 && k < 4 && coin(rng) ? 1 : 0;
                clip_full.At(i, j, k) = coin(rng) ? 1 : 0;
            }
    const BoxMask tumour = BoxMaskFromVolume(tumour_full);
    const BoxMask clip = BoxMaskFromVolume(clip_full);
    PeritumoralSettings settings;
    settings.distances_mm = {1.0, 2.5};
    settings.annuli = true;
    settings.tumour_rings = true;
    settings.core_distances_mm = {0.2, 0.5};
    settings.clip = PeritumoralClip::Body;
    const PeritumoralResult result = BuildPeritumoralRegions(tumour, g, settings, &clip);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    ASSERT_EQ(result.regions.size(), 8U);

    const long pad = 6; // beyond 2.5 mm at every spacing
    const long ex = nx + 2 * pad, ey = ny + 2 * pad, ez = nz + 2 * pad; // extended grid, index + pad
    auto in_image = [&](long i, long j, long k) { return i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz; };
    auto is_tumour = [&](long i, long j, long k) { return in_image(i, j, k) && tumour_full.At(i, j, k) != 0; };
    // Signed centre distance on the extended grid.
    std::vector<double> phi(static_cast<std::size_t>(ex * ey * ez));
    auto at = [&](long i, long j, long k) { return static_cast<std::size_t>((i + pad) + ex * ((j + pad) + ey * (k + pad))); };
    for (long k = -pad; k < nz + pad; ++k)
        for (long j = -pad; j < ny + pad; ++j)
            for (long i = -pad; i < nx + pad; ++i) {
                const bool t = is_tumour(i, j, k);
                double best = std::numeric_limits<double>::infinity();
                for (long z = -pad; z < nz + pad; ++z)
                    for (long y = -pad; y < ny + pad; ++y)
                        for (long x = -pad; x < nx + pad; ++x)
                            if (is_tumour(x, y, z) != t) {
                                const double dx = spacing[0] * static_cast<double>(i - x);
                                const double dy = spacing[1] * static_cast<double>(j - y);
                                const double dz = spacing[2] * static_cast<double>(k - z);
                                best = std::min(best, dx * dx + dy * dy + dz * dz);
                            }
                phi[at(i, j, k)] = t ? -std::sqrt(best) : std::sqrt(best);
            }
    // Fine lattice points around the tumour (1 voxel beyond its box: enough for both signs).
    std::array<long, 3> m{};
    for (std::size_t a = 0; a < 3; ++a)
        m[a] = static_cast<long>(std::ceil(spacing[a] / kPeritumoralInterpolationStepMm - 1e-9));
    struct Point {
        double x, y, z; // mm
        double value;
    };
    std::vector<Point> lattice;
    const std::array<long, 3> lo{static_cast<long>(tumour.begin[0]) - 1, static_cast<long>(tumour.begin[1]) - 1,
                                 static_cast<long>(tumour.begin[2]) - 1};
    const std::array<long, 3> hi{static_cast<long>(tumour.begin[0] + tumour.size[0]),
                                 static_cast<long>(tumour.begin[1] + tumour.size[1]),
                                 static_cast<long>(tumour.begin[2] + tumour.size[2])};
    for (long ck = lo[2]; ck < hi[2]; ++ck)
        for (long rk = 0; rk < m[2]; ++rk)
            for (long cj = lo[1]; cj < hi[1]; ++cj)
                for (long rj = 0; rj < m[1]; ++rj)
                    for (long ci = lo[0]; ci < hi[0]; ++ci)
                        for (long ri = 0; ri < m[0]; ++ri) {
                            const double tx = (static_cast<double>(ri) + 0.5) / static_cast<double>(m[0]);
                            const double ty = (static_cast<double>(rj) + 0.5) / static_cast<double>(m[1]);
                            const double tz = (static_cast<double>(rk) + 0.5) / static_cast<double>(m[2]);
                            auto column = [&](long k) {
                                const double low = (1 - tx) * phi[at(ci, cj, k)] + tx * phi[at(ci + 1, cj, k)];
                                const double high = (1 - tx) * phi[at(ci, cj + 1, k)] + tx * phi[at(ci + 1, cj + 1, k)];
                                return (1 - ty) * low + ty * high;
                            };
                            lattice.push_back({(static_cast<double>(ci) + tx) * spacing[0],
                                               (static_cast<double>(cj) + ty) * spacing[1],
                                               (static_cast<double>(ck) + tz) * spacing[2],
                                               (1 - tz) * column(ck) + tz * column(ck + 1)});
                        }
    auto nearest = [&](long i, long j, long k, bool inside_points) {
        double best = std::numeric_limits<double>::infinity();
        for (const Point& p : lattice)
            if (inside_points ? p.value <= 0.0 : p.value >= 0.0) {
                const double dx = static_cast<double>(i) * spacing[0] - p.x;
                const double dy = static_cast<double>(j) * spacing[1] - p.y;
                const double dz = static_cast<double>(k) * spacing[2] - p.z;
                best = std::min(best, dz * dz + dy * dy + dx * dx);
            }
        return best;
    };
    std::vector<double> to_surface(phi.size()), from_inside(phi.size());
    for (long k = -pad; k < nz + pad; ++k)
        for (long j = -pad; j < ny + pad; ++j)
            for (long i = -pad; i < nx + pad; ++i) {
                const bool t = is_tumour(i, j, k);
                to_surface[at(i, j, k)] = t ? 0.0 : nearest(i, j, k, true);
                from_inside[at(i, j, k)] = t ? nearest(i, j, k, false) : 0.0;
            }
    // Lattice positions are computed from another origin in the code, so a squared distance
    // within 1e-9 of a limit may round either way: such voxels are not compared.
    auto near_limit = [](double d2, double mm) { return mm > 0.0 && std::abs(d2 - mm * mm) < 1e-9 * mm * mm + 1e-12; };
    std::size_t compared = 0;
    for (const PeritumoralRegion& region : result.regions) {
        std::size_t unclipped = 0, outside = 0, clipped = 0, kept = 0;
        bool exact_counts = true;
        for (long k = -pad; k < nz + pad; ++k)
            for (long j = -pad; j < ny + pad; ++j)
                for (long i = -pad; i < nx + pad; ++i) {
                    const bool t = is_tumour(i, j, k);
                    bool member = false;
                    bool ambiguous = false;
                    if (region.kind == PeritumoralKind::Core) {
                        const double d2 = from_inside[at(i, j, k)];
                        member = t && d2 > region.inner_mm * region.inner_mm * (1 + 1e-9);
                        ambiguous = t && near_limit(d2, region.inner_mm);
                    } else {
                        const double d2 = to_surface[at(i, j, k)];
                        const bool within = d2 <= region.outer_mm * region.outer_mm * (1 + 1e-9);
                        const bool beyond = d2 > region.inner_mm * region.inner_mm * (1 + 1e-9);
                        member = region.kind == PeritumoralKind::TumourRing ? t || within : !t && beyond && within;
                        ambiguous = !t && (near_limit(d2, region.outer_mm) || near_limit(d2, region.inner_mm));
                    }
                    if (ambiguous) {
                        exact_counts = false;
                        continue;
                    }
                    bool in_result = false;
                    if (member) {
                        ++unclipped;
                        if (!in_image(i, j, k))
                            ++outside;
                        else if (!t && clip_full.At(i, j, k) == 0)
                            ++clipped;
                        else
                            in_result = true;
                    }
                    kept += in_result ? 1 : 0;
                    if (in_image(i, j, k)) {
                        ++compared;
                        ASSERT_EQ(region.mask.At(i, j, k), in_result) << region.name << " " << i << " " << j << " " << k;
                    }
                }
        if (exact_counts) {
            EXPECT_EQ(region.unclipped_voxels, unclipped) << region.name;
            EXPECT_EQ(region.outside_image_voxels, outside) << region.name;
            EXPECT_EQ(region.clipped_voxels, clipped) << region.name;
            EXPECT_EQ(region.voxel_count, kept) << region.name;
        }
        if (region.kind != PeritumoralKind::Core) {
            EXPECT_GT(region.outside_image_voxels, 0U) << region.name; // the blob touches the image edge
            EXPECT_GT(region.clipped_voxels, 0U) << region.name;
            EXPECT_DOUBLE_EQ(region.clipped_fraction,
                             static_cast<double>(region.clipped_voxels) /
                                 static_cast<double>(region.unclipped_voxels - region.outside_image_voxels));
            EXPECT_DOUBLE_EQ(region.outside_image_fraction, static_cast<double>(region.outside_image_voxels) /
                                                                static_cast<double>(region.unclipped_voxels));
        }
        EXPECT_GT(region.voxel_count, 0U) << region.name;
    }
    EXPECT_GT(compared, 8U * 14U * 16U * 9U * 9U / 10U); // ties are rare
}

TEST(RegionsPeritumoral, HalfSpaceClipRemovesHalfTheRingBySymmetry) {
    // Centre on the voxel-centre plane k = kc: the voxelised sphere and its rings are mirror
    // symmetric about it, so clipping to k >= kc removes (N - N_plane) / 2 of N ring voxels.
    SphereCase c = CentredSphere({0.7, 0.7, 3.0}, 15.0, 9.0, {0.3, 0.1, 0.0});
    const BoxMask tumour = Sphere(c.grid, c.centre, 15.0);
    const auto kc = static_cast<std::size_t>(c.centre[2]);
    LabelMap half(c.grid, 0);
    for (std::size_t k = kc; k < c.grid.size[2]; ++k)
        std::fill(half.Slice(k).begin(), half.Slice(k).end(), std::uint8_t{1});
    const BoxMask clip = BoxMaskFromVolume(half);
    PeritumoralSettings settings;
    settings.tumour_rings = true;
    const PeritumoralResult open = BuildPeritumoralRegions(tumour, c.grid, settings);
    settings.clip = PeritumoralClip::Lungs;
    const PeritumoralResult clipped = BuildPeritumoralRegions(tumour, c.grid, settings, &clip);
    ASSERT_TRUE(open.IsOk() && clipped.IsOk());
    for (const double d : {3.0, 6.0, 9.0}) {
        const std::string name = "ring_" + DistanceName(d) + "mm";
        const PeritumoralRegion& full = Get(open, name);
        const PeritumoralRegion& cut = Get(clipped, name);
        std::size_t plane = 0;
        for (std::size_t j = 0; j < c.grid.size[1]; ++j)
            for (std::size_t i = 0; i < c.grid.size[0]; ++i)
                plane += full.mask.At(i, j, kc) ? 1 : 0;
        EXPECT_EQ(cut.unclipped_voxels, full.voxel_count);
        EXPECT_EQ(2 * cut.clipped_voxels, full.voxel_count - plane) << name;
        EXPECT_EQ(cut.voxel_count + cut.clipped_voxels, full.voxel_count);
        EXPECT_NEAR(cut.clipped_fraction, 0.5, 0.1) << name;
        EXPECT_GE(cut.mask.begin[2], kc);
        std::printf("%s: clipped fraction %.4f\n", name.c_str(), cut.clipped_fraction);
        // The tumour is never clipped: tumour_ring loses exactly the ring's clipped voxels.
        const PeritumoralRegion& tumour_ring = Get(clipped, "tumour_ring_" + DistanceName(d) + "mm");
        EXPECT_EQ(tumour_ring.voxel_count, cut.voxel_count + clipped.tumour_voxels);
        EXPECT_EQ(tumour_ring.clipped_voxels, cut.clipped_voxels);
    }
}

TEST(RegionsPeritumoral, RingsAtTheImageEdgeAreCutAndCounted) {
    // The same sphere (same sub-voxel phase) in the middle of a grid and touching its z = 0 and
    // x = 0 faces: the unclipped rings are identical, the cut is exactly what falls off the grid.
    const Spacing spacing{0.8, 0.8, 1.25};
    const SphereCase middle = CentredSphere(spacing, 12.0, 9.0, {0.25, 0.1, 0.4});
    const BoxMask inner = Sphere(middle.grid, middle.centre, 12.0);
    const Size shift{inner.begin[0], 0, inner.begin[2]}; // move the tumour's box to i = 0, k = 0
    const Centre edge_centre{middle.centre[0] - static_cast<double>(shift[0]), middle.centre[1],
                             middle.centre[2] - static_cast<double>(shift[2])};
    const BoxMask at_edge = Sphere(middle.grid, edge_centre, 12.0);
    ASSERT_EQ(at_edge.begin[0], 0U);
    ASSERT_EQ(at_edge.begin[2], 0U);
    ASSERT_EQ(at_edge.Count(), inner.Count());
    const PeritumoralResult a = BuildPeritumoralRegions(inner, middle.grid, {});
    const PeritumoralResult b = BuildPeritumoralRegions(at_edge, middle.grid, {});
    ASSERT_TRUE(a.IsOk() && b.IsOk());
    for (std::size_t r = 0; r < 3; ++r) {
        const PeritumoralRegion& full = a.regions[r];
        const PeritumoralRegion& cut = b.regions[r];
        std::size_t off_grid = 0;
        for (std::size_t k = 0; k < middle.grid.size[2]; ++k)
            for (std::size_t j = 0; j < middle.grid.size[1]; ++j)
                for (std::size_t i = 0; i < middle.grid.size[0]; ++i)
                    off_grid += full.mask.At(i, j, k) && (i < shift[0] || k < shift[2]) ? 1 : 0;
        EXPECT_EQ(cut.unclipped_voxels, full.voxel_count) << cut.name;
        EXPECT_EQ(cut.outside_image_voxels, off_grid) << cut.name;
        EXPECT_GT(cut.outside_image_voxels, 0U);
        EXPECT_EQ(cut.voxel_count + cut.outside_image_voxels, cut.unclipped_voxels);
        EXPECT_EQ(cut.mask.begin[0], 0U);
        EXPECT_EQ(cut.mask.begin[2], 0U);
        EXPECT_GT(cut.outside_image_fraction, 0.1);
        EXPECT_EQ(cut.clipped_fraction, 0.0);
    }
}

TEST(RegionsPeritumoral, PhantomTumourRingsClippedToTheLungs) {
    phantom::PhantomOptions options;
    options.columns = 440; // 308 mm field of view holds the right lung and its chest wall
    options.rows = 320;
    options.tumour_in_lung = false; // juxtapleural: the sphere reaches into the chest wall
    options.tumour_centre_mm = phantom::kJuxtapleuralTumourCentreMm;
    options.slices = 50; // +/- 75 mm: the tumour (z = 40 mm, R = 15 mm) plus 9 mm
    options.noise_hu = 0.0;
    const phantom::ThoraxPhantom p = phantom::GenerateThoraxPhantom(options);
    using phantom::Tissue;
    LabelMap lungs(p.labels.Geometry(), 0);
    for (std::size_t n = 0; n < lungs.Data().size(); ++n) {
        const auto t = static_cast<Tissue>(p.labels.Data()[n]);
        lungs.Data()[n] = t == Tissue::RightLung || t == Tissue::RightLungVessel || t == Tissue::LeftLung ||
                                  t == Tissue::LeftLungVessel || t == Tissue::Tumour
                              ? 1
                              : 0;
    }
    const BoxMask tumour = BoxMaskFromLabels(p.tumour_mask);
    const BoxMask clip = BoxMaskFromVolume(lungs);
    PeritumoralSettings settings;
    settings.clip = PeritumoralClip::Lungs;
    const PeritumoralResult result = BuildPeritumoralRegions(tumour, p.labels.Geometry(), settings, &clip);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.tumour_voxels, p.truth.tumour.voxel_count);
    const double r = p.truth.tumour.radius_mm;
    double previous_fraction = 0.0;
    for (const PeritumoralRegion& ring : result.regions) {
        const double unclipped_mm3 = static_cast<double>(ring.unclipped_voxels) * p.labels.Geometry().VoxelVolume();
        const double error = unclipped_mm3 / (Ball(r + ring.outer_mm) - Ball(r)) - 1.0;
        std::printf("phantom %s: unclipped %+6.2f %% vs shell, clipped fraction %.4f\n", ring.name.c_str(),
                    100.0 * error, ring.clipped_fraction);
        EXPECT_LT(std::abs(error), 0.02) << ring.name;
        EXPECT_EQ(ring.outside_image_voxels, 0U);
        EXPECT_GT(ring.clipped_fraction, previous_fraction); // wider rings reach further out of the lung
        previous_fraction = ring.clipped_fraction;
        for (std::size_t k = 0; k < ring.mask.size[2]; ++k)
            for (std::size_t j = 0; j < ring.mask.size[1]; ++j)
                for (std::size_t i = 0; i < ring.mask.size[0]; ++i) {
                    const std::size_t gi = ring.mask.begin[0] + i, gj = ring.mask.begin[1] + j,
                                      gk = ring.mask.begin[2] + k;
                    if (ring.mask.At(gi, gj, gk)) {
                        ASSERT_EQ(lungs.At(gi, gj, gk), 1);
                        ASSERT_EQ(p.tumour_mask.At(gi, gj, gk), 0);
                    }
                }
    }
    EXPECT_GT(Get(result, "ring_3mm").clipped_fraction, 0.05); // the tumour touches the chest wall
}

TEST(RegionsPeritumoral, ErrorsAreValues) {
    const ImageGeometry g = Grid({10, 10, 10}, {1.0, 1.0, 1.0});
    const BoxMask nothing;
    PeritumoralResult r = BuildPeritumoralRegions(nothing, g, {});
    EXPECT_EQ(r.status, PeritumoralStatus::EmptyTumour);
    EXPECT_STREQ(PeritumoralStatusName(r.status), "empty_tumour");
    EXPECT_TRUE(r.regions.empty());
    EXPECT_FALSE(r.reason.empty());

    BoxMask zeros;
    zeros.begin = {2, 2, 2};
    zeros.size = {3, 3, 3};
    zeros.values.assign(27, 0);
    EXPECT_EQ(BuildPeritumoralRegions(zeros, g, {}).status, PeritumoralStatus::EmptyTumour);

    BoxMask dot = zeros;
    dot.values[13] = 1;
    PeritumoralSettings bad;
    bad.distances_mm = {3.0, -1.0};
    EXPECT_EQ(BuildPeritumoralRegions(dot, g, bad).status, PeritumoralStatus::InvalidSettings);
    bad.distances_mm = {3.0, 3.001};
    EXPECT_EQ(BuildPeritumoralRegions(dot, g, bad).status, PeritumoralStatus::InvalidSettings);
    bad.distances_mm = {std::nan("")};
    EXPECT_EQ(BuildPeritumoralRegions(dot, g, bad).status, PeritumoralStatus::InvalidSettings);
    bad.distances_mm = {3.0};
    bad.core_distances_mm = {kMaxPeritumoralDistanceMm * 2};
    EXPECT_EQ(BuildPeritumoralRegions(dot, g, bad).status, PeritumoralStatus::InvalidSettings);

    BoxMask outside = dot;
    outside.begin = {8, 2, 2}; // 8 + 3 > 10
    EXPECT_EQ(BuildPeritumoralRegions(outside, g, {}).status, PeritumoralStatus::InvalidTumour);

    PeritumoralSettings clipped;
    clipped.clip = PeritumoralClip::Lungs;
    EXPECT_EQ(BuildPeritumoralRegions(dot, g, clipped).status, PeritumoralStatus::MissingClipMask);
    EXPECT_EQ(BuildPeritumoralRegions(dot, g, clipped, &nothing).status, PeritumoralStatus::MissingClipMask);
    EXPECT_EQ(BuildPeritumoralRegions(dot, g, clipped, &outside).status, PeritumoralStatus::InvalidClipMask);
    // A clip mask without clipping requested is ignored.
    const PeritumoralResult ignored = BuildPeritumoralRegions(dot, g, {}, &zeros);
    ASSERT_TRUE(ignored.IsOk());
    EXPECT_EQ(ignored.regions.front().clipped_voxels, 0U);
    EXPECT_GT(ignored.regions.front().voxel_count, 0U);
}

TEST(RegionsPeritumoral, NamesAreStable) {
    EXPECT_EQ(DistanceName(3.0), "3");
    EXPECT_EQ(DistanceName(1.5), "1p5");
    EXPECT_EQ(DistanceName(0.25), "0p25");
    EXPECT_EQ(DistanceName(10.0), "10");
    const ImageGeometry g = Grid({20, 20, 20}, {1.0, 1.0, 1.0});
    BoxMask dot;
    dot.begin = {10, 10, 10};
    dot.size = {1, 1, 1};
    dot.values = {1};
    PeritumoralSettings s;
    s.distances_mm = {4.5, 1.5};
    s.annuli = true;
    s.tumour_rings = true;
    s.core_distances_mm = {2.0};
    const PeritumoralResult r = BuildPeritumoralRegions(dot, g, s);
    ASSERT_TRUE(r.IsOk());
    std::vector<std::string> names;
    for (const PeritumoralRegion& region : r.regions)
        names.push_back(region.name);
    EXPECT_EQ(names, (std::vector<std::string>{"ring_1p5mm", "ring_4p5mm", "annulus_0_1p5mm", "annulus_1p5_4p5mm",
                                               "tumour_ring_1p5mm", "tumour_ring_4p5mm", "core_2mm"}));
    // A single 1 mm voxel: its interpolated surface lies within half a voxel of its centre, so
    // the 1.5 mm ring holds its 26 neighbours and nothing two voxels (2 mm) away, whose distance
    // exceeds 1.5 mm because no lattice point lies exactly on the axis.
    EXPECT_EQ(r.regions[0].voxel_count, 26U);
    EXPECT_TRUE(r.regions.back().mask.Empty()); // a 1 mm voxel has no 2 mm core
    EXPECT_EQ(r.regions.back().voxel_count, 0U);
}

} // namespace
} // namespace radnode::processing::regions
