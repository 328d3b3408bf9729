#include "dicom_node/instance_reader.h"

#include "dicom_node/dataset_values.h"
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <fmt/format.h>

#include "dicom_node/sop_classes.h"
#include "storage/file_store.h"

namespace radnode::dicom_node {
namespace {

/// Values above this size stay on disk while the attributes are read.
constexpr Uint32 kMaxLoadedValue = 4096;

std::optional<int> GetInt(DcmItem& item, const DcmTagKey& tag) {
    const std::optional<long> v = GetLong(item, tag);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

Status Invalid(std::string message) { return Status::Error(ErrorCode::InvalidDataset, std::move(message)); }

/// Native pixel data must hold every frame; encapsulated pixel data at least one fragment.
Status CheckPixels(DcmDataset& ds, E_TransferSyntax xfer) {
    const auto rows = GetInt(ds, DCM_Rows), cols = GetInt(ds, DCM_Columns);
    const auto bits = GetInt(ds, DCM_BitsAllocated), spp = GetInt(ds, DCM_SamplesPerPixel);
    if (!rows || !cols || !bits || *rows <= 0 || *cols <= 0 || *bits <= 0)
        return Invalid("Rows, Columns or BitsAllocated missing or zero in an image object");
    const long frames = GetInt(ds, DCM_NumberOfFrames).value_or(1);
    if (frames <= 0)
        return Invalid(fmt::format("NumberOfFrames is {}", frames));
    DcmElement* element = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
        return Invalid("Pixel Data (7FE0,0010) is missing");
    if (DcmXfer(xfer).isEncapsulated()) {
        DcmPixelSequence* seq = nullptr;
        auto* pixels = static_cast<DcmPixelData*>(element);
        if (pixels->getEncapsulatedRepresentation(xfer, nullptr, seq).bad() || seq == nullptr || seq->card() < 2)
            return Invalid("encapsulated Pixel Data has no fragments");
        return Status::Ok();
    }
    const unsigned long long pixels_total = 1ULL * static_cast<unsigned>(*rows) * static_cast<unsigned>(*cols) *
                                            static_cast<unsigned>(spp.value_or(1)) * static_cast<unsigned long>(frames);
    const unsigned long long expected =
        *bits == 1 ? (pixels_total + 7) / 8 : pixels_total * static_cast<unsigned>(*bits) / 8;
    const unsigned long long actual = element->getLength();
    if (actual < expected)
        return Invalid(fmt::format("Pixel Data truncated: {} bytes, {} expected for {}x{}x{} at {} bits", actual,
                                   expected, *rows, *cols, frames, *bits));
    return Status::Ok();
}

} // namespace

ReadResult ReadReceivedInstance(const std::filesystem::path& file, const StoreRequestInfo& request) {
    ReadResult result;
    DcmFileFormat format;
    const OFCondition loaded =
        format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, kMaxLoadedValue, ERM_fileOnly);
    if (loaded.bad()) {
        result.status = Status::Error(ErrorCode::CannotUnderstand, fmt::format("cannot parse dataset: {}", loaded.text()));
        return result;
    }
    DcmDataset& ds = *format.getDataset();
    DcmMetaInfo& meta = *format.getMetaInfo();
    storage::InstanceRecord& r = result.record;

    r.sop_class_uid = GetString(ds, DCM_SOPClassUID);
    r.sop_instance_uid = GetString(ds, DCM_SOPInstanceUID);
    r.study_uid = GetString(ds, DCM_StudyInstanceUID);
    r.series_uid = GetString(ds, DCM_SeriesInstanceUID);
    r.modality = GetString(ds, DCM_Modality);

    const SopClass* sop = FindSopClass(request.affected_sop_class_uid);
    if (sop == nullptr) {
        result.status = Status::Error(ErrorCode::UnsupportedSopClass,
                                      fmt::format("SOP class {} is not accepted", request.affected_sop_class_uid));
        return result;
    }
    if (r.sop_class_uid != request.affected_sop_class_uid) {
        result.status = Invalid(fmt::format("dataset SOP Class UID '{}' differs from the request's {}",
                                            r.sop_class_uid, request.affected_sop_class_uid));
        return result;
    }
    if (r.sop_instance_uid != request.affected_sop_instance_uid) {
        result.status = Invalid(fmt::format("dataset SOP Instance UID '{}' differs from the request's {}",
                                            r.sop_instance_uid, request.affected_sop_instance_uid));
        return result;
    }
    for (const auto& [name, uid] : {std::pair{"Study Instance UID", &r.study_uid},
                                    std::pair{"Series Instance UID", &r.series_uid},
                                    std::pair{"SOP Instance UID", &r.sop_instance_uid}}) {
        if (uid->empty()) {
            result.status = Invalid(fmt::format("{} is missing", name));
            return result;
        }
        if (!storage::FileStore::IsValidUid(*uid)) {
            result.status = Invalid(fmt::format("{} '{}' is not a valid UID", name, *uid));
            return result;
        }
    }
    if (r.modality != sop->modality) {
        result.status = Invalid(fmt::format("Modality '{}' is not valid for {} (expected {})", r.modality, sop->name,
                                            sop->modality));
        return result;
    }
    if (sop->pixels != PixelKind::None) {
        result.status = CheckPixels(ds, ds.getOriginalXfer());
        if (!result.status)
            return result;
    }

    r.patient_id = GetString(ds, DCM_PatientID);
    r.study_date = GetString(ds, DCM_StudyDate);
    r.study_description = GetString(ds, DCM_StudyDescription);
    r.accession_number = GetString(ds, DCM_AccessionNumber);
    r.series_description = GetString(ds, DCM_SeriesDescription);
    r.frame_of_reference_uid = GetString(ds, DCM_FrameOfReferenceUID);
    r.series_number = GetInt(ds, DCM_SeriesNumber);
    r.instance_number = GetInt(ds, DCM_InstanceNumber);
    r.image_position = GetDoubles<3>(ds, DCM_ImagePositionPatient);
    r.image_orientation = GetDoubles<6>(ds, DCM_ImageOrientationPatient);
    r.number_of_frames = GetInt(ds, DCM_NumberOfFrames).value_or(1);
    r.transfer_syntax_uid = GetString(meta, DCM_TransferSyntaxUID);
    r.calling_ae = request.calling_ae;
    r.calling_host = request.calling_host;
    result.status = Status::Ok();
    return result;
}

} // namespace radnode::dicom_node
