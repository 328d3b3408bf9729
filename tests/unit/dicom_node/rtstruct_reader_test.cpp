// Reading RT Structure Sets: the phantom generator's RTSTRUCT round trip through the
// rasteriser, and malformed datasets built in code.

#include "tests/unit/temp_dir.h"
#include "dicom_node/rtstruct_reader.h"
#include "processing/contour_rasterizer.h"
#include "processing/phantom/thorax_phantom.h"
#include "tools/phantom/phantom_study.h"
#include "tools/phantom/rtstruct_writer.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace radnode::dicom_node {
namespace {

namespace fs = std::filesystem;
using processing::Contour;
using processing::LabelMap;

using ::radnode::test::TempDir;

double Dice(const LabelMap& a, const LabelMap& b, std::size_t& count_a, std::size_t& count_b) {
    std::size_t both = 0;
    count_a = count_b = 0;
    for (std::size_t n = 0; n < a.Data().size(); ++n) {
        const bool in_a = a.Data()[n] != 0, in_b = b.Data()[n] != 0;
        count_a += in_a ? 1U : 0U;
        count_b += in_b ? 1U : 0U;
        both += (in_a && in_b) ? 1U : 0U;
    }
    return 2.0 * static_cast<double>(both) / static_cast<double>(count_a + count_b);
}

TEST(RtStructReader, PhantomRtStructRasterisesToTheGeneratorsTumourMask) {
    processing::phantom::PhantomOptions options;
    options.columns = 192;
    options.rows = 192;
    options.pixel_spacing_mm = 1.875;
    options.slices = 50;
    options.tumour_radius_mm = 15.0;
    const processing::phantom::ThoraxPhantom phantom = processing::phantom::GenerateThoraxPhantom(options);
    const processing::ImageGeometry grid = processing::phantom::PhantomGeometry(options);
    ASSERT_EQ(grid, phantom.tumour_mask.Geometry());

    const TempDir dir;
    const fs::path file = dir.Path() / "rtstruct.dcm";
    const tools::PhantomStudy study = tools::MakePhantomStudy(options.seed, options.slices);
    tools::WriteRtStruct(file, study, grid, phantom.tumour_contours);

    const StructureSetReadResult read = ReadStructureSet(file);
    ASSERT_TRUE(read.status.IsOk()) << read.status.message;
    EXPECT_TRUE(read.warnings.empty());
    EXPECT_EQ(read.structure_set.frame_of_reference_uid, study.frame_of_reference_uid);
    ASSERT_EQ(read.structure_set.rois.size(), 1U);
    const processing::Roi& roi = read.structure_set.rois[0];
    EXPECT_EQ(roi.number, 1);
    EXPECT_EQ(roi.name, "GTV-1");
    EXPECT_EQ(roi.interpreted_type, "GTV");
    EXPECT_EQ(roi.frame_of_reference_uid, study.frame_of_reference_uid);
    ASSERT_EQ(roi.contours.size(), phantom.tumour_contours.size());
    ASSERT_EQ(roi.contours[0].points.size(), 72U);
    EXPECT_NEAR(roi.contours[0].points[5][0], phantom.tumour_contours[0].points[5][0], 1e-6);

    const std::vector<const processing::Roi*> tumours = processing::SelectTumourRois(read.structure_set);
    ASSERT_EQ(tumours.size(), 1U);
    const processing::RasterResult raster = processing::RasterizeRoi(*tumours[0], grid);
    ASSERT_TRUE(raster.IsOk()) << raster.reason;
    EXPECT_TRUE(raster.warnings.empty());
    EXPECT_EQ(raster.contours_used, phantom.tumour_contours.size());

    std::size_t rasterised = 0, truth = 0;
    const double dice = Dice(raster.mask, phantom.tumour_mask, rasterised, truth);
    ASSERT_GT(truth, 1000U);
    EXPECT_GE(dice, 0.99);
    EXPECT_NEAR(static_cast<double>(rasterised) / static_cast<double>(truth), 1.0, 0.01)
        << rasterised << " voxels rasterised, " << truth << " in the generator's mask";
}

/// A small valid RTSTRUCT: ROI 7 "GTV primary" (GTV) with one closed and one open
/// contour, ROI 9 "Lung" without contours.
class RtStructReaderErrors : public ::testing::Test {
protected:
    RtStructReaderErrors() {
        DcmDataset& ds = Dataset();
        ds.putAndInsertString(DCM_SOPClassUID, UID_RTStructureSetStorage);
        ds.putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5");
        ds.putAndInsertString(DCM_Modality, "RTSTRUCT");
        DcmItem* item = nullptr;
        ds.findOrCreateSequenceItem(DCM_ReferencedFrameOfReferenceSequence, item, -2);
        item->putAndInsertString(DCM_FrameOfReferenceUID, "1.2.3.9");
        for (const auto& [number, name] : {std::pair{"7", "GTV primary"}, std::pair{"9", "Lung"}}) {
            ds.findOrCreateSequenceItem(DCM_StructureSetROISequence, item, -2);
            item->putAndInsertString(DCM_ROINumber, number);
            item->putAndInsertString(DCM_ROIName, name);
            item->putAndInsertString(DCM_ReferencedFrameOfReferenceUID, "1.2.3.9");
        }
        ds.findOrCreateSequenceItem(DCM_RTROIObservationsSequence, item, -2);
        item->putAndInsertString(DCM_ObservationNumber, "1");
        item->putAndInsertString(DCM_ReferencedROINumber, "7");
        item->putAndInsertString(DCM_RTROIInterpretedType, "GTV");
        DcmItem* roi_contour = nullptr;
        ds.findOrCreateSequenceItem(DCM_ROIContourSequence, roi_contour, -2);
        roi_contour->putAndInsertString(DCM_ReferencedROINumber, "7");
        roi_contour->findOrCreateSequenceItem(DCM_ContourSequence, item, -2);
        item->putAndInsertString(DCM_ContourGeometricType, "CLOSED_PLANAR");
        item->putAndInsertString(DCM_NumberOfContourPoints, "3");
        item->putAndInsertString(DCM_ContourData, "0\\0\\5\\10.5\\0\\5\\0\\-20\\5");
        contour_ = item;
        roi_contour->findOrCreateSequenceItem(DCM_ContourSequence, item, -2);
        item->putAndInsertString(DCM_ContourGeometricType, "OPEN_PLANAR");
        item->putAndInsertString(DCM_NumberOfContourPoints, "2");
        item->putAndInsertString(DCM_ContourData, "1\\2\\5\\3\\4\\5");
    }

