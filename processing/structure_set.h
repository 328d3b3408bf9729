#pragma once
/// Domain types of an RT Structure Set: regions of interest drawn as planar
/// contours in patient coordinates. Free of DICOM so the processing core can use them;
/// dicom_node/rtstruct_reader.h fills them from a dataset.

#include "processing/volume.h"

#include <string>
#include <vector>

namespace radnode::processing {

/// One contour of an ROI, as drawn on one image plane.
struct Contour {
    /// DICOM ContourGeometricType (3006,0042).
    enum class Type { ClosedPlanar, OpenPlanar, Point, Other };
    Type type = Type::ClosedPlanar;
    /// Vertices in patient coordinates (DICOM LPS), mm; a closed contour's last
    /// vertex connects back to its first.
    std::vector<Point3> points;
};

/// One region of interest of a structure set.
struct Roi {
    int number = 0;                     ///< ROINumber (3006,0022)
    std::string name;                   ///< ROIName (3006,0026)
    std::string interpreted_type;       ///< RTROIInterpretedType (3006,00A4), e.g. "GTV"; may be empty
    std::string frame_of_reference_uid; ///< ReferencedFrameOfReferenceUID (3006,0024)
    std::vector<Contour> contours;
};

/// A whole structure set: its frame of reference and its ROIs in file order.
struct StructureSet {
    std::string frame_of_reference_uid; ///< first ReferencedFrameOfReferenceSequence item
    std::vector<Roi> rois;
};

} // namespace radnode::processing
