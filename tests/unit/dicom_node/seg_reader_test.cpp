// Decoding DICOM SEG: the phantom generator's seg.dcm onto the phantom CT grid
// (voxel-exact, and against its RTSTRUCT), a two-segment SEG from reporting's
// writer, binary and fractional SEGs built in code, and malformed files.

#include "tests/unit/temp_dir.h"
#include "dicom_node/rtstruct_reader.h"
#include "dicom_node/seg_reader.h"
#include "processing/contour_rasterizer.h"
#include "processing/phantom/thorax_phantom.h"
#include "processing/seg_mapping.h"
#include "reporting/seg_writer.h"
#include "tools/phantom/ct_series_writer.h"
#include "tools/phantom/phantom_command.h"
#include "tools/phantom/phantom_study.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace radnode::dicom_node {
namespace {

namespace fs = std::filesystem;
using processing::DecodedSegmentation;
using processing::LabelMap;
using processing::MapSegmentToGrid;
using processing::SegMappingResult;

using ::radnode::test::TempDir;

/// The phantom study written by the real `radnode phantom` command (96 x 96 x 30,
/// 3 mm pixels, 4 mm slices, tumour radius 14 mm), plus the same phantom in-process.
struct PhantomFiles {
    TempDir dir{"radnode-seg-phantom"};
    processing::phantom::PhantomOptions options;
    processing::phantom::ThoraxPhantom phantom;
    processing::ImageGeometry grid;
    tools::PhantomStudy study;
};

const PhantomFiles& Phantom() {
    static const std::unique_ptr<PhantomFiles> files = [] {
        auto f = std::make_unique<PhantomFiles>();
        const std::string out = f->dir.Path().string();
        std::vector<const char*> argv{"radnode",   "phantom",     "--out",  out.c_str(), "--rows",
                                      "96",        "--columns",   "96",     "--slices",  "30",
                                      "--pixel-spacing", "3",     "--slice-thickness",   "4",
                                      "--tumour-radius", "14",    "--seed", "7"};
        CLI::App app("radnode");
        app.require_subcommand(1);
        tools::AddPhantomCommand(app);
        app.parse(static_cast<int>(argv.size()), argv.data());
        f->options.seed = 7;
        f->options.columns = 96;
        f->options.rows = 96;
        f->options.slices = 30;
        f->options.pixel_spacing_mm = 3.0;
        f->options.slice_thickness_mm = 4.0;
        f->options.tumour_radius_mm = 14.0;
        f->phantom = processing::phantom::GenerateThoraxPhantom(f->options);
        f->grid = processing::phantom::PhantomGeometry(f->options);
        f->study = tools::MakePhantomStudy(f->options.seed, f->options.slices);
        return f;
    }();
    return *files;
}

double Dice(const LabelMap& a, const LabelMap& b) {
    std::size_t both = 0, count_a = 0, count_b = 0;
    for (std::size_t n = 0; n < a.Data().size(); ++n) {
        const bool in_a = a.Data()[n] != 0, in_b = b.Data()[n] != 0;
        count_a += in_a ? 1U : 0U;
        count_b += in_b ? 1U : 0U;
        both += (in_a && in_b) ? 1U : 0U;
    }
    return 2.0 * static_cast<double>(both) / static_cast<double>(count_a + count_b);
}

TEST(SegReaderPhantom, SegDecodesVoxelExactlyToTheGeneratorsTumourMask) {
    const PhantomFiles& files = Phantom();
    const SegReadResult read = ReadSegmentation(files.dir.Path() / "seg.dcm");
    ASSERT_TRUE(read.status.IsOk()) << read.status.message;
    EXPECT_TRUE(read.warnings.empty()) << read.warnings.front();
    const DecodedSegmentation& seg = read.seg;
    EXPECT_EQ(seg.frame_of_reference_uid, files.study.frame_of_reference_uid);
    EXPECT_FALSE(seg.fractional);
    ASSERT_EQ(seg.segments.size(), 1U);
    EXPECT_EQ(seg.segments[0].number, 1);
    EXPECT_EQ(seg.segments[0].label, "GTV-1");
    EXPECT_EQ(seg.segments[0].description, "Tumor");
    EXPECT_EQ(seg.segments[0].algorithm_type, "AUTOMATIC");
    EXPECT_EQ(seg.segments[0].category.value, "49755003");
    EXPECT_EQ(seg.segments[0].type.meaning, "Neoplasm");
    ASSERT_EQ(seg.frames.size(), 6U); // slices z = 30 ... 50 cut the sphere
    EXPECT_EQ(seg.frames[0].rows, 96U);
    EXPECT_DOUBLE_EQ(seg.frames[0].pixel_spacing[0], 3.0);

    const SegMappingResult mapped = MapSegmentToGrid(seg, 1, files.grid);
    ASSERT_TRUE(mapped.IsOk()) << mapped.reason;
    EXPECT_TRUE(mapped.warnings.empty());
    EXPECT_EQ(mapped.frames_used, 6U);
    ASSERT_GT(mapped.voxel_count, 100U);
    EXPECT_EQ(mapped.mask.Geometry(), files.phantom.tumour_mask.Geometry());
    EXPECT_TRUE(mapped.mask.Data() == files.phantom.tumour_mask.Data());
}

TEST(SegReaderPhantom, SegAgreesWithTheRtStruct) {
    const PhantomFiles& files = Phantom();
    const SegReadResult read = ReadSegmentation(files.dir.Path() / "seg.dcm");
    ASSERT_TRUE(read.status.IsOk()) << read.status.message;
    const SegMappingResult mapped = MapSegmentToGrid(read.seg, 1, files.grid);
    ASSERT_TRUE(mapped.IsOk()) << mapped.reason;

    const StructureSetReadResult rtstruct = ReadStructureSet(files.dir.Path() / "rtstruct.dcm");
    ASSERT_TRUE(rtstruct.status.IsOk()) << rtstruct.status.message;
    const std::vector<const processing::Roi*> tumours = processing::SelectTumourRois(rtstruct.structure_set);
    ASSERT_EQ(tumours.size(), 1U);
    const processing::RasterResult raster = processing::RasterizeRoi(*tumours[0], files.grid);
    ASSERT_TRUE(raster.IsOk()) << raster.reason;
    EXPECT_GE(Dice(mapped.mask, raster.mask), 0.98);
}

TEST(SegReaderPhantom, TwoSegmentSegKeepsLabelsCodesAndMasks) {
    const PhantomFiles& files = Phantom();
    LabelMap box(files.grid, 0);
    for (std::size_t k = 10; k < 13; ++k)
        for (std::size_t j = 40; j < 50; ++j)
            for (std::size_t i = 20; i < 27; ++i)
                box.At(i, j, k) = 1;
    reporting::SegSegment tumour;
    tumour.label = "GTV-1";
    tumour.category = {"49755003", "SCT", "Morphologically Altered Structure"};
    tumour.type = {"108369006", "SCT", "Neoplasm"};
    tumour.algorithm_name = "test";
    tumour.mask = &files.phantom.tumour_mask;
    reporting::SegSegment other;
    other.label = "Box";
    other.description = "A box";
    other.category = {"91723000", "SCT", "Anatomical Structure"};
    other.type = {"39607008", "SCT", "Lung"};
    other.algorithm_type = reporting::SegAlgorithmType::Manual;
    other.mask = &box;
    reporting::SegInstance instance;
    instance.series_instance_uid = "1.2.826.0.1.3680043.10.1.1";
    instance.sop_instance_uid = "1.2.826.0.1.3680043.10.1.2";
    instance.dimension_organization_uid = "1.2.826.0.1.3680043.10.1.3";
    instance.content_date = "20240101";
    instance.content_time = "120000";
    const TempDir dir{"radnode-seg-two-segments"};
    const fs::path file = dir.Path() / "seg.dcm";
    const reporting::SegWriteResult written = reporting::WriteBinarySegmentation(
        file, tools::DescribeCtSeries(files.grid, files.study), {tumour, other}, instance);
    ASSERT_TRUE(written.Ok()) << written.error;

    const SegReadResult read = ReadSegmentation(file);
    ASSERT_TRUE(read.status.IsOk()) << read.status.message;
    ASSERT_EQ(read.seg.segments.size(), 2U);
    EXPECT_EQ(read.seg.segments[1].number, 2);
    EXPECT_EQ(read.seg.segments[1].label, "Box");
    EXPECT_EQ(read.seg.segments[1].description, "A box");
    EXPECT_EQ(read.seg.segments[1].algorithm_type, "MANUAL");
    EXPECT_EQ(read.seg.segments[1].type.value, "39607008");
    EXPECT_EQ(read.seg.segments[1].type.scheme, "SCT");
    EXPECT_EQ(read.seg.segments[1].category.meaning, "Anatomical Structure");
    EXPECT_EQ(read.seg.frames.size(), 9U);

    const std::vector<processing::MappedSegment> all = processing::MapAllSegments(read.seg, files.grid);
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].label, "GTV-1");
    ASSERT_TRUE(all[0].result.IsOk()) << all[0].result.reason;
    EXPECT_TRUE(all[0].result.mask.Data() == files.phantom.tumour_mask.Data());
    EXPECT_EQ(all[1].label, "Box");
    ASSERT_TRUE(all[1].result.IsOk()) << all[1].result.reason;
    EXPECT_EQ(all[1].result.voxel_count, 3U * 10U * 7U);
    EXPECT_TRUE(all[1].result.mask.Data() == box.Data());
}

