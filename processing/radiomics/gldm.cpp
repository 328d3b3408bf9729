#include "processing/radiomics/gldm.h"

#include "processing/radiomics/texture_grid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace radnode::processing::radiomics {
namespace {

GldmMatrix BuildMatrix(const Region& region, const PaddedGray& grid, const std::vector<std::ptrdiff_t>& steps,
                       double alpha, const std::vector<std::uint32_t>& voxels) {
    const std::int32_t* gray = grid.gray.data();
    const std::size_t levels = static_cast<std::size_t>(region.max_gray_level) + 1;
    const std::size_t max_columns = steps.size() + 2; // dependence 1 .. neighbours + 1

    // Dense (level, dependence) tally: both axes are small (levels x neighbours).
    std::vector<double> dense(levels * max_columns, 0.0);
    for (const std::uint32_t voxel : voxels) {
        const std::size_t v = grid.Of(region, voxel);
        const std::int32_t level = gray[v];
        std::size_t dependence = 1; // the centre voxel itself
        for (const std::ptrdiff_t step : steps) {
            const std::int32_t other = gray[v + static_cast<std::size_t>(step)];
            dependence += (other != 0 && std::abs(level - other) <= alpha) ? 1 : 0;
        }
        dense[static_cast<std::size_t>(level) * max_columns + dependence] += 1.0;
    }

    GldmMatrix m;
    std::vector<bool> column_used(max_columns, false);
    for (std::size_t level = 1; level < levels; ++level) {
        bool row_used = false;
        for (std::size_t c = 1; c < max_columns; ++c)
            if (dense[level * max_columns + c] != 0.0) {
                row_used = true;
                column_used[c] = true;
            }
        if (row_used)
            m.gray_levels.push_back(static_cast<std::int32_t>(level));
    }
    for (std::size_t c = 1; c < max_columns; ++c)
        if (column_used[c])
            m.dependences.push_back(static_cast<std::int32_t>(c));
    m.counts.reserve(m.gray_levels.size() * m.dependences.size());
    for (const std::int32_t level : m.gray_levels)
        for (const std::int32_t c : m.dependences)
            m.counts.push_back(dense[static_cast<std::size_t>(level) * max_columns + static_cast<std::size_t>(c)]);
    return m;
}

constexpr std::size_t kFeatureCount = 17;
constexpr std::size_t kIbsiOnly = 1; // trailing entries reported in IBSI mode only

// Alphabetical, as PyRadiomics enumerates get<Name>FeatureValue with inspect.getmembers;
// the IBSI-only feature follows.
constexpr std::array<FeatureInfo, kFeatureCount> kFeatures{{
    {"DependenceEntropy", "FCBV", false},
    {"DependenceNonUniformity", "Z87G", false},
    {"DependenceNonUniformityNormalized", "OKJI", false},
    {"DependencePercentage", "6XV8", true},
    {"DependenceVariance", "DNX2", false},
    {"GrayLevelNonUniformity", "FP8K", false},
    {"GrayLevelNonUniformityNormalized", "5SPA", true},
    {"GrayLevelVariance", "1PFV", false},
    {"HighGrayLevelEmphasis", "OAE7", false},
    {"LargeDependenceEmphasis", "IMOQ", false},
    {"LargeDependenceHighGrayLevelEmphasis", "9QMG", false},
    {"LargeDependenceLowGrayLevelEmphasis", "NBZI", false},
    {"LowGrayLevelEmphasis", "TL9H", false},
    {"SmallDependenceEmphasis", "SODN", false},
    {"SmallDependenceHighGrayLevelEmphasis", "JA6D", false},
    {"SmallDependenceLowGrayLevelEmphasis", "EQ3F", false},
    {"DependenceCountEnergy", "CAS9", false},
}};

std::array<double, kFeatureCount> Evaluate(const GldmMatrix& m, bool ibsi) {
    const std::size_t rows = m.gray_levels.size();
    const std::size_t columns = m.dependences.size();
    std::vector<double> pg(rows, 0.0);
    std::vector<double> pd(columns, 0.0);
    double sd_low = 0.0;
    double sd_high = 0.0;
    double ld_low = 0.0;
    double ld_high = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
        const double i2 = static_cast<double>(m.gray_levels[r]) * m.gray_levels[r];
        for (std::size_t c = 0; c < columns; ++c) {
            const double p = m.counts[r * columns + c];
            if (p == 0.0)
                continue;
            const double j2 = static_cast<double>(m.dependences[c]) * m.dependences[c];
            pg[r] += p;
            pd[c] += p;
            sd_low += p / (i2 * j2);
            sd_high += p * i2 / j2;
            ld_low += p * j2 / i2;
            ld_high += p * j2 * i2;
        }
    }
    double nz = 0.0;
    for (const double p : pd)
        nz += p;
    if (nz == 0.0) // PyRadiomics' guard against an empty matrix
        nz = 1.0;

