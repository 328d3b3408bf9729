#include "processing/radiomics/ngldm.h"

#include "processing/radiomics/texture_grid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

/// Rows grey levels 1..ng, columns dependence counts 1..nk, and the voxel count N_v.
struct DependenceMatrix {
    std::size_t ng = 0;
    std::size_t nk = 0;
    std::vector<double> counts; // (level - 1) * nk + (count - 1)
    double voxel_count = 0.0;
};

constexpr std::size_t kFeatureCount = 17;

std::array<double, kFeatureCount> MatrixFeatures(const DependenceMatrix& m) {
    double ns = 0.0;
    for (const double c : m.counts)
        ns += c;
    std::array<double, kFeatureCount> f{};
    if (ns == 0.0)
        return f;
    std::vector<double> row(m.ng, 0.0);
    std::vector<double> col(m.nk, 0.0);
    std::array<double, 8> emphasis{};
    for (std::size_t g = 0; g < m.ng; ++g)
        for (std::size_t k = 0; k < m.nk; ++k) {
            const double c = m.counts[g * m.nk + k];
            if (c == 0.0)
                continue;
            const double i2 = static_cast<double>((g + 1) * (g + 1));
            const double j2 = static_cast<double>((k + 1) * (k + 1));
            row[g] += c;
            col[k] += c;
            emphasis[0] += c / j2;
            emphasis[1] += c * j2;
            emphasis[2] += c / i2;
            emphasis[3] += c * i2;
            emphasis[4] += c / (i2 * j2);
            emphasis[5] += c * i2 / j2;
            emphasis[6] += c * j2 / i2;
            emphasis[7] += c * i2 * j2;
        }
    for (std::size_t e = 0; e < emphasis.size(); ++e)
        f[e] = emphasis[e] / ns;
    double glnu = 0.0;
    double mu_i = 0.0;
    for (std::size_t g = 0; g < m.ng; ++g) {
        glnu += row[g] * row[g];
        mu_i += static_cast<double>(g + 1) * row[g] / ns;
    }
    double dcnu = 0.0;
    double mu_j = 0.0;
    for (std::size_t k = 0; k < m.nk; ++k) {
        dcnu += col[k] * col[k];
        mu_j += static_cast<double>(k + 1) * col[k] / ns;
    }
    double var_i = 0.0;
    double var_j = 0.0;
    double entropy = 0.0;
    double energy = 0.0;
    for (std::size_t g = 0; g < m.ng; ++g)
        for (std::size_t k = 0; k < m.nk; ++k) {
            const double p = m.counts[g * m.nk + k] / ns;
            if (p == 0.0)
                continue;
            var_i += p * (static_cast<double>(g + 1) - mu_i) * (static_cast<double>(g + 1) - mu_i);
            var_j += p * (static_cast<double>(k + 1) - mu_j) * (static_cast<double>(k + 1) - mu_j);
            entropy -= p * std::log2(p);
            energy += p * p;
        }
    f[8] = glnu / ns;
    f[9] = glnu / (ns * ns);
    f[10] = dcnu / ns;
    f[11] = dcnu / (ns * ns);
    f[12] = m.voxel_count > 0.0 ? ns / m.voxel_count : 0.0;
    f[13] = var_i;
    f[14] = var_j;
    f[15] = entropy;
    f[16] = energy;
    return f;
}

} // namespace

Features ComputeNgldm(const Region& region, const Settings& settings) {
    static constexpr std::array<FeatureInfo, kFeatureCount> kFeatures{{
        {"LowDependenceEmphasis", "SODN"},
        {"HighDependenceEmphasis", "IMOQ"},
        {"LowGrayLevelCountEmphasis", "TL9H"},
        {"HighGrayLevelCountEmphasis", "OAE7"},
        {"LowDependenceLowGrayLevelEmphasis", "EQ3F"},
        {"LowDependenceHighGrayLevelEmphasis", "JA6D"},
        {"HighDependenceLowGrayLevelEmphasis", "NBZI"},
        {"HighDependenceHighGrayLevelEmphasis", "9QMG"},
        {"GrayLevelNonUniformity", "FP8K"},
        {"GrayLevelNonUniformityNormalized", "5SPA"},
        {"DependenceCountNonUniformity", "Z87G"},
        {"DependenceCountNonUniformityNormalized", "OKJI"},
        {"DependenceCountPercentage", "6XV8"},
        {"GrayLevelVariance", "1PFV"},
        {"DependenceCountVariance", "DNX2"},
        {"DependenceCountEntropy", "FCBV"},
        {"DependenceCountEnergy", "CAS9"},
    }};
    const AggregationMode mode = ModeOf(settings.ibsi_aggregation);
    const int out_axis = OutOfPlaneBoxAxis(mode, settings);
    std::vector<std::array<int, 3>> offsets;
    for (int dz = -1; dz <= 1; ++dz)
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
                const std::array<int, 3> o{dx, dy, dz};
                if ((dx == 0 && dy == 0 && dz == 0) || (out_axis >= 0 && o[static_cast<std::size_t>(out_axis)] != 0))
                    continue;
                offsets.push_back(o);
            }
    const auto ng = static_cast<std::size_t>(std::max<std::int32_t>(region.max_gray_level, 1));
    const std::size_t nk = offsets.size() + 1;
    const double alpha = settings.gldm_a;
    const auto& size = region.size;

    std::map<std::size_t, DependenceMatrix> per_slice;
    for (const std::uint32_t v : region.voxels) {
        const std::array<std::size_t, 3> c{v % size[0], (v / size[0]) % size[1], v / (size[0] * size[1])};
        const std::int32_t level = region.gray[v];
        std::size_t count = 1; // IBSI counts the centre voxel itself
        for (const auto& o : offsets) {
            std::array<std::size_t, 3> n{};
            bool inside = true;
            for (std::size_t a = 0; a < 3; ++a) {
                const long long p = static_cast<long long>(c[a]) + o[a];
                inside = inside && p >= 0 && p < static_cast<long long>(size[a]);
                n[a] = static_cast<std::size_t>(p);
            }
            if (!inside)
                continue;
            const std::size_t ni = region.Index(n[0], n[1], n[2]);
            if (region.mask[ni] != 0 && std::abs(region.gray[ni] - level) <= alpha)
                ++count;
        }
        const std::size_t slice = out_axis < 0 ? 0 : c[static_cast<std::size_t>(out_axis)];
        auto [it, fresh] = per_slice.try_emplace(slice);
        if (fresh)
            it->second = DependenceMatrix{ng, nk, std::vector<double>(ng * nk, 0.0), 0.0};
        it->second.counts[static_cast<std::size_t>(level - 1) * nk + (count - 1)] += 1.0;
        it->second.voxel_count += 1.0;
    }

    std::array<double, kFeatureCount> values{};
    if (mode == AggregationMode::TwoD) {
        for (const auto& [slice, m] : per_slice) {
            const auto f = MatrixFeatures(m);
            for (std::size_t i = 0; i < kFeatureCount; ++i)
                values[i] += f[i] / static_cast<double>(per_slice.size());
        }
    } else {
        DependenceMatrix merged{ng, nk, std::vector<double>(ng * nk, 0.0), 0.0};
        for (const auto& [slice, m] : per_slice) {
            for (std::size_t i = 0; i < m.counts.size(); ++i)
                merged.counts[i] += m.counts[i];
            merged.voxel_count += m.voxel_count;
        }
        values = MatrixFeatures(merged);
    }
    return NamedFeatures("ngldm_", kFeatures, values, settings.ibsi_compliant);
}

} // namespace radnode::processing::radiomics