TEST(SegReaderPhantom, CtFileIsNotASeg) {
    const PhantomFiles& files = Phantom();
    const fs::path ct = files.dir.Path() / "ct" / tools::CtFileName(0, files.options.slices);
    ASSERT_TRUE(fs::exists(ct));
    const SegReadResult read = ReadSegmentation(ct);
    EXPECT_EQ(read.status.code, ErrorCode::UnsupportedSopClass);
    EXPECT_NE(read.status.message.find("not a Segmentation"), std::string::npos) << read.status.message;
}

TEST(SegReaderPhantom, TruncatedPixelDataIsInvalid) {
    const PhantomFiles& files = Phantom();
    DcmFileFormat format;
    ASSERT_TRUE(format.loadFile((files.dir.Path() / "seg.dcm").string().c_str()).good());
    const std::vector<Uint8> shorter(6 * 96 * 96 / 8 - 100, 0xFF);
    ASSERT_TRUE(format.getDataset()
                    ->putAndInsertUint8Array(DCM_PixelData, shorter.data(), static_cast<unsigned long>(shorter.size()))
                    .good());
    const TempDir dir{"radnode-seg-truncated"};
    const fs::path file = dir.Path() / "seg.dcm";
    ASSERT_TRUE(format.saveFile(file.string().c_str(), EXS_LittleEndianExplicit).good());
    const SegReadResult read = ReadSegmentation(file);
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("truncated"), std::string::npos) << read.status.message;
}

