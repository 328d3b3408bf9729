#include "processing/radiomics/extractor.h"
#include "processing/radiomics/firstorder.h"
#include "processing/radiomics/glcm.h"
#include "processing/radiomics/gldm.h"
#include "processing/radiomics/glrlm.h"
#include "processing/radiomics/glszm.h"
#include "processing/radiomics/ngtdm.h"
#include "processing/radiomics/preprocess.h"
#include "processing/radiomics/shape.h"
#include "reference_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

namespace radnode::processing::radiomics {
namespace {

/// The base settings of PyRadiomics' baseline columns (params/baseline_original.yaml).
ExtractionParams BaselineParams() {
    ExtractionParams params;
    params.settings.bin_width = 25;
    params.settings.voxel_array_shift = 2000;
    params.settings.minimum_roi_dimensions = 1;
    return params;
}

std::string Diagnostic(const ExtractionResult& result, const std::string& name) {
    for (const auto& [key, value] : result.diagnostics)
        if (key == name)
            return value;
    return "<missing>";
}

/// A small synthetic case: 12^3 grid, a 4x5x3 block labelled 1 with a gradient.
struct Synthetic {
    Volume<double> image;
    Volume<std::int32_t> mask;
};
Synthetic MakeSynthetic() {
    ImageGeometry g;
    g.size = {12, 12, 12};
    g.spacing = {0.8, 0.9, 2.0};
    g.origin = {-10.0, 5.0, 3.0};
    Synthetic s{Volume<double>(g), Volume<std::int32_t>(g, 0)};
    for (std::size_t k = 0; k < 12; ++k)
        for (std::size_t j = 0; j < 12; ++j)
            for (std::size_t i = 0; i < 12; ++i)
                s.image.At(i, j, k) = static_cast<double>((i * 7 + j * 13 + k * 29) % 50) * 3.0;
    for (std::size_t k = 4; k < 7; ++k)
        for (std::size_t j = 3; j < 8; ++j)
            for (std::size_t i = 2; i < 6; ++i)
                s.mask.At(i, j, k) = 1;
    return s;
}

TEST(RadiomicsExtractor, EmptyMaskIsRefused) {
    Synthetic s = MakeSynthetic();
    std::fill(s.mask.Data().begin(), s.mask.Data().end(), 0);
    const ExtractionResult result = Extract(s.image, s.mask, ExtractionParams{});
    EXPECT_NE(result.error.find("No labels found"), std::string::npos) << result.error;
    EXPECT_TRUE(result.features.empty());
}

TEST(RadiomicsExtractor, AbsentLabelIsRefusedNamingTheLabelsPresent) {
    Synthetic s = MakeSynthetic();
    ExtractionParams params;
    params.settings.label = 3;
    const ExtractionResult result = Extract(s.image, s.mask, params);
    EXPECT_NE(result.error.find("Label (3) not present"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("[1]"), std::string::npos) << result.error;
}

TEST(RadiomicsExtractor, RoiBelowMinimumDimensionsIsRefused) {
    Synthetic s = MakeSynthetic();
    std::fill(s.mask.Data().begin(), s.mask.Data().end(), 0);
    for (std::size_t i = 2; i < 8; ++i)
        for (std::size_t j = 3; j < 6; ++j)
            s.mask.At(i, j, 5) = 1; // one slice: 2D ROI
    ExtractionParams params;
    params.settings.minimum_roi_dimensions = 3;
    ExtractionResult result = Extract(s.image, s.mask, params);
    EXPECT_NE(result.error.find("minimumROIDimensions"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("number of dimensions 2, minimum required 3"), std::string::npos) << result.error;

    std::fill(s.mask.Data().begin(), s.mask.Data().end(), 0);
    s.mask.At(4, 4, 4) = 1;
    params.settings.minimum_roi_dimensions = 1;
    result = Extract(s.image, s.mask, params);
    EXPECT_NE(result.error.find("single voxel"), std::string::npos) << result.error;
}

TEST(RadiomicsExtractor, RoiBelowMinimumSizeIsRefused) {
    Synthetic s = MakeSynthetic();
    ExtractionParams params;
    params.settings.minimum_roi_size = 60; // the ROI has exactly 60 voxels; PyRadiomics needs more
    const ExtractionResult result = Extract(s.image, s.mask, params);
    EXPECT_NE(result.error.find("minimumROISize"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("ROI size: 60"), std::string::npos) << result.error;
    params.settings.minimum_roi_size = 59;
    EXPECT_EQ(Extract(s.image, s.mask, params).error, "");
}

TEST(RadiomicsExtractor, GeometryMismatchIsRefusedUnlessCorrected) {
    Synthetic s = MakeSynthetic();
    ImageGeometry g = s.mask.Geometry();
    g.origin[2] += 2.0; // one slice off
    Volume<std::int32_t> shifted(g);
    shifted.Data() = s.mask.Data();
    ExtractionParams params;
    ExtractionResult result = Extract(s.image, shifted, params);
    EXPECT_NE(result.error.find("geometry"), std::string::npos) << result.error;
    EXPECT_NE(result.error.find("origin"), std::string::npos) << result.error;

    // correctMask resamples the mask onto the image grid: the ROI moves up one slice.
    params.settings.correct_mask = true;
    result = Extract(s.image, shifted, params);
    ASSERT_EQ(result.error, "");
    EXPECT_EQ(Diagnostic(result, "diagnostics_Mask-corrected_BoundingBox"), "(2, 3, 5, 4, 5, 3)");

    // A mask of another size is a mismatch too.
    ImageGeometry small = s.mask.Geometry();
    small.size = {12, 12, 11};
    Volume<std::int32_t> other(small, 0);
    other.At(3, 3, 3) = 1;
    other.At(4, 4, 4) = 1;
    params.settings.correct_mask = false;
    result = Extract(s.image, other, params);
    EXPECT_NE(result.error.find("size"), std::string::npos) << result.error;

    // A ROI outside the image cannot be corrected.
    ImageGeometry far = s.mask.Geometry();
    far.origin[0] += 100.0;
    Volume<std::int32_t> outside(far);
    outside.Data() = s.mask.Data();
    params.settings.correct_mask = true;
    result = Extract(s.image, outside, params);
    EXPECT_NE(result.error.find("larger than image space"), std::string::npos) << result.error;
}

TEST(RadiomicsExtractor, TranslatingImageAndMaskTogetherLeavesFeaturesUnchanged) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    ExtractionParams params = BaselineParams();
    const ExtractionResult reference = Extract(brain1.image, brain1.mask, params);
    ASSERT_EQ(reference.error, "");

    ImageGeometry g = brain1.image.Geometry();
    g.origin = {g.origin[0] + 37.25, g.origin[1] - 12.5, g.origin[2] + 101.0};
    Volume<double> image(g);
    image.Data() = brain1.image.Data();
    Volume<std::int32_t> mask(g);
    mask.Data() = brain1.mask.Data();
    const ExtractionResult moved = Extract(image, mask, params);
    ASSERT_EQ(moved.error, "");
    ASSERT_EQ(moved.features.size(), reference.features.size());
    for (std::size_t f = 0; f < moved.features.size(); ++f) {
        EXPECT_EQ(moved.features[f].name, reference.features[f].name);
        EXPECT_TRUE(test::WithinParity(moved.features[f].value, reference.features[f].value, 1e-12, 1e-12))
            << moved.features[f].name << " " << moved.features[f].value << " vs " << reference.features[f].value;
    }
    EXPECT_NE(Diagnostic(moved, "diagnostics_Mask-original_CenterOfMass"),
              Diagnostic(reference, "diagnostics_Mask-original_CenterOfMass"));
}

TEST(RadiomicsExtractor, LabelSelectsItsRegion) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    ExtractionParams params = BaselineParams();
    const ExtractionResult reference = Extract(brain1.image, brain1.mask, params);
    ASSERT_EQ(reference.error, "");

    // The tumour becomes label 2; a block elsewhere becomes label 1.
    Volume<std::int32_t> mask(brain1.mask.Geometry(), 0);
    for (std::size_t v = 0; v < mask.Data().size(); ++v)
        mask.Data()[v] = brain1.mask.Data()[v] == 1 ? 2 : 0;
    for (std::size_t k = 2; k < 6; ++k)
        for (std::size_t j = 20; j < 40; ++j)
            for (std::size_t i = 20; i < 40; ++i)
                mask.At(i, j, k) = 1;
    params.settings.label = 2;
    const ExtractionResult swapped = Extract(brain1.image, mask, params);
    ASSERT_EQ(swapped.error, "");
    ASSERT_EQ(swapped.features.size(), reference.features.size());
    for (std::size_t f = 0; f < swapped.features.size(); ++f)
        EXPECT_EQ(swapped.features[f].value, reference.features[f].value) << swapped.features[f].name;

    params.settings.label = 1;
    const ExtractionResult block = Extract(brain1.image, mask, params);
    ASSERT_EQ(block.error, "");
    EXPECT_EQ(Diagnostic(block, "diagnostics_Mask-original_VoxelNum"), "1600");
    EXPECT_EQ(Diagnostic(block, "diagnostics_Mask-original_BoundingBox"), "(20, 20, 2, 20, 20, 4)");
}

TEST(RadiomicsExtractor, DefaultClassesInPyRadiomicsOrderWithoutOnRequestFeatures) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    const ExtractionResult result = Extract(brain1.image, brain1.mask, BaselineParams());
    ASSERT_EQ(result.error, "");
    std::vector<std::string> classes;
    for (const Feature& f : result.features) {
        EXPECT_FALSE(f.on_request) << f.name;
        const std::string cls = f.name.substr(9, f.name.find('_', 9) - 9);
        if (classes.empty() || classes.back() != cls)
            classes.push_back(cls);
    }
    EXPECT_EQ(classes, (std::vector<std::string>{"shape", "firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm"}));
    // Every non-diagnostic entry of the live PyRadiomics run's original image is present.
    const auto peer =
        test::TwoColumnCsv(test::PyRadiomicsDataDir() / "peer_outputs" / "brain1_full_original_log_wavelet.csv");
    std::size_t peer_original = 0;
    for (const auto& [name, value] : peer)
        peer_original += name.starts_with("original_") ? 1 : 0;
    EXPECT_EQ(result.features.size(), peer_original);
}

TEST(RadiomicsExtractor, DiagnosticsAsPyRadiomicsPrintsThem) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    const ExtractionResult result = Extract(brain1.image, brain1.mask, BaselineParams());
    ASSERT_EQ(result.error, "");
    const auto peer =
        test::TwoColumnCsv(test::PyRadiomicsDataDir() / "peer_outputs" / "brain1_full_original_log_wavelet.csv");
    for (const char* name :
         {"diagnostics_Image-original_Dimensionality", "diagnostics_Image-original_Spacing",
          "diagnostics_Image-original_Size", "diagnostics_Image-original_Minimum", "diagnostics_Image-original_Maximum",
          "diagnostics_Mask-original_Spacing", "diagnostics_Mask-original_Size", "diagnostics_Mask-original_BoundingBox",
          "diagnostics_Mask-original_VoxelNum", "diagnostics_Mask-original_VolumeNum",
          "diagnostics_Mask-original_CenterOfMassIndex", "diagnostics_Mask-original_CenterOfMass"})
        EXPECT_EQ(Diagnostic(result, name), peer.at(name)) << name;
    EXPECT_DOUBLE_EQ(std::stod(Diagnostic(result, "diagnostics_Image-original_Mean")),
                     std::stod(peer.at("diagnostics_Image-original_Mean")));
    EXPECT_EQ(Diagnostic(result, "diagnostics_Configuration_EnabledImageTypes"), "{'Original': {}}");
    EXPECT_EQ(result.diagnostics.front().first, "diagnostics_Configuration_Settings");
}

TEST(RadiomicsExtractor, ExplicitFeatureListsAreExact) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    ExtractionParams params = BaselineParams();
    params.feature_classes = {{"glcm", {"Contrast", "Autocorrelation"}}, {"firstorder", {"Mean"}}};
    ExtractionResult result = Extract(brain1.image, brain1.mask, params);
    ASSERT_EQ(result.error, "");
    std::vector<std::string> names;
    for (const Feature& f : result.features)
        names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"original_glcm_Contrast", "original_glcm_Autocorrelation",
                                               "original_firstorder_Mean"}));

    params.feature_classes = {{"glcm", {"Contrast", "NoSuchFeature"}}};
    result = Extract(brain1.image, brain1.mask, params);
    EXPECT_NE(result.error.find("NoSuchFeature"), std::string::npos) << result.error;
    EXPECT_TRUE(result.features.empty());

    params.feature_classes = {{"nosuchclass", {}}};
    result = Extract(brain1.image, brain1.mask, params);
    EXPECT_NE(result.error.find("nosuchclass"), std::string::npos) << result.error;
}

TEST(RadiomicsExtractor, Shape2DOnlyWithForce2D) {
    const test::ReferenceCase& brain1 = test::LoadReferenceCase("brain1");
    ExtractionParams params = BaselineParams();
    params.feature_classes = {{"shape", {}}, {"shape2D", {}}};
    ExtractionResult result = Extract(brain1.image, brain1.mask, params);
    ASSERT_EQ(result.error, "");
    for (const Feature& f : result.features)
        EXPECT_TRUE(f.name.starts_with("original_shape_")) << f.name;

    // force2D with a multi-slice ROI: PyRadiomics' shape2D refuses the mask.
    params.settings.force_2d = true;
    result = Extract(brain1.image, brain1.mask, params);
    EXPECT_NE(result.error.find("shape2D"), std::string::npos) << result.error;
}

} // namespace
} // namespace radnode::processing::radiomics
