#pragma once
/// Reads a DICOM Segmentation file into the processing domain types (the DCMTK
/// edge: no DCMTK type leaves this module). Putting the frames on a CT grid is
/// processing's job (processing/seg_mapping.h); see docs/seg.md.

#include "config/errors.h"
#include "processing/segmentation.h"

#include <filesystem>
#include <string>
#include <vector>

namespace radnode::dicom_node {

/// Outcome of ReadSegmentation: on failure `status` says why and `seg` is
/// incomplete; `warnings` lists tolerated deviations from the IOD.
struct SegReadResult {
    Status status;
    processing::DecodedSegmentation seg;
    std::vector<std::string> warnings;
};

/// Decodes the segments (SegmentSequence) and every frame of a BINARY (1 bit,
/// frames packed back to back, possibly starting mid-byte) or FRACTIONAL (8 bit,
/// divided by MaximumFractionalValue) Segmentation. Plane position and segment
/// number come from the Per-Frame Functional Groups; plane orientation and pixel
/// measures from the Per-Frame or else the Shared Functional Groups.
///
/// Failures: CannotUnderstand when the file is not DICOM; UnsupportedSopClass when it
/// is not a Segmentation; InvalidDataset when Rows/Columns/NumberOfFrames, the
/// SegmentSequence, a functional group or the pixel data is missing or malformed,
/// the number of Per-Frame Functional Groups items or the pixel data length does not
/// match NumberOfFrames, a frame references an undefined segment number, or the
/// pixel data is encapsulated (compressed).
[[nodiscard]] SegReadResult ReadSegmentation(const std::filesystem::path& file);

} // namespace radnode::dicom_node
