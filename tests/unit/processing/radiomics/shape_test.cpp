#include "baseline_support.h"
#include "processing/radiomics/shape.h"
#include "processing/radiomics/shape2d.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>

namespace radnode::processing::radiomics {
namespace {

using test::ByName;

/// An empty region of the given box size and spacing; voxels are added with Set.
struct RegionBuilder {
    Region r;
    RegionBuilder(std::array<std::size_t, 3> size, std::array<double, 3> spacing) {
        r.size = size;
        r.spacing = spacing;
        r.image.assign(r.BoxVoxelCount(), 0.0);
        r.mask.assign(r.BoxVoxelCount(), 0);
        r.shape_mask.assign(r.BoxVoxelCount(), 0);
    }
    void Set(std::size_t i, std::size_t j, std::size_t k) {
        r.mask[r.Index(i, j, k)] = 1;
        r.shape_mask[r.Index(i, j, k)] = 1;
    }
    /// Voxels [lo, lo + n) along x, y, z.
    void Box(std::array<std::size_t, 3> lo, std::array<std::size_t, 3> n) {
        for (std::size_t k = lo[2]; k < lo[2] + n[2]; ++k)
            for (std::size_t j = lo[1]; j < lo[1] + n[1]; ++j)
                for (std::size_t i = lo[0]; i < lo[0] + n[0]; ++i)
                    Set(i, j, k);
    }
};

// ---------------------------------------------------------------------------------------------
// PyRadiomics baselines

class RadiomicsShapeBaseline : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsShapeBaseline, MatchesPyRadiomicsBaseline) {
    const std::string name = GetParam();
    Settings s;
    Region r;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion(name, s, r));
    auto expected = test::BaselineColumn("shape", name);
    if (name == "brain1") {
        // Stale PyRadiomics 2.0 cells (see tests/data/pyradiomics/README.md): use the live run.
        const auto peer = test::PeerOutputs("brain1");
        for (const char* f : {"MeshVolume", "SurfaceArea", "Sphericity", "SurfaceVolumeRatio"}) {
            const std::string key = std::string("original_shape_") + f;
            ASSERT_TRUE(peer.count(key)) << key;
            expected[key] = peer.at(key);
        }
    }
    test::ExpectMatchesBaseline(ComputeShape(r, s), expected,
                                {.cls = "shape", .walk = test::BaselineWalk::Features, .expected_count = 14}, name);
}

INSTANTIATE_TEST_SUITE_P(RadiomicsShapeCases, RadiomicsShapeBaseline, ::testing::ValuesIn(test::ReferenceCaseNames()),
                         test::ParamName);

