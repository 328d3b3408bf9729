#include "processing/radiomics/ngtdm.h"

#include "processing/radiomics/directions.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

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

std::size_t MaxDistance(const std::vector<Offset>& offsets) {
    std::size_t d = 0;
    for (const Offset& o : offsets)
        d = std::max({d, static_cast<std::size_t>(std::abs(o.di)), static_cast<std::size_t>(std::abs(o.dj)),
                      static_cast<std::size_t>(std::abs(o.dk))});
    return d;
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

/// `count_isolated`: PyRadiomics counts a voxel without neighbours in the ROI in n_i (its
/// difference taken as 0); IBSI only counts voxels with a valid neighbourhood.
NgtdmMatrix BuildMatrix(const Region& region, const PaddedGray& grid, const std::vector<std::ptrdiff_t>& steps,
                        bool count_isolated, const std::vector<std::uint32_t>& voxels) {
    const std::int32_t* gray = grid.gray.data();
    const std::size_t levels = static_cast<std::size_t>(region.max_gray_level) + 1;

    std::vector<double> n(levels, 0.0);
    std::vector<double> s(levels, 0.0);
    for (const std::uint32_t voxel : voxels) {
        const std::size_t v = grid.Of(region, voxel);
        const std::int32_t level = gray[v];
        int count = 0;
        double sum = 0.0; // a double, as PyRadiomics accumulates it
        for (const std::ptrdiff_t step : steps) {
            const std::int32_t other = gray[v + static_cast<std::size_t>(step)];
            count += other != 0 ? 1 : 0;
            sum += other;
        }
        if (count == 0 && !count_isolated)
            continue;
        const auto row = static_cast<std::size_t>(level);
        n[row] += 1.0;
        if (count != 0)
            s[row] += std::abs(static_cast<double>(level) - sum / count);
    }

    NgtdmMatrix m;
    for (std::size_t level = 1; level < levels; ++level)
        if (n[level] != 0.0) {
            m.gray_levels.push_back(static_cast<std::int32_t>(level));
            m.counts.push_back(n[level]);
            m.sums.push_back(s[level]);
        }
    return m;
}

constexpr std::size_t kFeatureCount = 5;

struct FeatureInfo {
    std::string_view name;
    std::string_view ibsi_code;
};

// Alphabetical, as PyRadiomics enumerates get<Name>FeatureValue with inspect.getmembers.
constexpr std::array<FeatureInfo, kFeatureCount> kFeatures{{
    {"Busyness", "NQ30"},
    {"Coarseness", "QCDE"},
    {"Complexity", "HDEZ"},
    {"Contrast", "65HE"},
    {"Strength", "1X9X"},
}};

std::array<double, kFeatureCount> Evaluate(const NgtdmMatrix& m) {
    const std::size_t ng = m.gray_levels.size();
    double nvp = 0.0;
    double sum_s = 0.0;
    for (std::size_t r = 0; r < ng; ++r) {
        nvp += m.counts[r];
        sum_s += m.sums[r];
    }
    std::vector<double> p(ng);
    std::vector<double> ps(ng);
    std::vector<double> ip(ng);
    double sum_ps = 0.0;
    for (std::size_t r = 0; r < ng; ++r) {
        p[r] = m.counts[r] / nvp;
        ps[r] = p[r] * m.sums[r];
        ip[r] = m.gray_levels[r] * p[r];
        sum_ps += ps[r];
    }

    // Every row has p_i > 0 (empty levels are removed), so no pair needs excluding.
    double contrast_sum = 0.0;
    double busy_denominator = 0.0;
    double complexity = 0.0;
    double strength = 0.0;
    for (std::size_t a = 0; a < ng; ++a)
        for (std::size_t b = 0; b < ng; ++b) {
            const double d = static_cast<double>(m.gray_levels[a]) - m.gray_levels[b];
            contrast_sum += p[a] * p[b] * d * d;
            busy_denominator += std::abs(ip[a] - ip[b]);
            complexity += std::abs(d) * (ps[a] + ps[b]) / (p[a] + p[b]);
            strength += (p[a] + p[b]) * d * d;
        }

    const double coarseness = sum_ps != 0.0 ? 1.0 / sum_ps : 1e6; // 1e6: PyRadiomics' value for a flat region
    const double ngp = static_cast<double>(ng);
    const double contrast_div = ngp * (ngp - 1.0);
    const double contrast = contrast_div != 0.0 ? contrast_sum * sum_s / nvp / contrast_div : 0.0;
    const double busyness = busy_denominator != 0.0 ? sum_ps / busy_denominator : 0.0;
    return {busyness, coarseness, ng != 0 ? complexity / nvp : 0.0, contrast, sum_s != 0.0 ? strength / sum_s : 0.0};
}

} // namespace

NgtdmMatrix ComputeNgtdmMatrix(const Region& region, const Settings& settings) {
    const std::vector<Offset> offsets = GenerateAngles(region.size, settings.distances, true, PlaneAxis(settings));
    const PaddedGray grid(region, MaxDistance(offsets));
    return BuildMatrix(region, grid, Steps(grid, offsets), !settings.ibsi_compliant, region.voxels);
}

Features ComputeNgtdm(const Region& region, const Settings& settings) {
    const std::optional<int> plane_axis = PlaneAxis(settings);
    const std::vector<Offset> offsets = GenerateAngles(region.size, settings.distances, true, plane_axis);
    const PaddedGray grid(region, MaxDistance(offsets));
    const std::vector<std::ptrdiff_t> steps = Steps(grid, offsets);
    const bool count_isolated = !settings.ibsi_compliant;

    std::array<double, kFeatureCount> values{};
    if (AveragesSlices(settings)) {
        // IBSI 2D: one matrix per slice (in-plane neighbours stay in the slice), features
        // averaged over slices.
        const auto slices = VoxelsBySlice(region, *plane_axis);
        for (const auto& slice : slices) {
            const auto slice_values = Evaluate(BuildMatrix(region, grid, steps, count_isolated, slice));
            for (std::size_t f = 0; f < kFeatureCount; ++f)
                values[f] += slice_values[f] / static_cast<double>(slices.size());
        }
    } else {
        values = Evaluate(BuildMatrix(region, grid, steps, count_isolated, region.voxels));
    }

    Features features;
    features.reserve(kFeatureCount);
    for (std::size_t f = 0; f < kFeatureCount; ++f)
        features.push_back(
            Feature{"ngtdm_" + std::string(kFeatures[f].name), values[f], kFeatures[f].ibsi_code, false});
    return features;
}

} // namespace radnode::processing::radiomics
