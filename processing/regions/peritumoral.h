#pragma once
/// Peritumoral and intratumoral regions of a segmented tumour at physical distances (mm), for
/// radiomics of the tumour's surroundings (the NSCLC studies' 3, 6 and 9 mm rings).
///
/// Distance from the tumour boundary. A binary mask only says which voxel centres are in the
/// tumour; its boundary lies somewhere between inside and outside centres, and at 3 mm slices
/// that is a 3 mm uncertainty along z. The boundary used here is the shape-based interpolation
/// of the mask (Raya & Udupa 1990; Herman et al. 1992): the signed distance between voxel
/// centres (+ distance to the nearest tumour centre outside, - distance to the nearest outside
/// centre inside), interpolated trilinearly, and its zero set sampled on a fine lattice of about
/// kPeritumoralInterpolationStepMm. That surface passes half-way between neighbouring inside
/// and outside centres and slopes smoothly from slice to slice, as the tumour does. A voxel's
/// distance is the exact Euclidean distance in mm from its centre to that sampled surface
/// (distance_map.h, SquaredDistanceToInterpolatedZeroSet), on a box cropped around the tumour;
/// never a count of dilation steps.
///
/// Why not the plain distance between voxel centres or to the voxels' boxes: for a 12-15 mm
/// sphere at 0.7 x 0.7 x 3 mm, a 3 mm ring measured to the nearest tumour centre is about 18 %
/// smaller than the analytic shell 4/3 pi ((R+d)^3 - R^3), and measured to the union of tumour
/// voxel boxes about 29 % larger (the staircase of 3 mm slices adds its risers to the surface).
/// On the interpolated surface the 3, 6 and 9 mm rings and annuli stay within 2 % of the shells
/// at 0.7 x 0.7 x 3, 0.8 x 0.8 x 1.25 and 0.7 x 0.7 x 1.5 mm
/// (tests/unit/processing/regions/peritumoral_test.cpp). The surface rounds a cuboid's edges
/// slightly, as any smooth interpolation does.
///
/// Regions (names stable; distances printed in mm with '.' written 'p', e.g. "ring_1p5mm"):
/// - "ring_<d>mm": outside voxels at distance in (0, d].
/// - "annulus_<a>_<b>mm": outside voxels at distance in (a, b] for consecutive distances, the
///   first from 0 ("annulus_0_3mm", "annulus_3_6mm", "annulus_6_9mm"), so they partition the
///   widest ring.
/// - "tumour_ring_<d>mm": the tumour plus ring_<d>mm.
/// - "core_<d>mm": tumour voxels farther than d inside the boundary (the tumour eroded by d).
/// A distance equal to d on paper counts as at most d (relative tolerance 1e-9).
///
/// Clipping (e.g. to the lungs, so a juxtapleural tumour's ring does not count chest wall)
/// removes ring and annulus voxels outside the clip mask; tumour voxels are never clipped.
/// Rings are computed as if the image went on beyond its edges and then cut at the edge; both
/// losses are reported per region.

#include "processing/regions/box_mask.h"
#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace radnode::processing::regions {

/// Which mask the caller passes as `clip` to BuildPeritumoralRegions. The function only checks
/// that one is given when the mode is not None; choosing the mask is the pipeline's job.
enum class PeritumoralClip {
    None,  ///< no clipping: rings extend into whatever surrounds the tumour
    Lungs, ///< clip to the lungs (both lungs, tumour included, as SegmentThorax returns them)
    Body,  ///< clip to the body (rings do not leave the patient)
};

/// Largest distance accepted (mm): larger ones are no longer "peritumoral" and would make the
/// working box large.
inline constexpr double kMaxPeritumoralDistanceMm = 100.0;

/// Step (mm) of the fine lattice on which the tumour surface is interpolated: each axis's voxel
/// step is divided into ceil(spacing / step) parts. Grown by factors of 1.25 only when a work
/// box's lattice would exceed 2^26 points (tumours of roughly 10 cm and more).
inline constexpr double kPeritumoralInterpolationStepMm = 0.35;

