#include "processing/radiomics/gldzm.h"

#include "processing/radiomics/texture_grid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

/// A zone matrix: rows grey levels 1..ng, columns distances 1..nd, plus the voxel count the
/// zone percentage divides by (summed along with the counts when matrices are merged).
struct ZoneMatrix {
    std::size_t ng = 0;
    std::size_t nd = 0;
    std::vector<double> counts; // (level - 1) * nd + (distance - 1)
    double voxel_count = 0.0;
};

constexpr std::size_t kFeatureCount = 16;

std::array<double, kFeatureCount> MatrixFeatures(const ZoneMatrix& m) {
    double nz = 0.0;
    for (const double c : m.counts)
        nz += c;
    std::vector<double> row(m.ng, 0.0);
    std::vector<double> col(m.nd, 0.0);
    std::array<double, 8> emphasis{};
    for (std::size_t g = 0; g < m.ng; ++g)
        for (std::size_t d = 0; d < m.nd; ++d) {
            const double c = m.counts[g * m.nd + d];
            if (c == 0.0)
                continue;
            const double i2 = static_cast<double>((g + 1) * (g + 1));
            const double j2 = static_cast<double>((d + 1) * (d + 1));
            row[g] += c;
            col[d] += c;
            emphasis[0] += c / j2;
            emphasis[1] += c * j2;
            emphasis[2] += c / i2;
            emphasis[3] += c * i2;
            emphasis[4] += c / (i2 * j2);
            emphasis[5] += c * i2 / j2;
            emphasis[6] += c * j2 / i2;
            emphasis[7] += c * i2 * j2;
        }
    std::array<double, kFeatureCount> f{};
    if (nz == 0.0)
        return f;
    for (std::size_t e = 0; e < emphasis.size(); ++e)
        f[e] = emphasis[e] / nz;
    double glnu = 0.0;
    double mu_i = 0.0;
    for (std::size_t g = 0; g < m.ng; ++g) {
        glnu += row[g] * row[g];
        mu_i += static_cast<double>(g + 1) * row[g] / nz;
    }
    double zdnu = 0.0;
    double mu_j = 0.0;
    for (std::size_t d = 0; d < m.nd; ++d) {
        zdnu += col[d] * col[d];
        mu_j += static_cast<double>(d + 1) * col[d] / nz;
    }
    double var_i = 0.0;
    double var_j = 0.0;
    double entropy = 0.0;
    for (std::size_t g = 0; g < m.ng; ++g)
        for (std::size_t d = 0; d < m.nd; ++d) {
            const double p = m.counts[g * m.nd + d] / nz;
            if (p == 0.0)
                continue;
            var_i += p * (static_cast<double>(g + 1) - mu_i) * (static_cast<double>(g + 1) - mu_i);
            var_j += p * (static_cast<double>(d + 1) - mu_j) * (static_cast<double>(d + 1) - mu_j);
            entropy -= p * std::log2(p);
        }
    f[8] = glnu / nz;
    f[9] = glnu / (nz * nz);
    f[10] = zdnu / nz;
    f[11] = zdnu / (nz * nz);
    f[12] = m.voxel_count > 0.0 ? nz / m.voxel_count : 0.0;
    f[13] = var_i;
    f[14] = var_j;
    f[15] = entropy;
    return f;
}

struct Box {
    std::array<std::size_t, 3> size;
    [[nodiscard]] std::size_t Index(std::size_t i, std::size_t j, std::size_t k) const {
        return i + size[0] * (j + size[1] * k);
    }
    [[nodiscard]] std::array<std::size_t, 3> Coordinates(std::size_t index) const {
        return {index % size[0], (index / size[0]) % size[1], index / (size[0] * size[1])};
    }
    /// Index of the neighbour at `offset`, or SIZE_MAX when it lies outside the box.
    [[nodiscard]] std::size_t Neighbour(const std::array<std::size_t, 3>& c, const std::array<int, 3>& offset) const {
        std::array<std::size_t, 3> n{};
        for (int a = 0; a < 3; ++a) {
            const auto axis = static_cast<std::size_t>(a);
            const long long v = static_cast<long long>(c[axis]) + offset[axis];
            if (v < 0 || v >= static_cast<long long>(size[axis]))
                return std::numeric_limits<std::size_t>::max();
            n[axis] = static_cast<std::size_t>(v);
        }
        return Index(n[0], n[1], n[2]);
    }
};

/// Offsets of the neighbourhood: all with Chebyshev norm 1 (`face_only` false) or only the
/// face neighbours (`face_only` true), excluding moves along `out_axis` in 2D.
std::vector<std::array<int, 3>> Offsets(bool face_only, int out_axis) {
    std::vector<std::array<int, 3>> offsets;
    for (int dz = -1; dz <= 1; ++dz)
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx) {
                const std::array<int, 3> o{dx, dy, dz};
                const int moved = (dx != 0) + (dy != 0) + (dz != 0);
                if (moved == 0 || (face_only && moved != 1))
                    continue;
                if (out_axis >= 0 && o[static_cast<std::size_t>(out_axis)] != 0)
                    continue;
                offsets.push_back(o);
            }
    return offsets;
}

