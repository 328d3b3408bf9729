#include "processing/radiomics/preprocess.h"
#include "reference_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

namespace radnode::processing::radiomics {
namespace {

std::map<std::string, std::string> AsMap(const Diagnostics& diagnostics) {
    return {diagnostics.begin(), diagnostics.end()};
}

TEST(RadiomicsPreprocess, PythonFloatMatchesRepr) {
    EXPECT_EQ(PythonFloat(3057.0), "3057.0");
    EXPECT_EQ(PythonFloat(0.0), "0.0");
    EXPECT_EQ(PythonFloat(-128.0), "-128.0");
    EXPECT_EQ(PythonFloat(0.78124999999999989), "0.7812499999999999");
    EXPECT_EQ(PythonFloat(385.6564080810547), "385.6564080810547");
    EXPECT_EQ(PythonFloat(0.0001), "0.0001");
    EXPECT_EQ(PythonFloat(0.00001), "1e-05");
    EXPECT_EQ(PythonFloat(1e16), "1e+16");
    EXPECT_EQ(PythonFloat(1234567890123456.0), "1234567890123456.0");
    EXPECT_EQ(PythonFloat(1.5e-7), "1.5e-07");
    EXPECT_EQ(PythonFloat(-2.5), "-2.5");
}

TEST(RadiomicsPreprocess, GeometryComparisonUsesRelativeTolerance) {
    ImageGeometry a;
    a.size = {4, 4, 4};
    a.spacing = {2.0, 2.0, 2.0};
    ImageGeometry b = a;
    EXPECT_EQ(CompareGeometry(a, b, 1e-6), "");
    b.origin[1] += 1e-6; // within 1e-6 * spacing[0] = 2e-6
    EXPECT_EQ(CompareGeometry(a, b, 1e-6), "");
    b.origin[1] += 2e-6;
    EXPECT_NE(CompareGeometry(a, b, 1e-6).find("origin"), std::string::npos);
    b = a;
    b.size[2] = 5;
    EXPECT_NE(CompareGeometry(a, b, 1e-6).find("size"), std::string::npos);
    b = a;
    b.direction[0] = -1.0;
    EXPECT_NE(CompareGeometry(a, b, 1e-6).find("direction"), std::string::npos);
}

TEST(RadiomicsPreprocess, NormalisationUsesSampleDeviationThenClipsThenScales) {
    ImageGeometry g;
    g.size = {4, 1, 1};
    Volume<double> image(g);
    image.Data() = {1.0, 2.0, 3.0, 10.0};
    Settings settings;
    settings.normalize = true;
    Volume<double> out = NormalizeImage(image, settings);
    const double mean = 4.0;
    const double sd = std::sqrt((9.0 + 4.0 + 1.0 + 36.0) / 3.0);
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_NEAR(out.Data()[i], (image.Data()[i] - mean) / sd, 1e-12);
    settings.remove_outliers = 1.0;
    settings.normalize_scale = 100.0;
    out = NormalizeImage(image, settings);
    EXPECT_NEAR(out.Data()[3], 100.0, 1e-9);
    EXPECT_NEAR(out.Data()[0], 100.0 * (1.0 - mean) / sd, 1e-9);
}

TEST(RadiomicsPreprocess, Brain1RegionMatchesBaselineDiagnostics) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    Settings settings;
    const PreparedCase prepared = Preprocess(brain1.image, brain1.mask, settings);
    ASSERT_EQ(prepared.error, "");
    EXPECT_EQ(prepared.region.box_origin, (std::array<std::size_t, 3>{162, 84, 11}));
    EXPECT_EQ(prepared.region.size, (std::array<std::size_t, 3>{47, 70, 7}));
    EXPECT_EQ(prepared.region.voxels.size(), 4137U);
    EXPECT_EQ(prepared.region.mask, prepared.region.shape_mask);
    const auto diagnostics = AsMap(prepared.diagnostics);
    EXPECT_EQ(diagnostics.at("diagnostics_Mask-original_VolumeNum"), "2");
    EXPECT_EQ(diagnostics.at("diagnostics_Mask-original_CenterOfMassIndex"),
              "(186.98549673676578, 106.3562968334542, 14.38917089678511)");
}

TEST(RadiomicsPreprocess, Brain1ResamplingGridMatchesPyRadiomics) {
    // baseline_shape.csv, column brain1_resampling (SimpleITK's BSpline into the short image).
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    Settings settings;
    settings.resampled_pixel_spacing = std::array<double, 3>{2.0, 2.0, 2.0};
    const PreparedCase prepared = Preprocess(brain1.image, brain1.mask, settings);
    ASSERT_EQ(prepared.error, "");
    const auto d = AsMap(prepared.diagnostics);
    EXPECT_EQ(d.at("diagnostics_Image-interpolated_Size"), "(30, 39, 34)");
    EXPECT_EQ(d.at("diagnostics_Image-interpolated_Spacing"), "(2.0, 2.0, 2.0)");
    EXPECT_EQ(d.at("diagnostics_Image-interpolated_Minimum"), "-128.0");
    EXPECT_EQ(d.at("diagnostics_Image-interpolated_Maximum"), "2253.0");
    EXPECT_NEAR(std::stod(d.at("diagnostics_Image-interpolated_Mean")), 598.916742081448, 1e-9);
    EXPECT_EQ(d.at("diagnostics_Mask-interpolated_BoundingBox"), "(5, 6, 7, 19, 27, 22)");
    EXPECT_EQ(d.at("diagnostics_Mask-interpolated_VoxelNum"), "1915");
    EXPECT_EQ(d.at("diagnostics_Mask-interpolated_VolumeNum"), "2");
    EXPECT_NEAR(std::stod(d.at("diagnostics_Mask-interpolated_Mean")), 820.533681462141, 1e-9);
}

TEST(RadiomicsPreprocess, ZeroSpacingComponentKeepsTheMaskSpacing) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    Settings settings;
    settings.resampled_pixel_spacing = std::array<double, 3>{1.0, 1.0, 0.0};
    const PreparedCase prepared = Preprocess(brain1.image, brain1.mask, settings);
    ASSERT_EQ(prepared.error, "");
    EXPECT_DOUBLE_EQ(prepared.region.spacing[2], brain1.mask.Geometry().spacing[2]);
    EXPECT_DOUBLE_EQ(prepared.region.spacing[0], 1.0);
    EXPECT_EQ(prepared.region.size[2], 7U); // z untouched: still the 7 slices of the ROI
}