/// Which regions to build (config: peritumoral.*).
struct PeritumoralSettings {
    /// Ring distances in mm, each in (0, kMaxPeritumoralDistanceMm]; sorted and checked for
    /// duplicates (after rounding to 0.01 mm) by BuildPeritumoralRegions.
    std::vector<double> distances_mm{3.0, 6.0, 9.0};
    bool rings = true;          ///< "ring_<d>mm" for every distance
    bool annuli = false;        ///< "annulus_<a>_<b>mm" between consecutive distances
    bool tumour_rings = false;  ///< "tumour_ring_<d>mm" for every distance
    std::vector<double> core_distances_mm; ///< "core_<d>mm" for each (same rules as distances)
    PeritumoralClip clip = PeritumoralClip::None;
    unsigned threads = 0; ///< for the distance transforms; 0 = one per core
};

/// Kind of a derived region.
enum class PeritumoralKind { Ring, Annulus, TumourRing, Core };

/// One region with its diagnostics. Counts: `unclipped_voxels` is the region on an unbounded grid
/// without clipping; `outside_image_voxels` of those lie beyond the image edge; `clipped_voxels`
/// lie inside the image but outside the clip mask; voxel_count = unclipped - outside - clipped.
struct PeritumoralRegion {
    std::string name;
    PeritumoralKind kind = PeritumoralKind::Ring;
    double inner_mm = 0.0; ///< distance range: (inner, outer] outside, or > inner inside (cores)
    double outer_mm = 0.0; ///< 0 for cores
    BoxMask mask;          ///< on the CT grid, tightened to the region (empty box when empty)
    std::size_t voxel_count = 0;
    double volume_ml = 0.0;
    std::size_t unclipped_voxels = 0;
    std::size_t outside_image_voxels = 0;
    std::size_t clipped_voxels = 0;
    /// clipped_voxels / (unclipped_voxels - outside_image_voxels): the share of the region inside
    /// the image that the clip mask removed (0 when nothing is left to clip).
    double clipped_fraction = 0.0;
    /// outside_image_voxels / unclipped_voxels: the share cut off at the image edge.
    double outside_image_fraction = 0.0;
};

/// Outcome class; anything but Ok comes with no regions.
enum class PeritumoralStatus {
    Ok,
    EmptyTumour,      ///< the tumour mask has no voxel
    InvalidTumour,    ///< its box leaves the grid or its values do not fill the box
    InvalidSettings,  ///< a distance out of range, not finite, or duplicated
    MissingClipMask,  ///< settings.clip is not None but no (or an empty) clip mask was given
    InvalidClipMask,  ///< the clip mask's box leaves the grid or its values do not fill it
};

/// Stable name of a status, e.g. "empty_tumour".
[[nodiscard]] const char* PeritumoralStatusName(PeritumoralStatus status);

/// The regions in order: rings, annuli, tumour rings (each by increasing distance), then cores.
struct PeritumoralResult {
    PeritumoralStatus status = PeritumoralStatus::Ok;
    std::string reason; ///< why status is not Ok; empty when Ok
    std::vector<PeritumoralRegion> regions;
    std::size_t tumour_voxels = 0;
    std::array<std::size_t, 3> work_box_size{0, 0, 0}; ///< the cropped box the transforms ran on

    [[nodiscard]] bool IsOk() const { return status == PeritumoralStatus::Ok; }
    /// The region of that name, or nullptr.
    [[nodiscard]] const PeritumoralRegion* Find(const std::string& name) const;
};

/// Builds the regions of `settings` around `tumour` on `grid` (only its size and spacing are
/// used; distances are along the index axes, which the direction matrix keeps orthonormal).
/// `clip` (same grid) is required when settings.clip is not None and ignored otherwise.
/// Costs one distance transform (two with cores) on the tumour's bounding box padded by the
/// largest distance.
[[nodiscard]] PeritumoralResult BuildPeritumoralRegions(const BoxMask& tumour, const ImageGeometry& grid,
                                                        const PeritumoralSettings& settings,
                                                        const BoxMask* clip = nullptr);

/// Stable name fragment of a distance: mm rounded to 0.01, trailing zeros dropped, '.' as 'p'
/// (3 -> "3", 1.5 -> "1p5", 0.25 -> "0p25").
[[nodiscard]] std::string DistanceName(double mm);

} // namespace radnode::processing::regions
