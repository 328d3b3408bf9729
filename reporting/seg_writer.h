#pragma once
// Writes binary DICOM Segmentation objects from processing masks. Callers
// describe the segmented image series with plain structs, so no DCMTK type
// crosses this interface.

#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace radnode::reporting {

/// A coded concept: code value, coding scheme designator and code meaning.
struct CodedConcept {
    std::string value;
    std::string scheme;
    std::string meaning;
};

/// Patient and study attributes copied from the source CT into radnode's SEG and SR.
struct PatientStudy {
    std::string patient_name;
    std::string patient_id;
    std::string patient_birth_date;
    std::string patient_sex;
    std::string study_instance_uid;
    std::string study_date;
    std::string study_time;
    std::string study_id;
    std::string accession_number;
    std::string referring_physician_name;
    std::string study_description;
};

/// One image of the segmented series; `images[k]` of SegSourceSeries matches mask slice k.
struct SegSourceImage {
    std::string sop_class_uid;
    std::string sop_instance_uid;
    processing::Point3 image_position{}; ///< ImagePositionPatient, mm
};

/// The segmented image series: patient/study context and image plane geometry.
struct SegSourceSeries {
    PatientStudy patient_study;
    std::string series_instance_uid;
    std::string frame_of_reference_uid;
    std::string body_part_examined;
    std::array<double, 6> image_orientation{1.0, 0.0, 0.0, 0.0, 1.0, 0.0}; ///< row then column direction
    std::array<double, 2> pixel_spacing{1.0, 1.0}; ///< DICOM order: between rows, between columns (mm)
    double slice_thickness_mm = 1.0;
    double spacing_between_slices_mm = 1.0;
    std::vector<SegSourceImage> images;
};

/// Sets the plane geometry of `source` from the grid of the segmented volume: orientation from
/// its direction, pixel spacing, slice thickness = spacing between slices = the k spacing, and one
/// image per slice k (`sop_class_uid`, `sop_instance_uids.at(k)`, position of voxel (0, 0, k)).
void SetImagePlanes(SegSourceSeries& source, const processing::ImageGeometry& grid, const std::string& sop_class_uid,
                    const std::vector<std::string>& sop_instance_uids);

/// How a segment was produced (DICOM SegmentAlgorithmType).
enum class SegAlgorithmType { Manual, SemiAutomatic, Automatic };

/// One segment: its description and the voxels that belong to it.
struct SegSegment {
    std::string label;       ///< SegmentLabel, e.g. "GTV-1"
    std::string description; ///< SegmentDescription, optional
    std::string tracking_id;  ///< TrackingID, optional (with tracking_uid)
    std::string tracking_uid; ///< TrackingUID, optional (with tracking_id)
    CodedConcept category;   ///< SegmentedPropertyCategoryCodeSequence (CID 7150)
    CodedConcept type;       ///< SegmentedPropertyTypeCodeSequence (CID 7151)
    SegAlgorithmType algorithm_type = SegAlgorithmType::Automatic;
    std::string algorithm_name; ///< required unless Manual
    std::array<std::uint8_t, 3> display_rgb{255, 0, 0};
    /// Voxels whose value equals `mask_value` (any non-zero value when 0) belong
    /// to the segment. Size must be columns x rows x number of source images.
    const processing::LabelMap* mask = nullptr;
    std::uint8_t mask_value = 0;
};

/// Identity and descriptive attributes of the SEG instance itself.
struct SegInstance {
    std::string series_instance_uid;
    std::string sop_instance_uid;
    std::string dimension_organization_uid;
    std::string series_number = "300";
    std::string instance_number = "1";
    std::string series_description = "Segmentation";
    std::string content_label = "SEGMENTATION"; ///< CS: upper case, digits, space, underscore
    std::string content_description;
    std::string content_creator_name;
    std::string content_date; ///< YYYYMMDD, also the series and instance creation date; empty: now
    std::string content_time; ///< HHMMSS; empty: now
    std::string manufacturer = "radnode";
    std::string manufacturer_model_name = "radnode";
    std::string device_serial_number = "0";
    std::string software_versions = "0.1.0";
};

/// Outcome of writing a SEG file: `error` is empty on success.
struct SegWriteResult {
    std::string error;
    std::size_t frames = 0;
    [[nodiscard]] bool Ok() const { return error.empty(); }
};

/// Writes a binary Segmentation (one frame per segment and non-empty slice,
/// with plane position and derivation references to the source image) as a
/// Part 10 file in explicit VR little endian. Empty slices are skipped; a
/// segment with no voxel at all is an error, as is rows x columns not being a
/// multiple of 8 (DCMTK 3.6.7 packs frames incorrectly otherwise).
[[nodiscard]] SegWriteResult WriteBinarySegmentation(const std::filesystem::path& file, const SegSourceSeries& source,
                                                     const std::vector<SegSegment>& segments,
                                                     const SegInstance& instance);

} // namespace radnode::reporting
