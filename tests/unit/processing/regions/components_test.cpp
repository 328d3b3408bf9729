// Run-based connected components against a plain flood fill on random masks (6/26 in 3D,
// 4/8 in 2D), component statistics, and slice hole filling.

#include "processing/regions/components.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <vector>

namespace radnode::processing::regions {
namespace {

std::vector<std::uint8_t> RandomMask(const Extent& e, std::uint32_t seed, unsigned percent) {
    std::vector<std::uint8_t> mask(e[0] * e[1] * e[2]);
    for (auto& v : mask) {
        seed = seed * 1664525U + 1013904223U;
        v = (seed >> 16) % 100 < percent ? 1 : 0;
    }
    return mask;
}

/// Reference labelling: breadth-first flood fill over explicit neighbour offsets.
std::vector<int> FloodLabels(const std::vector<std::uint8_t>& mask, const Extent& e, bool full, int& count) {
    std::vector<int> label(mask.size(), -1);
    count = 0;
    const auto at = [&](long x, long y, long z) { return static_cast<std::size_t>(x + e[0] * (y + e[1] * z)); };
    for (std::size_t start = 0; start < mask.size(); ++start) {
        if (mask[start] == 0 || label[start] >= 0)
            continue;
        std::vector<std::size_t> stack{start};
        label[start] = count;
        while (!stack.empty()) {
            const std::size_t n = stack.back();
            stack.pop_back();
            const long x = static_cast<long>(n % e[0]);
            const long y = static_cast<long>((n / e[0]) % e[1]);
            const long z = static_cast<long>(n / (e[0] * e[1]));
            for (long dz = -1; dz <= 1; ++dz)
                for (long dy = -1; dy <= 1; ++dy)
                    for (long dx = -1; dx <= 1; ++dx) {
                        const int manhattan = std::abs(dx) + std::abs(dy) + std::abs(dz);
                        if (manhattan == 0 || (!full && manhattan > 1))
                            continue;
                        const long nx = x + dx, ny = y + dy, nz = z + dz;
                        if (nx < 0 || ny < 0 || nz < 0 || nx >= static_cast<long>(e[0]) ||
                            ny >= static_cast<long>(e[1]) || nz >= static_cast<long>(e[2]))
                            continue;
                        const std::size_t m = at(nx, ny, nz);
                        if (mask[m] != 0 && label[m] < 0) {
                            label[m] = count;
                            stack.push_back(m);
                        }
                    }
        }
        ++count;
    }
    return label;
}

/// Labels per voxel from Components.
std::vector<int> RunLabels(const Components& c, std::size_t voxels) {
    std::vector<int> label(voxels, -1);
    for (std::size_t line = 0; line + 1 < c.line_start.size(); ++line)
        for (std::uint32_t r = c.line_start[line]; r < c.line_start[line + 1]; ++r)
            for (std::uint32_t x = c.runs[r].x0; x < c.runs[r].x1; ++x)
                label[line * c.extent[0] + x] = static_cast<int>(c.component[r]);
    return label;
}

TEST(RegionsComponents, SamePartitionAsFloodFill) {
    for (const Extent& e : {Extent{17, 13, 9}, Extent{31, 23, 1}, Extent{1, 40, 3}})
        for (const unsigned percent : {20U, 45U, 70U})
            for (const bool full : {false, true}) {
                const auto mask = RandomMask(e, 99 + percent, percent);
                int expected_count = 0;
                const auto expected = FloodLabels(mask, e, full, expected_count);
                const Components c =
                    LabelComponents(mask.data(), e, full ? Connectivity::Full : Connectivity::Face);
                ASSERT_EQ(static_cast<int>(c.Count()), expected_count) << percent << " " << full;
                const auto actual = RunLabels(c, mask.size());
                // Same partition: a one-to-one map between the two labellings.
                std::map<int, int> forward;
                std::map<int, std::uint64_t> sizes;
                for (std::size_t n = 0; n < mask.size(); ++n) {
                    ASSERT_EQ(actual[n] < 0, expected[n] < 0);
                    if (actual[n] < 0)
                        continue;
                    auto [it, inserted] = forward.emplace(actual[n], expected[n]);
                    ASSERT_EQ(it->second, expected[n]) << "voxel " << n;
                    ++sizes[actual[n]];
                }
                for (const auto& [id, size] : sizes)
                    EXPECT_EQ(c.stats[static_cast<std::size_t>(id)].voxels, size);
            }
}

TEST(RegionsComponents, StatisticsAndPaint) {
    const Extent e{8, 6, 4};
    std::vector<std::uint8_t> mask(8 * 6 * 4, 0);
    const auto at = [&](std::size_t x, std::size_t y, std::size_t z) -> std::uint8_t& {
        return mask[x + 8 * (y + 6 * z)];
    };
    at(2, 1, 1) = at(3, 1, 1) = at(3, 2, 1) = 1; // 3 voxels
    at(7, 5, 3) = 1;                               // a corner voxel on the border
    const Components c = LabelComponents(mask.data(), e, Connectivity::Face);
    ASSERT_EQ(c.Count(), 2U);
    const auto order = c.BySize();
    const ComponentStats& big = c.stats[order[0]];
    EXPECT_EQ(big.voxels, 3U);
    EXPECT_NEAR(big.Centroid()[0], 8.0 / 3.0, 1e-12);
    EXPECT_EQ(big.lo, (std::array<std::size_t, 3>{2, 1, 1}));
    EXPECT_EQ(big.hi, (std::array<std::size_t, 3>{3, 2, 1}));
    EXPECT_FALSE(big.touches_xy_border);
    EXPECT_TRUE(c.stats[order[1]].touches_xy_border);
    std::vector<std::uint8_t> out(mask.size(), 0);
    c.Paint([&](std::uint32_t id) { return id == order[0]; }, out.data(), 5);
    EXPECT_EQ(out[2 + 8 * (1 + 6 * 1)], 5);
    EXPECT_EQ(out[7 + 8 * (5 + 6 * 3)], 0);
}

TEST(RegionsComponents, FillSliceHolesKeepsOpenBackground) {
    // A ring with a hole, and a C shape whose inside opens to the border.
    const Extent e{9, 9, 1};
    std::vector<std::uint8_t> mask(81, 0);
    for (std::size_t i = 1; i <= 5; ++i) {
        mask[i + 9 * 1] = mask[i + 9 * 5] = 1;
        mask[1 + 9 * i] = mask[5 + 9 * i] = 1;
    }
    for (std::size_t j = 0; j <= 8; ++j) // a wall at x = 7 open at the top... leaves x = 8 open
        mask[7 + 9 * j] = j == 0 ? 0 : 1;
    FillSliceHoles(mask.data(), e);
    EXPECT_EQ(mask[3 + 9 * 3], 1);  // inside the ring: filled
    EXPECT_EQ(mask[8 + 9 * 4], 0);  // right of the wall: touches the border
    EXPECT_EQ(mask[6 + 9 * 4], 0);  // between ring and wall: connected to the top opening
    EXPECT_EQ(mask[0 + 9 * 0], 0);
}

} // namespace
} // namespace radnode::processing::regions