/// Edge distance of every morphological-mask voxel: 1 for voxels with a face neighbour
/// (within the plane in 2D) outside the mask or the box, growing by one per erosion step.
std::vector<std::int32_t> EdgeDistances(const Region& region, const Box& box, int out_axis) {
    const std::vector<std::array<int, 3>> faces = Offsets(true, out_axis);
    std::vector<std::int32_t> distance(region.shape_mask.size(), 0);
    std::vector<std::size_t> front;
    for (std::size_t v = 0; v < region.shape_mask.size(); ++v) {
        if (region.shape_mask[v] == 0)
            continue;
        const auto c = box.Coordinates(v);
        for (const auto& o : faces) {
            const std::size_t n = box.Neighbour(c, o);
            if (n == std::numeric_limits<std::size_t>::max() || region.shape_mask[n] == 0) {
                distance[v] = 1;
                front.push_back(v);
                break;
            }
        }
    }
    // Breadth-first growth inwards equals repeated erosion with the face-connected element.
    std::vector<std::size_t> next;
    for (std::int32_t d = 2; !front.empty(); ++d) {
        next.clear();
        for (const std::size_t v : front) {
            const auto c = box.Coordinates(v);
            for (const auto& o : faces) {
                const std::size_t n = box.Neighbour(c, o);
                if (n != std::numeric_limits<std::size_t>::max() && region.shape_mask[n] != 0 && distance[n] == 0) {
                    distance[n] = d;
                    next.push_back(n);
                }
            }
        }
        front.swap(next);
    }
    return distance;
}

} // namespace

Features ComputeGldzm(const Region& region, const Settings& settings) {
    static constexpr std::array<FeatureInfo, kFeatureCount> kFeatures{{
        {"SmallDistanceEmphasis", "0GBI"},
        {"LargeDistanceEmphasis", "MB4I"},
        {"LowGrayLevelZoneEmphasis", "S1RA"},
        {"HighGrayLevelZoneEmphasis", "K26C"},
        {"SmallDistanceLowGrayLevelEmphasis", "RUVG"},
        {"SmallDistanceHighGrayLevelEmphasis", "DKNJ"},
        {"LargeDistanceLowGrayLevelEmphasis", "A7WM"},
        {"LargeDistanceHighGrayLevelEmphasis", "KLTH"},
        {"GrayLevelNonUniformity", "VFT7"},
        {"GrayLevelNonUniformityNormalized", "7HP3"},
        {"ZoneDistanceNonUniformity", "V294"},
        {"ZoneDistanceNonUniformityNormalized", "IATH"},
        {"ZonePercentage", "VIWW"},
        {"GrayLevelVariance", "QK93"},
        {"ZoneDistanceVariance", "7WT1"},
        {"ZoneDistanceEntropy", "GBDU"},
    }};
    const AggregationMode mode = ModeOf(settings.ibsi_aggregation);
    const int out_axis = OutOfPlaneBoxAxis(mode, settings);
    const Box box{region.size};
    const std::vector<std::int32_t> distance = EdgeDistances(region, box, out_axis);
    const std::vector<std::array<int, 3>> links = Offsets(false, out_axis);

    // Label zones: connected voxels of one grey level in the intensity mask.
    struct Zone {
        std::int32_t level;
        std::int32_t distance;
        std::size_t slice;
    };
    std::vector<Zone> zones;
    std::vector<char> visited(region.mask.size(), 0);
    std::vector<std::size_t> stack;
    std::map<std::size_t, double> voxels_per_slice;
    std::int32_t max_distance = 1;
    for (const std::uint32_t seed : region.voxels) {
        const auto seed_c = box.Coordinates(seed);
        const std::size_t slice = out_axis < 0 ? 0 : seed_c[static_cast<std::size_t>(out_axis)];
        voxels_per_slice[slice] += 1.0;
        if (visited[seed] != 0)
            continue;
        const std::int32_t level = region.gray[seed];
        // Voxels outside the morphological mask (should not occur) count as edge voxels.
        std::int32_t zone_distance = std::numeric_limits<std::int32_t>::max();
        visited[seed] = 1;
        stack.assign(1, seed);
        while (!stack.empty()) {
            const std::size_t v = stack.back();
            stack.pop_back();
            zone_distance = std::min(zone_distance, std::max<std::int32_t>(distance[v], 1));
            const auto c = box.Coordinates(v);
            for (const auto& o : links) {
                const std::size_t n = box.Neighbour(c, o);
                if (n == std::numeric_limits<std::size_t>::max() || visited[n] != 0 || region.mask[n] == 0 ||
                    region.gray[n] != level)
                    continue;
                visited[n] = 1;
                stack.push_back(n);
            }
        }
        max_distance = std::max(max_distance, zone_distance);
        zones.push_back({level, zone_distance, slice});
    }

    const auto ng = static_cast<std::size_t>(std::max<std::int32_t>(region.max_gray_level, 1));
    const auto nd = static_cast<std::size_t>(max_distance);
    std::map<std::size_t, ZoneMatrix> per_slice;
    for (const auto& [slice, count] : voxels_per_slice)
        per_slice[slice] = ZoneMatrix{ng, nd, std::vector<double>(ng * nd, 0.0), count};
    for (const Zone& z : zones)
        per_slice[z.slice].counts[static_cast<std::size_t>(z.level - 1) * nd + static_cast<std::size_t>(z.distance - 1)] +=
            1.0;

    std::array<double, kFeatureCount> values{};
    if (mode == AggregationMode::TwoD) {
        // IBSI 2D: features per slice, averaged over the slices holding ROI voxels.
        for (const auto& [slice, m] : per_slice) {
            const auto f = MatrixFeatures(m);
            for (std::size_t i = 0; i < kFeatureCount; ++i)
                values[i] += f[i] / static_cast<double>(per_slice.size());
        }
    } else {
        ZoneMatrix merged{ng, nd, std::vector<double>(ng * nd, 0.0), 0.0};
        for (const auto& [slice, m] : per_slice) {
            for (std::size_t i = 0; i < m.counts.size(); ++i)
                merged.counts[i] += m.counts[i];
            merged.voxel_count += m.voxel_count;
        }
        values = MatrixFeatures(merged);
    }
    return NamedFeatures("gldzm_", kFeatures, values, settings.ibsi_compliant);
}

} // namespace radnode::processing::radiomics
