#include <gtest/gtest.h>

#include <filesystem>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "dicom_node/instance_reader.h"

namespace radnode::dicom_node {
namespace {

constexpr const char* kCt = UID_CTImageStorage;

class InstanceReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("radnode-reader-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
        DcmDataset& ds = *file_.getDataset();
        ds.putAndInsertString(DCM_SOPClassUID, kCt);
        ds.putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5");
        ds.putAndInsertString(DCM_StudyInstanceUID, "1.2.3");
        ds.putAndInsertString(DCM_SeriesInstanceUID, "1.2.3.4");
        ds.putAndInsertString(DCM_FrameOfReferenceUID, "1.2.3.9");
        ds.putAndInsertString(DCM_Modality, "CT");
        ds.putAndInsertString(DCM_PatientName, "DOE^JANE");
        ds.putAndInsertString(DCM_PatientID, "P-1");
        ds.putAndInsertString(DCM_SeriesNumber, "7");
        ds.putAndInsertString(DCM_InstanceNumber, "12");
        ds.putAndInsertString(DCM_ImagePositionPatient, "-100\\-120.5\\33.25");
        ds.putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
        ds.putAndInsertUint16(DCM_Rows, 4);
        ds.putAndInsertUint16(DCM_Columns, 4);
        ds.putAndInsertUint16(DCM_BitsAllocated, 16);
        ds.putAndInsertUint16(DCM_BitsStored, 16);
        ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
        const Uint16 pixels[16] = {};
        ds.putAndInsertUint16Array(DCM_PixelData, pixels, 16);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    ReadResult Read(const std::string& sop_class = kCt, const std::string& sop = "1.2.3.4.5") {
        const auto path = dir_ / "instance.dcm";
        EXPECT_TRUE(file_.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
        return ReadReceivedInstance(path, {sop_class, sop, "STORESCU", "127.0.0.1"});
    }

    DcmFileFormat file_;
    std::filesystem::path dir_;
};

TEST_F(InstanceReaderTest, ExtractsTheIndexRecord) {
    const ReadResult r = Read();
    ASSERT_TRUE(r.status) << r.status.message;
    EXPECT_EQ(r.record.sop_instance_uid, "1.2.3.4.5");
    EXPECT_EQ(r.record.study_uid, "1.2.3");
    EXPECT_EQ(r.record.series_uid, "1.2.3.4");
    EXPECT_EQ(r.record.frame_of_reference_uid, "1.2.3.9");
    EXPECT_EQ(r.record.patient_id, "P-1");
    EXPECT_EQ(r.record.series_number, 7);
    EXPECT_EQ(r.record.instance_number, 12);
    ASSERT_TRUE(r.record.image_position.has_value());
    EXPECT_DOUBLE_EQ((*r.record.image_position)[1], -120.5);
    EXPECT_DOUBLE_EQ((*r.record.image_position)[2], 33.25);
    ASSERT_TRUE(r.record.image_orientation.has_value());
    EXPECT_DOUBLE_EQ((*r.record.image_orientation)[4], 1.0);
    EXPECT_EQ(r.record.transfer_syntax_uid, UID_LittleEndianExplicitTransferSyntax);
    EXPECT_EQ(r.record.calling_ae, "STORESCU");
}

TEST_F(InstanceReaderTest, SopClassMismatchIsInvalid) {
    const ReadResult r = Read(UID_EnhancedCTImageStorage);
    EXPECT_EQ(r.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(r.status.message.find("differs from the request"), std::string::npos);
}

TEST_F(InstanceReaderTest, SopInstanceMismatchIsInvalid) {
    EXPECT_EQ(Read(kCt, "1.2.3.4.6").status.code, ErrorCode::InvalidDataset);
}

TEST_F(InstanceReaderTest, UnsupportedSopClassIsRefused) {
    file_.getDataset()->putAndInsertString(DCM_SOPClassUID, UID_MRImageStorage);
    EXPECT_EQ(Read(UID_MRImageStorage).status.code, ErrorCode::UnsupportedSopClass);
}

TEST_F(InstanceReaderTest, MissingStudyUidIsInvalid) {
    file_.getDataset()->findAndDeleteElement(DCM_StudyInstanceUID);
    const ReadResult r = Read();
    EXPECT_EQ(r.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(r.status.message.find("Study Instance UID is missing"), std::string::npos);
}

TEST_F(InstanceReaderTest, UnsafeUidIsInvalid) {
    file_.getDataset()->putAndInsertString(DCM_SeriesInstanceUID, "1.2/../../etc");
    EXPECT_EQ(Read().status.code, ErrorCode::InvalidDataset);
}

TEST_F(InstanceReaderTest, WrongModalityIsInvalid) {
    file_.getDataset()->putAndInsertString(DCM_Modality, "MR");
    const ReadResult r = Read();
    EXPECT_EQ(r.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(r.status.message.find("Modality 'MR'"), std::string::npos);
}

TEST_F(InstanceReaderTest, TruncatedPixelDataIsInvalid) {
    const Uint16 pixels[10] = {};
    file_.getDataset()->putAndInsertUint16Array(DCM_PixelData, pixels, 10);
    const ReadResult r = Read();
    EXPECT_EQ(r.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(r.status.message.find("Pixel Data truncated: 20 bytes, 32 expected"), std::string::npos);
}

TEST_F(InstanceReaderTest, MissingPixelDataIsInvalid) {
    file_.getDataset()->findAndDeleteElement(DCM_PixelData);
    EXPECT_EQ(Read().status.code, ErrorCode::InvalidDataset);
}

TEST_F(InstanceReaderTest, TruncatedFileCannotBeUnderstood) {
    const auto path = dir_ / "whole.dcm";
    ASSERT_TRUE(file_.saveFile(path.c_str(), EXS_LittleEndianExplicit).good());
    const auto size = std::filesystem::file_size(path);
    std::filesystem::resize_file(path, size - 7); // cut inside the pixel data value
    const ReadResult r = ReadReceivedInstance(path, {kCt, "1.2.3.4.5", "A", "127.0.0.1"});
    EXPECT_FALSE(r.status);
    EXPECT_TRUE(r.status.code == ErrorCode::CannotUnderstand || r.status.code == ErrorCode::InvalidDataset)
        << r.status.message;
}

TEST_F(InstanceReaderTest, GarbageCannotBeUnderstood) {
    const auto path = dir_ / "garbage.dcm";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fputs("this is not DICOM", f);
    std::fclose(f);
    EXPECT_EQ(ReadReceivedInstance(path, {kCt, "1", "A", "h"}).status.code, ErrorCode::CannotUnderstand);
}

} // namespace
} // namespace radnode::dicom_node
