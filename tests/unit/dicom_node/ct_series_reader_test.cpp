#include "dicom_node/ct_series_reader.h"

#include "processing/ct_assembly.h"
#include "processing/phantom/thorax_phantom.h"
#include "tools/phantom/ct_series_writer.h"
#include "tools/phantom/phantom_study.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpls/djencode.h>
#include <dcmtk/dcmjpls/djrparam.h>
#include <dcmtk/oflog/oflog.h>

namespace radnode::dicom_node {
namespace {

namespace fs = std::filesystem;
using processing::AssembleCtVolume;
using processing::AssemblyResult;
using processing::CtVolume;

/// A coarse phantom (80 x 64 x 22 at 5 mm) that still contains the whole tumour.
const processing::phantom::ThoraxPhantom& Phantom() {
    static const processing::phantom::ThoraxPhantom phantom = [] {
        processing::phantom::PhantomOptions options;
        options.columns = 80;
        options.rows = 64;
        options.pixel_spacing_mm = 5.0;
        options.slice_thickness_mm = 5.0;
        options.slices = 22;
        options.tumour_radius_mm = 5.0;
        return processing::phantom::GenerateThoraxPhantom(options);
    }();
    return phantom;
}

void RegisterEncoders() {
    static std::once_flag once;
    std::call_once(once, [] {
        // The true-lossless JPEG encoder logs an INFO line per image; keep test output readable.
        OFLog::getLogger("dcmtk.dcmjpeg").setLogLevel(OFLogger::WARN_LOG_LEVEL);
        DJEncoderRegistration::registerCodecs();
        DJLSEncoderRegistration::registerCodecs();
        DcmRLEEncoderRegistration::registerCodecs();
    });
}

class CtSeriesReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("radnode-ct-reader-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "ct");
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::vector<fs::path> WritePhantom(bool unsigned_storage) {
        const CtVolume& ct = Phantom().ct;
        tools::WriteCtSeries(dir_ / "ct", ct, tools::MakePhantomStudy(7, ct.Geometry().size[2]),
                             {unsigned_storage, 1});
        return Files(dir_ / "ct");
    }

    static std::vector<fs::path> Files(const fs::path& directory) {
        std::vector<fs::path> files;
        for (const fs::directory_entry& entry : fs::directory_iterator(directory))
            files.push_back(entry.path());
        std::sort(files.begin(), files.end()); // CT0001 is the most superior slice: reverse of k
        return files;
    }

    /// Re-encodes every file into `xfer` under `name`/.
    std::vector<fs::path> Compress(const std::vector<fs::path>& files, const std::string& name, E_TransferSyntax xfer,
                                   const DcmRepresentationParameter* params) {
        RegisterEncoders();
        fs::create_directories(dir_ / name);
        std::vector<fs::path> out;
        for (const fs::path& file : files) {
            DcmFileFormat dicom;
            EXPECT_TRUE(dicom.loadFile(file.c_str()).good());
            DcmDataset& ds = *dicom.getDataset();
            EXPECT_TRUE(ds.chooseRepresentation(xfer, params).good()) << name;
            EXPECT_TRUE(ds.canWriteXfer(xfer)) << name;
            out.push_back(dir_ / name / file.filename());
            EXPECT_TRUE(dicom.saveFile(out.back().c_str(), xfer).good()) << name;
        }
        DcmFileFormat check;
        EXPECT_TRUE(check.loadFile(out.front().c_str()).good());
        EXPECT_EQ(check.getDataset()->getOriginalXfer(), xfer) << name;
        return out;
    }

    static void ExpectPhantom(const std::vector<fs::path>& files) {
        const CtSliceReadResult read = ReadCtSlices(files);
        ASSERT_TRUE(read.status) << read.status.message;
        const AssemblyResult r = AssembleCtVolume(read.slices);
        ASSERT_TRUE(r.IsOk()) << r.reason;
        const CtVolume& expected = Phantom().ct;
        const CtVolume& actual = r.assembled.volume;
        const processing::ImageGeometry& e = expected.Geometry();
        const processing::ImageGeometry& a = actual.Geometry();
        EXPECT_EQ(a.size, e.size);
        EXPECT_EQ(a.direction, e.direction);
        for (std::size_t c = 0; c < 3; ++c) {
            EXPECT_NEAR(a.spacing[c], e.spacing[c], 1e-6);
            EXPECT_NEAR(a.origin[c], e.origin[c], 1e-4);
        }
        EXPECT_TRUE(actual.Data() == expected.Data());
        EXPECT_FALSE(r.assembled.resampled);
        ExpectSameFromFiles(files, r);
    }

    /// The header-pass + pixel-source path gives exactly what ReadCtSlices + AssembleCtVolume gave.
    static void ExpectSameFromFiles(const std::vector<fs::path>& files, const AssemblyResult& expected) {
        const CtSeriesAssembly from_files = AssembleCtSeriesFromFiles(files);
        ASSERT_TRUE(from_files.status) << from_files.status.message;
        const AssemblyResult& r = from_files.assembly;
        ASSERT_TRUE(r.IsOk()) << r.reason;
        EXPECT_EQ(r.assembled.volume.Geometry().size, expected.assembled.volume.Geometry().size);
        EXPECT_EQ(r.assembled.volume.Geometry().spacing, expected.assembled.volume.Geometry().spacing);
        EXPECT_EQ(r.assembled.volume.Geometry().origin, expected.assembled.volume.Geometry().origin);
        EXPECT_EQ(r.assembled.volume.Geometry().direction, expected.assembled.volume.Geometry().direction);
        EXPECT_TRUE(r.assembled.volume.Data() == expected.assembled.volume.Data());
        EXPECT_EQ(r.assembled.slice_sop_uids, expected.assembled.slice_sop_uids);
        EXPECT_EQ(r.assembled.notes, expected.assembled.notes);
    }

    fs::path dir_;
};

TEST_F(CtSeriesReaderTest, SignedPhantomRoundTripsExactly) { ExpectPhantom(WritePhantom(false)); }

TEST_F(CtSeriesReaderTest, UnsignedPhantomRoundTripsExactly) { ExpectPhantom(WritePhantom(true)); }

TEST_F(CtSeriesReaderTest, CompressedCopiesDecodeToIdenticalHu) {
    for (const bool unsigned_storage : {false, true}) {
        const std::vector<fs::path> files = WritePhantom(unsigned_storage);
        const DJ_RPLossless jpeg_lossless;
        ExpectPhantom(Compress(files, "jpeg", EXS_JPEGProcess14SV1, &jpeg_lossless));
        const DJLSRepresentationParameter jpeg_ls(2, OFTrue);
        ExpectPhantom(Compress(files, "jpegls", EXS_JPEGLSLossless, &jpeg_ls));
        ExpectPhantom(Compress(files, "rle", EXS_RLELossless, nullptr));
    }
}

/// Native files are read from the Pixel Data offset when it ends the file (explicit and
/// implicit VR), and through DCMTK when something follows it; all give the same volume.
TEST_F(CtSeriesReaderTest, NativeOffsetReadsMatchWithImplicitVrAndTrailingElements) {
    for (const bool unsigned_storage : {false, true}) {
        const std::vector<fs::path> files = WritePhantom(unsigned_storage);
        ExpectPhantom(Compress(files, "implicit", EXS_LittleEndianImplicit, nullptr));
        fs::create_directories(dir_ / "trailing");
        std::vector<fs::path> trailing;
        for (const fs::path& file : files) {
            DcmFileFormat dicom;
            ASSERT_TRUE(dicom.loadFile(file.c_str()).good());
            // (FFFC,FFFC) Data Set Trailing Padding sorts after Pixel Data.
            const Uint8 padding[4] = {0, 0, 0, 0};
            ASSERT_TRUE(dicom.getDataset()->putAndInsertUint8Array(DCM_DataSetTrailingPadding, padding, 4).good());
            trailing.push_back(dir_ / "trailing" / file.filename());
            ASSERT_TRUE(dicom.saveFile(trailing.back().c_str(), EXS_LittleEndianExplicit).good());
        }
        ExpectPhantom(trailing);
    }
}

TEST_F(CtSeriesReaderTest, SeriesMixedFromTwoStudiesIsRejected) {
    std::vector<fs::path> files = WritePhantom(false);
    DcmFileFormat dicom;
    ASSERT_TRUE(dicom.loadFile(files[4].c_str()).good());
    ASSERT_TRUE(dicom.loadAllDataIntoMemory().good()); // it is saved over the file it was read from
    ASSERT_TRUE(dicom.getDataset()->putAndInsertString(DCM_SeriesInstanceUID, "1.2.826.0.1.3680043.2.1").good());
    ASSERT_TRUE(dicom.saveFile(files[4].c_str(), EXS_LittleEndianExplicit).good());
    const CtSeriesAssembly r = AssembleCtSeriesFromFiles(files);
    ASSERT_TRUE(r.status) << r.status.message;
    EXPECT_EQ(r.assembly.issue, processing::AssemblyIssue::MixedSeries) << r.assembly.reason;
}

TEST(CtSeriesReaderValueTest, StoredValuesAreMaskedAndSignExtended) {
    EXPECT_EQ(InterpretStoredValue(0x0800, 12, 11, true), -2048);
    EXPECT_EQ(InterpretStoredValue(0x07FF, 12, 11, true), 2047);
    EXPECT_EQ(InterpretStoredValue(0xFFFF, 12, 11, true), -1);
    EXPECT_EQ(InterpretStoredValue(0xF001, 12, 11, true), 1); // bits above HighBit are not the sign
    EXPECT_EQ(InterpretStoredValue(0xF123, 12, 11, false), 0x123);
    EXPECT_EQ(InterpretStoredValue(0x8000, 16, 15, true), -32768);
    EXPECT_EQ(InterpretStoredValue(0x8000, 16, 15, false), 32768);
    EXPECT_EQ(InterpretStoredValue(0x0FF0, 8, 11, false), 0xFF); // HighBit above BitsStored - 1
}

/// An Enhanced CT with three frames: shared orientation/spacing/rescale, per-frame positions.
TEST_F(CtSeriesReaderTest, EnhancedCtFramesBecomeSlices) {
    DcmFileFormat dicom;
    DcmDataset& ds = *dicom.getDataset();
    ds.putAndInsertString(DCM_SOPClassUID, UID_EnhancedCTImageStorage);
    ds.putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5");
    ds.putAndInsertString(DCM_Modality, "CT");
    ds.putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL\\NONE");
    ds.putAndInsertUint16(DCM_Rows, 2);
    ds.putAndInsertUint16(DCM_Columns, 3);
    ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
    ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
    ds.putAndInsertUint16(DCM_BitsAllocated, 16);
    ds.putAndInsertUint16(DCM_BitsStored, 12);
    ds.putAndInsertUint16(DCM_HighBit, 11);
    ds.putAndInsertUint16(DCM_PixelRepresentation, 1);
    ds.putAndInsertString(DCM_NumberOfFrames, "3");
    DcmItem* shared = nullptr;
    ASSERT_TRUE(ds.findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, -2).good());
    DcmItem* item = nullptr;
    shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, item, -2);
    item->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
    shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, item, -2);
    item->putAndInsertString(DCM_PixelSpacing, "0.5\\0.8");
    shared->findOrCreateSequenceItem(DCM_PixelValueTransformationSequence, item, -2);
    item->putAndInsertString(DCM_RescaleSlope, "2");
    item->putAndInsertString(DCM_RescaleIntercept, "-10");
    for (int f = 0; f < 3; ++f) {
        DcmItem* frame = nullptr;
        ASSERT_TRUE(ds.findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, -2).good());
        frame->findOrCreateSequenceItem(DCM_PlanePositionSequence, item, -2);
        item->putAndInsertString(DCM_ImagePositionPatient, ("-5\\7\\" + std::to_string(10 - 3 * f)).c_str());
    }
    // Frame f, pixel p: stored 100 f + p, except a negative value with garbage above HighBit.
    std::vector<Uint16> pixels(18);
    for (std::size_t i = 0; i < pixels.size(); ++i)
        pixels[i] = static_cast<Uint16>(100 * (i / 6) + i % 6);
    pixels[5] = 0xFFFE; // -2 in 12-bit two's complement
    ds.putAndInsertUint16Array(DCM_PixelData, pixels.data(), static_cast<unsigned long>(pixels.size()));
    const fs::path file = dir_ / "enhanced.dcm";
    ASSERT_TRUE(dicom.saveFile(file.c_str(), EXS_LittleEndianExplicit).good());

    const CtSliceReadResult read = ReadCtSlices({file});
    ASSERT_TRUE(read.status) << read.status.message;
    ASSERT_EQ(read.slices.size(), 3U);
    EXPECT_EQ(read.slices[2].frame_index, 2U);
    EXPECT_EQ(read.slices[0].pixels[5], -2);
    const AssemblyResult r = AssembleCtVolume(read.slices);
    ASSERT_TRUE(r.IsOk()) << r.reason;
    const CtVolume& v = r.assembled.volume;
    EXPECT_EQ(v.Geometry().size, (std::array<std::size_t, 3>{3, 2, 3}));
    EXPECT_DOUBLE_EQ(v.Geometry().spacing[0], 0.8);
    EXPECT_DOUBLE_EQ(v.Geometry().spacing[1], 0.5);
    EXPECT_DOUBLE_EQ(v.Geometry().spacing[2], 3.0);
    EXPECT_EQ(v.Geometry().origin, (processing::Point3{-5.0, 7.0, 4.0})); // frame 2 is the lowest
    EXPECT_EQ(v.At(1, 1, 0), 2 * 204 - 10);                               // k = 0 is frame 2
    EXPECT_EQ(v.At(2, 1, 2), 2 * -2 - 10);                                // k = 2 is frame 0
    ExpectSameFromFiles({file}, r);
}

