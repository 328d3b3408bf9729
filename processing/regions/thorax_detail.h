#pragma once
/// Shared pieces of the thorax segmentation (thorax_lungs.cpp, thorax_heart.cpp): a dense
/// working mask over a box of the CT grid, and the steps each file provides.

#include "processing/regions/box_mask.h"
#include "processing/regions/components.h"
#include "processing/regions/thorax_regions.h"
#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace radnode::processing::regions::detail {

/// A dense mask over the box [begin, begin + extent) of the CT grid (x fastest).
struct Work {
    std::array<std::size_t, 3> begin{0, 0, 0};
    Extent extent{0, 0, 0};
    std::vector<std::uint8_t> values;

    [[nodiscard]] std::size_t Index(std::size_t x, std::size_t y, std::size_t z) const {
        return x + extent[0] * (y + extent[1] * z);
    }
    [[nodiscard]] std::size_t Size() const { return extent[0] * extent[1] * extent[2]; }
};

/// A working mask over `box` of `mask`'s grid holding `mask` (zero outside it).
Work WorkFrom(const BoxMask& mask, const std::array<std::size_t, 3>& begin, const Extent& extent);
/// The working mask as a region (box tightened).
BoxMask ToBoxMask(const Work& work);

/// Body: the largest component above the body threshold, the largest piece of it per slice
/// (table and arms), slice holes filled. Empty mask with `reason` when none.
BoxMask SegmentBody(const CtVolume& ct, const ThoraxSettings& settings, std::string& reason);

/// Lungs and airways inside `body`; fills the lung, airway regions and carina slice of `out`.
void SegmentLungs(const CtVolume& ct, const BoxMask& body, const BoxMask& tumour, const ThoraxSettings& settings,
                  ThoraxRegions& out);

/// Heart region, aorta and coronary candidates from the lungs and bone; fills `out`.
void SegmentHeart(const CtVolume& ct, const ThoraxSettings& settings, ThoraxRegions& out);

/// +1 when slice index k increases towards the head (patient +z), -1 otherwise.
int SuperiorDirection(const ImageGeometry& geometry);

/// +1 when index x increases towards the patient's left (LPS +x), -1 otherwise.
int LeftDirection(const ImageGeometry& geometry);

/// Squared distance (mm²) from every voxel of a working mask to the nearest voxel whose value
/// is `feature` (set when true, background when false); infinity when there is none or it is
/// farther than `max_distance_mm`.
std::vector<double> SquaredDistanceTo(const Work& work, const std::array<double, 3>& spacing, bool feature,
                                      double max_distance_mm = std::numeric_limits<double>::infinity());

/// Dilation (radius_mm > 0) or erosion (radius_mm < 0) of a working mask by a ball in mm
/// (voxel centres within |radius| of the set / of the background), within its extent.
void Morph(Work& work, const std::array<double, 3>& spacing, double radius_mm);

} // namespace radnode::processing::regions::detail
