#include "processing/radiomics/glszm.h"

#include "processing/radiomics/texture_grid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace radnode::processing::radiomics {
namespace {

/// Labels the zones seeded in `voxels` by an iterative flood fill over `work` (a padded gray
/// copy whose visited voxels are zeroed, so one comparison tests "in ROI, same level, not yet
/// visited"), and tallies them into a compact matrix.
GlszmMatrix BuildMatrix(const Region& region, PaddedGray& work, const std::vector<std::ptrdiff_t>& steps,
                        const std::vector<std::uint32_t>& voxels, std::vector<std::size_t>& stack) {
    std::int32_t* gray = work.gray.data();
    std::vector<std::pair<std::int32_t, std::int32_t>> zones; // (gray level, size)
    std::int32_t max_size = 0;
    for (const std::uint32_t seed_voxel : voxels) {
        const std::size_t seed = work.Of(region, seed_voxel);
        const std::int32_t level = gray[seed];
        if (level == 0) // already part of an earlier zone
            continue;
        gray[seed] = 0;
        stack.clear();
        stack.push_back(seed);
        std::int32_t size = 0;
        while (!stack.empty()) {
            const std::size_t v = stack.back();
            stack.pop_back();
            ++size;
            for (const std::ptrdiff_t step : steps) {
                const std::size_t w = v + static_cast<std::size_t>(step);
                if (gray[w] == level) {
                    gray[w] = 0;
                    stack.push_back(w);
                }
            }
        }
        zones.emplace_back(level, size);
        max_size = std::max(max_size, size);
    }

    GlszmMatrix m;
    std::vector<std::int32_t> row_of(static_cast<std::size_t>(region.max_gray_level) + 1, -1);
    std::vector<std::int32_t> column_of(static_cast<std::size_t>(max_size) + 1, -1);
    for (const auto& [level, size] : zones) {
        row_of[static_cast<std::size_t>(level)] = 0;
        column_of[static_cast<std::size_t>(size)] = 0;
    }
    for (std::size_t level = 1; level < row_of.size(); ++level)
        if (row_of[level] == 0) {
            row_of[level] = static_cast<std::int32_t>(m.gray_levels.size());
            m.gray_levels.push_back(static_cast<std::int32_t>(level));
        }
    for (std::size_t size = 1; size < column_of.size(); ++size)
        if (column_of[size] == 0) {
            column_of[size] = static_cast<std::int32_t>(m.zone_sizes.size());
            m.zone_sizes.push_back(static_cast<std::int32_t>(size));
        }
    const std::size_t columns = m.zone_sizes.size();
    m.counts.assign(m.gray_levels.size() * columns, 0.0);
    for (const auto& [level, size] : zones)
        m.counts[static_cast<std::size_t>(row_of[static_cast<std::size_t>(level)]) * columns +
                 static_cast<std::size_t>(column_of[static_cast<std::size_t>(size)])] += 1.0;
    return m;
}

constexpr std::size_t kFeatureCount = 16;

// Alphabetical, as PyRadiomics enumerates get<Name>FeatureValue with inspect.getmembers.
constexpr std::array<FeatureInfo, kFeatureCount> kFeatures{{
    {"GrayLevelNonUniformity", "JNSA"},
    {"GrayLevelNonUniformityNormalized", "Y1RO"},
    {"GrayLevelVariance", "BYLV"},
    {"HighGrayLevelZoneEmphasis", "5GN9"},
    {"LargeAreaEmphasis", "48P8"},
    {"LargeAreaHighGrayLevelEmphasis", "J17V"},
    {"LargeAreaLowGrayLevelEmphasis", "YH51"},
    {"LowGrayLevelZoneEmphasis", "XMSY"},
    {"SizeZoneNonUniformity", "4JP3"},
    {"SizeZoneNonUniformityNormalized", "VB3A"},
    {"SmallAreaEmphasis", "5QRC"},
    {"SmallAreaHighGrayLevelEmphasis", "HW1V"},
    {"SmallAreaLowGrayLevelEmphasis", "5RAI"},
    {"ZoneEntropy", "GU8N"},
    {"ZonePercentage", "P30P"},
    {"ZoneVariance", "3NSA"},
}};

std::array<double, kFeatureCount> Evaluate(const GlszmMatrix& m, bool ibsi) {
    const std::size_t rows = m.gray_levels.size();
    const std::size_t columns = m.zone_sizes.size();
    std::vector<double> pg(rows, 0.0);
    std::vector<double> ps(columns, 0.0);
    double nz = 0.0;
    double sa_low = 0.0;
    double sa_high = 0.0;
    double la_low = 0.0;
    double la_high = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
        const double i2 = static_cast<double>(m.gray_levels[r]) * m.gray_levels[r];
        for (std::size_t c = 0; c < columns; ++c) {
            const double p = m.counts[r * columns + c];
            if (p == 0.0)
                continue;
            const double j2 = static_cast<double>(m.zone_sizes[c]) * m.zone_sizes[c];
            pg[r] += p;
            ps[c] += p;
            sa_low += p / (i2 * j2);
            sa_high += p * i2 / j2;
            la_low += p * j2 / i2;
            la_high += p * j2 * i2;
        }
    }
    for (const double p : pg)
        nz += p;
    if (nz == 0.0) // PyRadiomics' guard against an empty matrix
        nz = 1.0;