TEST_F(CtSeriesReaderTest, FromFilesReportsUndecodablePixelsNamingTheFile) {
    std::vector<fs::path> files = WritePhantom(false);
    const DJ_RPLossless jpeg_lossless;
    files = Compress(files, "jpeg", EXS_JPEGProcess14SV1, &jpeg_lossless);
    // Corrupt the compressed stream of one slice: its header still reads, its pixels do not.
    const fs::path victim = files[3];
    {
        DcmFileFormat dicom;
        ASSERT_TRUE(dicom.loadFile(victim.c_str()).good());
        DcmElement* element = nullptr;
        ASSERT_TRUE(dicom.getDataset()->findAndGetElement(DCM_PixelData, element).good());
        DcmPixelSequence* sequence = nullptr;
        ASSERT_TRUE(static_cast<DcmPixelData*>(element)->getEncapsulatedRepresentation(EXS_JPEGProcess14SV1, nullptr,
                                                                                        sequence).good());
        DcmPixelItem* fragment = nullptr;
        ASSERT_TRUE(sequence->getItem(fragment, 1).good());
        Uint8* bytes = nullptr;
        ASSERT_TRUE(fragment->getUint8Array(bytes).good());
        std::fill(bytes, bytes + fragment->getLength(), Uint8{0});
        ASSERT_TRUE(dicom.saveFile(victim.c_str(), EXS_JPEGProcess14SV1).good());
    }
    const CtSeriesAssembly r = AssembleCtSeriesFromFiles(files);
    EXPECT_FALSE(r.status);
    EXPECT_EQ(r.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(r.status.message.find(victim.filename().string()), std::string::npos) << r.status.message;
    EXPECT_EQ(r.assembly.issue, processing::AssemblyIssue::UnreadablePixels);
}

TEST_F(CtSeriesReaderTest, RejectsNonCtAndNonDicomFiles) {
    const fs::path text = dir_ / "note.dcm";
    std::ofstream(text) << "not dicom";
    EXPECT_EQ(ReadCtSlices({text}).status.code, ErrorCode::CannotUnderstand);

    DcmFileFormat dicom;
    dicom.getDataset()->putAndInsertString(DCM_SOPClassUID, UID_MRImageStorage);
    dicom.getDataset()->putAndInsertString(DCM_SOPInstanceUID, "1.2.3");
    const fs::path mr = dir_ / "mr.dcm";
    ASSERT_TRUE(dicom.saveFile(mr.c_str(), EXS_LittleEndianExplicit).good());
    const CtSliceReadResult r = ReadCtSlices({mr});
    EXPECT_EQ(r.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(r.status.message.find("mr.dcm"), std::string::npos) << r.status.message;
    EXPECT_TRUE(r.slices.empty());

    const CtSeriesAssembly from_files = AssembleCtSeriesFromFiles({mr});
    EXPECT_EQ(from_files.status.code, ErrorCode::InvalidDataset);
    EXPECT_EQ(AssembleCtSeriesFromFiles({text}).status.code, ErrorCode::CannotUnderstand);
}

} // namespace
} // namespace radnode::dicom_node
