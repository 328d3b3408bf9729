#include "tools/phantom/dicom_modules.h"

#include <stdexcept>

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dctag.h>
#include <fmt/format.h>

namespace radnode::tools {

void Put(DcmItem& item, const DcmTagKey& tag, const std::string& value) {
    const OFCondition status = item.putAndInsertString(tag, value.c_str());
    if (status.bad())
        throw std::runtime_error(fmt::format("cannot set {}: {}", DcmTag(tag).getTagName(), status.text()));
}

void PutUs(DcmItem& item, const DcmTagKey& tag, Uint16 value) {
    const OFCondition status = item.putAndInsertUint16(tag, value);
    if (status.bad())
        throw std::runtime_error(fmt::format("cannot set {}: {}", DcmTag(tag).getTagName(), status.text()));
}

void PutPatientStudyEquipment(DcmItem& item, const PhantomStudy& study) {
    Put(item, DCM_PatientName, study.patient_name);
    Put(item, DCM_PatientID, study.patient_id);
    Put(item, DCM_PatientBirthDate, study.patient_birth_date);
    Put(item, DCM_PatientSex, study.patient_sex);
    Put(item, DCM_StudyInstanceUID, study.study_instance_uid);
    Put(item, DCM_StudyDate, study.study_date);
    Put(item, DCM_StudyTime, study.study_time);
    Put(item, DCM_ReferringPhysicianName, study.referring_physician_name);
    Put(item, DCM_StudyID, study.study_id);
    Put(item, DCM_AccessionNumber, study.accession_number);
    Put(item, DCM_StudyDescription, study.study_description);
    Put(item, DCM_FrameOfReferenceUID, study.frame_of_reference_uid);
    Put(item, DCM_PositionReferenceIndicator, "");
    Put(item, DCM_Manufacturer, study.manufacturer);
    Put(item, DCM_ManufacturerModelName, study.model_name);
    Put(item, DCM_DeviceSerialNumber, study.device_serial_number);
    Put(item, DCM_SoftwareVersions, study.software_version);
}

} // namespace radnode::tools