    double sde = 0.0;
    double lde = 0.0;
    double dn = 0.0;
    double mean_j = 0.0;
    for (std::size_t c = 0; c < columns; ++c) {
        const double j = m.dependences[c];
        sde += pd[c] / (j * j);
        lde += pd[c] * j * j;
        dn += pd[c] * pd[c];
        mean_j += pd[c] / nz * j;
    }
    double dependence_variance = 0.0;
    for (std::size_t c = 0; c < columns; ++c) {
        const double d = m.dependences[c] - mean_j;
        dependence_variance += pd[c] / nz * d * d;
    }

    double gln = 0.0;
    double lgle = 0.0;
    double hgle = 0.0;
    double mean_i = 0.0;
    for (std::size_t r = 0; r < rows; ++r) {
        const double i = m.gray_levels[r];
        gln += pg[r] * pg[r];
        lgle += pg[r] / (i * i);
        hgle += pg[r] * i * i;
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
    double energy = 0.0;
    double voxels = 0.0;
    for (const double count : m.counts)
        if (count != 0.0) {
            const double p = count / nz;
            entropy -= p * std::log2(p + eps);
            energy += p * p;
            voxels += count;
        }
    // Every ROI voxel is a neighbourhood, so the percentage N_z / N_v is 1 for a non-empty ROI.
    const double percentage = voxels == 0.0 ? 0.0 : nz / voxels;

    return {entropy,       dn / nz,     dn / (nz * nz), percentage,   dependence_variance, gln / nz,  gln / (nz * nz),
            gray_variance, hgle / nz,   lde / nz,       ld_high / nz, ld_low / nz,         lgle / nz, sde / nz,
            sd_high / nz,  sd_low / nz, energy};
}

} // namespace

GldmMatrix ComputeGldmMatrix(const Region& region, const Settings& settings) {
    const std::vector<Offset> offsets = GenerateAngles(region.size, settings.distances, true, PlaneAxis(settings));
    const PaddedGray grid(region, MaxDistance(offsets));
    return BuildMatrix(region, grid, NeighbourSteps(grid, offsets), settings.gldm_a, region.voxels);
}

Features ComputeGldm(const Region& region, const Settings& settings) {
    const std::optional<int> plane_axis = PlaneAxis(settings);
    const std::vector<Offset> offsets = GenerateAngles(region.size, settings.distances, true, plane_axis);
    const PaddedGray grid(region, MaxDistance(offsets));
    const std::vector<std::ptrdiff_t> steps = NeighbourSteps(grid, offsets);

    // IBSI 2D: one matrix per slice (in-plane neighbours stay in the slice), features
    // averaged over slices.
    const std::array<double, kFeatureCount> values =
        AveragesSlices(settings)
            ? AverageOverSlices<kFeatureCount>(VoxelsBySlice(region, *plane_axis),
                                               [&](const std::vector<std::uint32_t>& slice) {
                                                   return Evaluate(
                                                       BuildMatrix(region, grid, steps, settings.gldm_a, slice), true);
                                               })
            : Evaluate(BuildMatrix(region, grid, steps, settings.gldm_a, region.voxels), settings.ibsi_compliant);
    const std::size_t reported = settings.ibsi_compliant ? kFeatureCount : kFeatureCount - kIbsiOnly;
    return NamedFeatures("gldm_", kFeatures, values, settings.ibsi_compliant, reported);
}

} // namespace radnode::processing::radiomics
