// SquaredDistanceMap against brute force (every voxel against every feature voxel) on small
// random masks with anisotropic spacing, for both metrics, with and without the feature
// transform; closed forms for a single voxel; threads do not change the result.

#include "processing/regions/distance_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace radnode::processing::regions {
namespace {

using Size = std::array<std::size_t, 3>;
using Spacing = std::array<double, 3>;

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Per-axis squared term for index difference n, written as the transform writes it.
double Term(DistanceMetric metric, double s, long n) {
    const double s2 = s * s;
    if (metric == DistanceMetric::VoxelCentres) {
        const double t = static_cast<double>(n);
        return s2 * (t * t);
    }
    if (n == 0)
        return 0.0;
    const double t = static_cast<double>(std::labs(n)) - 0.5;
    return s2 * (t * t);
}

/// Squared distance between voxels a and b (box offsets) of a box of `size`.
double PairDistance(DistanceMetric metric, const Size& size, const Spacing& spacing, std::size_t a, std::size_t b) {
    const long ax = static_cast<long>(a % size[0]), ay = static_cast<long>((a / size[0]) % size[1]),
               az = static_cast<long>(a / (size[0] * size[1]));
    const long bx = static_cast<long>(b % size[0]), by = static_cast<long>((b / size[0]) % size[1]),
               bz = static_cast<long>(b / (size[0] * size[1]));
    return Term(metric, spacing[0], ax - bx) + Term(metric, spacing[1], ay - by) + Term(metric, spacing[2], az - bz);
}

std::vector<double> BruteForce(const std::vector<std::uint8_t>& mask, const Size& size, const Spacing& spacing,
                               DistanceMetric metric, bool features_are_zero) {
    std::vector<std::size_t> features;
    for (std::size_t n = 0; n < mask.size(); ++n)
        if ((mask[n] != 0) != features_are_zero)
            features.push_back(n);
    std::vector<double> out(mask.size(), kInf);
    for (std::size_t n = 0; n < mask.size(); ++n)
        for (const std::size_t f : features)
            out[n] = std::min(out[n], PairDistance(metric, size, spacing, n, f));
    return out;
}

std::vector<std::uint8_t> RandomMask(const Size& size, double density, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution set(density);
    std::vector<std::uint8_t> mask(size[0] * size[1] * size[2]);
    for (auto& v : mask)
        v = set(rng) ? 1 : 0;
    return mask;
}

/// Compares the transform with brute force on random masks; returns the number of voxels checked.
std::size_t CheckAgainstBruteForce(const Spacing& spacing, DistanceMetric metric) {
    const std::vector<Size> sizes{{9, 7, 6}, {13, 5, 8}, {1, 11, 4}, {6, 6, 1}};
    const std::vector<double> densities{0.01, 0.1, 0.5, 0.9};
    std::size_t checked = 0;
    std::uint32_t seed = 7;
    for (const Size& size : sizes)
        for (const double density : densities)
            for (const bool to_zero : {false, true}) {
                const std::vector<std::uint8_t> mask = RandomMask(size, density, ++seed);
                DistanceMapOptions options;
                options.metric = metric;
                options.features_are_zero = to_zero;
                options.feature_transform = true;
                const DistanceMap map = SquaredDistanceMap(mask, size, spacing, options);
                const std::vector<double> expected = BruteForce(mask, size, spacing, metric, to_zero);
                EXPECT_EQ(map.size, size);
                for (std::size_t n = 0; n < mask.size(); ++n, ++checked) {
                    EXPECT_EQ(map.squared_mm2[n], expected[n]) << "voxel " << n << " seed " << seed;
                    if (expected[n] == kInf) {
                        EXPECT_EQ(map.nearest[n], kNoFeature);
                        continue;
                    }
                    // The reported feature is a feature voxel at exactly the minimum distance.
                    const std::uint32_t f = map.nearest[n];
                    if (f >= mask.size()) {
                        ADD_FAILURE() << "feature out of the box at voxel " << n;
                        continue;
                    }
                    EXPECT_NE(mask[f] != 0, to_zero);
                    EXPECT_EQ(PairDistance(metric, size, spacing, n, f), expected[n]);
                }
                // Without the feature transform the distances are the same.
                options.feature_transform = false;
                const DistanceMap plain = SquaredDistanceMap(mask, size, spacing, options);
                EXPECT_EQ(plain.squared_mm2, map.squared_mm2);
                EXPECT_TRUE(plain.nearest.empty());
            }
    return checked;
}

TEST(RegionsDistanceMap, CentreMetricEqualsBruteForce) {
    // Short binary fractions: every sum is exact, so equality is exact too.
    EXPECT_GT(CheckAgainstBruteForce({0.75, 0.5, 2.5}, DistanceMetric::VoxelCentres), 0U);
    EXPECT_GT(CheckAgainstBruteForce({1.25, 0.625, 3.0}, DistanceMetric::VoxelCentres), 0U);
    // CT spacings that are not binary fractions: the same expressions round the same way.
    EXPECT_GT(CheckAgainstBruteForce({0.7, 0.7, 3.0}, DistanceMetric::VoxelCentres), 0U);
}

TEST(RegionsDistanceMap, BoxMetricEqualsBruteForce) {
    EXPECT_GT(CheckAgainstBruteForce({0.75, 0.5, 2.5}, DistanceMetric::VoxelBoxes), 0U);
    EXPECT_GT(CheckAgainstBruteForce({1.25, 0.625, 3.0}, DistanceMetric::VoxelBoxes), 0U);
    EXPECT_GT(CheckAgainstBruteForce({0.7, 0.7, 3.0}, DistanceMetric::VoxelBoxes), 0U);
    EXPECT_GT(CheckAgainstBruteForce({0.8, 0.8, 1.25}, DistanceMetric::VoxelBoxes), 0U);
}

TEST(RegionsDistanceMap, SingleVoxelClosedForm) {
    const Size size{7, 5, 4};
    const Spacing spacing{0.5, 1.0, 3.0};
    std::vector<std::uint8_t> mask(7 * 5 * 4, 0);
    const std::size_t centre = 3 + 7 * (2 + 5 * 1); // voxel (3, 2, 1)
    mask[centre] = 1;
    DistanceMapOptions options;
    options.feature_transform = true;
    const DistanceMap boxes = SquaredDistanceMap(mask, size, spacing, options);
    options.metric = DistanceMetric::VoxelCentres;
    const DistanceMap centres = SquaredDistanceMap(mask, size, spacing, options);
    // Voxel (6, 4, 3): index offsets (3, 2, 2). Centres: 1.5^2 + 2^2 + 6^2; to the voxel's box
    // every offset loses half a voxel: 1.25^2 + 1.5^2 + 4.5^2.
    const std::size_t corner = boxes.Offset(6, 4, 3);
    EXPECT_DOUBLE_EQ(centres.squared_mm2[corner], 1.5 * 1.5 + 2.0 * 2.0 + 6.0 * 6.0);
    EXPECT_DOUBLE_EQ(boxes.squared_mm2[corner], 1.25 * 1.25 + 1.5 * 1.5 + 4.5 * 4.5);
    // Face neighbour along z: half a slice to the box, a whole slice to the centre.
    EXPECT_DOUBLE_EQ(boxes.squared_mm2[boxes.Offset(3, 2, 2)], 1.5 * 1.5);
    EXPECT_DOUBLE_EQ(centres.squared_mm2[boxes.Offset(3, 2, 2)], 3.0 * 3.0);
    // In the voxel's own row, column or slice the other axes contribute nothing to the box distance.
    EXPECT_DOUBLE_EQ(boxes.squared_mm2[boxes.Offset(0, 2, 1)], 1.25 * 1.25);
    EXPECT_EQ(boxes.squared_mm2[centre], 0.0);
    for (std::size_t n = 0; n < mask.size(); ++n) {
        EXPECT_EQ(boxes.nearest[n], centre);
        EXPECT_LE(boxes.squared_mm2[n], centres.squared_mm2[n]);
    }
}

TEST(RegionsDistanceMap, NoFeatureGivesInfinity) {
    const Size size{4, 3, 2};
    const std::vector<std::uint8_t> mask(24, 0);
    DistanceMapOptions options;
    options.feature_transform = true;
    const DistanceMap map = SquaredDistanceMap(mask, size, {1.0, 1.0, 1.0}, options);
    for (std::size_t n = 0; n < mask.size(); ++n) {
        EXPECT_EQ(map.squared_mm2[n], kInf);
        EXPECT_EQ(map.nearest[n], kNoFeature);
    }
    options.features_are_zero = true; // every voxel is a feature
    const DistanceMap inverted = SquaredDistanceMap(mask, size, {1.0, 1.0, 1.0}, options);
    for (std::size_t n = 0; n < mask.size(); ++n)
        EXPECT_EQ(inverted.squared_mm2[n], 0.0);
    EXPECT_TRUE(SquaredDistanceMap({}, {0, 0, 0}, {1.0, 1.0, 1.0}).squared_mm2.empty());
}

TEST(RegionsDistanceMap, ThreadsDoNotChangeTheResult) {
    const Size size{70, 60, 20}; // above the single-thread threshold
    const std::vector<std::uint8_t> mask = RandomMask(size, 0.002, 99);
    DistanceMapOptions options;
    options.feature_transform = true;
    options.threads = 1;
    const DistanceMap one = SquaredDistanceMap(mask, size, {0.7, 0.7, 1.25}, options);
    options.threads = 3;
    const DistanceMap three = SquaredDistanceMap(mask, size, {0.7, 0.7, 1.25}, options);
    EXPECT_EQ(one.squared_mm2, three.squared_mm2);
    EXPECT_EQ(one.nearest, three.nearest);
    // Spot check against brute force on every 997th voxel of the large box.
    std::vector<std::size_t> features;
    for (std::size_t n = 0; n < mask.size(); ++n)
        if (mask[n] != 0)
            features.push_back(n);
    ASSERT_FALSE(features.empty());
    for (std::size_t n = 0; n < mask.size(); n += 997) {
        double best = kInf;
        for (const std::size_t f : features)
            best = std::min(best, PairDistance(DistanceMetric::VoxelBoxes, size, {0.7, 0.7, 1.25}, n, f));
        EXPECT_EQ(one.squared_mm2[n], best) << n;
    }
}

TEST(RegionsDistanceMap, RejectsBadArguments) {
    const std::vector<std::uint8_t> mask(8, 1);
    EXPECT_THROW((void)SquaredDistanceMap(mask, {2, 2, 3}, {1.0, 1.0, 1.0}), std::invalid_argument);
    EXPECT_THROW((void)SquaredDistanceMap(mask, {2, 2, 2}, {1.0, 0.0, 1.0}), std::invalid_argument);
    EXPECT_THROW((void)SquaredDistanceMap(mask, {2, 2, 2}, {1.0, kInf, 1.0}), std::invalid_argument);
}

/// Brute force of SquaredDistanceToInterpolatedZeroSet: every lattice point interpolated
/// directly, every voxel against every qualifying point.
TEST(RegionsDistanceMap, InterpolatedZeroSetEqualsBruteForce) {
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> value(-1.0, 3.0);
    for (const auto& [size, spacing, factors] :
         std::vector<std::tuple<std::array<std::size_t, 3>, std::array<double, 3>, std::array<std::size_t, 3>>>{
             {{7, 6, 5}, {0.7, 0.7, 3.0}, {2, 2, 9}},
             {{5, 8, 4}, {0.75, 0.5, 1.25}, {3, 2, 4}},
             {{6, 1, 4}, {1.0, 1.0, 2.0}, {3, 3, 6}}, // an axis of one voxel
         }) {
        const std::size_t nx = size[0], ny = size[1], nz = size[2];
        std::vector<double> field(nx * ny * nz);
        for (double& v : field)
            v = value(rng);
        const std::vector<double> fast = SquaredDistanceToInterpolatedZeroSet(field, size, spacing, factors, 2);
        auto fine = [&](std::size_t a, std::size_t r) {
            return size[a] > 1 ? (static_cast<double>(r) + 0.5) / static_cast<double>(factors[a]) : 0.0;
        };
        auto count = [&](std::size_t a) { return size[a] > 1 ? (size[a] - 1) * factors[a] : std::size_t{1}; };
        auto cell = [&](std::size_t a, double x) {
            return size[a] > 1 ? std::min(static_cast<std::size_t>(x), size[a] - 2) : std::size_t{0};
        };
        auto next = [&](std::size_t a, std::size_t c) { return size[a] > 1 ? c + 1 : c; };
        std::vector<std::array<double, 3>> points;
        for (std::size_t K = 0; K < count(2); ++K)
            for (std::size_t J = 0; J < count(1); ++J)
                for (std::size_t I = 0; I < count(0); ++I) {
                    const double x = fine(0, I), y = fine(1, J), z = fine(2, K);
                    const std::size_t x0 = cell(0, x), y0 = cell(1, y), z0 = cell(2, z);
                    const std::size_t x1 = next(0, x0), y1 = next(1, y0), z1 = next(2, z0);
                    const double tx = x - static_cast<double>(x0), ty = y - static_cast<double>(y0),
                                 tz = z - static_cast<double>(z0);
                    auto f = [&](std::size_t i, std::size_t j, std::size_t k) { return field[i + nx * (j + ny * k)]; };
                    auto column = [&](std::size_t k) {
                        return (1 - ty) * ((1 - tx) * f(x0, y0, k) + tx * f(x1, y0, k)) +
                               ty * ((1 - tx) * f(x0, y1, k) + tx * f(x1, y1, k));
                    };
                    if ((1 - tz) * column(z0) + tz * column(z1) <= 0.0)
                        points.push_back({x * spacing[0], y * spacing[1], z * spacing[2]});
                }
        ASSERT_FALSE(points.empty());
        for (std::size_t k = 0; k < nz; ++k)
            for (std::size_t j = 0; j < ny; ++j)
                for (std::size_t i = 0; i < nx; ++i) {
                    double best = kInf;
                    for (const auto& p : points) {
                        const double dx = static_cast<double>(i) * spacing[0] - p[0];
                        const double dy = static_cast<double>(j) * spacing[1] - p[1];
                        const double dz = static_cast<double>(k) * spacing[2] - p[2];
                        best = std::min(best, dz * dz + dy * dy + dx * dx);
                    }
                    ASSERT_NEAR(fast[i + nx * (j + ny * k)], best, 1e-9 * (1.0 + best)) << i << " " << j << " " << k;
                }
    }
    // No qualifying point: all +infinity.
    const std::vector<double> positive(8, 1.0);
    for (const double d : SquaredDistanceToInterpolatedZeroSet(positive, {2, 2, 2}, {1.0, 1.0, 1.0}, {2, 2, 2}))
        EXPECT_EQ(d, kInf);
    EXPECT_THROW((void)SquaredDistanceToInterpolatedZeroSet(positive, {2, 2, 3}, {1.0, 1.0, 1.0}, {1, 1, 1}),
                 std::invalid_argument);
    EXPECT_THROW((void)SquaredDistanceToInterpolatedZeroSet(positive, {2, 2, 2}, {1.0, 1.0, 1.0}, {1, 0, 1}),
                 std::invalid_argument);
}

} // namespace
} // namespace radnode::processing::regions
