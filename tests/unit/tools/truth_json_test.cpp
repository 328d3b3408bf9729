// truth.json written by `radnode phantom`: parsed with a minimal reader, its
// CAC totals recomputed from its own per-slice lesion list and from the CT pixels.

#include "mini_json.h"
#include "phantom_study_fixture.h"

#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <set>
#include <string>

namespace radnode::tools::test {
namespace {

constexpr double kPi = 3.14159265358979323846;

JsonValue ReadTruth(const GeneratedStudy& study) {
    std::ifstream in(study.dir / "truth.json", std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ParseJson(text);
}

/// Agatston density weight from the peak HU, per the documented bands.
int Weight(double peak_hu) {
    if (peak_hu >= 400.0) {
        return 4;
    }
    if (peak_hu >= 300.0) {
        return 3;
    }
    if (peak_hu >= 200.0) {
        return 2;
    }
    return peak_hu >= 130.0 ? 1 : 0;
}

std::string RiskCategory(double score) {
    if (score == 0.0) {
        return "0";
    }
    return score <= 10.0 ? "1-10" : score <= 100.0 ? "11-100" : score <= 400.0 ? "101-400" : ">400";
}

TEST(PhantomTruthJsonTest, ParsesWithTheDocumentedSections) {
    const JsonValue truth = ReadTruth(SignedStudy());
    ASSERT_EQ(truth.kind, JsonValue::Kind::Object);
    for (const char* key : {"schema", "generator", "seed", "options", "conventions", "geometry", "dicom", "tissues",
                            "tumour", "lungs", "heart", "coronary_arteries", "calcifications", "omitted_calcifications",
                            "non_coronary_dense_structures", "cac"}) {
        EXPECT_TRUE(truth.Has(key)) << key;
    }
    EXPECT_EQ(truth["schema"].text, "radnode.phantom.truth/1");
    EXPECT_EQ(truth["seed"].number, static_cast<double>(kSeed));
    EXPECT_EQ(truth["options"]["slices"].number, static_cast<double>(kSlices));
    EXPECT_EQ(truth["options"]["tumour_radius_mm"].number, kTumourRadiusMm);
    EXPECT_FALSE(truth["options"]["unsigned_storage"].boolean);
    const JsonValue& size = truth["geometry"]["size"];
    ASSERT_EQ(size.items.size(), 3U);
    EXPECT_EQ(size[0].number, static_cast<double>(kColumns));
    EXPECT_EQ(size[1].number, static_cast<double>(kRows));
    EXPECT_EQ(size[2].number, static_cast<double>(kSlices));
    EXPECT_DOUBLE_EQ(truth["geometry"]["z_first_mm"].number, CentreMm(0, kSlices, kSliceThicknessMm));
    EXPECT_EQ(truth["tissues"].items.size(), processing::phantom::kTissueCount);

    // The identifiers are those of the DICOM files next to it.
    const std::vector<CtFile> ct = ReadCtSeries(SignedStudy().dir);
    ASSERT_FALSE(ct.empty());
    DcmDataset& first = *ct.front().file->getDataset();
    const JsonValue& dicom = truth["dicom"];
    EXPECT_EQ(dicom["study_instance_uid"].text, GetString(first, DCM_StudyInstanceUID));
    EXPECT_EQ(dicom["frame_of_reference_uid"].text, GetString(first, DCM_FrameOfReferenceUID));
    EXPECT_EQ(dicom["ct_series_instance_uid"].text, GetString(first, DCM_SeriesInstanceUID));
    EXPECT_EQ(dicom["patient_id"].text, GetString(first, DCM_PatientID));
    EXPECT_EQ(dicom["pixel_representation"].number, 1.0);
    EXPECT_EQ(dicom["rescale_intercept"].number, 0.0);
    const std::unique_ptr<DcmFileFormat> seg = LoadDicom(SignedStudy().dir / "seg.dcm");
    EXPECT_EQ(dicom["seg_sop_instance_uid"].text, GetString(*seg->getDataset(), DCM_SOPInstanceUID));

    const JsonValue unsigned_truth = ReadTruth(UnsignedStudy());
    EXPECT_TRUE(unsigned_truth["options"]["unsigned_storage"].boolean);
    EXPECT_EQ(unsigned_truth["dicom"]["pixel_representation"].number, 0.0);
    EXPECT_EQ(unsigned_truth["dicom"]["rescale_intercept"].number, -1024.0);
}

TEST(PhantomTruthJsonTest, TumourVolumesMatchTheSphere) {
    const JsonValue tumour = ReadTruth(SignedStudy())["tumour"];
    // Voxel centres inside r = 14 mm on this grid, counted independently (see PhantomSegTest): 320.
    EXPECT_EQ(tumour["voxel_count"].number, 320.0);
    EXPECT_DOUBLE_EQ(tumour["voxelised_volume_mm3"].number, 320.0 * 3.0 * 3.0 * 4.0);
    EXPECT_NEAR(tumour["analytic_volume_mm3"].number, 4.0 / 3.0 * kPi * 14.0 * 14.0 * 14.0, 1e-9);
    EXPECT_EQ(tumour["centre_mm"][2].number, kTumourCentreMm[2]);
}

TEST(PhantomTruthJsonTest, CacTotalsEqualTheSumOverItsSliceList) {
    const JsonValue truth = ReadTruth(SignedStudy());
    const double pixel_area = truth["geometry"]["pixel_area_mm2"].number;
    const double voxel_volume = truth["geometry"]["voxel_volume_mm3"].number;
    EXPECT_DOUBLE_EQ(pixel_area, kPixelSpacingMm * kPixelSpacingMm);
    EXPECT_DOUBLE_EQ(voxel_volume, kPixelSpacingMm * kPixelSpacingMm * kSliceThicknessMm);
    const JsonValue& cac = truth["cac"];
    EXPECT_EQ(cac["threshold_hu"].number, 130.0);
    EXPECT_EQ(cac["min_lesion_area_mm2"].number, 1.0);

    double raw = 0.0;
    double volume = 0.0;
    std::size_t lesions_scored = 0;
    std::size_t slices_excluded = 0;
    const JsonValue& calcifications = truth["calcifications"];
    ASSERT_FALSE(calcifications.items.empty());
    for (const JsonValue& lesion : calcifications.items) {
        const bool coronary = lesion["kind"].text == "coronary";
        EXPECT_EQ(lesion["coronary"].boolean, coronary);
        bool lesion_scored = false;
        for (const JsonValue& slice : lesion["slices"].items) {
            const double above = slice["pixels_at_or_above_threshold"].number;
            const double area = above * pixel_area;
            const double peak = slice["peak_hu"].number;
            EXPECT_DOUBLE_EQ(slice["area_mm2"].number, area);
            const bool scored = coronary && peak >= 130.0 && area >= 1.0;
            ASSERT_EQ(slice["scored"].boolean, scored) << lesion["id"].text;
            if (!scored) {
                ++slices_excluded;
                EXPECT_EQ(slice["agatston"].number, 0.0) << lesion["id"].text;
                continue;
            }
            EXPECT_EQ(slice["agatston_weight"].number, Weight(peak)) << lesion["id"].text;
            EXPECT_DOUBLE_EQ(slice["agatston"].number, area * Weight(peak)) << lesion["id"].text;
            raw += area * Weight(peak);
            volume += above * voxel_volume;
            lesion_scored = true;
        }
        EXPECT_EQ(lesion["scored"].boolean, lesion_scored) << lesion["id"].text;
        lesions_scored += lesion_scored ? 1 : 0;
    }
    ASSERT_GT(lesions_scored, 1U) << "the test study must contain scored lesions";
    EXPECT_GT(slices_excluded, 0U) << "the test study must contain excluded lesions (aortic, below 130 HU)";

    EXPECT_NEAR(cac["agatston_raw"].number, raw, 1e-9 * raw);
    EXPECT_NEAR(cac["agatston_scaled_to_3mm"].number, raw * kSliceThicknessMm / 3.0, 1e-9 * raw);
    EXPECT_DOUBLE_EQ(cac["agatston_scale_factor"].number, kSliceThicknessMm / 3.0);
    EXPECT_NEAR(cac["volume_mm3"].number, volume, 1e-9 * volume);
    EXPECT_EQ(cac["lesions_scored"].number, static_cast<double>(lesions_scored));
    EXPECT_EQ(cac["risk_category"].text, RiskCategory(raw * kSliceThicknessMm / 3.0));
}

TEST(PhantomTruthJsonTest, CacMassEqualsTheSumOverTheCtPixels) {
    const JsonValue truth = ReadTruth(SignedStudy());
    const std::vector<CtFile> files = ReadCtSeries(SignedStudy().dir);
    ASSERT_EQ(files.size(), kSlices);
    const double voxel_volume = kPixelSpacingMm * kPixelSpacingMm * kSliceThicknessMm;
    const double calibration = truth["cac"]["mass_calibration_mg_per_mm3_per_hu"].number;
    EXPECT_EQ(calibration, 0.001);
    double mass = 0.0;
    for (const JsonValue& lesion : truth["calcifications"].items) {
        const std::size_t i0 = static_cast<std::size_t>(lesion["index_min"][0].number);
        const std::size_t i1 = static_cast<std::size_t>(lesion["index_max"][0].number);
        const std::size_t j0 = static_cast<std::size_t>(lesion["index_min"][1].number);
        const std::size_t j1 = static_cast<std::size_t>(lesion["index_max"][1].number);
        for (const JsonValue& slice : lesion["slices"].items) {
            if (!slice["scored"].boolean) {
                continue;
            }
            const auto k = static_cast<std::size_t>(slice["slice_index"].number);
            ASSERT_NEAR(files[k].z_mm, slice["z_mm"].number, 1e-9);
            const std::vector<double> hu = ModalityValues(*files[k].file->getDataset());
            for (std::size_t j = j0; j <= j1; ++j) {
                for (std::size_t i = i0; i <= i1; ++i) {
                    const double value = hu[i + kColumns * j];
                    mass += value >= 130.0 ? value * voxel_volume * calibration : 0.0;
                }
            }
        }
    }
    ASSERT_GT(mass, 0.0);
    EXPECT_NEAR(truth["cac"]["mass_mg"].number, mass, 1e-9 * mass);
}

} // namespace
} // namespace radnode::tools::test
