#pragma once
/// Exact Euclidean distance transform in millimetres over a box of voxels with anisotropic
/// spacing, optionally with the feature transform (the nearest feature voxel of every voxel).
///
/// Separable lower-envelope passes (Felzenszwalb & Huttenlocher, "Distance transforms of
/// sampled functions", 2012), one per axis, linear in the number of voxels: the squared
/// distance is a sum of per-axis terms, so the 3D minimum is three nested 1D minimum
/// convolutions. Two metrics share the passes:
///
/// - VoxelCentres: from a voxel centre to the nearest feature voxel centre (the classical EDT;
///   per-axis term (s n)^2 for an index difference n).
/// - VoxelBoxes: from a voxel centre to the union of the feature voxels' boxes (each voxel the
///   closed cuboid of its spacing around its centre), i.e. to the surface of the voxelised
///   object for voxels outside it; 0 on feature voxels. Per-axis term (s (|n| - 1/2))^2 for
///   n != 0 and 0 for n = 0. That kernel is the lower of two parabolas shifted by half a voxel
///   and the n = 0 term, so each pass evaluates one parabola envelope at p - 1/2 and p + 1/2 and
///   also keeps the line's own value: still exact and linear.
///
/// Results are exact up to the rounding of the final sum: each per-axis term is computed as
/// s^2 * t^2 and the terms are added in axis order x, y, z, so a brute-force minimum written the
/// same way agrees bit for bit (exactly, for spacings that are short binary fractions).

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace radnode::processing::regions {

/// What a distance is measured to; see the file comment.
enum class DistanceMetric { VoxelCentres, VoxelBoxes };

/// Feature index of a voxel that has no feature voxel at all (an all-background box).
inline constexpr std::uint32_t kNoFeature = std::numeric_limits<std::uint32_t>::max();

/// Options of SquaredDistanceMap.
struct DistanceMapOptions {
    DistanceMetric metric = DistanceMetric::VoxelBoxes;
    /// Features are the zero voxels of the mask instead of the non-zero ones (distances from
    /// inside an object to its outside).
    bool features_are_zero = false;
    /// Also compute DistanceMap::nearest (4 bytes per voxel more, and about 30 % more time).
    bool feature_transform = false;
    /// Worker threads for the lines of each pass; 0 = one per core. Small boxes use one.
    unsigned threads = 0;
    /// Distances beyond this (mm) are reported as +infinity, which lets the passes drop every
    /// candidate that cannot come closer: a ball dilation or erosion by r needs only up to r
    /// and runs several times faster. Infinity (the default) computes every distance.
    double max_distance_mm = std::numeric_limits<double>::infinity();
};

/// Squared distances (mm²) over a box, x fastest: offset = i + size[0] * (j + size[1] * k).
struct DistanceMap {
    std::array<std::size_t, 3> size{0, 0, 0};
    /// Per voxel; +infinity when the box holds no feature voxel.
    std::vector<double> squared_mm2;
    /// Per voxel, the box offset of a nearest feature voxel (kNoFeature when there is none);
    /// empty unless DistanceMapOptions::feature_transform. Ties go to one of the nearest.
    std::vector<std::uint32_t> nearest;

    [[nodiscard]] std::size_t Offset(std::size_t i, std::size_t j, std::size_t k) const {
        return i + size[0] * (j + size[1] * k);
    }
};

/// The distance transform of `mask` (size[0] x size[1] x size[2] voxels, x fastest; features
/// are its non-zero voxels unless options.features_are_zero) for voxel `spacing` in mm. Only the
/// box is seen: a caller wanting distances to features beyond it must pad the box. Throws
/// std::invalid_argument when mask.size() does not match `size` or a spacing is not positive
/// and finite, and std::length_error for a feature transform over 2^32 - 1 voxels or more.
[[nodiscard]] DistanceMap SquaredDistanceMap(std::span<const std::uint8_t> mask, const std::array<std::size_t, 3>& size,
                                             const std::array<double, 3>& spacing,
                                             const DistanceMapOptions& options = {});

} // namespace radnode::processing::regions

namespace radnode::processing::regions {

/// Squared distances (mm², one per voxel of the box, x fastest) from every voxel centre to the
/// nearest point of a fine lattice at which the trilinear interpolation of `field` (one value
/// per voxel centre) is <= 0: the distance to the zero set of the interpolated field, sampled
/// on that lattice. +infinity where no lattice point qualifies.
///
/// The lattice divides each voxel step of axis a into factors[a] steps and is offset by half a
/// fine step, so no lattice point coincides with a voxel centre: along an axis of n > 1 voxels
/// its points are at index coordinates (r + 1/2) / factors[a], r = 0 .. (n - 1) factors[a] - 1;
/// an axis of one voxel has the single point 0. The lattice is never stored whole: the
/// separable lower-envelope passes run along z, then y, then x, each keeping only the voxel
/// positions that the later passes need, so memory is about one value per fine (x, y) column
/// per slice. Time is linear in the number of lattice points.
///
/// Used with a signed distance field (negative inside a mask) this is shape-based interpolation
/// (Raya & Udupa 1990; Herman, Zheng & Bucholtz 1992): the mask's boundary becomes a surface
/// that passes between inside and outside voxel centres and runs smoothly across thick slices
/// instead of stepping at each slice, which is what peritumoral distances need.
/// Throws std::invalid_argument when field.size() does not match `size`, a spacing is not
/// positive and finite, or a factor is 0.
[[nodiscard]] std::vector<double> SquaredDistanceToInterpolatedZeroSet(std::span<const double> field,
                                                                       const std::array<std::size_t, 3>& size,
                                                                       const std::array<double, 3>& spacing,
                                                                       const std::array<std::size_t, 3>& factors,
                                                                       unsigned threads = 0);

} // namespace radnode::processing::regions
