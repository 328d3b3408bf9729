#include "tools/phantom/rtstruct_writer.h"

#include "tools/phantom/dicom_modules.h"
#include "tools/phantom/dicom_text.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <fmt/format.h>
#include <stdexcept>
#include <string>

namespace radnode::tools {
namespace {

// Detached Study Management SOP Class: the conventional referenced class in RTReferencedStudySequence.
constexpr const char* kStudyReferenceClass = "1.2.840.10008.3.1.2.3.1";

void Check(const OFCondition& status, const char* what) {
    if (status.bad()) {
        throw std::runtime_error(fmt::format("RTSTRUCT {}: {}", what, status.text()));
    }
}

/// Appends a new item to the sequence `tag` of `parent`.
DcmItem& AppendItem(DcmItem& parent, const DcmTagKey& tag) {
    DcmItem* item = nullptr;
    Check(parent.findOrCreateSequenceItem(tag, item, -2), DcmTag(tag).getTagName());
    return *item;
}

void PutImageReference(DcmItem& parent, const std::string& sop_instance_uid) {
    DcmItem& ref = AppendItem(parent, DCM_ContourImageSequence);
    Put(ref, DCM_ReferencedSOPClassUID, UID_CTImageStorage);
    Put(ref, DCM_ReferencedSOPInstanceUID, sop_instance_uid);
}

void PutHeader(DcmDataset& ds, const PhantomStudy& study) {
    PutPatientStudyEquipment(ds, study);
    Put(ds, DCM_SOPClassUID, UID_RTStructureSetStorage);
    Put(ds, DCM_SOPInstanceUID, study.rtstruct_sop_instance_uid);
    Put(ds, DCM_InstanceCreationDate, study.study_date);
    Put(ds, DCM_InstanceCreationTime, study.study_time);
    Put(ds, DCM_Modality, "RTSTRUCT");
    Put(ds, DCM_SeriesInstanceUID, study.rtstruct_series_instance_uid);
    Put(ds, DCM_SeriesNumber, "200");
    Put(ds, DCM_SeriesDate, study.study_date);
    Put(ds, DCM_SeriesTime, study.study_time);
    Put(ds, DCM_SeriesDescription, "THORAX PHANTOM GTV");
    Put(ds, DCM_OperatorsName, "");
    Put(ds, DCM_InstanceNumber, "1");
    Put(ds, DCM_StructureSetLabel, "PHANTOM");
    Put(ds, DCM_StructureSetName, "THORAX PHANTOM");
    Put(ds, DCM_StructureSetDate, study.study_date);
    Put(ds, DCM_StructureSetTime, study.study_time);
}

} // namespace

void WriteRtStruct(const std::filesystem::path& file, const PhantomStudy& study,
                   const processing::ImageGeometry& geometry,
                   const std::vector<processing::phantom::TumourContour>& contours) {
    DcmFileFormat fileformat;
    DcmDataset& ds = *fileformat.getDataset();
    PutHeader(ds, study);

    // Referenced Frame of Reference -> Study -> Series -> every CT image.
    DcmItem& frame = AppendItem(ds, DCM_ReferencedFrameOfReferenceSequence);
    Put(frame, DCM_FrameOfReferenceUID, study.frame_of_reference_uid);
    DcmItem& ref_study = AppendItem(frame, DCM_RTReferencedStudySequence);
    Put(ref_study, DCM_ReferencedSOPClassUID, kStudyReferenceClass);
    Put(ref_study, DCM_ReferencedSOPInstanceUID, study.study_instance_uid);
    DcmItem& ref_series = AppendItem(ref_study, DCM_RTReferencedSeriesSequence);
    Put(ref_series, DCM_SeriesInstanceUID, study.ct_series_instance_uid);
    for (std::size_t k = 0; k < geometry.size[2]; ++k) {
        PutImageReference(ref_series, study.ct_sop_instance_uids.at(k));
    }

    DcmItem& roi = AppendItem(ds, DCM_StructureSetROISequence);
    Put(roi, DCM_ROINumber, "1");
    Put(roi, DCM_ReferencedFrameOfReferenceUID, study.frame_of_reference_uid);
    Put(roi, DCM_ROIName, "GTV-1");
    Put(roi, DCM_ROIDescription, "Lung tumour (analytic sphere)");
    Put(roi, DCM_ROIGenerationAlgorithm, "AUTOMATIC");
    Put(roi, DCM_ROIGenerationDescription, "radnode thorax phantom: sphere cut by each slice plane");

    DcmItem& roi_contour = AppendItem(ds, DCM_ROIContourSequence);
    Put(roi_contour, DCM_ReferencedROINumber, "1");
    Put(roi_contour, DCM_ROIDisplayColor, "255\\0\\0");
    int number = 1;
    for (const processing::phantom::TumourContour& contour : contours) {
        DcmItem& item = AppendItem(roi_contour, DCM_ContourSequence);
        Put(item, DCM_ContourNumber, std::to_string(number++));
        PutImageReference(item, study.ct_sop_instance_uids.at(contour.slice_index));
        Put(item, DCM_ContourGeometricType, "CLOSED_PLANAR");
        Put(item, DCM_NumberOfContourPoints, std::to_string(contour.points.size()));
        std::vector<double> data;
        data.reserve(contour.points.size() * 3);
        for (const processing::Point3& p : contour.points) {
            data.insert(data.end(), p.begin(), p.end());
        }
        Put(item, DCM_ContourData, FormatDsList(data));
    }

    DcmItem& observation = AppendItem(ds, DCM_RTROIObservationsSequence);
    Put(observation, DCM_ObservationNumber, "1");
    Put(observation, DCM_ReferencedROINumber, "1");
    Put(observation, DCM_RTROIInterpretedType, "GTV");
    Put(observation, DCM_ROIInterpreter, "");

    Check(fileformat.saveFile(file.string().c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength), "save");
}

} // namespace radnode::tools