TEST(RadiomicsPreprocess, ResegmentationModes) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    Settings settings;
    settings.resegment_range = std::vector<double>{700.0, 1000.0};
    PreparedCase absolute = Preprocess(brain1.image, brain1.mask, settings);
    ASSERT_EQ(absolute.error, "");
    for (const std::uint32_t v : absolute.region.voxels) {
        EXPECT_GE(absolute.region.image[v], 700.0);
        EXPECT_LE(absolute.region.image[v], 1000.0);
    }
    // Shape keeps the original ROI (cut to the re-segmented box) unless resegmentShape.
    std::size_t shape_voxels = 0;
    for (const std::uint8_t m : absolute.region.shape_mask)
        shape_voxels += m;
    EXPECT_GT(shape_voxels, absolute.region.voxels.size());
    EXPECT_EQ(AsMap(absolute.diagnostics).at("diagnostics_Mask-resegmented_VoxelNum"),
              std::to_string(absolute.region.voxels.size()));

    settings.resegment_shape = true;
    PreparedCase shaped = Preprocess(brain1.image, brain1.mask, settings);
    ASSERT_EQ(shaped.error, "");
    EXPECT_EQ(shaped.region.shape_mask, shaped.region.mask);

    settings.resegment_shape = false;
    settings.resegment_mode = ResegmentMode::Relative;
    settings.resegment_range = std::vector<double>{0.5};
    PreparedCase relative = Preprocess(brain1.image, brain1.mask, settings);
    ASSERT_EQ(relative.error, "");
    double roi_max = 0.0;
    const PreparedCase plain = Preprocess(brain1.image, brain1.mask, Settings{});
    for (const std::uint32_t v : plain.region.voxels)
        roi_max = std::max(roi_max, plain.region.image[v]);
    std::size_t expected = 0;
    for (const std::uint32_t v : plain.region.voxels)
        expected += plain.region.image[v] >= 0.5 * roi_max ? 1 : 0;
    EXPECT_EQ(relative.region.voxels.size(), expected);
    for (const std::uint32_t v : relative.region.voxels)
        EXPECT_GE(relative.region.image[v], 0.5 * roi_max);
    settings.resegment_mode = ResegmentMode::Absolute;
    settings.resegment_range = std::vector<double>{1e9};
    EXPECT_NE(Preprocess(brain1.image, brain1.mask, settings).error.find("Resegmentation excluded too many voxels"),
              std::string::npos);
}

TEST(RadiomicsPreprocess, PreCropKeepsTheRegion) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    Settings settings;
    const PreparedCase plain = Preprocess(brain1.image, brain1.mask, settings);
    settings.pre_crop = true;
    const PreparedCase cropped = Preprocess(brain1.image, brain1.mask, settings);
    ASSERT_EQ(cropped.error, "");
    EXPECT_EQ(cropped.region.image, plain.region.image);
    EXPECT_EQ(cropped.region.gray, plain.region.gray);
    EXPECT_EQ(cropped.region.box_origin, (std::array<std::size_t, 3>{5, 5, 5})); // padDistance 5
}

} // namespace
} // namespace radnode::processing::radiomics