TEST(RadiomicsShapeTest, OrderAndDeprecatedFeatures) {
    RegionBuilder b({4, 4, 4}, {1, 1, 1});
    b.Box({0, 0, 0}, {3, 4, 2});
    const Features f = ComputeShape(b.r, Settings{});
    ASSERT_EQ(f.size(), 17U);
    for (std::size_t i = 1; i < f.size(); ++i)
        EXPECT_LT(f[i - 1].name.substr(6) + "FeatureValue", f[i].name.substr(6) + "FeatureValue");
    std::set<std::string> on_request;
    for (const Feature& x : f)
        if (x.on_request)
            on_request.insert(x.name);
    EXPECT_EQ(on_request,
              (std::set<std::string>{"shape_Compactness1", "shape_Compactness2", "shape_SphericalDisproportion"}));
    const auto v = ByName(f);
    const double sph = v.at("shape_Sphericity");
    EXPECT_NEAR(v.at("shape_Compactness2"), sph * sph * sph, 1e-12);
    EXPECT_NEAR(v.at("shape_Compactness1"), std::sqrt(sph * sph * sph) / (6 * std::numbers::pi), 1e-12);
    EXPECT_NEAR(v.at("shape_SphericalDisproportion"), 1 / sph, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Closed forms. The marching-cubes mesh of a box of n voxels per axis is the box of voxel
// centres (edges d = n - 1) grown by the octahedron |x|+|y|+|z| <= 1/2 (faces at half a voxel,
// chamfered edges and corners). Steiner's formula gives, in voxel units,
//   V = d0 d1 d2 + (d0 d1 + d1 d2 + d2 d0) + (d0 + d1 + d2) / 2 + 1/6,
//   A = 2 (d0 d1 + d1 d2 + d2 d0) + 2 sqrt(2) (d0 + d1 + d2) + sqrt(3),
// and its farthest vertices are opposite corners, one pushed out by 1/2 along an axis.

double BoxDiameter(std::initializer_list<std::pair<double, double>> axes) { // (spacing, d)
    double sum = 0.0;
    double extra = 0.0;
    for (const auto& [s, d] : axes) {
        sum += s * d * s * d;
        extra = std::max(extra, s * s * (2 * d + 1));
    }
    return std::sqrt(sum + extra);
}

TEST(RadiomicsShapeTest, VoxelisedBoxHasExactMeshVolumeAreaAndDiameters) {
    const std::array<double, 3> sp{0.7, 1.1, 2.5};
    RegionBuilder b({9, 8, 6}, sp);
    const std::array<std::size_t, 3> n{5, 3, 4};
    b.Box({2, 1, 1}, n);
    const auto v = ByName(ComputeShape(b.r, Settings{}));
    const double dx = n[0] - 1.0, dy = n[1] - 1.0, dz = n[2] - 1.0;
    const double voxel = sp[0] * sp[1] * sp[2];
    const double volume = voxel * (dx * dy * dz + dx * dy + dy * dz + dz * dx + (dx + dy + dz) / 2 + 1.0 / 6);
    EXPECT_NEAR(v.at("shape_MeshVolume"), volume, 1e-12 * volume);
    EXPECT_NEAR(v.at("shape_VoxelVolume"), 60 * voxel, 1e-12);
    EXPECT_NEAR(v.at("shape_Maximum3DDiameter"), BoxDiameter({{sp[0], dx}, {sp[1], dy}, {sp[2], dz}}), 1e-12);
    EXPECT_NEAR(v.at("shape_Maximum2DDiameterSlice"), BoxDiameter({{sp[0], dx}, {sp[1], dy}}), 1e-12);
    EXPECT_NEAR(v.at("shape_Maximum2DDiameterColumn"), BoxDiameter({{sp[0], dx}, {sp[2], dz}}), 1e-12);
    EXPECT_NEAR(v.at("shape_Maximum2DDiameterRow"), BoxDiameter({{sp[1], dy}, {sp[2], dz}}), 1e-12);
    // PCA of a uniform grid: variance (n^2 - 1) / 12 per axis, in mm^2.
    std::array<double, 3> lambda{sp[0] * sp[0] * (25 - 1) / 12.0, sp[1] * sp[1] * (9 - 1) / 12.0,
                                 sp[2] * sp[2] * (16 - 1) / 12.0};
    std::sort(lambda.begin(), lambda.end());
    EXPECT_NEAR(v.at("shape_LeastAxisLength"), 4 * std::sqrt(lambda[0]), 1e-12);
    EXPECT_NEAR(v.at("shape_MinorAxisLength"), 4 * std::sqrt(lambda[1]), 1e-12);
    EXPECT_NEAR(v.at("shape_MajorAxisLength"), 4 * std::sqrt(lambda[2]), 1e-12);
    EXPECT_NEAR(v.at("shape_Elongation"), std::sqrt(lambda[1] / lambda[2]), 1e-12);
    EXPECT_NEAR(v.at("shape_Flatness"), std::sqrt(lambda[0] / lambda[2]), 1e-12);
}

TEST(RadiomicsShapeTest, UnitBoxSurfaceArea) {
    RegionBuilder b({3, 5, 4}, {1, 1, 1});
    b.Box({0, 0, 0}, {3, 5, 4});
    const auto v = ByName(ComputeShape(b.r, Settings{}));
    const double d0 = 2, d1 = 4, d2 = 3;
    const double area = 2 * (d0 * d1 + d1 * d2 + d2 * d0) + 2 * std::sqrt(2.0) * (d0 + d1 + d2) + std::sqrt(3.0);
    EXPECT_NEAR(v.at("shape_SurfaceArea"), area, 1e-12 * area);
    const double volume = d0 * d1 * d2 + d0 * d1 + d1 * d2 + d2 * d0 + (d0 + d1 + d2) / 2 + 1.0 / 6;
    EXPECT_NEAR(v.at("shape_SurfaceVolumeRatio"), area / volume, 1e-12);
    EXPECT_NEAR(v.at("shape_Sphericity"), std::cbrt(36 * std::numbers::pi * volume * volume) / area, 1e-12);
}

// One voxel: the octahedron with vertices at the face centres.
TEST(RadiomicsShapeTest, SingleVoxelIsAnOctahedron) {
    RegionBuilder b({1, 1, 1}, {2, 2, 2});
    b.Set(0, 0, 0);
    const auto v = ByName(ComputeShape(b.r, Settings{}));
    EXPECT_NEAR(v.at("shape_MeshVolume"), 8.0 / 6, 1e-14);
    EXPECT_NEAR(v.at("shape_SurfaceArea"), 4 * std::sqrt(3.0), 1e-13);
    EXPECT_NEAR(v.at("shape_Maximum3DDiameter"), 2.0, 1e-14);
    EXPECT_EQ(v.at("shape_MajorAxisLength"), 0.0);
}

// Two voxels touching only at an edge: the mesh is two octahedra (an ambiguous face case),
// volumes add up.
TEST(RadiomicsShapeTest, DisconnectedPartsAddUp) {
    RegionBuilder b({2, 2, 5}, {1, 1, 1});
    b.Set(0, 0, 0);
    b.Set(1, 1, 0);
    b.Set(0, 0, 4);
    const auto v = ByName(ComputeShape(b.r, Settings{}));
    EXPECT_NEAR(v.at("shape_MeshVolume"), 3.0 / 6, 1e-14);
    EXPECT_NEAR(v.at("shape_SurfaceArea"), 3 * std::sqrt(3.0), 1e-13);
}

TEST(RadiomicsShapeTest, EmptyMaskIsRefused) {
    RegionBuilder b({2, 2, 2}, {1, 1, 1});
    EXPECT_THROW(ComputeShape(b.r, Settings{}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// shape2D. The marching-squares outline of an a x b pixel rectangle (d = n - 1) is the
// rectangle of pixel centres grown by the diamond |u|+|v| <= 1/2: area d0 d1 + d0 + d1 + 1/2
// pixels, sides d plus four chamfers of half a pixel diagonal.

Settings Force2D(int dimension) {
    Settings s;
    s.force_2d = true;
    s.force_2d_dimension = dimension;
    return s;
}

TEST(RadiomicsShape2DTest, RectangleInAxialPlane) {
    const std::array<double, 3> sp{0.6, 0.9, 5.0};
    RegionBuilder b({7, 6, 3}, sp);
    b.Box({1, 2, 1}, {4, 3, 1}); // 4 along x, 3 along y, slice k = 1
    const Features f = ComputeShape2D(b.r, Force2D(0));
    ASSERT_EQ(f.size(), 10U);
    for (std::size_t i = 1; i < f.size(); ++i)
        EXPECT_LT(f[i - 1].name.substr(8) + "FeatureValue", f[i].name.substr(8) + "FeatureValue");
    const auto v = ByName(f);
    const double dx = 3, dy = 2;
    const double area = sp[0] * sp[1] * (dx * dy + dx + dy + 0.5);
    const double perimeter = 2 * dx * sp[0] + 2 * dy * sp[1] + 4 * std::hypot(0.5 * sp[0], 0.5 * sp[1]);
    EXPECT_NEAR(v.at("shape2D_MeshSurface"), area, 1e-12);
    EXPECT_NEAR(v.at("shape2D_Perimeter"), perimeter, 1e-12);
    EXPECT_NEAR(v.at("shape2D_PerimeterSurfaceRatio"), perimeter / area, 1e-12);
    EXPECT_NEAR(v.at("shape2D_PixelSurface"), 12 * sp[0] * sp[1], 1e-12);
    EXPECT_NEAR(v.at("shape2D_MaximumDiameter"), BoxDiameter({{sp[0], dx}, {sp[1], dy}}), 1e-12);
    const double sph = 2 * std::sqrt(std::numbers::pi * area) / perimeter;
    EXPECT_NEAR(v.at("shape2D_Sphericity"), sph, 1e-12);
    EXPECT_NEAR(v.at("shape2D_SphericalDisproportion"), 1 / sph, 1e-12);
    const double lx = sp[0] * sp[0] * (16 - 1) / 12.0;
    const double ly = sp[1] * sp[1] * (9 - 1) / 12.0;
    EXPECT_NEAR(v.at("shape2D_MajorAxisLength"), 4 * std::sqrt(std::max(lx, ly)), 1e-12);
    EXPECT_NEAR(v.at("shape2D_MinorAxisLength"), 4 * std::sqrt(std::min(lx, ly)), 1e-12);
    EXPECT_NEAR(v.at("shape2D_Elongation"), std::sqrt(std::min(lx, ly) / std::max(lx, ly)), 1e-12);
}

// A radius-1 digital disc (a plus of 5 pixels): its outline is the diamond |u|+|v| <= 3/2,
// area 4.5, perimeter 6 sqrt(2), diameter 3; PCA variance 2/5 on both axes.
TEST(RadiomicsShape2DTest, PlusShapedDiscInCoronalPlane) {
    RegionBuilder b({3, 2, 3}, {1, 1, 1});
    for (const auto& [i, k] :
         std::array<std::pair<std::size_t, std::size_t>, 5>{{{1, 1}, {0, 1}, {2, 1}, {1, 0}, {1, 2}}})
        b.Set(i, 1, k);
    const auto v = ByName(ComputeShape2D(b.r, Force2D(1)));
    EXPECT_NEAR(v.at("shape2D_MeshSurface"), 4.5, 1e-13);
    EXPECT_NEAR(v.at("shape2D_Perimeter"), 6 * std::sqrt(2.0), 1e-13);
    EXPECT_NEAR(v.at("shape2D_MaximumDiameter"), 3.0, 1e-13);
    EXPECT_NEAR(v.at("shape2D_PixelSurface"), 5.0, 1e-13);
    EXPECT_NEAR(v.at("shape2D_MajorAxisLength"), 4 * std::sqrt(0.4), 1e-12);
    EXPECT_NEAR(v.at("shape2D_MinorAxisLength"), 4 * std::sqrt(0.4), 1e-12);
    EXPECT_NEAR(v.at("shape2D_Elongation"), 1.0, 1e-12);
}

// Sagittal plane: the in-plane axes are (z, y) with their own spacings.
TEST(RadiomicsShape2DTest, SagittalPlaneUsesZAndYSpacing) {
    const std::array<double, 3> sp{3.0, 0.5, 2.0};
    RegionBuilder b({1, 4, 2}, sp);
    b.Box({0, 0, 0}, {1, 4, 2});
    const auto v = ByName(ComputeShape2D(b.r, Force2D(2)));
    const double dy = 3, dz = 1;
    EXPECT_NEAR(v.at("shape2D_MeshSurface"), sp[1] * sp[2] * (dy * dz + dy + dz + 0.5), 1e-12);
    EXPECT_NEAR(v.at("shape2D_PixelSurface"), 8 * sp[1] * sp[2], 1e-12);
    EXPECT_NEAR(v.at("shape2D_MaximumDiameter"), BoxDiameter({{sp[1], dy}, {sp[2], dz}}), 1e-12);
}

TEST(RadiomicsShape2DTest, RefusesWhatPyRadiomicsRefuses) {
    RegionBuilder b({3, 3, 2}, {1, 1, 1});
    b.Set(1, 1, 0);
    b.Set(1, 1, 1);
    EXPECT_THROW(ComputeShape2D(b.r, Force2D(0)), std::invalid_argument); // two axial slices
    EXPECT_NO_THROW(ComputeShape2D(b.r, Force2D(1)));                     // one coronal slice
    Settings not_forced = Force2D(0);
    not_forced.force_2d = false;
    EXPECT_THROW(ComputeShape2D(b.r, not_forced), std::invalid_argument);
    EXPECT_THROW(ComputeShape2D(b.r, Force2D(3)), std::invalid_argument);
}

} // namespace
} // namespace radnode::processing::radiomics

namespace radnode::processing::radiomics {
namespace {

// The live PyRadiomics run prints full precision: the mesh diameters match it exactly, the
// mesh sums to rounding.
class RadiomicsShapePeer : public ::testing::TestWithParam<std::string> {};

TEST_P(RadiomicsShapePeer, MatchesLivePyRadiomicsRun) {
    const std::string name = GetParam();
    Settings s;
    Region r;
    ASSERT_NO_FATAL_FAILURE(test::BuildReferenceRegion(name, s, r));
    const auto peer = test::PeerOutputs(name);
    for (const Feature& f : ComputeShape(r, s)) {
        if (f.on_request)
            continue;
        const double want = std::stod(peer.at("original_" + f.name));
        if (f.name.find("Diameter") != std::string::npos)
            EXPECT_EQ(f.value, want) << name << " " << f.name;
        else
            EXPECT_NEAR(f.value, want, 1e-11 * std::abs(want)) << name << " " << f.name;
    }
}

INSTANTIATE_TEST_SUITE_P(RadiomicsShapeCases, RadiomicsShapePeer, ::testing::ValuesIn(test::ReferenceCaseNames()),
                         test::ParamName);

} // namespace
} // namespace radnode::processing::radiomics

namespace radnode::processing::radiomics {
namespace {

/// Boundary-edge midpoints of the shape mask padded by one voxel, as (z, y, x) doubled grid
/// coordinates: the vertex set of PyRadiomics' mesh.
std::vector<std::array<int, 3>> MeshVertices(const Region& r) {
    const int nx = static_cast<int>(r.size[0]), ny = static_cast<int>(r.size[1]), nz = static_cast<int>(r.size[2]);
    const auto in = [&](int x, int y, int z) {
        if (x < 0 || y < 0 || z < 0 || x >= nx || y >= ny || z >= nz)
            return false;
        return r.shape_mask[r.Index(static_cast<std::size_t>(x), static_cast<std::size_t>(y),
                                    static_cast<std::size_t>(z))] != 0;
    };
    std::vector<std::array<int, 3>> out;
    for (int z = -1; z <= nz; ++z)
        for (int y = -1; y <= ny; ++y)
            for (int x = -1; x <= nx; ++x) {
                if (in(x, y, z) != in(x + 1, y, z))
                    out.push_back({2 * z, 2 * y, 2 * x + 1});
                if (in(x, y, z) != in(x, y + 1, z))
                    out.push_back({2 * z, 2 * y + 1, 2 * x});
                if (in(x, y, z) != in(x, y, z + 1))
                    out.push_back({2 * z + 1, 2 * y, 2 * x});
            }
    return out;
}

/// PyRadiomics' exhaustive diameter search: {slice, column, row, 3D}.
std::array<double, 4> BruteForceDiameters(const Region& r) {
    const auto v = MeshVertices(r);
    const std::array<double, 3> sp{r.spacing[2], r.spacing[1], r.spacing[0]};
    std::array<double, 4> best{};
    for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = i + 1; j < v.size(); ++j) {
            double d = 0;
            for (std::size_t a = 0; a < 3; ++a) {
                const double diff = (v[i][a] - v[j][a]) * 0.5 * sp[a];
                d += diff * diff;
            }
            for (std::size_t a = 0; a < 3; ++a)
                if (v[i][a] == v[j][a])
                    best[a] = std::max(best[a], d);
            best[3] = std::max(best[3], d);
        }
    for (double& b : best)
        b = std::sqrt(b);
    return best;
}

/// Deterministic pseudo-random voxel set: dense enough for every cube configuration.
RegionBuilder RandomBlob(std::array<std::size_t, 3> size, std::array<double, 3> spacing, unsigned seed,
                         double density) {
    RegionBuilder b(size, spacing);
    std::uint32_t state = seed;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i) {
                state = state * 1664525U + 1013904223U;
                if ((state >> 8) % 1000 < static_cast<std::uint32_t>(density * 1000))
                    b.Set(i, j, k);
            }
    return b;
}

TEST(RadiomicsShapeTest, DiametersMatchExhaustiveSearchOnRandomMasks) {
    for (unsigned seed = 1; seed <= 12; ++seed) {
        const double density = 0.15 + 0.06 * seed;
        RegionBuilder b = RandomBlob({9, 8, 6}, {0.7, 1.3, 2.1}, seed, density);
        const auto v = ByName(ComputeShape(b.r, Settings{}));
        const auto want = BruteForceDiameters(b.r);
        EXPECT_NEAR(v.at("shape_Maximum2DDiameterSlice"), want[0], 1e-12 * want[0]) << seed;
        EXPECT_NEAR(v.at("shape_Maximum2DDiameterColumn"), want[1], 1e-12 * want[1]) << seed;
        EXPECT_NEAR(v.at("shape_Maximum2DDiameterRow"), want[2], 1e-12 * want[2]) << seed;
        EXPECT_NEAR(v.at("shape_Maximum3DDiameter"), want[3], 1e-12 * want[3]) << seed;
        // A closed, consistently outward-oriented mesh has positive volume.
        EXPECT_GT(v.at("shape_MeshVolume"), 0.0) << seed;
    }
}

TEST(RadiomicsShape2DTest, DiameterMatchesExhaustiveSearchOnRandomMasks) {
    for (unsigned seed = 1; seed <= 12; ++seed) {
        RegionBuilder b = RandomBlob({11, 1, 9}, {0.8, 3.0, 1.7}, seed, 0.2 + 0.05 * seed);
        Settings s;
        s.force_2d = true;
        s.force_2d_dimension = 1;
        const auto v = ByName(ComputeShape2D(b.r, s));
        const auto want = BruteForceDiameters(b.r); // one y plane: the Column diameter
        EXPECT_NEAR(v.at("shape2D_MaximumDiameter"), want[1], 1e-12 * want[1]) << seed;
        EXPECT_GT(v.at("shape2D_MeshSurface"), 0.0) << seed;
    }
}

} // namespace
} // namespace radnode::processing::radiomics
