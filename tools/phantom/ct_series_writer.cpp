#include "tools/phantom/ct_series_writer.h"

#include "processing/parallel_for.h"
#include "tools/phantom/dicom_modules.h"
#include "tools/phantom/dicom_text.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <fmt/format.h>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace radnode::tools {
namespace {

constexpr const char* kCtImageStorage = UID_CTImageStorage;

/// Patient, study, series, frame of reference and equipment attributes shared by every slice.
void PutSeriesLevel(DcmDataset& ds, const PhantomStudy& study, const processing::ImageGeometry& geometry) {
    PutPatientStudyEquipment(ds, study);
    Put(ds, DCM_Modality, "CT");
    Put(ds, DCM_SeriesInstanceUID, study.ct_series_instance_uid);
    Put(ds, DCM_SeriesNumber, "1");
    Put(ds, DCM_SeriesDate, study.study_date);
    Put(ds, DCM_SeriesTime, study.study_time);
    Put(ds, DCM_SeriesDescription, "THORAX PHANTOM 3D");
    Put(ds, DCM_BodyPartExamined, "CHEST");
    Put(ds, DCM_PatientPosition, "HFS");
    Put(ds, DCM_InstitutionName, study.institution_name);
    // CT acquisition: plausible fixed values for a non-contrast chest scan.
    Put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
    Put(ds, DCM_KVP, "120");
    Put(ds, DCM_XRayTubeCurrent, "200");
    Put(ds, DCM_ExposureTime, "500");
    Put(ds, DCM_ConvolutionKernel, "STANDARD");
    Put(ds, DCM_AcquisitionNumber, "1");
    Put(ds, DCM_AcquisitionDate, study.study_date);
    Put(ds, DCM_AcquisitionTime, study.study_time);
    Put(ds, DCM_ContentDate, study.study_date);
    Put(ds, DCM_ContentTime, study.study_time);
    Put(ds, DCM_GantryDetectorTilt, "0");
    Put(ds, DCM_ReconstructionDiameter,
        FormatDs(static_cast<double>(std::max(geometry.size[0], geometry.size[1])) * geometry.spacing[0]));
    // Image plane: rows run along +y (posterior), columns along +x (patient left).
    Put(ds, DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
    Put(ds, DCM_PixelSpacing, FormatDsList({geometry.spacing[1], geometry.spacing[0]}));
    Put(ds, DCM_SliceThickness, FormatDs(geometry.spacing[2]));
    Put(ds, DCM_SpacingBetweenSlices, FormatDs(geometry.spacing[2]));
    PutUs(ds, DCM_SamplesPerPixel, 1);
    Put(ds, DCM_PhotometricInterpretation, "MONOCHROME2");
    PutUs(ds, DCM_Rows, static_cast<Uint16>(geometry.size[1]));
    PutUs(ds, DCM_Columns, static_cast<Uint16>(geometry.size[0]));
    PutUs(ds, DCM_BitsAllocated, 16);
    Put(ds, DCM_RescaleSlope, "1");
    Put(ds, DCM_RescaleType, "HU");
    Put(ds, DCM_WindowCenter, "-600\\40");
    Put(ds, DCM_WindowWidth, "1500\\400");
    Put(ds, DCM_WindowCenterWidthExplanation, "LUNG\\MEDIASTINUM");
    Put(ds, DCM_SOPClassUID, kCtImageStorage);
}

void WriteSlice(const std::filesystem::path& directory, const processing::CtVolume& ct, const PhantomStudy& study,
                const CtWriteOptions& options, std::size_t k, std::vector<Uint16>& pixels) {
    const processing::ImageGeometry& geometry = ct.Geometry();
    DcmFileFormat file;
    DcmDataset& ds = *file.getDataset();
    PutSeriesLevel(ds, study, geometry);
    const processing::Point3 position = geometry.IndexToPhysical(0.0, 0.0, static_cast<double>(k));
    Put(ds, DCM_SOPInstanceUID, study.ct_sop_instance_uids.at(k));
    Put(ds, DCM_InstanceNumber, std::to_string(InstanceNumberOfSlice(k, geometry.size[2])));
    Put(ds, DCM_ImagePositionPatient, FormatDsList({position[0], position[1], position[2]}));
    Put(ds, DCM_SliceLocation, FormatDs(position[2]));

    const auto hu = ct.Slice(k);
    pixels.resize(hu.size());
    if (options.unsigned_storage) {
        PutUs(ds, DCM_BitsStored, 12);
        PutUs(ds, DCM_HighBit, 11);
        PutUs(ds, DCM_PixelRepresentation, 0);
        Put(ds, DCM_RescaleIntercept, "-1024");
        std::transform(hu.begin(), hu.end(), pixels.begin(), [](std::int16_t v) {
            return static_cast<Uint16>(std::clamp(static_cast<int>(v) + 1024, 0, 4095));
        });
    } else {
        PutUs(ds, DCM_BitsStored, 16);
        PutUs(ds, DCM_HighBit, 15);
        PutUs(ds, DCM_PixelRepresentation, 1);
        Put(ds, DCM_RescaleIntercept, "0");
        // Two's complement bit pattern of the signed HU values.
        std::transform(hu.begin(), hu.end(), pixels.begin(), [](std::int16_t v) { return static_cast<Uint16>(v); });
    }
    OFCondition status =
        ds.putAndInsertUint16Array(DCM_PixelData, pixels.data(), static_cast<unsigned long>(pixels.size()));
    const std::filesystem::path path = directory / CtFileName(k, geometry.size[2]);
    if (status.good()) {
        status = file.saveFile(path.string().c_str(), EXS_LittleEndianExplicit);
    }
    if (status.bad()) {
        throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), status.text()));
    }
}

} // namespace

std::string CtFileName(std::size_t k, std::size_t slices) {
    return fmt::format("CT{:04d}.dcm", InstanceNumberOfSlice(k, slices));
}

void WriteCtSeries(const std::filesystem::path& directory, const processing::CtVolume& ct, const PhantomStudy& study,
                   const CtWriteOptions& options) {
    const std::size_t slices = ct.Geometry().size[2];
    // One pixel buffer per slice: the writers run in parallel.
    processing::ParallelFor(slices, options.threads, [&](std::size_t k) {
        std::vector<Uint16> pixels;
        WriteSlice(directory, ct, study, options, k, pixels);
    });
}

reporting::SegSourceSeries DescribeCtSeries(const processing::ImageGeometry& geometry, const PhantomStudy& study) {
    reporting::SegSourceSeries source;
    source.patient_study.patient_name = study.patient_name;
    source.patient_study.patient_id = study.patient_id;
    source.patient_study.patient_birth_date = study.patient_birth_date;
    source.patient_study.patient_sex = study.patient_sex;
    source.patient_study.study_instance_uid = study.study_instance_uid;
    source.patient_study.study_date = study.study_date;
    source.patient_study.study_time = study.study_time;
    source.patient_study.study_id = study.study_id;
    source.patient_study.accession_number = study.accession_number;
    source.patient_study.referring_physician_name = study.referring_physician_name;
    source.patient_study.study_description = study.study_description;
    source.series_instance_uid = study.ct_series_instance_uid;
    source.frame_of_reference_uid = study.frame_of_reference_uid;
    source.body_part_examined = "CHEST";
    reporting::SetImagePlanes(source, geometry, kCtImageStorage, study.ct_sop_instance_uids);
    return source;
}

} // namespace radnode::tools
