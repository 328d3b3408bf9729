#pragma once
/// The region a feature class works on, prepared once per (image, mask, settings) and
/// shared by every feature class: the ROI's bounding box cut out of the (preprocessed)
/// image, the masks, and the discretised gray levels, as PyRadiomics prepares them before
/// calling its feature classes.

#include "processing/radiomics/settings.h"
#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {

struct Region {
    /// Bounding box size (x fastest, then y, then z); box index = i + size[0] * (j + size[1] * k).
    std::array<std::size_t, 3> size{0, 0, 0};
    /// Index of the box's first voxel in the full image the region was cut from.
    std::array<std::size_t, 3> box_origin{0, 0, 0};
    /// Voxel spacing in mm along x, y, z.
    std::array<double, 3> spacing{1.0, 1.0, 1.0};
    /// Image values in the box, as PyRadiomics' feature classes see them (after resampling and
    /// normalisation; voxelArrayShift is NOT applied — first order adds it itself).
    std::vector<double> image;
    /// 1 inside the ROI used by intensity and texture features (after re-segmentation), else 0.
    std::vector<std::uint8_t> mask;
    /// 1 inside the morphological ROI used by shape features (before re-segmentation).
    std::vector<std::uint8_t> shape_mask;
    /// Discretised gray level of each box voxel: 1.. inside `mask`, 0 outside.
    std::vector<std::int32_t> gray;
    /// Gray levels present in the ROI, ascending (PyRadiomics coefficients['grayLevels']).
    std::vector<std::int32_t> gray_levels;
    /// Largest discretised level in the ROI (PyRadiomics coefficients['Ng']).
    std::int32_t max_gray_level = 0;
    /// Box indices of the ROI (`mask`) voxels, ascending.
    std::vector<std::uint32_t> voxels;
    /// Lower edge of each bin (bin b = level b+1), for IBSI features that need intensities
    /// of bins; empty when not discretised by width.
    std::vector<double> bin_edges;

    [[nodiscard]] std::size_t Index(std::size_t i, std::size_t j, std::size_t k) const {
        return i + size[0] * (j + size[1] * k);
    }
    [[nodiscard]] std::size_t BoxVoxelCount() const { return size[0] * size[1] * size[2]; }
};

/// Discretises the ROI intensities as PyRadiomics does (imageoperations.binImage):
/// with a bin count, edges span [min, max] in `bin_count` equal bins; with a bin width,
/// edges are anchored at multiples of the width (lowBound = min - (min mod width)), or in
/// IBSI mode at the ROI minimum. A region with a single value gets one level. Fills
/// `gray`, `gray_levels`, `max_gray_level`, `bin_edges`.
void Discretise(Region& region, const Settings& settings);

/// Builds a Region from a full image and label mask on the same grid: the bounding box of
/// voxels equal to settings.label, image values in it, mask = shape_mask = that label, then
/// Discretise. Returns an error message (empty on success) for an absent label.
std::string BuildRegion(const Volume<double>& image, const Volume<std::int32_t>& mask, const Settings& settings,
                        Region& region);

} // namespace radnode::processing::radiomics
