// seg.dcm written by `radnode phantom`, read back with dcmseg and compared with
// an independent voxelisation of the tumour sphere and with the truth.

#include "phantom_study_fixture.h"

#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmfg/fginterface.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>
#include <dcmtk/dcmseg/segutils.h>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <string>

namespace radnode::tools::test {
namespace {

/// True when the centre of voxel (i, j, k) lies inside the documented sphere.
/// All terms are exact in binary (multiples of 0.5 mm), so there is no rounding.
bool InsideTumour(std::size_t i, std::size_t j, std::size_t k) {
    const double dx = CentreMm(i, kColumns, kPixelSpacingMm) - kTumourCentreMm[0];
    const double dy = CentreMm(j, kRows, kPixelSpacingMm) - kTumourCentreMm[1];
    const double dz = CentreMm(k, kSlices, kSliceThicknessMm) - kTumourCentreMm[2];
    return dx * dx + dy * dy + dz * dz <= kTumourRadiusMm * kTumourRadiusMm;
}

/// Voxels inside the sphere per slice index, for the slices that have any.
std::map<std::size_t, std::size_t> TumourVoxelsPerSlice() {
    std::map<std::size_t, std::size_t> counts;
    for (std::size_t k = 0; k < kSlices; ++k) {
        for (std::size_t j = 0; j < kRows; ++j) {
            for (std::size_t i = 0; i < kColumns; ++i) {
                if (InsideTumour(i, j, k)) {
                    ++counts[k];
                }
            }
        }
    }
    return counts;
}

std::unique_ptr<DcmSegmentation> LoadSeg() {
    DcmSegmentation* raw = nullptr;
    const OFCondition status = DcmSegmentation::loadFile((SignedStudy().dir / "seg.dcm").string().c_str(), raw);
    EXPECT_TRUE(status.good()) << status.text();
    return std::unique_ptr<DcmSegmentation>(raw);
}

TEST(PhantomSegTest, SegmentIsTheDocumentedTumour) {
    const std::unique_ptr<DcmSegmentation> seg = LoadSeg();
    ASSERT_NE(seg, nullptr);
    ASSERT_EQ(seg->getNumberOfSegments(), 1U);
    DcmSegment* segment = seg->getSegment(1);
    ASSERT_NE(segment, nullptr);
    OFString value;
    ASSERT_TRUE(segment->getSegmentLabel(value).good());
    EXPECT_EQ(value, "GTV-1");
    ASSERT_TRUE(segment->getSegmentDescription(value).good());
    EXPECT_EQ(value, "Tumor");
    EXPECT_EQ(segment->getSegmentAlgorithmType(), DcmSegTypes::SAT_AUTOMATIC);

    CodeSequenceMacro& category = segment->getSegmentedPropertyCategoryCode();
    ASSERT_TRUE(category.getCodeValue(value).good());
    EXPECT_EQ(value, "49755003");
    ASSERT_TRUE(category.getCodingSchemeDesignator(value).good());
    EXPECT_EQ(value, "SCT");
    ASSERT_TRUE(category.getCodeMeaning(value).good());
    EXPECT_EQ(value, "Morphologically Altered Structure");
    CodeSequenceMacro& type = segment->getSegmentedPropertyTypeCode();
    ASSERT_TRUE(type.getCodeValue(value).good());
    EXPECT_EQ(value, "108369006");
    ASSERT_TRUE(type.getCodingSchemeDesignator(value).good());
    EXPECT_EQ(value, "SCT");
    ASSERT_TRUE(type.getCodeMeaning(value).good());
    EXPECT_EQ(value, "Neoplasm");

    const std::vector<CtFile> ct = ReadCtSeries(SignedStudy().dir);
    ASSERT_FALSE(ct.empty());
    ASSERT_TRUE(seg->getFrameOfReference().getFrameOfReferenceUID(value).good());
    EXPECT_EQ(value.c_str(), GetString(*ct.front().file->getDataset(), DCM_FrameOfReferenceUID));
    ASSERT_TRUE(seg->getStudy().getStudyInstanceUID(value).good());
    EXPECT_EQ(value.c_str(), GetString(*ct.front().file->getDataset(), DCM_StudyInstanceUID));
}

TEST(PhantomSegTest, FramesAreExactlyTheTumourVoxels) {
    const std::map<std::size_t, std::size_t> expected = TumourVoxelsPerSlice();
    ASSERT_EQ(expected.size(), 6U); // z = 30 ... 50; at z = 26 and 54 no voxel centre is inside
    const std::unique_ptr<DcmSegmentation> seg = LoadSeg();
    ASSERT_NE(seg, nullptr);
    ASSERT_EQ(seg->getNumberOfFrames(), expected.size());

    std::size_t set_total = 0;
    std::map<std::size_t, std::size_t> seen;
    for (std::size_t f = 0; f < seg->getNumberOfFrames(); ++f) {
        auto* position =
            OFstatic_cast(FGPlanePosPatient*, seg->getFunctionalGroups().get(f, DcmFGTypes::EFG_PLANEPOSPATIENT));
        ASSERT_NE(position, nullptr);
        Float64 x = 0.0, y = 0.0, z = 0.0;
        ASSERT_TRUE(position->getImagePositionPatient(x, y, z).good());
        EXPECT_NEAR(x, CentreMm(0, kColumns, kPixelSpacingMm), 1e-6);
        EXPECT_NEAR(y, CentreMm(0, kRows, kPixelSpacingMm), 1e-6);
        const double k_real = z / kSliceThicknessMm + 0.5 * static_cast<double>(kSlices - 1);
        const auto k = static_cast<std::size_t>(std::lround(k_real));
        ASSERT_NEAR(k_real, static_cast<double>(k), 1e-6);
        ++seen[k];

        std::unique_ptr<DcmIODTypes::Frame> frame(DcmSegUtils::unpackBinaryFrame(
            seg->getFrame(f), static_cast<Uint16>(kRows), static_cast<Uint16>(kColumns)));
        ASSERT_NE(frame, nullptr);
        std::size_t set = 0;
        std::size_t mismatches = 0;
        for (std::size_t j = 0; j < kRows; ++j) {
            for (std::size_t i = 0; i < kColumns; ++i) {
                const bool on = frame->pixData[i + kColumns * j] != 0;
                set += on ? 1 : 0;
                mismatches += on != InsideTumour(i, j, k) ? 1 : 0;
            }
        }
        EXPECT_EQ(mismatches, 0U) << "frame " << f << " at z " << z;
        EXPECT_EQ(set, expected.count(k) ? expected.at(k) : 0U) << "frame " << f;
        set_total += set;
    }
    for (const auto& [k, count] : expected) {
        EXPECT_EQ(seen[k], 1U) << "slice " << k << " needs exactly one frame";
    }

    const processing::phantom::TumourTruth& truth = SignedStudy().phantom.truth.tumour;
    const double voxel_mm3 = kPixelSpacingMm * kPixelSpacingMm * kSliceThicknessMm;
    EXPECT_EQ(set_total, truth.voxel_count);
    EXPECT_DOUBLE_EQ(static_cast<double>(set_total) * voxel_mm3, truth.voxelised_volume_mm3);
}

TEST(PhantomSegTest, FramesDeriveFromTheCtImageAtTheirPosition) {
    const std::map<std::string, double> ct_positions = CtPositionsByUid(SignedStudy().dir);
    const std::unique_ptr<DcmFileFormat> file = LoadDicom(SignedStudy().dir / "seg.dcm");
    DcmDataset& ds = *file->getDataset();
    EXPECT_EQ(GetString(ds, DCM_SOPClassUID), "1.2.840.10008.5.1.4.1.1.66.4");
    const unsigned long frames = CountItems(ds, DCM_PerFrameFunctionalGroupsSequence);
    ASSERT_EQ(frames, TumourVoxelsPerSlice().size());
    for (unsigned long f = 0; f < frames; ++f) {
        DcmItem& group = GetItem(ds, DCM_PerFrameFunctionalGroupsSequence, f);
        const double z = GetNumber(GetItem(group, DCM_PlanePositionSequence, 0), DCM_ImagePositionPatient, 2);
        DcmItem& derivation = GetItem(group, DCM_DerivationImageSequence, 0);
        DcmItem& source = GetItem(derivation, DCM_SourceImageSequence, 0);
        const auto ct = ct_positions.find(GetString(source, DCM_ReferencedSOPInstanceUID));
        ASSERT_NE(ct, ct_positions.end()) << "frame " << f << " references no CT image of the series";
        EXPECT_NEAR(ct->second, z, 1e-6);
    }
}

} // namespace
} // namespace radnode::tools::test
