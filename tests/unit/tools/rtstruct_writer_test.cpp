// rtstruct.dcm written by `radnode phantom`, read back with DCMTK and checked
// against the analytic tumour sphere and the CT series it references.

#include "phantom_study_fixture.h"

#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <string>

namespace radnode::tools::test {
namespace {

constexpr const char* kRtStructureSetStorage = "1.2.840.10008.5.1.4.1.1.481.3";

/// z of every slice whose plane cuts the sphere, |z - cz| < r (strictly).
std::vector<double> SlicesCuttingTheTumour() {
    std::vector<double> z_values;
    for (std::size_t k = 0; k < kSlices; ++k) {
        const double z = CentreMm(k, kSlices, kSliceThicknessMm);
        if (std::abs(z - kTumourCentreMm[2]) < kTumourRadiusMm) {
            z_values.push_back(z);
        }
    }
    return z_values;
}

class PhantomRtStructTest : public ::testing::Test {
protected:
    void SetUp() override {
        file_ = LoadDicom(SignedStudy().dir / "rtstruct.dcm");
        ct_positions_ = CtPositionsByUid(SignedStudy().dir);
        const std::vector<CtFile> ct = ReadCtSeries(SignedStudy().dir);
        ASSERT_FALSE(ct.empty());
        ct_frame_of_reference_ = GetString(*ct.front().file->getDataset(), DCM_FrameOfReferenceUID);
        ct_series_ = GetString(*ct.front().file->getDataset(), DCM_SeriesInstanceUID);
        ct_study_ = GetString(*ct.front().file->getDataset(), DCM_StudyInstanceUID);
    }
    DcmDataset& Dataset() { return *file_->getDataset(); }

