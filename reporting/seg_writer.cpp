#include "reporting/seg_writer.h"

#include "reporting/dicom_values.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmiod/cielabutil.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <memory>
#include <set>

namespace radnode::reporting {
namespace {


/// Throws-free condition check: records the first failure with context.
class Checker {
public:
    bool operator()(const OFCondition& condition, const char* what) {
        if (condition.bad() && error_.empty()) {
            error_ = std::string(what) + ": " + condition.text();
        }
        return condition.good();
    }
    void Fail(std::string message) {
        if (error_.empty()) {
            error_ = std::move(message);
        }
    }
    [[nodiscard]] const std::string& Error() const { return error_; }

private:
    std::string error_;
};

DcmSegTypes::E_SegmentAlgoType ToDcmtk(SegAlgorithmType type) {
    switch (type) {
    case SegAlgorithmType::Manual:
        return DcmSegTypes::SAT_MANUAL;
    case SegAlgorithmType::SemiAutomatic:
        return DcmSegTypes::SAT_SEMIAUTOMATIC;
    case SegAlgorithmType::Automatic:
        break;
    }
    return DcmSegTypes::SAT_AUTOMATIC;
}

CodeSequenceMacro ToCode(const CodedConcept& code) {
    return CodeSequenceMacro(code.value.c_str(), code.scheme.c_str(), code.meaning.c_str());
}

bool InSegment(std::uint8_t value, const SegSegment& segment) {
    return segment.mask_value == 0 ? value != 0 : value == segment.mask_value;
}

/// Slices of the source series that carry at least one voxel of the segment.
std::vector<std::size_t> OccupiedSlices(const SegSegment& segment) {
    std::vector<std::size_t> slices;
    for (std::size_t k = 0; k < segment.mask->Geometry().size[2]; ++k) {
        const auto slice = segment.mask->Slice(k);
        if (std::any_of(slice.begin(), slice.end(), [&](std::uint8_t v) { return InSegment(v, segment); })) {
            slices.push_back(k);
        }
    }
    return slices;
}

std::string ValidateInput(const SegSourceSeries& source, const std::vector<SegSegment>& segments) {
    if (segments.empty()) {
        return "no segments given";
    }
    if (source.images.empty()) {
        return "no source images given";
    }
    const processing::ImageGeometry& first =
        segments.front().mask != nullptr ? segments.front().mask->Geometry() : processing::ImageGeometry{};
    for (const SegSegment& segment : segments) {
        if (segment.mask == nullptr) {
            return "segment '" + segment.label + "' has no mask";
        }
        const auto& size = segment.mask->Geometry().size;
        if (size != first.size || size[2] != source.images.size()) {
            return "mask of segment '" + segment.label + "' does not match the source series size";
        }
        if (segment.algorithm_type != SegAlgorithmType::Manual && segment.algorithm_name.empty()) {
            return "segment '" + segment.label + "' needs an algorithm name";
        }
    }
    if (first.size[0] > 65535 || first.size[1] > 65535 || (first.size[0] * first.size[1]) % 8 != 0) {
        return "rows x columns must be a multiple of 8 (DCMTK 3.6.7 binary frame packing)";
    }
    return {};
}

void SetContext(DcmSegmentation& seg, const SegSourceSeries& source, const SegInstance& instance, Checker& check) {
    check(seg.getPatient().setPatientName(source.patient_study.patient_name.c_str()), "PatientName");
    check(seg.getPatient().setPatientID(source.patient_study.patient_id.c_str()), "PatientID");
    check(seg.getPatient().setPatientBirthDate(source.patient_study.patient_birth_date.c_str()), "PatientBirthDate");
    check(seg.getPatient().setPatientSex(source.patient_study.patient_sex.c_str()), "PatientSex");
    check(seg.getStudy().setStudyInstanceUID(source.patient_study.study_instance_uid.c_str()), "StudyInstanceUID");
    check(seg.getStudy().setStudyDate(source.patient_study.study_date.c_str()), "StudyDate");
    check(seg.getStudy().setStudyTime(source.patient_study.study_time.c_str()), "StudyTime");
    check(seg.getStudy().setStudyID(source.patient_study.study_id.c_str()), "StudyID");
    check(seg.getStudy().setAccessionNumber(source.patient_study.accession_number.c_str()), "AccessionNumber");
    check(seg.getStudy().setReferringPhysicianName(source.patient_study.referring_physician_name.c_str()), "ReferringPhysicianName");
    check(seg.getStudy().setStudyDescription(source.patient_study.study_description.c_str()), "StudyDescription");
    check(seg.getFrameOfReference().setFrameOfReferenceUID(source.frame_of_reference_uid.c_str()),
          "FrameOfReferenceUID");
    check(seg.getSeries().setSeriesInstanceUID(instance.series_instance_uid.c_str()), "SeriesInstanceUID");
    check(seg.getSegmentationSeriesModule().setSeriesNumber(instance.series_number.c_str()), "SeriesNumber");
    check(seg.getSeries().setSeriesDescription(instance.series_description.c_str()), "SeriesDescription");
    const auto [date, time] = DateTimeOrNow(instance.content_date, instance.content_time);
    check(seg.getSeries().setSeriesDate(date.c_str()), "SeriesDate");
    check(seg.getSeries().setSeriesTime(time.c_str()), "SeriesTime");
    check(seg.getSOPCommon().setSOPInstanceUID(instance.sop_instance_uid.c_str()), "SOPInstanceUID");
    check(seg.getSOPCommon().setInstanceCreationDate(date.c_str()), "InstanceCreationDate");
    check(seg.getSOPCommon().setInstanceCreationTime(time.c_str()), "InstanceCreationTime");
    check(seg.getGeneralImage().setContentDate(date.c_str()), "ContentDate");
    check(seg.getGeneralImage().setContentTime(time.c_str()), "ContentTime");
}

void AddSharedGroups(DcmSegmentation& seg, const SegSourceSeries& source, const SegInstance& instance, Checker& check) {
    const auto& o = source.image_orientation;
    std::unique_ptr<FGPlaneOrientationPatient> orientation(FGPlaneOrientationPatient::createMinimal(
        FormatDs(o[0]).c_str(), FormatDs(o[1]).c_str(), FormatDs(o[2]).c_str(), FormatDs(o[3]).c_str(),
        FormatDs(o[4]).c_str(), FormatDs(o[5]).c_str()));
    if (!orientation) {
        check.Fail("cannot create the plane orientation functional group");
        return;
    }
    check(seg.addForAllFrames(*orientation), "PlaneOrientationSequence");
    FGPixelMeasures measures;
    const std::string spacing = FormatDs(source.pixel_spacing[0]) + "\\" + FormatDs(source.pixel_spacing[1]);
    check(measures.setPixelSpacing(spacing.c_str()), "PixelSpacing");
    check(measures.setSliceThickness(FormatDs(source.slice_thickness_mm).c_str()), "SliceThickness");
    check(measures.setSpacingBetweenSlices(FormatDs(source.spacing_between_slices_mm).c_str()), "SpacingBetweenSlices");
    check(seg.addForAllFrames(measures), "PixelMeasuresSequence");

    IODMultiframeDimensionModule& dimensions = seg.getDimensions();
    check(dimensions.addDimensionIndex(DCM_ReferencedSegmentNumber, instance.dimension_organization_uid.c_str(),
                                       DCM_SegmentIdentificationSequence, "ReferencedSegmentNumber"),
          "DimensionIndex segment");
    check(dimensions.addDimensionIndex(DCM_ImagePositionPatient, instance.dimension_organization_uid.c_str(),
                                       DCM_PlanePositionSequence, "ImagePositionPatient"),
          "DimensionIndex position");
}

bool AddSegment(DcmSegmentation& seg, const SegSegment& spec, Uint16& number, Checker& check) {
    DcmSegment* raw = nullptr;
    if (!check(DcmSegment::create(raw, spec.label.c_str(), ToCode(spec.category), ToCode(spec.type),
                                  ToDcmtk(spec.algorithm_type), spec.algorithm_name.c_str()),
               "Segment")) {
        return false;
    }
    std::unique_ptr<DcmSegment> segment(raw);
    if (!spec.description.empty()) {
        check(segment->setSegmentDescription(spec.description.c_str()), "SegmentDescription");
    }
    if (!spec.tracking_id.empty() && !spec.tracking_uid.empty()) {
        check(segment->setTrackingID(spec.tracking_id.c_str()), "TrackingID");
        check(segment->setTrackingUID(spec.tracking_uid.c_str()), "TrackingUID");
    }
    double l = 0.0, a = 0.0, b = 0.0;
    IODCIELabUtil::rgb2DicomLab(l, a, b, spec.display_rgb[0] / 255.0, spec.display_rgb[1] / 255.0,
                                spec.display_rgb[2] / 255.0);
    check(segment->setRecommendedDisplayCIELabValue(static_cast<Uint16>(std::lround(l)),
                                                    static_cast<Uint16>(std::lround(a)),
                                                    static_cast<Uint16>(std::lround(b))),
          "RecommendedDisplayCIELabValue");
    if (!check(seg.addSegment(segment.get(), number), "addSegment")) {
        return false;
    }
    segment.release(); // owned by the segmentation now
    return true;
}

/// Adds one frame per occupied slice of the segment, each referencing its source image.
std::size_t AddFrames(DcmSegmentation& seg, const SegSourceSeries& source, const SegSegment& spec, Uint16 number,
                      const std::vector<std::size_t>& slices, const std::vector<std::size_t>& position_rank,
                      Checker& check) {
    const processing::LabelMap& mask = *spec.mask;
    std::vector<Uint8> frame(mask.Geometry().SliceVoxelCount());
    std::size_t added = 0;
    for (std::size_t k : slices) {
        const auto slice = mask.Slice(k);
        std::transform(slice.begin(), slice.end(), frame.begin(),
                       [&](std::uint8_t v) { return static_cast<Uint8>(InSegment(v, spec) ? 1 : 0); });
        const SegSourceImage& image = source.images[k];
        FGPlanePosPatient position;
        check(position.setImagePositionPatient(FormatDs(image.image_position[0]).c_str(),
                                               FormatDs(image.image_position[1]).c_str(),
                                               FormatDs(image.image_position[2]).c_str()),
              "ImagePositionPatient");
        FGFrameContent content;
        check(content.setDimensionIndexValues(number, 0), "DimensionIndexValues");
        check(content.setDimensionIndexValues(static_cast<Uint32>(position_rank[k]), 1), "DimensionIndexValues");
        FGDerivationImage derivation;
        DerivationImageItem* item = nullptr;
        check(derivation.addDerivationImageItem(CodeSequenceMacro("113076", "DCM", "Segmentation"), "", item),
              "DerivationImageSequence");
        if (item != nullptr) {
            auto source_item = std::make_unique<SourceImageItem>();
            check(source_item->getPurposeOfReferenceCode().set("121322", "DCM",
                                                               "Source image for image processing operation"),
                  "PurposeOfReferenceCodeSequence");
            ImageSOPInstanceReferenceMacro& ref = source_item->getImageSOPInstanceReference();
            check(ref.setReferencedSOPClassUID(image.sop_class_uid.c_str()), "ReferencedSOPClassUID");
            check(ref.setReferencedSOPInstanceUID(image.sop_instance_uid.c_str()), "ReferencedSOPInstanceUID");
            item->getSourceImageItems().push_back(source_item.release());
        }
        OFVector<FGBase*> groups;
        groups.push_back(&position);
        groups.push_back(&content);
        groups.push_back(&derivation);
        if (check(seg.addFrame(frame.data(), number, groups), "addFrame")) {
            ++added;
        }
    }
    return added;
}

} // namespace

void SetImagePlanes(SegSourceSeries& source, const processing::ImageGeometry& g, const std::string& sop_class_uid,
                    const std::vector<std::string>& sop_instance_uids) {
    source.image_orientation = {g.direction[0], g.direction[3], g.direction[6],
                                g.direction[1], g.direction[4], g.direction[7]};
    source.pixel_spacing = {g.spacing[1], g.spacing[0]};
    source.slice_thickness_mm = g.spacing[2];
    source.spacing_between_slices_mm = g.spacing[2];
    source.images.clear();
    for (std::size_t k = 0; k < g.size[2]; ++k)
        source.images.push_back(
            {sop_class_uid, sop_instance_uids.at(k), g.IndexToPhysical(0.0, 0.0, static_cast<double>(k))});
}

SegWriteResult WriteBinarySegmentation(const std::filesystem::path& file, const SegSourceSeries& source,
                                       const std::vector<SegSegment>& segments, const SegInstance& instance) {
    SegWriteResult result;
    result.error = ValidateInput(source, segments);
    if (!result.Ok()) {
        return result;
    }
    const processing::ImageGeometry& geometry = segments.front().mask->Geometry();
    std::vector<std::vector<std::size_t>> occupied;
    std::set<std::size_t> used_slices;
    for (const SegSegment& segment : segments) {
        occupied.push_back(OccupiedSlices(segment));
        if (occupied.back().empty()) {
            result.error = "segment '" + segment.label + "' is empty";
            return result;
        }
        used_slices.insert(occupied.back().begin(), occupied.back().end());
    }
    // Dimension index of a plane position: its 1-based rank among the used slices.
    std::vector<std::size_t> position_rank(geometry.size[2], 0);
    std::size_t rank = 0;
    for (std::size_t k : used_slices) {
        position_rank[k] = ++rank;
    }

    Checker check;
    DcmSegmentation* raw = nullptr;
    const IODGeneralEquipmentModule::EquipmentInfo equipment(
        instance.manufacturer.c_str(), instance.manufacturer_model_name.c_str(), instance.device_serial_number.c_str(),
        instance.software_versions.c_str());
    const ContentIdentificationMacro identification(instance.instance_number.c_str(), instance.content_label.c_str(),
                                                    instance.content_description.c_str(),
                                                    instance.content_creator_name.c_str());
    if (!check(DcmSegmentation::createBinarySegmentation(raw, static_cast<Uint16>(geometry.size[1]),
                                                         static_cast<Uint16>(geometry.size[0]), equipment,
                                                         identification),
               "createBinarySegmentation")) {
        result.error = check.Error();
        return result;
    }
    std::unique_ptr<DcmSegmentation> seg(raw);
    SetContext(*seg, source, instance, check);
    AddSharedGroups(*seg, source, instance, check);
    for (std::size_t s = 0; s < segments.size() && check.Error().empty(); ++s) {
        Uint16 number = 0;
        if (AddSegment(*seg, segments[s], number, check)) {
            result.frames += AddFrames(*seg, source, segments[s], number, occupied[s], position_rank, check);
        }
    }

    // Common Instance Reference: every source image a frame derives from.
    auto series = std::make_unique<IODSeriesAndInstanceReferenceMacro::ReferencedSeriesItem>();
    check(series->setSeriesInstanceUID(source.series_instance_uid.c_str()), "ReferencedSeriesSequence");
    for (std::size_t k : used_slices) {
        auto instance_ref = std::make_unique<SOPInstanceReferenceMacro>();
        check(instance_ref->setReferencedSOPClassUID(source.images[k].sop_class_uid.c_str()), "ReferencedSOPClassUID");
        check(instance_ref->setReferencedSOPInstanceUID(source.images[k].sop_instance_uid.c_str()),
              "ReferencedSOPInstanceUID");
        series->getReferencedInstanceItems().push_back(instance_ref.release());
    }
    seg->getCommonInstanceReference().getReferencedSeriesItems().push_back(series.release());

    // DCMTK checks the dimensions before the functional groups are written and
    // then only warns; check them once the dataset is complete instead.
    seg->setCheckDimensionsOnWrite(OFFalse);
    DcmFileFormat fileformat;
    DcmDataset& dataset = *fileformat.getDataset();
    if (check.Error().empty() && check(seg->writeDataset(dataset), "write segmentation") &&
        check(seg->getDimensions().checkDimensions(&dataset), "dimension consistency")) {
        check(dataset.putAndInsertString(DCM_SegmentsOverlap, segments.size() == 1 ? "NO" : "UNDEFINED"),
              "SegmentsOverlap");
        if (!source.body_part_examined.empty()) {
            check(dataset.putAndInsertString(DCM_BodyPartExamined, source.body_part_examined.c_str()),
                  "BodyPartExamined");
        }
        check(fileformat.saveFile(file.string().c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength), "save");
    }
    result.error = check.Error();
    return result;
}

} // namespace radnode::reporting
