#pragma once
/// The tumour mask of `radnode convert` taken from a DICOM SEG instead of an RTSTRUCT.

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "processing/volume.h"

namespace radnode::tools {

struct SegMaskResult {
    std::string error; ///< empty on success
    processing::LabelMap mask;
    std::string label; ///< the segment label(s) used, joined by '+'
    std::vector<std::string> warnings;
};

/// Reads `seg_file`, checks its frame of reference against the CT's, and maps onto
/// `grid` (threshold import.seg_threshold) the segment labelled `roi` (case-insensitive),
/// or without `roi` the only segment, or else every segment whose label matches
/// import.roi_name_pattern (their union).
SegMaskResult BuildSegMask(const std::filesystem::path& seg_file, const std::string& roi,
                           const std::string& ct_frame_of_reference, const processing::ImageGeometry& grid,
                           const config::Config& config);

} // namespace radnode::tools
