#pragma once
// Writes the phantom tumour as an RT Structure Set with one planar contour per slice.

#include "processing/phantom/thorax_phantom.h"
#include "processing/volume.h"
#include "tools/phantom/phantom_study.h"

#include <filesystem>
#include <vector>

namespace radnode::tools {

/// Writes an RT Structure Set with the single ROI "GTV-1" (interpreted type GTV):
/// one CLOSED_PLANAR contour per entry of `contours`, each referencing the CT
/// image of its slice, and the whole CT series in the referenced frame of
/// reference. Throws std::runtime_error when the file cannot be written.
void WriteRtStruct(const std::filesystem::path& file, const PhantomStudy& study,
                   const processing::ImageGeometry& geometry,
                   const std::vector<processing::phantom::TumourContour>& contours);

} // namespace radnode::tools