    DcmDataset& Dataset() { return *file_.getDataset(); }

    StructureSetReadResult SaveAndRead() {
        const fs::path path = dir_.Path() / "rtstruct.dcm";
        EXPECT_TRUE(file_.saveFile(path.string().c_str(), EXS_LittleEndianExplicit).good());
        return ReadStructureSet(path);
    }

    TempDir dir_;
    DcmFileFormat file_;
    DcmItem* contour_ = nullptr;
};

TEST_F(RtStructReaderErrors, ValidDatasetIsRead) {
    const StructureSetReadResult read = SaveAndRead();
    ASSERT_TRUE(read.status.IsOk()) << read.status.message;
    const processing::StructureSet& set = read.structure_set;
    EXPECT_EQ(set.frame_of_reference_uid, "1.2.3.9");
    ASSERT_EQ(set.rois.size(), 2U);
    EXPECT_EQ(set.rois[0].number, 7);
    EXPECT_EQ(set.rois[0].name, "GTV primary");
    EXPECT_EQ(set.rois[0].interpreted_type, "GTV");
    EXPECT_EQ(set.rois[1].interpreted_type, "");
    EXPECT_TRUE(set.rois[1].contours.empty());
    ASSERT_EQ(set.rois[0].contours.size(), 2U);
    EXPECT_EQ(set.rois[0].contours[0].type, Contour::Type::ClosedPlanar);
    EXPECT_EQ(set.rois[0].contours[1].type, Contour::Type::OpenPlanar);
    ASSERT_EQ(set.rois[0].contours[0].points.size(), 3U);
    EXPECT_EQ(set.rois[0].contours[0].points[1], (processing::Point3{10.5, 0.0, 5.0}));
    EXPECT_EQ(set.rois[0].contours[0].points[2], (processing::Point3{0.0, -20.0, 5.0}));
}

TEST_F(RtStructReaderErrors, MissingRoiContourSequence) {
    delete Dataset().remove(DCM_ROIContourSequence);
    const StructureSetReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("ROIContourSequence"), std::string::npos) << read.status.message;
}

TEST_F(RtStructReaderErrors, MissingStructureSetRoiSequence) {
    delete Dataset().remove(DCM_StructureSetROISequence);
    const StructureSetReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("StructureSetROISequence"), std::string::npos) << read.status.message;
}

TEST_F(RtStructReaderErrors, ContourDataLengthMustMatchPointCount) {
    contour_->putAndInsertString(DCM_ContourData, "0\\0\\5\\10\\0\\5\\0\\-20"); // 8 values for 3 points
    const StructureSetReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("holds 8 values"), std::string::npos) << read.status.message;
    EXPECT_NE(read.status.message.find("requires 9"), std::string::npos) << read.status.message;
}

TEST_F(RtStructReaderErrors, ContourReferencingUnknownRoi) {
    DcmItem* roi_contour = nullptr;
    Dataset().findOrCreateSequenceItem(DCM_ROIContourSequence, roi_contour, 0);
    roi_contour->putAndInsertString(DCM_ReferencedROINumber, "8");
    const StructureSetReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("ROI number 8"), std::string::npos) << read.status.message;
}

TEST_F(RtStructReaderErrors, MissingObservationsIsTolerated) {
    delete Dataset().remove(DCM_RTROIObservationsSequence);
    const StructureSetReadResult read = SaveAndRead();
    ASSERT_TRUE(read.status.IsOk()) << read.status.message;
    EXPECT_EQ(read.structure_set.rois[0].interpreted_type, "");
    EXPECT_EQ(read.warnings.size(), 1U);
}

TEST_F(RtStructReaderErrors, WrongSopClass) {
    Dataset().putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
    Dataset().putAndInsertString(DCM_Modality, "CT");
    const StructureSetReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::UnsupportedSopClass);
    EXPECT_NE(read.status.message.find("not an RT Structure Set"), std::string::npos) << read.status.message;
}

TEST_F(RtStructReaderErrors, NotDicom) {
    const fs::path path = dir_.Path() / "text.dcm";
    std::ofstream(path) << "not a DICOM file";
    EXPECT_EQ(ReadStructureSet(path).status.code, ErrorCode::CannotUnderstand);
    EXPECT_EQ(ReadStructureSet(dir_.Path() / "missing.dcm").status.code, ErrorCode::CannotUnderstand);
}

} // namespace
} // namespace radnode::dicom_node