/// One frame of a SEG built in code: stored values (0/1 or 0..max), column fastest.
struct CodeFrame {
    Uint16 segment = 1;
    double z = 0.0;
    std::vector<std::uint8_t> values;
};

/// A SEG dataset written attribute by attribute: two segments, 1 mm pixels at the
/// origin, identity orientation in the Shared Functional Groups.
class SegReaderInCode : public ::testing::Test {
protected:
    void Build(bool fractional, Uint16 rows, Uint16 columns, const std::vector<CodeFrame>& frames) {
        DcmDataset& ds = *file_.getDataset();
        ds.putAndInsertString(DCM_SOPClassUID, UID_SegmentationStorage);
        ds.putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5");
        ds.putAndInsertString(DCM_Modality, "SEG");
        ds.putAndInsertString(DCM_FrameOfReferenceUID, "1.2.3.9");
        ds.putAndInsertString(DCM_SegmentationType, fractional ? "FRACTIONAL" : "BINARY");
        if (fractional) {
            ds.putAndInsertString(DCM_SegmentationFractionalType, "PROBABILITY");
            ds.putAndInsertUint16(DCM_MaximumFractionalValue, 200);
        }
        ds.putAndInsertUint16(DCM_Rows, rows);
        ds.putAndInsertUint16(DCM_Columns, columns);
        ds.putAndInsertString(DCM_NumberOfFrames, std::to_string(frames.size()).c_str());
        const Uint16 bits = fractional ? 8 : 1;
        ds.putAndInsertUint16(DCM_BitsAllocated, bits);
        ds.putAndInsertUint16(DCM_BitsStored, bits);
        ds.putAndInsertUint16(DCM_HighBit, static_cast<Uint16>(bits - 1));
        ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
        ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
        ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
        DcmItem* item = nullptr;
        for (const char* number : {"1", "2"}) {
            ds.findOrCreateSequenceItem(DCM_SegmentSequence, item, -2);
            item->putAndInsertString(DCM_SegmentNumber, number);
            item->putAndInsertString(DCM_SegmentLabel, std::string("Segment ").append(number).c_str());
            item->putAndInsertString(DCM_SegmentAlgorithmType, "MANUAL");
            DcmItem* code = nullptr;
            item->findOrCreateSequenceItem(DCM_SegmentedPropertyCategoryCodeSequence, code, -2);
            code->putAndInsertString(DCM_CodeValue, "91723000");
            code->putAndInsertString(DCM_CodingSchemeDesignator, "SCT");
            code->putAndInsertString(DCM_CodeMeaning, "Anatomical Structure");
            item->findOrCreateSequenceItem(DCM_SegmentedPropertyTypeCodeSequence, code, -2);
            code->putAndInsertString(DCM_CodeValue, "39607008");
            code->putAndInsertString(DCM_CodingSchemeDesignator, "SCT");
            code->putAndInsertString(DCM_CodeMeaning, "Lung");
        }
        DcmItem* shared = nullptr;
        ds.findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, -2);
        shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, item, -2);
        item->putAndInsertString(DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
        shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, item, -2);
        item->putAndInsertString(DCM_PixelSpacing, "1\\1");
        item->putAndInsertString(DCM_SliceThickness, "1");
        std::vector<Uint8> pixels;
        std::size_t bit = 0;
        for (const CodeFrame& frame : frames) {
            DcmItem* per_frame = nullptr;
            ds.findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, per_frame, -2);
            per_frame->findOrCreateSequenceItem(DCM_SegmentIdentificationSequence, item, -2);
            item->putAndInsertUint16(DCM_ReferencedSegmentNumber, frame.segment);
            per_frame->findOrCreateSequenceItem(DCM_PlanePositionSequence, item, -2);
            item->putAndInsertString(DCM_ImagePositionPatient, ("0\\0\\" + std::to_string(frame.z)).c_str());
            for (std::uint8_t value : frame.values) {
                if (fractional) {
                    pixels.push_back(value);
                    continue;
                }
                if (bit % 8 == 0)
                    pixels.push_back(0);
                pixels.back() = static_cast<Uint8>(pixels.back() | ((value != 0 ? 1U : 0U) << (bit % 8)));
                ++bit;
            }
        }
        if (pixels.size() % 2 != 0)
            pixels.push_back(0);
        ds.putAndInsertUint8Array(DCM_PixelData, pixels.data(), static_cast<unsigned long>(pixels.size()));
    }

    DcmDataset& Dataset() { return *file_.getDataset(); }

    SegReadResult SaveAndRead() {
        const fs::path path = dir_.Path() / "seg.dcm";
        EXPECT_TRUE(file_.saveFile(path.string().c_str(), EXS_LittleEndianExplicit).good());
        return ReadSegmentation(path);
    }

    TempDir dir_{std::string{"radnode-seg-"} + ::testing::UnitTest::GetInstance()->current_test_info()->name()};
    DcmFileFormat file_;
};