    std::unique_ptr<DcmFileFormat> file_;
    std::map<std::string, double> ct_positions_;
    std::string ct_frame_of_reference_;
    std::string ct_series_;
    std::string ct_study_;
};

TEST_F(PhantomRtStructTest, HasOneGtvRoiInTheCtFrameOfReference) {
    DcmDataset& ds = Dataset();
    EXPECT_EQ(GetString(ds, DCM_SOPClassUID), kRtStructureSetStorage);
    EXPECT_EQ(GetString(ds, DCM_Modality), "RTSTRUCT");
    EXPECT_EQ(GetString(ds, DCM_StudyInstanceUID), ct_study_);
    ASSERT_FALSE(ct_frame_of_reference_.empty());
    EXPECT_EQ(GetString(ds, DCM_FrameOfReferenceUID), ct_frame_of_reference_);

    ASSERT_EQ(CountItems(ds, DCM_StructureSetROISequence), 1U);
    DcmItem& roi = GetItem(ds, DCM_StructureSetROISequence, 0);
    EXPECT_EQ(GetString(roi, DCM_ROIName), "GTV-1");
    EXPECT_EQ(GetString(roi, DCM_ROINumber), "1");
    EXPECT_EQ(GetString(roi, DCM_ROIGenerationAlgorithm), "AUTOMATIC");
    EXPECT_EQ(GetString(roi, DCM_ReferencedFrameOfReferenceUID), ct_frame_of_reference_);

    ASSERT_EQ(CountItems(ds, DCM_RTROIObservationsSequence), 1U);
    DcmItem& observation = GetItem(ds, DCM_RTROIObservationsSequence, 0);
    EXPECT_EQ(GetString(observation, DCM_RTROIInterpretedType), "GTV");
    EXPECT_EQ(GetString(observation, DCM_ReferencedROINumber), "1");
}

TEST_F(PhantomRtStructTest, ReferencedFrameOfReferenceListsEveryCtImage) {
    ASSERT_EQ(CountItems(Dataset(), DCM_ReferencedFrameOfReferenceSequence), 1U);
    DcmItem& frame = GetItem(Dataset(), DCM_ReferencedFrameOfReferenceSequence, 0);
    EXPECT_EQ(GetString(frame, DCM_FrameOfReferenceUID), ct_frame_of_reference_);
    DcmItem& study = GetItem(frame, DCM_RTReferencedStudySequence, 0);
    EXPECT_EQ(GetString(study, DCM_ReferencedSOPInstanceUID), ct_study_);
    DcmItem& series = GetItem(study, DCM_RTReferencedSeriesSequence, 0);
    EXPECT_EQ(GetString(series, DCM_SeriesInstanceUID), ct_series_);
    std::set<std::string> referenced;
    for (unsigned long n = 0; n < CountItems(series, DCM_ContourImageSequence); ++n) {
        referenced.insert(GetString(GetItem(series, DCM_ContourImageSequence, n), DCM_ReferencedSOPInstanceUID));
    }
    std::set<std::string> ct_uids;
    for (const auto& [uid, z] : ct_positions_) {
        ct_uids.insert(uid);
    }
    EXPECT_EQ(referenced, ct_uids);
}

TEST_F(PhantomRtStructTest, OneClosedPlanarContourPerSliceCuttingTheSphere) {
    ASSERT_EQ(CountItems(Dataset(), DCM_ROIContourSequence), 1U);
    DcmItem& roi_contour = GetItem(Dataset(), DCM_ROIContourSequence, 0);
    EXPECT_EQ(GetString(roi_contour, DCM_ReferencedROINumber), "1");

    const std::vector<double> expected_z = SlicesCuttingTheTumour();
    ASSERT_EQ(expected_z.size(), 6U); // z = 30 ... 50; 26 and 54 only touch the sphere
    ASSERT_EQ(CountItems(roi_contour, DCM_ContourSequence), expected_z.size());

    const double cx = kTumourCentreMm[0], cy = kTumourCentreMm[1], cz = kTumourCentreMm[2];
    std::vector<double> contour_z;
    for (unsigned long c = 0; c < expected_z.size(); ++c) {
        DcmItem& contour = GetItem(roi_contour, DCM_ContourSequence, c);
        EXPECT_EQ(GetString(contour, DCM_ContourGeometricType), "CLOSED_PLANAR");
        const auto points = static_cast<unsigned long>(GetNumber(contour, DCM_NumberOfContourPoints));
        ASSERT_GE(points, 3U);
        DcmElement* data = nullptr;
        ASSERT_TRUE(contour.findAndGetElement(DCM_ContourData, data).good());
        ASSERT_EQ(data->getVM(), 3 * points);

        const double z = GetNumber(contour, DCM_ContourData, 2);
        const double dz = z - cz;
        const double radius = std::sqrt(kTumourRadiusMm * kTumourRadiusMm - dz * dz);
        for (unsigned long p = 0; p < points; ++p) {
            const double x = GetNumber(contour, DCM_ContourData, 3 * p);
            const double y = GetNumber(contour, DCM_ContourData, 3 * p + 1);
            EXPECT_NEAR(GetNumber(contour, DCM_ContourData, 3 * p + 2), z, 1e-3) << "contour " << c;
            EXPECT_NEAR(std::hypot(x - cx, y - cy), radius, 1e-3) << "contour " << c << " point " << p;
        }
        contour_z.push_back(z);

        // Each contour references the one CT image at its own z.
        ASSERT_EQ(CountItems(contour, DCM_ContourImageSequence), 1U);
        DcmItem& image = GetItem(contour, DCM_ContourImageSequence, 0);
        EXPECT_EQ(GetString(image, DCM_ReferencedSOPClassUID), "1.2.840.10008.5.1.4.1.1.2");
        const auto ct = ct_positions_.find(GetString(image, DCM_ReferencedSOPInstanceUID));
        ASSERT_NE(ct, ct_positions_.end()) << "contour " << c << " references no CT image of the series";
        EXPECT_NEAR(ct->second, z, 1e-3);
    }
    std::sort(contour_z.begin(), contour_z.end());
    ASSERT_EQ(contour_z.size(), expected_z.size());
    for (std::size_t n = 0; n < expected_z.size(); ++n) {
        EXPECT_NEAR(contour_z[n], expected_z[n], 1e-3);
    }
}

} // namespace
} // namespace radnode::tools::test