    double np = 0.0;
    double sae = 0.0;
    double lae = 0.0;
    double szn = 0.0;
    double mean_j = 0.0;
    for (std::size_t c = 0; c < columns; ++c) {
        const double j = m.zone_sizes[c];
        np += ps[c] * j;
        sae += ps[c] / (j * j);
        lae += ps[c] * j * j;
        szn += ps[c] * ps[c];
        mean_j += ps[c] / nz * j;
    }
    if (np == 0.0)
        np = 1.0;
    double zone_variance = 0.0;
    for (std::size_t c = 0; c < columns; ++c) {
        const double d = m.zone_sizes[c] - mean_j;
        zone_variance += ps[c] / nz * d * d;
    }

    double gln = 0.0;
    double lglze = 0.0;
    double hglze = 0.0;
    double mean_i = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
        const double i = m.gray_levels[r];
        gln += pg[r] * pg[r];
        lglze += pg[r] / (i * i);
        hglze += pg[r] * i * i;
        mean_i += pg[r] / nz * i;
    }
    double gray_variance = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
        const double d = m.gray_levels[r] - mean_i;
        gray_variance += pg[r] / nz * d * d;
    }

    // PyRadiomics adds eps inside the log (its zero cells then contribute 0); IBSI sums p log2 p
    // over non-zero cells only.
    const double eps = ibsi ? 0.0 : std::numeric_limits<double>::epsilon();
    double entropy = 0.0;
    for (const double count : m.counts)
        if (count != 0.0) {
            const double p = count / nz;
            entropy -= p * std::log2(p + eps);
        }

    return {gln / nz,    gln / (nz * nz), gray_variance, hglze / nz,      lae / nz, la_high / nz,
            la_low / nz, lglze / nz,      szn / nz,      szn / (nz * nz), sae / nz, sa_high / nz,
            sa_low / nz, entropy,         nz / np,       zone_variance};
}

} // namespace

GlszmMatrix ComputeGlszmMatrix(const Region& region, const Settings& settings) {
    // Zones are always 26-/8-connected (distance 1), whatever `distances` says (as PyRadiomics).
    const std::vector<Offset> offsets = GenerateAngles(region.size, {1}, true, PlaneAxis(settings));
    PaddedGray work(region, 1);
    std::vector<std::size_t> stack;
    stack.reserve(region.voxels.size());
    return BuildMatrix(region, work, NeighbourSteps(work, offsets), region.voxels, stack);
}

Features ComputeGlszm(const Region& region, const Settings& settings) {
    const std::optional<int> plane_axis = PlaneAxis(settings);
    const std::vector<Offset> offsets = GenerateAngles(region.size, {1}, true, plane_axis);
    PaddedGray work(region, 1);
    const std::vector<std::ptrdiff_t> steps = NeighbourSteps(work, offsets);
    std::vector<std::size_t> stack;
    stack.reserve(region.voxels.size());

    // IBSI 2D: one matrix per slice, features averaged over slices (in-plane zones never
    // cross slices, so the shared work copy stays valid).
    const std::array<double, kFeatureCount> values =
        AveragesSlices(settings)
            ? AverageOverSlices<kFeatureCount>(VoxelsBySlice(region, *plane_axis),
                                               [&](const std::vector<std::uint32_t>& slice) {
                                                   return Evaluate(BuildMatrix(region, work, steps, slice, stack), true);
                                               })
            : Evaluate(BuildMatrix(region, work, steps, region.voxels, stack), settings.ibsi_compliant);
    return NamedFeatures("glszm_", kFeatures, values, settings.ibsi_compliant);
}

} // namespace radnode::processing::radiomics