TEST_F(SegReaderInCode, BinaryFramesStartingMidByteAreUnpacked) {
    // 3 x 5 = 15 bits per frame: frame 2 starts at bit 7 of byte 1, frame 3 at bit 6 of byte 3.
    std::vector<CodeFrame> frames;
    for (int f = 0; f < 3; ++f) {
        CodeFrame frame{static_cast<Uint16>(f == 1 ? 2 : 1), static_cast<double>(f), {}};
        for (int p = 0; p < 15; ++p)
            frame.values.push_back(static_cast<std::uint8_t>((p * (f + 2) + f) % 3 == 0 ? 1 : 0));
        frames.push_back(frame);
    }
    Build(false, 3, 5, frames);
    const SegReadResult read = SaveAndRead();
    ASSERT_TRUE(read.status.IsOk()) << read.status.message;
    ASSERT_EQ(read.seg.frames.size(), 3U);
    for (std::size_t f = 0; f < 3; ++f) {
        EXPECT_EQ(read.seg.frames[f].segment_number, frames[f].segment);
        EXPECT_DOUBLE_EQ(read.seg.frames[f].position[2], frames[f].z);
        ASSERT_EQ(read.seg.frames[f].values.size(), 15U);
        for (std::size_t p = 0; p < 15; ++p)
            EXPECT_EQ(read.seg.frames[f].values[p], static_cast<float>(frames[f].values[p])) << f << " " << p;
    }
    EXPECT_EQ(read.seg.segments[1].label, "Segment 2");
}

