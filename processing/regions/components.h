#pragma once
/// Connected components of binary masks, on runs: a mask is stored as its runs along x, and
/// components are unions of runs (union-find), so labelling a 512 x 512 x 300 thorax costs
/// memory proportional to the runs, not to the voxels. Also hole filling of axial slices.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace radnode::processing::regions {

/// Grid extent along x, y, z (x fastest).
using Extent = std::array<std::size_t, 3>;

/// Which neighbours join voxels: faces only (6 in 3D, 4 in a slice) or faces, edges and
/// corners (26 in 3D, 8 in a slice).
enum class Connectivity { Face, Full };

/// One run of set voxels along x on line (y, z): x in [x0, x1).
struct Run {
    std::uint32_t x0 = 0;
    std::uint32_t x1 = 0;
};

/// Per-component statistics.
struct ComponentStats {
    std::uint64_t voxels = 0;
    std::array<double, 3> sum{0.0, 0.0, 0.0}; ///< sum of voxel indices (centroid = sum / voxels)
    std::array<std::size_t, 3> lo{0, 0, 0};   ///< inclusive index box
    std::array<std::size_t, 3> hi{0, 0, 0};
    bool touches_xy_border = false; ///< a voxel on x = 0, x = n-1, y = 0 or y = n-1

    [[nodiscard]] std::array<double, 3> Centroid() const {
        const double n = static_cast<double>(voxels);
        return {sum[0] / n, sum[1] / n, sum[2] / n};
    }
};

/// The components of a mask: its runs, the component of each run (0-based, components
/// numbered by first run) and their statistics.
struct Components {
    Extent extent{0, 0, 0};
    /// Runs of line (y, z) are runs[line_start[y + ny z] .. line_start[y + ny z + 1]).
    std::vector<std::uint32_t> line_start;
    std::vector<Run> runs;
    std::vector<std::uint32_t> component; ///< per run
    std::vector<ComponentStats> stats;    ///< per component

    [[nodiscard]] std::size_t Count() const { return stats.size(); }
    /// Writes `value` into `out` (the grid, x fastest) for every voxel of a component for
    /// which `keep` is true.
    void Paint(const std::function<bool(std::uint32_t)>& keep, std::uint8_t* out, std::uint8_t value = 1) const;
    /// Component indices sorted by voxel count, largest first.
    [[nodiscard]] std::vector<std::uint32_t> BySize() const;
};

/// Labels the components of `mask` (non-zero = set) over `extent`. With `extent[2] == 1` this
/// is a 2D labelling (Face = 4-, Full = 8-connectivity).
Components LabelComponents(const std::uint8_t* mask, const Extent& extent, Connectivity connectivity);

/// Sets every hole of every axial slice of `mask` (background not connected to the slice
/// border through background; background joins by faces, so the foreground is 8-connected).
void FillSliceHoles(std::uint8_t* mask, const Extent& extent);

} // namespace radnode::processing::regions
