#include "reporting/seg_writer.h"
#include "tests/unit/temp_dir.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmfg/fginterface.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <unistd.h>

namespace radnode::reporting {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kColumns = 16;
constexpr std::size_t kRows = 8;
constexpr std::size_t kSlices = 5;

using ::radnode::test::TempDir;

processing::ImageGeometry Geometry() {
    processing::ImageGeometry g;
    g.size = {kColumns, kRows, kSlices};
    g.spacing = {0.8, 0.8, 2.5};
    g.origin = {-6.0, -3.0, 10.0};
    return g;
}

SegSourceSeries Source() {
    SegSourceSeries source;
    source.patient_study.patient_name = "TEST^SEG";
    source.patient_study.patient_id = "SEG-1";
    source.patient_study.study_instance_uid = "1.2.826.0.1.3680043.10.1.1";
    source.patient_study.study_date = "20240101";
    source.patient_study.study_time = "120000";
    source.series_instance_uid = "1.2.826.0.1.3680043.10.1.2";
    source.frame_of_reference_uid = "1.2.826.0.1.3680043.10.1.3";
    source.pixel_spacing = {0.8, 0.8};
    source.slice_thickness_mm = 2.5;
    source.spacing_between_slices_mm = 2.5;
    const processing::ImageGeometry g = Geometry();
    for (std::size_t k = 0; k < kSlices; ++k) {
        source.images.push_back({"1.2.840.10008.5.1.4.1.1.2", "1.2.826.0.1.3680043.10.1.10." + std::to_string(k),
                                 g.IndexToPhysical(0.0, 0.0, static_cast<double>(k))});
    }
    return source;
}

SegInstance Instance() {
    SegInstance instance;
    instance.series_instance_uid = "1.2.826.0.1.3680043.10.1.4";
    instance.sop_instance_uid = "1.2.826.0.1.3680043.10.1.5";
    instance.dimension_organization_uid = "1.2.826.0.1.3680043.10.1.6";
    instance.content_date = "20240101";
    instance.content_time = "120500";
    return instance;
}

SegSegment Segment(const processing::LabelMap& labels, std::uint8_t value, const std::string& label) {
    SegSegment segment;
    segment.label = label;
    segment.category = {"49755003", "SCT", "Morphologically Altered Structure"};
    segment.type = {"108369006", "SCT", "Neoplasm"};
    segment.algorithm_name = "unit test";
    segment.mask = &labels;
    segment.mask_value = value;
    return segment;
}

TEST(SegWriterTest, WritesFramesThatReadBack) {
    TempDir dir;
    processing::LabelMap labels(Geometry());
    // Segment 1 on slices 1 and 2, segment 2 on slice 3 only.
    labels.At(3, 2, 1) = 1;
    labels.At(4, 2, 1) = 1;
    labels.At(15, 7, 2) = 1;
    labels.At(0, 0, 3) = 2;
    const fs::path file = dir.Path() / "seg.dcm";
    const SegWriteResult result =
        WriteBinarySegmentation(file, Source(), {Segment(labels, 1, "GTV-1"), Segment(labels, 2, "Ring")}, Instance());
    ASSERT_TRUE(result.Ok()) << result.error;
    EXPECT_EQ(result.frames, 3U);

    DcmSegmentation* raw = nullptr;
    ASSERT_TRUE(DcmSegmentation::loadFile(file.string().c_str(), raw).good());
    std::unique_ptr<DcmSegmentation> seg(raw);
    ASSERT_EQ(seg->getNumberOfFrames(), 3U);
    ASSERT_EQ(seg->getNumberOfSegments(), 2U);
    OFString value;
    ASSERT_TRUE(seg->getSegment(1)->getSegmentLabel(value).good());
    EXPECT_EQ(value, "GTV-1");
    ASSERT_TRUE(seg->getSegment(2)->getSegmentLabel(value).good());
    EXPECT_EQ(value, "Ring");
    ASSERT_TRUE(seg->getSegment(1)->getSegmentedPropertyTypeCode().getCodeValue(value).good());
    EXPECT_EQ(value, "108369006");

    // Frame 0: segment 1 on slice 1, exactly two pixels set.
    std::unique_ptr<DcmIODTypes::Frame> frame(
        DcmSegUtils::unpackBinaryFrame(seg->getFrame(0), static_cast<Uint16>(kRows), static_cast<Uint16>(kColumns)));
    ASSERT_NE(frame, nullptr);
    std::size_t set = 0;
    for (std::size_t p = 0; p < kRows * kColumns; ++p) {
        set += frame->pixData[p] != 0;
    }
    EXPECT_EQ(set, 2U);
    EXPECT_NE(frame->pixData[2 * kColumns + 3], 0);
    EXPECT_NE(frame->pixData[2 * kColumns + 4], 0);

    // Its plane position is that of source slice 1.
    FGPlanePosPatient* position =
        OFstatic_cast(FGPlanePosPatient*, seg->getFunctionalGroups().get(0, DcmFGTypes::EFG_PLANEPOSPATIENT));
    ASSERT_NE(position, nullptr);
    Float64 x = 0.0, y = 0.0, z = 0.0;
    ASSERT_TRUE(position->getImagePositionPatient(x, y, z).good());
    EXPECT_DOUBLE_EQ(x, -6.0);
    EXPECT_DOUBLE_EQ(z, 12.5);

    // Per-frame derivation references point at the source CT instance.
    DcmFileFormat fileformat;
    ASSERT_TRUE(fileformat.loadFile(file.string().c_str()).good());
    DcmItem* per_frame = nullptr;
    ASSERT_TRUE(
        fileformat.getDataset()->findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, per_frame, 2).good());
    DcmItem* derivation = nullptr;
    ASSERT_TRUE(per_frame->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation, 0).good());
    DcmItem* source_image = nullptr;
    ASSERT_TRUE(derivation->findAndGetSequenceItem(DCM_SourceImageSequence, source_image, 0).good());
    ASSERT_TRUE(source_image->findAndGetOFString(DCM_ReferencedSOPInstanceUID, value).good());
    EXPECT_EQ(value, "1.2.826.0.1.3680043.10.1.10.3");
    ASSERT_TRUE(fileformat.getDataset()->findAndGetOFString(DCM_StudyInstanceUID, value).good());
    EXPECT_EQ(value, "1.2.826.0.1.3680043.10.1.1");
    ASSERT_TRUE(fileformat.getDataset()->findAndGetOFString(DCM_FrameOfReferenceUID, value).good());
    EXPECT_EQ(value, "1.2.826.0.1.3680043.10.1.3");
    ASSERT_TRUE(fileformat.getDataset()->findAndGetOFString(DCM_SegmentsOverlap, value).good());
    EXPECT_EQ(value, "UNDEFINED");
}