TEST_F(SegReaderInCode, FractionalValuesAreScaledAndThresholded) {
    // Stored value 13 p of 200 at pixel p of a 4 x 4 frame on slice 1.
    CodeFrame frame{1, 1.0, {}};
    for (int p = 0; p < 16; ++p)
        frame.values.push_back(static_cast<std::uint8_t>(13 * p));
    Build(true, 4, 4, {frame});
    const SegReadResult read = SaveAndRead();
    ASSERT_TRUE(read.status.IsOk()) << read.status.message;
    EXPECT_TRUE(read.seg.fractional);
    EXPECT_EQ(read.seg.fractional_type, "PROBABILITY");
    ASSERT_EQ(read.seg.frames.size(), 1U);
    EXPECT_FLOAT_EQ(read.seg.frames[0].values[10], 130.0F / 200.0F);

    processing::ImageGeometry grid;
    grid.size = {4, 4, 2};
    const SegMappingResult half = MapSegmentToGrid(read.seg, 1, grid);
    ASSERT_TRUE(half.IsOk()) << half.reason;
    EXPECT_EQ(half.voxel_count, 8U); // 13 p >= 100 for p >= 8
    for (std::size_t p = 0; p < 16; ++p) {
        EXPECT_EQ(half.mask.Slice(1)[p], p >= 8 ? 1 : 0) << p;
        EXPECT_EQ(half.mask.Slice(0)[p], 0) << p;
    }
    processing::SegMappingOptions quarter;
    quarter.threshold = 0.25;
    const SegMappingResult low = MapSegmentToGrid(read.seg, 1, grid, quarter);
    ASSERT_TRUE(low.IsOk()) << low.reason;
    EXPECT_EQ(low.voxel_count, 12U); // 13 p >= 50 for p >= 4
    EXPECT_EQ(low.mask.Slice(1)[3], 0);
    EXPECT_EQ(low.mask.Slice(1)[4], 1);
}

TEST_F(SegReaderInCode, UnknownSegmentNumberIsInvalid) {
    Build(false, 4, 4, {{9, 0.0, std::vector<std::uint8_t>(16, 1)}});
    const SegReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("segment number 9"), std::string::npos) << read.status.message;
}

TEST_F(SegReaderInCode, MissingFunctionalGroupsAreInvalid) {
    Build(false, 4, 4, {{1, 0.0, std::vector<std::uint8_t>(16, 1)}});
    delete Dataset().remove(DCM_SharedFunctionalGroupsSequence);
    SegReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("PlaneOrientationSequence"), std::string::npos) << read.status.message;

    delete Dataset().remove(DCM_PerFrameFunctionalGroupsSequence);
    read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("PerFrameFunctionalGroupsSequence"), std::string::npos)
        << read.status.message;
}

TEST_F(SegReaderInCode, FrameCountMustMatchPixelData) {
    std::vector<CodeFrame> frames(2, CodeFrame{1, 0.0, std::vector<std::uint8_t>(64, 1)});
    frames[1].z = 1.0;
    Build(true, 8, 8, frames);
    DcmItem* per_frame = nullptr; // a third functional groups item without pixels
    Dataset().findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, per_frame, -2);
    DcmItem* item = nullptr;
    per_frame->findOrCreateSequenceItem(DCM_SegmentIdentificationSequence, item, -2);
    item->putAndInsertUint16(DCM_ReferencedSegmentNumber, 1);
    per_frame->findOrCreateSequenceItem(DCM_PlanePositionSequence, item, -2);
    item->putAndInsertString(DCM_ImagePositionPatient, "0\\0\\2");
    SegReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("NumberOfFrames is 2"), std::string::npos) << read.status.message;

    Dataset().putAndInsertString(DCM_NumberOfFrames, "3");
    read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("truncated"), std::string::npos) << read.status.message;
}

TEST_F(SegReaderInCode, WrongSegmentationTypeIsInvalid) {
    Build(false, 4, 4, {{1, 0.0, std::vector<std::uint8_t>(16, 1)}});
    Dataset().putAndInsertString(DCM_SegmentationType, "LABELMAP");
    const SegReadResult read = SaveAndRead();
    EXPECT_EQ(read.status.code, ErrorCode::InvalidDataset);
    EXPECT_NE(read.status.message.find("LABELMAP"), std::string::npos) << read.status.message;
}

} // namespace
} // namespace radnode::dicom_node
