#pragma once
/// Neighbour offsets ("angles") for texture matrices, generated in PyRadiomics' order so
/// per-angle matrices line up with its dumps and its per-angle averaging.

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace radnode::processing::radiomics {

/// Offset in box index space: di along x (fastest), dj along y, dk along z.
struct Offset {
    int di = 0;
    int dj = 0;
    int dk = 0;
};

/// All offsets whose infinity norm is one of `distances`, excluding any offset that moves
/// along `out_of_plane` (0 = z/k, 1 = y/j, 2 = x/i, numpy axis order as PyRadiomics'
/// force2Ddimension) or does not fit in `box_size` (x, y, z). With `bidirectional` false only
/// one of each pair ±o is kept (the first half of PyRadiomics' enumeration: 13 for distance
/// 1 in 3D, 4 in 2D). Order: numpy axis 0 (z) slowest, offsets from +d down to -d.
std::vector<Offset> GenerateAngles(const std::array<std::size_t, 3>& box_size, const std::vector<int>& distances,
                                   bool bidirectional, std::optional<int> out_of_plane);

} // namespace radnode::processing::radiomics
