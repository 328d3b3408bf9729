#pragma once
/// Converts RT Structure Set contours into a binary voxel mask on an image grid,
/// and picks the tumour ROIs of a structure set. Rules are described in docs/rtstruct.md.

#include "processing/structure_set.h"
#include "processing/volume.h"

#include <cstddef>
#include <string>
#include <vector>

namespace radnode::processing {

/// How contours are combined and when a contour draws attention.
struct RasterOptions {
    enum class Mode {
        /// Per slice, the even-odd rule across all contours on that slice: a contour
        /// drawn inside another one is a hole (the DICOM convention for holes).
        EvenOdd,
        /// A voxel is inside when any contour covers its centre; for tools that draw
        /// overlapping contours of the same structure.
        Union,
    };
    Mode mode = Mode::EvenOdd;
    /// A contour whose vertices deviate from their mean slice plane by more than this
    /// (along the grid's slice normal) is rasterised anyway, with a warning.
    double off_plane_tolerance_mm = 0.1;
    /// Worker threads for the slices; 0 = one per core.
    unsigned threads = 0;
};

/// Outcome class of a rasterisation; anything but Ok leaves `mask` all zero or
/// unusable for analysis.
enum class RasterStatus {
    Ok,
    EmptyRoi,              ///< no closed planar contour, or no voxel centre inside any contour
    ContoursOutsideVolume, ///< every closed planar contour lies outside the grid
};

/// A rasterised ROI with everything noticed on the way.
struct RasterResult {
    LabelMap mask; ///< grid geometry, 1 inside, 0 outside
    RasterStatus status = RasterStatus::Ok;
    std::string reason;                ///< why status is not Ok; empty when Ok
    std::vector<std::string> warnings; ///< skipped, off-plane and outside contours
    std::size_t contours_used = 0;     ///< closed planar contours drawn into the mask
    std::size_t contours_skipped = 0;  ///< all others (wrong type, degenerate, outside)
    std::size_t voxel_count = 0;       ///< voxels set in `mask`

    [[nodiscard]] bool IsOk() const { return status == RasterStatus::Ok; }
};

/// Stable name of a status, e.g. "contours_outside_volume".
[[nodiscard]] const char* RasterStatusName(RasterStatus status);

/// Rasterises the closed planar contours of `roi` onto `grid` by voxel-centre
/// sampling. Contours are mapped to continuous index space, so any orthonormal
/// direction (oblique grids) works; each contour belongs to the slice nearest to
/// the mean of its vertices' projections on the slice normal.
[[nodiscard]] RasterResult RasterizeRoi(const Roi& roi, const ImageGeometry& grid, const RasterOptions& options = {});

/// Which ROIs of a structure set count as tumour.
struct RoiSelection {
    enum class Rule {
        /// ROIs whose interpreted type is listed; if there are none, ROIs whose name
        /// matches the pattern (typed data wins over free-text names).
        TypeThenName,
        InterpretedType, ///< only ROIs whose interpreted type is listed
        NameRegex,       ///< only ROIs whose name matches the pattern
        All,             ///< every ROI
    };
    Rule rule = Rule::TypeThenName;
    /// Compared case-insensitively with RTROIInterpretedType.
    std::vector<std::string> interpreted_types{"GTV"};
    /// ECMAScript regex searched case-insensitively anywhere in ROIName.
    std::string name_pattern = "gtv|tumou?r|lesion";
};

/// The ROIs of `set` selected by `selection`, in file order; pointers into `set`.
/// Throws std::regex_error when `name_pattern` is not a valid regex (a configuration
/// error that config validation is expected to catch first).
[[nodiscard]] std::vector<const Roi*> SelectTumourRois(const StructureSet& set, const RoiSelection& selection = {});

} // namespace radnode::processing
