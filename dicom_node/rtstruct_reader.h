#pragma once
/// Reads an RT Structure Set file into the processing domain types (the DCMTK
/// edge: no DCMTK type leaves this module). Rasterisation is processing's job
/// (processing/contour_rasterizer.h); see docs/rtstruct.md.

#include "config/errors.h"
#include "processing/structure_set.h"

#include <filesystem>
#include <string>
#include <vector>

namespace radnode::dicom_node {

/// Outcome of ReadStructureSet: on failure `status` says why and `structure_set` is
/// incomplete; `warnings` lists tolerated deviations from the IOD.
struct StructureSetReadResult {
    Status status;
    processing::StructureSet structure_set;
    std::vector<std::string> warnings;
};

/// Parses the ROIs (StructureSetROISequence), their interpreted types
/// (RTROIObservationsSequence) and contours (ROIContourSequence) of an RTSTRUCT file.
///
/// Failures: CannotUnderstand when the file is not DICOM; UnsupportedSopClass when it
/// is not an RT Structure Set; InvalidDataset when StructureSetROISequence or
/// ROIContourSequence is missing, an ROI number is missing, duplicated or unknown, or a
/// contour's ContourData does not hold NumberOfContourPoints x 3 finite values.
/// A missing RTROIObservationsSequence or ReferencedFrameOfReferenceSequence is
/// tolerated (empty interpreted types / frame of reference) with a warning.
[[nodiscard]] StructureSetReadResult ReadStructureSet(const std::filesystem::path& file);

} // namespace radnode::dicom_node
