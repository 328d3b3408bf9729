#pragma once
// Paints the phantom's tissue classes into one axial slice of the label map
// (everything except the calcifications, which are voxel boxes painted with
// their HU values afterwards).

#include "processing/phantom/slice_painter.h"
#include "processing/phantom/thorax_anatomy.h"

#include <array>
#include <cstddef>
#include <vector>

namespace radnode::processing::phantom {

/// What painting the tumour into one slice covered.
struct TumourPaintTally {
    /// Voxels within the sphere plus margin that were not right lung before the tumour was painted.
    std::size_t margin_violations = 0;
    /// Tumour voxels by the tissue label they replaced.
    std::array<std::size_t, kTissueCount> replaced{};
};

/// Slice-independent shapes derived once from the anatomy tables; PaintSlice()
/// is const and may run on many slices concurrently.
class AnatomyPainter {
public:
    AnatomyPainter(const Point3& tumour_centre_mm, double tumour_radius_mm);

    /// Paints every structure into the slice (which must start as Air), later
    /// structures winning where allowed; the tumour is painted last, over
    /// whatever it covers. Returns what the tumour covered.
    [[nodiscard]] TumourPaintTally PaintSlice(SlicePainter& painter) const;

private:
    static void PaintRibs(SlicePainter& painter);
    static void PaintLung(SlicePainter& painter, const anatomy::LungShape& lung);
    void PaintAorta(SlicePainter& painter) const;
    static void PaintAirways(SlicePainter& painter);
    static void PaintSpine(SlicePainter& painter);
    [[nodiscard]] TumourPaintTally PaintTumour(SlicePainter& painter) const;

    Point3 tumour_centre_mm_;
    double tumour_radius_mm_;
    std::array<std::vector<Capsule>, 2> lung_vessels_; // right, left
    std::vector<Capsule> coronary_segments_;
    // Aortic arch: a half torus over the segment between the ascending and
    // descending aorta at kArchBaseZ, in the vertical plane through both.
    Point3 arch_centre_{};
    double arch_radius_ = 0.0;
    Point3 arch_u_{}; // unit vector from the arch centre towards the ascending aorta
    Point3 arch_n_{}; // unit normal of the arch plane
};

} // namespace radnode::processing::phantom