TEST(SegWriterTest, RejectsUnusableInput) {
    TempDir dir;
    processing::LabelMap empty(Geometry());
    const fs::path file = dir.Path() / "seg.dcm";
    EXPECT_FALSE(WriteBinarySegmentation(file, Source(), {Segment(empty, 1, "Empty")}, Instance()).Ok());
    EXPECT_FALSE(WriteBinarySegmentation(file, Source(), {}, Instance()).Ok());

    processing::ImageGeometry odd = Geometry();
    odd.size = {5, 5, kSlices}; // 25 pixels: not a multiple of 8
    processing::LabelMap odd_mask(odd, 1);
    const SegWriteResult odd_result =
        WriteBinarySegmentation(file, Source(), {Segment(odd_mask, 1, "Odd")}, Instance());
    EXPECT_FALSE(odd_result.Ok());
    EXPECT_NE(odd_result.error.find("multiple of 8"), std::string::npos);

    processing::LabelMap mask(Geometry(), 1);
    SegSourceSeries short_source = Source();
    short_source.images.pop_back();
    EXPECT_FALSE(WriteBinarySegmentation(file, short_source, {Segment(mask, 1, "Mask")}, Instance()).Ok());
    EXPECT_FALSE(fs::exists(file));
}

} // namespace
} // namespace radnode::reporting
