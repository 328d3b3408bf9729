#include "processing/radiomics/glszm.h"

#include "processing/radiomics/directions.h"

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

/// The region's gray levels inside a zero margin of `margin` voxels on every side, so neighbour
/// lookups need no bounds checks (0 = outside the ROI, as in Region::gray).
struct PaddedGray {
    std::vector<std::int32_t> gray;
    std::size_t margin = 0;
    std::size_t row = 0;   ///< padded x size
    std::size_t plane = 0; ///< padded x * y size

    PaddedGray(const Region& region, std::size_t margin_voxels) : margin(margin_voxels) {
        const std::size_t sx = region.size[0];
        const std::size_t sy = region.size[1];
        const std::size_t sz = region.size[2];
        row = sx + 2 * margin;
        plane = row * (sy + 2 * margin);
        gray.assign(plane * (sz + 2 * margin), 0);
        for (std::size_t k = 0; k < sz; ++k)
            for (std::size_t j = 0; j < sy; ++j)
                std::copy_n(region.gray.begin() + static_cast<std::ptrdiff_t>(sx * (j + sy * k)), sx,
                            gray.begin() + static_cast<std::ptrdiff_t>(Index(margin, j + margin, k + margin)));
    }
    [[nodiscard]] std::size_t Index(std::size_t i, std::size_t j, std::size_t k) const {
        return i + row * j + plane * k;
    }
    /// Padded index of box index `v`.
    [[nodiscard]] std::size_t Of(const Region& region, std::uint32_t v) const {
        const std::size_t sx = region.size[0];
        const std::size_t sy = region.size[1];
        return Index(v % sx + margin, (v / sx) % sy + margin, v / (sx * sy) + margin);
    }
    [[nodiscard]] std::ptrdiff_t Step(const Offset& o) const {
        return o.di + static_cast<std::ptrdiff_t>(row) * o.dj + static_cast<std::ptrdiff_t>(plane) * o.dk;
    }
};

/// Padded-index steps of the neighbour offsets in `grid`.
std::vector<std::ptrdiff_t> Steps(const PaddedGray& grid, const std::vector<Offset>& offsets) {
    std::vector<std::ptrdiff_t> steps;
    steps.reserve(offsets.size());
    for (const Offset& o : offsets)
        steps.push_back(grid.Step(o));
    return steps;
}

/// The axis (0 = z, 1 = y, 2 = x) whose offsets are excluded, if any.
std::optional<int> PlaneAxis(const Settings& settings) {
    if (!settings.ibsi_compliant)
        return settings.force_2d ? std::optional<int>(settings.force_2d_dimension) : std::nullopt;
    switch (settings.ibsi_aggregation) {
    case Aggregation::ThreeDAverage:
    case Aggregation::ThreeDMerged:
        return std::nullopt;
    default:
        return settings.force_2d_dimension;
    }
}

bool AveragesSlices(const Settings& settings) {
    return settings.ibsi_compliant && (settings.ibsi_aggregation == Aggregation::TwoDAverage ||
                                       settings.ibsi_aggregation == Aggregation::TwoDSliceMerged);
}

/// ROI voxels grouped by their coordinate along `axis` (0 = z, 1 = y, 2 = x); empty slices dropped.
std::vector<std::vector<std::uint32_t>> VoxelsBySlice(const Region& region, int axis) {
    const std::size_t sx = region.size[0];
    const std::size_t sy = region.size[1];
    const std::size_t count = axis == 0 ? region.size[2] : axis == 1 ? sy : sx;
    std::vector<std::vector<std::uint32_t>> slices(count);
    for (const std::uint32_t v : region.voxels) {
        const std::size_t slice = axis == 0 ? v / (sx * sy) : axis == 1 ? (v / sx) % sy : v % sx;
        slices[slice].push_back(v);
    }
    std::erase_if(slices, [](const auto& s) { return s.empty(); });
    return slices;
}

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

struct FeatureInfo {
    std::string_view name;
    std::string_view ibsi_code;
};

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
    return BuildMatrix(region, work, Steps(work, offsets), region.voxels, stack);
}

Features ComputeGlszm(const Region& region, const Settings& settings) {
    const std::optional<int> plane_axis = PlaneAxis(settings);
    const std::vector<Offset> offsets = GenerateAngles(region.size, {1}, true, plane_axis);
    PaddedGray work(region, 1);
    const std::vector<std::ptrdiff_t> steps = Steps(work, offsets);
    std::vector<std::size_t> stack;
    stack.reserve(region.voxels.size());

    std::array<double, kFeatureCount> values{};
    if (AveragesSlices(settings)) {
        // IBSI 2D: one matrix per slice, features averaged over slices (in-plane zones never
        // cross slices, so the shared work copy stays valid).
        const auto slices = VoxelsBySlice(region, *plane_axis);
        for (const auto& slice : slices) {
            const auto slice_values = Evaluate(BuildMatrix(region, work, steps, slice, stack), true);
            for (std::size_t f = 0; f < kFeatureCount; ++f)
                values[f] += slice_values[f] / static_cast<double>(slices.size());
        }
    } else {
        values = Evaluate(BuildMatrix(region, work, steps, region.voxels, stack), settings.ibsi_compliant);
    }

    Features features;
    features.reserve(kFeatureCount);
    for (std::size_t f = 0; f < kFeatureCount; ++f)
        features.push_back(
            Feature{"glszm_" + std::string(kFeatures[f].name), values[f], kFeatures[f].ibsi_code, false});
    return features;
}

} // namespace radnode::processing::radiomics
