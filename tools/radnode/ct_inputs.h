#pragma once
/// A CT series and its tumour mask from DICOM files, for the offline commands (`extract`,
/// `segment`): the reader, assembly and rasteriser the node uses, with the import.* settings.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "reporting/seg_writer.h" // PatientStudy
#include "processing/regions/box_mask.h"
#include "processing/volume.h"

namespace radnode::tools {

/// What the reports need of the CT series: patient/study attributes (first instance), the
/// SOP class and, per volume slice k, the SOP Instance UID (empty for an interpolated slice).
struct CtSourceInfo {
    reporting::PatientStudy patient_study;
    std::string series_instance_uid;
    std::string sop_class_uid;
    std::string body_part_examined;
    std::vector<std::string> slice_sop_uids;
    bool resampled = false;
};

/// An assembled CT series.
struct CtInput {
    std::string error; ///< empty on success; otherwise why there is no volume
    processing::CtVolume volume;
    std::string frame_of_reference;
    std::optional<double> kvp;      ///< the series' KVP (first instance that has one)
    CtSourceInfo source;
    std::vector<std::string> notes; ///< assembly notes, several-series notices
};

/// The CT series under `folder` (searched recursively) with the most instances (ties: smallest
/// SeriesInstanceUID), assembled with import.* options.
CtInput LoadCtFolder(const std::filesystem::path& folder, const config::Config& config);

/// A tumour mask on a CT grid.
struct TumourInput {
    std::string error; ///< empty on success
    processing::LabelMap mask; ///< 0/1 on the CT grid
    std::string label;         ///< the ROI / segment label(s) used, joined by '+'
    std::vector<std::string> notes;
};

/// The tumour of an RT Structure Set (ROI `roi`, else the tumour ROIs by import.roi_*, their
/// union; contours filled by import.contour_fill) or a Segmentation (segment `roi`, else as
/// BuildSegMask picks), on `grid`, after checking the frame of reference against the CT's.
TumourInput LoadTumourMask(const std::filesystem::path& file, const std::string& roi,
                           const std::string& ct_frame_of_reference, const processing::ImageGeometry& grid,
                           const config::Config& config);

/// The tumour of an RTSTRUCT or SEG file as a region on the CT's grid: LoadTumourMask's checks,
/// and a mask with no voxel on the grid is an error too. `notes` start with which ROI/segment of
/// which file was used.
struct CaseTumour {
    std::string error;
    processing::regions::BoxMask mask;
    std::vector<std::string> notes;
};
CaseTumour LoadCaseTumour(const std::filesystem::path& file, const std::string& roi, const CtInput& ct,
                          const config::Config& config);

/// The tumour object that comes with a CT in a folder: the single RT Structure Set on the CT's
/// frame of reference, else the single Segmentation there. `note` says what was chosen or that
/// none was found (then `file` is empty and there is no error); several of one kind and none of
/// the other is an `error` asking the caller to name one.
struct TumourFileChoice {
    std::filesystem::path file;
    std::string error;
    std::string note;
};
TumourFileChoice FindTumourFile(const std::filesystem::path& folder, const std::string& ct_frame_of_reference);

} // namespace radnode::tools
