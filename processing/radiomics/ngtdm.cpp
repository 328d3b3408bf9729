#include "processing/radiomics/ngtdm.h"

#include "processing/radiomics/texture_grid.h"

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
    return BuildMatrix(region, grid, NeighbourSteps(grid, offsets), !settings.ibsi_compliant, region.voxels);
}

Features ComputeNgtdm(const Region& region, const Settings& settings) {
    const std::optional<int> plane_axis = PlaneAxis(settings);
    const std::vector<Offset> offsets = GenerateAngles(region.size, settings.distances, true, plane_axis);
    const PaddedGray grid(region, MaxDistance(offsets));
    const std::vector<std::ptrdiff_t> steps = NeighbourSteps(grid, offsets);
    const bool count_isolated = !settings.ibsi_compliant;

    // IBSI 2D: one matrix per slice (in-plane neighbours stay in the slice), features
    // averaged over slices.
    const std::array<double, kFeatureCount> values =
        AveragesSlices(settings)
            ? AverageOverSlices<kFeatureCount>(VoxelsBySlice(region, *plane_axis),
                                               [&](const std::vector<std::uint32_t>& slice) {
                                                   return Evaluate(BuildMatrix(region, grid, steps, count_isolated, slice));
                                               })
            : Evaluate(BuildMatrix(region, grid, steps, count_isolated, region.voxels));
    return NamedFeatures("ngtdm_", kFeatures, values, settings.ibsi_compliant);
}

} // namespace radnode::processing::radiomics
