#include "dicom_node/rtstruct_reader.h"

#include "dicom_node/dataset_values.h"
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcvrds.h>
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <optional>

namespace radnode::dicom_node {
namespace {

using processing::Contour;
using processing::Roi;

DcmSequenceOfItems* FindSequence(DcmItem& item, const DcmTagKey& tag) {
    DcmSequenceOfItems* sequence = nullptr;
    if (item.findAndGetSequence(tag, sequence).bad())
        return nullptr;
    return sequence;
}

Status Invalid(std::string message) { return Status::Error(ErrorCode::InvalidDataset, std::move(message)); }

Contour::Type ParseType(const std::string& text) {
    if (text == "CLOSED_PLANAR")
        return Contour::Type::ClosedPlanar;
    if (text == "OPEN_PLANAR")
        return Contour::Type::OpenPlanar;
    if (text == "POINT")
        return Contour::Type::Point;
    return Contour::Type::Other; // OPEN_NONPLANAR, CLOSEDPLANAR_XOR and anything unknown
}

Status ReadContour(DcmItem& item, const std::string& where, Contour& contour) {
    const std::string type = GetString(item, DCM_ContourGeometricType);
    if (type.empty())
        return Invalid(where + ": ContourGeometricType (3006,0042) is missing");
    contour.type = ParseType(type);
    const std::optional<long> count = GetLong(item, DCM_NumberOfContourPoints);
    if (!count || *count < 0)
        return Invalid(where + ": NumberOfContourPoints (3006,0046) is missing or negative");
    DcmElement* element = nullptr;
    if (item.findAndGetElement(DCM_ContourData, element).bad() || element == nullptr)
        return Invalid(where + ": ContourData (3006,0050) is missing");
    OFVector<Float64> values;
    auto* decimal = dynamic_cast<DcmDecimalString*>(element);
    if (decimal == nullptr || decimal->getFloat64Vector(values).bad())
        return Invalid(where + ": ContourData (3006,0050) is not a list of decimal strings");
    if (values.size() != static_cast<std::size_t>(*count) * 3)
        return Invalid(fmt::format("{}: ContourData holds {} values, NumberOfContourPoints {} requires {}", where,
                                   values.size(), *count, *count * 3));
    contour.points.reserve(static_cast<std::size_t>(*count));
    for (std::size_t v = 0; v + 2 < values.size(); v += 3) {
        if (!std::isfinite(values[v]) || !std::isfinite(values[v + 1]) || !std::isfinite(values[v + 2]))
            return Invalid(fmt::format("{}: ContourData value {} is not finite", where, v));
        contour.points.push_back({values[v], values[v + 1], values[v + 2]});
    }
    return Status::Ok();
}

/// StructureSetROISequence -> one Roi per item; `index` maps ROINumber to its position.
Status ReadRois(DcmDataset& ds, StructureSetReadResult& result, std::map<long, std::size_t>& index) {
    DcmSequenceOfItems* rois = FindSequence(ds, DCM_StructureSetROISequence);
    if (rois == nullptr)
        return Invalid("StructureSetROISequence (3006,0020) is missing");
    for (unsigned long n = 0; n < rois->card(); ++n) {
        DcmItem& item = *rois->getItem(n);
        const std::optional<long> number = GetLong(item, DCM_ROINumber);
        if (!number)
            return Invalid(fmt::format("StructureSetROISequence item {}: ROINumber (3006,0022) is missing", n + 1));
        if (!index.emplace(*number, result.structure_set.rois.size()).second)
            return Invalid(fmt::format("ROINumber {} appears twice in StructureSetROISequence", *number));
        Roi roi;
        roi.number = static_cast<int>(*number);
        roi.name = GetString(item, DCM_ROIName);
        roi.frame_of_reference_uid = GetString(item, DCM_ReferencedFrameOfReferenceUID);
        result.structure_set.rois.push_back(std::move(roi));
    }
    return Status::Ok();
}

void ReadObservations(DcmDataset& ds, StructureSetReadResult& result, const std::map<long, std::size_t>& index) {
    DcmSequenceOfItems* observations = FindSequence(ds, DCM_RTROIObservationsSequence);
    if (observations == nullptr) {
        result.warnings.emplace_back("RTROIObservationsSequence (3006,0080) is missing: no interpreted types");
        return;
    }
    for (unsigned long n = 0; n < observations->card(); ++n) {
        DcmItem& item = *observations->getItem(n);
        const std::optional<long> number = GetLong(item, DCM_ReferencedROINumber);
        const auto found = number ? index.find(*number) : index.end();
        if (found == index.end()) {
            result.warnings.push_back(fmt::format("RTROIObservationsSequence item {} references no known ROI", n + 1));
            continue;
        }
        result.structure_set.rois[found->second].interpreted_type = GetString(item, DCM_RTROIInterpretedType);
    }
}

Status ReadContours(DcmDataset& ds, StructureSetReadResult& result, const std::map<long, std::size_t>& index) {
    DcmSequenceOfItems* roi_contours = FindSequence(ds, DCM_ROIContourSequence);
    if (roi_contours == nullptr)
        return Invalid("ROIContourSequence (3006,0039) is missing");
    for (unsigned long n = 0; n < roi_contours->card(); ++n) {
        DcmItem& item = *roi_contours->getItem(n);
        const std::optional<long> number = GetLong(item, DCM_ReferencedROINumber);
        if (!number)
            return Invalid(fmt::format("ROIContourSequence item {}: ReferencedROINumber is missing", n + 1));
        const auto found = index.find(*number);
        if (found == index.end())
            return Invalid(fmt::format("ROIContourSequence item {} references ROI number {}, which "
                                       "StructureSetROISequence does not define",
                                       n + 1, *number));
        Roi& roi = result.structure_set.rois[found->second];
        DcmSequenceOfItems* contours = FindSequence(item, DCM_ContourSequence);
        if (contours == nullptr)
            continue; // ContourSequence is type 3: an ROI may have no contours yet
        for (unsigned long c = 0; c < contours->card(); ++c) {
            Contour contour;
            const std::string where = fmt::format("ROI {} contour {}", *number, c + 1);
            if (Status status = ReadContour(*contours->getItem(c), where, contour); !status)
                return status;
            roi.contours.push_back(std::move(contour));
        }
    }
    return Status::Ok();
}

} // namespace

StructureSetReadResult ReadStructureSet(const std::filesystem::path& file) {
    StructureSetReadResult result;
    DcmFileFormat format;
    if (result.status = LoadInstanceOf(file, UID_RTStructureSetStorage, "an RT Structure Set", format); !result.status)
        return result;
    DcmDataset& ds = *format.getDataset();
    if (DcmSequenceOfItems* frames = FindSequence(ds, DCM_ReferencedFrameOfReferenceSequence);
        frames != nullptr && frames->card() > 0)
        result.structure_set.frame_of_reference_uid = GetString(*frames->getItem(0), DCM_FrameOfReferenceUID);
    else
        result.warnings.emplace_back("ReferencedFrameOfReferenceSequence (3006,0010) is missing or empty");

    std::map<long, std::size_t> index;
    if (result.status = ReadRois(ds, result, index); !result.status)
        return result;
    ReadObservations(ds, result, index);
    result.status = ReadContours(ds, result, index);
    return result;
}

} // namespace radnode::dicom_node
