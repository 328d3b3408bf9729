#pragma once
/// A binary region on a CT grid, stored only over its bounding box: derived regions (lungs,
/// heart, rings, ...) are small next to a 512 x 512 x 300 CT, and a pipeline keeps a dozen.

#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace radnode::processing::regions {

/// Voxels of a region: `values` over the box [begin, begin + size) of the grid (x fastest),
/// non-zero inside. An empty box is the empty region.
struct BoxMask {
    std::array<std::size_t, 3> begin{0, 0, 0};
    std::array<std::size_t, 3> size{0, 0, 0};
    std::vector<std::uint8_t> values;

    [[nodiscard]] std::size_t BoxVoxelCount() const { return size[0] * size[1] * size[2]; }
    [[nodiscard]] bool Empty() const { return BoxVoxelCount() == 0; }
    /// Offset in `values` of grid index (i, j, k), which must lie in the box.
    [[nodiscard]] std::size_t Offset(std::size_t i, std::size_t j, std::size_t k) const {
        return (i - begin[0]) + size[0] * ((j - begin[1]) + size[1] * (k - begin[2]));
    }
    [[nodiscard]] bool Contains(std::size_t i, std::size_t j, std::size_t k) const {
        return i >= begin[0] && i < begin[0] + size[0] && j >= begin[1] && j < begin[1] + size[1] &&
               k >= begin[2] && k < begin[2] + size[2];
    }
    /// True for a grid voxel inside the region (false outside the box).
    [[nodiscard]] bool At(std::size_t i, std::size_t j, std::size_t k) const {
        return Contains(i, j, k) && values[Offset(i, j, k)] != 0;
    }
    /// Number of voxels inside the region.
    [[nodiscard]] std::size_t Count() const;
};

/// The voxels of `labels` equal to `label` (any non-zero voxel when `label` is 0), cropped to
/// their bounding box.
BoxMask BoxMaskFromLabels(const LabelMap& labels, std::uint8_t label = 0);

/// A full-grid mask (cropped to its bounding box).
BoxMask BoxMaskFromVolume(const Volume<std::uint8_t>& mask);

/// The region on the whole grid of `geometry`: 1 inside, 0 elsewhere.
LabelMap ToLabelMap(const BoxMask& mask, const ImageGeometry& geometry);

/// The same region with its box shrunk to the voxels inside (empty box when none).
BoxMask Tighten(const BoxMask& mask);

/// The voxels in either region, over the box spanning both (tightened).
BoxMask Union(const BoxMask& a, const BoxMask& b);

} // namespace radnode::processing::regions
