#pragma once
/// Finding DICOM inputs on disk for the offline commands (`convert`, `extract`): header-only
/// reads of the UIDs needed to group files, folder scans, and the import.* settings turned
/// into the processing options they select.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "processing/contour_rasterizer.h"
#include "processing/ct_assembly.h"

namespace radnode::tools {

/// The few attributes needed to sort files, read without pixel data.
struct DicomFileHeader {
    std::filesystem::path file;
    std::string sop_class_uid;
    std::string series_instance_uid;
    std::string frame_of_reference_uid;
    std::optional<double> kvp; ///< KVP (0018,0060) when present
};

/// The header of a DICOM Part 10 file (long values not loaded); nullopt for any other file,
/// which is recognised by its missing "DICM" preamble before DCMTK sees it.
std::optional<DicomFileHeader> ReadDicomFileHeader(const std::filesystem::path& file);

/// Every DICOM file under `folder` (recursively), sorted by path so the result does not
/// depend on directory order.
std::vector<DicomFileHeader> ScanDicomFolder(const std::filesystem::path& folder);

/// CT Image, Enhanced CT or Legacy Converted Enhanced CT.
bool IsCtSopClass(const std::string& uid);

/// The tumour-ROI selection rules of import.roi_selection / roi_types / roi_name_pattern.
processing::RoiSelection RoiSelectionFrom(const config::Config& config);

/// Assembly options from import.non_uniform_spacing (or `non_uniform` when not empty) and
/// import.missing_slice_factor.
processing::AssemblyOptions AssemblyOptionsFrom(const config::Config& config, const std::string& non_uniform = "");

} // namespace radnode::tools
