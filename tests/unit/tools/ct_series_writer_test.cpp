// CT series written by `radnode phantom`, read back with DCMTK and compared
// with the documented conventions and the generator's own HU volume.

#include "phantom_study_fixture.h"

#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <gtest/gtest.h>
#include <set>
#include <string>

namespace radnode::tools::test {
namespace {

using processing::phantom::Tissue;

constexpr const char* kCtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

/// Index of the slice at `z`, from the documented z = origin + k * thickness.
std::size_t SliceIndexOf(double z) {
    const double k = z / kSliceThicknessMm + 0.5 * static_cast<double>(kSlices - 1);
    return static_cast<std::size_t>(std::lround(k));
}

TEST(PhantomCtSeriesTest, WritesOneCtImagePerSlice) {
    const std::vector<CtFile> files = ReadCtSeries(SignedStudy().dir);
    ASSERT_EQ(files.size(), kSlices);
    std::set<std::string> uids;
    std::set<std::string> names;
    for (const CtFile& ct : files) {
        DcmDataset& ds = *ct.file->getDataset();
        EXPECT_EQ(GetString(ds, DCM_SOPClassUID), kCtImageStorage);
        EXPECT_EQ(GetString(*ct.file->getMetaInfo(), DCM_MediaStorageSOPClassUID), kCtImageStorage);
        EXPECT_EQ(GetString(*ct.file->getMetaInfo(), DCM_TransferSyntaxUID), "1.2.840.10008.1.2.1");
        EXPECT_EQ(GetString(ds, DCM_Modality), "CT");
        EXPECT_EQ(GetNumber(ds, DCM_Rows), static_cast<double>(kRows));
        EXPECT_EQ(GetNumber(ds, DCM_Columns), static_cast<double>(kColumns));
        EXPECT_EQ(GetNumber(ds, DCM_BitsAllocated), 16.0);
        EXPECT_EQ(GetString(ds, DCM_PatientID), "PHANTOM-7");
        uids.insert(ct.sop_instance_uid);
        names.insert(ct.path.filename().string());
    }
    EXPECT_EQ(uids.size(), kSlices);
    EXPECT_EQ(names.count("CT0001.dcm"), 1U);
    EXPECT_EQ(names.count("CT0030.dcm"), 1U);
}

TEST(PhantomCtSeriesTest, PositionsFollowTheSliceThickness) {
    const std::vector<CtFile> files = ReadCtSeries(SignedStudy().dir);
    ASSERT_EQ(files.size(), kSlices);
    const std::string series = GetString(*files.front().file->getDataset(), DCM_SeriesInstanceUID);
    const std::string frame = GetString(*files.front().file->getDataset(), DCM_FrameOfReferenceUID);
    for (std::size_t k = 0; k < files.size(); ++k) {
        DcmDataset& ds = *files[k].file->getDataset();
        const double thickness = GetNumber(ds, DCM_SliceThickness);
        EXPECT_DOUBLE_EQ(thickness, kSliceThicknessMm);
        EXPECT_DOUBLE_EQ(GetNumber(ds, DCM_SpacingBetweenSlices), kSliceThicknessMm);
        EXPECT_DOUBLE_EQ(GetNumber(ds, DCM_PixelSpacing, 0), kPixelSpacingMm);
        EXPECT_DOUBLE_EQ(GetNumber(ds, DCM_PixelSpacing, 1), kPixelSpacingMm);
        const double orientation[6] = {1.0, 0.0, 0.0, 0.0, 1.0, 0.0}; // rows along +x, columns along +y
        for (unsigned long n = 0; n < 6; ++n) {
            EXPECT_EQ(GetNumber(ds, DCM_ImageOrientationPatient, n), orientation[n]);
        }
        // Voxel centres symmetric about 0: z_k = (k - (n - 1) / 2) x thickness.
        EXPECT_NEAR(files[k].z_mm, CentreMm(k, kSlices, kSliceThicknessMm), 1e-9);
        if (k > 0) {
            EXPECT_NEAR(files[k].z_mm - files[k - 1].z_mm, thickness, 1e-9);
        }
        EXPECT_NEAR(GetNumber(ds, DCM_ImagePositionPatient, 0), CentreMm(0, kColumns, kPixelSpacingMm), 1e-9);
        EXPECT_NEAR(GetNumber(ds, DCM_ImagePositionPatient, 1), CentreMm(0, kRows, kPixelSpacingMm), 1e-9);
        EXPECT_NEAR(GetNumber(ds, DCM_SliceLocation), files[k].z_mm, 1e-9);
        // Numbered from the most superior slice, as a head-first scan.
        EXPECT_EQ(GetNumber(ds, DCM_InstanceNumber), static_cast<double>(kSlices - k));
        EXPECT_EQ(GetString(ds, DCM_SeriesInstanceUID), series);
        EXPECT_EQ(GetString(ds, DCM_FrameOfReferenceUID), frame);
    }
}

TEST(PhantomCtSeriesTest, SignedStorageIsRawHounsfieldUnits) {
    const std::vector<CtFile> files = ReadCtSeries(SignedStudy().dir);
    ASSERT_FALSE(files.empty());
    for (const CtFile& ct : files) {
        DcmDataset& ds = *ct.file->getDataset();
        EXPECT_EQ(GetNumber(ds, DCM_PixelRepresentation), 1.0);
        EXPECT_EQ(GetNumber(ds, DCM_BitsStored), 16.0);
        EXPECT_EQ(GetNumber(ds, DCM_HighBit), 15.0);
        EXPECT_EQ(GetNumber(ds, DCM_RescaleIntercept), 0.0);
        EXPECT_EQ(GetNumber(ds, DCM_RescaleSlope), 1.0);
    }
}

TEST(PhantomCtSeriesTest, UnsignedStorageIsOffsetBy1024) {
    const std::vector<CtFile> files = ReadCtSeries(UnsignedStudy().dir);
    ASSERT_EQ(files.size(), kSlices);
    for (const CtFile& ct : files) {
        DcmDataset& ds = *ct.file->getDataset();
        EXPECT_EQ(GetNumber(ds, DCM_PixelRepresentation), 0.0);
        EXPECT_EQ(GetNumber(ds, DCM_BitsStored), 12.0);
        EXPECT_EQ(GetNumber(ds, DCM_HighBit), 11.0);
        EXPECT_EQ(GetNumber(ds, DCM_RescaleIntercept), -1024.0);
        EXPECT_EQ(GetNumber(ds, DCM_RescaleSlope), 1.0);
        const Uint16* pixels = nullptr;
        unsigned long count = 0;
        ASSERT_TRUE(ds.findAndGetUint16Array(DCM_PixelData, pixels, &count).good());
        for (unsigned long p = 0; p < count; ++p) {
            ASSERT_LE(pixels[p], 4095U) << "stored value exceeds 12 bits";
        }
    }
}

/// Modality values of every slice equal the generator's HU volume, and
/// selected voxels have the documented tissue values.
void ExpectPixelsMatchGenerator(const GeneratedStudy& study) {
    const processing::CtVolume& hu = study.phantom.ct;
    const processing::LabelMap& labels = study.phantom.labels;
    const std::vector<CtFile> files = ReadCtSeries(study.dir);
    ASSERT_EQ(files.size(), kSlices);
    std::vector<std::vector<double>> values;
    for (std::size_t k = 0; k < files.size(); ++k) {
        ASSERT_EQ(SliceIndexOf(files[k].z_mm), k);
        values.push_back(ModalityValues(*files[k].file->getDataset()));
        ASSERT_EQ(values.back().size(), kColumns * kRows);
        const auto slice = hu.Slice(k);
        for (std::size_t p = 0; p < slice.size(); ++p) {
            ASSERT_EQ(values[k][p], static_cast<double>(slice[p])) << "slice " << k << " pixel " << p;
        }
    }
    auto at = [&](std::size_t i, std::size_t j, std::size_t k) { return values[k][i + kColumns * j]; };

    // Tumour centre (-75, -5, 40): nearest voxel centre (-76.5, -4.5, 38).
    const std::size_t ti = 22, tj = 46, tk = 24;
    ASSERT_NEAR(CentreMm(ti, kColumns, kPixelSpacingMm), -76.5, 1e-9);
    ASSERT_NEAR(CentreMm(tk, kSlices, kSliceThicknessMm), 38.0, 1e-9);
    EXPECT_EQ(labels.At(ti, tj, tk), static_cast<std::uint8_t>(Tissue::Tumour));
    EXPECT_GE(at(ti, tj, tk), -25.0); // documented tumour range with 5 HU noise
    EXPECT_LE(at(ti, tj, tk), 90.0);

    // Air in the corner of every slice: -1000 HU +/- 3.46 sigma of noise.
    for (std::size_t k = 0; k < kSlices; ++k) {
        EXPECT_NEAR(at(0, 0, k), -1000.0, 3.47 * 5.0);
    }

    // Right lung: (-100.5, 19.5, -2) lies inside the lung ellipse (-78, 5; 62, 80).
    const std::size_t li = 14, lj = 54, lk = 14;
    ASSERT_NEAR(CentreMm(li, kColumns, kPixelSpacingMm), -100.5, 1e-9);
    ASSERT_NEAR(CentreMm(lj, kRows, kPixelSpacingMm), 19.5, 1e-9);
    EXPECT_EQ(labels.At(li, lj, lk), static_cast<std::uint8_t>(Tissue::RightLung));
    EXPECT_NEAR(at(li, lj, lk), -850.0, 3.47 * 5.0);

    // Calcifications: exact HU written after the noise, as the truth records them.
    ASSERT_FALSE(study.phantom.truth.calcifications.empty());
    for (const processing::phantom::CalcificationTruth& lesion : study.phantom.truth.calcifications) {
        for (const processing::phantom::LesionSliceTruth& slice : lesion.slices) {
            double peak = -4096.0;
            std::size_t above = 0;
            for (std::size_t j = lesion.index_min[1]; j <= lesion.index_max[1]; ++j) {
                for (std::size_t i = lesion.index_min[0]; i <= lesion.index_max[0]; ++i) {
                    peak = std::max(peak, at(i, j, slice.slice_index));
                    above += at(i, j, slice.slice_index) >= 130.0 ? 1 : 0;
                }
            }
            EXPECT_EQ(peak, static_cast<double>(slice.peak_hu)) << lesion.id;
            EXPECT_EQ(above, slice.pixels_at_or_above_threshold) << lesion.id;
        }
    }
}

TEST(PhantomCtSeriesTest, SignedPixelsEqualTheGeneratorVolume) {
    ExpectPixelsMatchGenerator(SignedStudy());
}

TEST(PhantomCtSeriesTest, UnsignedPixelsEqualTheGeneratorVolume) {
    ExpectPixelsMatchGenerator(UnsignedStudy());
}

} // namespace
} // namespace radnode::tools::test
