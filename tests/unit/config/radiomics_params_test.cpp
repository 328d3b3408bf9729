#include "config/radiomics_params.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"

namespace radnode::config {
namespace {

namespace rad = processing::radiomics;
namespace fs = std::filesystem;

const fs::path kPyRadiomicsParams = fs::path(RADNODE_TEST_DATA_DIR) / "pyradiomics" / "params";

/// The ConfigError message of parsing `yaml` (fails the test when it parses).
std::string ErrorOf(const std::string& yaml) {
    try {
        ParseRadiomicsParams(yaml, "test.yaml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "accepted:\n" << yaml;
    return {};
}

std::vector<std::string> ClassNames(const rad::ExtractionParams& params) {
    std::vector<std::string> names;
    for (const auto& [name, features] : params.feature_classes)
        names.push_back(name);
    return names;
}

TEST(RadiomicsParams, BaselineOriginalFile) {
    const rad::ExtractionParams p = LoadRadiomicsParams(kPyRadiomicsParams / "baseline_original.yaml");
    EXPECT_EQ(p.settings.bin_width, 25.0);
    EXPECT_EQ(p.settings.label, 1);
    EXPECT_EQ(p.settings.distances, std::vector<int>{1});
    EXPECT_EQ(p.settings.voxel_array_shift, 2000.0);
    EXPECT_EQ(p.settings.gldm_a, 0.0);
    EXPECT_EQ(p.settings.weighting_norm, rad::WeightingNorm::None);
    EXPECT_FALSE(p.settings.resampled_pixel_spacing.has_value());
    EXPECT_FALSE(p.settings.normalize);
    EXPECT_EQ(p.settings.normalize_scale, 1.0);
    EXPECT_FALSE(p.settings.remove_outliers.has_value());
    EXPECT_FALSE(p.settings.force_2d);
    EXPECT_EQ(p.settings.minimum_roi_dimensions, 1);
    EXPECT_FALSE(p.settings.minimum_roi_size.has_value());
    EXPECT_FALSE(p.settings.resegment_range.has_value());
    EXPECT_EQ(p.settings.pad_distance, 5);
    EXPECT_TRUE(p.settings.additional_info);
    ASSERT_EQ(p.image_types.size(), 1u);
    EXPECT_EQ(p.image_types[0].name, "Original");
    EXPECT_TRUE(p.image_types[0].options.empty());
    EXPECT_EQ(ClassNames(p),
              (std::vector<std::string>{"shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"}));
    for (const auto& [name, features] : p.feature_classes)
        EXPECT_TRUE(features.empty()) << name;
}

TEST(RadiomicsParams, FullFileKeepsImageTypeOptionsInOrder) {
    const rad::ExtractionParams p = LoadRadiomicsParams(kPyRadiomicsParams / "full_original_log_wavelet.yaml");
    ASSERT_EQ(p.image_types.size(), 3u);
    EXPECT_EQ(p.image_types[0].name, "Original");
    EXPECT_EQ(p.image_types[1].name, "LoG");
    EXPECT_EQ(p.image_types[1].options.at("sigma"), (std::vector<std::string>{"1.0", "2.0", "3.0", "4.0", "5.0"}));
    EXPECT_EQ(p.image_types[2].name, "Wavelet");
    EXPECT_EQ(p.image_types[2].options.at("wavelet"), std::vector<std::string>{"coif1"});
    EXPECT_EQ(p.image_types[2].options.at("level"), std::vector<std::string>{"1"});
    EXPECT_EQ(p.image_types[2].options.at("start_level"), std::vector<std::string>{"0"});
}

TEST(RadiomicsParams, UpstreamExampleFilesParse) {
    const fs::path upstream = "/work/shared/reference/pyradiomics/params/upstream";
    if (!fs::is_directory(upstream))
        GTEST_SKIP() << "no upstream examples at " << upstream;
    int parsed = 0;
    for (const auto& entry : fs::directory_iterator(upstream)) {
        const std::string ext = entry.path().extension().string();
        if (ext != ".yaml" && ext != ".yml")
            continue;
        try {
            LoadRadiomicsParams(entry.path());
            ++parsed;
        } catch (const ConfigError& e) {
            // Only what radnode deliberately does not implement may be refused.
            EXPECT_NE(std::string(e.what()).find("not implemented by radnode"), std::string::npos) << e.what();
        }
    }
    EXPECT_GT(parsed, 0);
}

TEST(RadiomicsParams, MissingSectionsGivePyRadiomicsDefaults) {
    const rad::ExtractionParams p = ParseRadiomicsParams("setting:\n  binWidth: 10\n");
    EXPECT_EQ(p.settings.bin_width, 10.0);
    EXPECT_EQ(p.settings.interpolator, rad::Interpolator::BSpline);
    EXPECT_EQ(p.settings.minimum_roi_dimensions, 2);
    ASSERT_EQ(p.image_types.size(), 1u);
    EXPECT_EQ(p.image_types[0].name, "Original");
    EXPECT_EQ(ClassNames(p), (std::vector<std::string>{"firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm",
                                                       "shape", "shape2D"}));
    const rad::ExtractionParams d = DefaultRadiomicsParams();
    EXPECT_EQ(ClassNames(d),
              (std::vector<std::string>{"firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm", "shape"}));
}

TEST(RadiomicsParams, EverySetting) {
    const rad::ExtractionParams p = ParseRadiomicsParams(R"(
setting:
  binWidth: 2.5
  binCount: 32
  label: 3
  label_channel: 1
  resampledPixelSpacing: [1, 1.5, 0]
  interpolator: sitkLinear
  padDistance: 2
  normalize: true
  normalizeScale: 100
  removeOutliers: 3
  resegmentRange: [-1000, 400]
  resegmentMode: sigma
  resegmentShape: true
  preCrop: yes
  minimumROIDimensions: 3
  minimumROISize: 10
  force2D: true
  force2Ddimension: 2
  distances: [1, 2, 3]
  symmetricalGLCM: false
  weightingNorm: infinity
  gldm_a: 2
  voxelArrayShift: -5
  geometryTolerance: 1e-5
  correctMask: true
  additionalInfo: false
  ibsiCompliant: true
voxelSetting:
  kernelRadius: 2
  maskedKernel: true
  initValue: 0
  voxelBatch: 1000
)");
    const rad::Settings& s = p.settings;
    EXPECT_EQ(s.bin_width, 2.5);
    EXPECT_EQ(s.bin_count, 32);
    EXPECT_EQ(s.label, 3);
    EXPECT_EQ(s.label_channel, 1);
    EXPECT_EQ(s.resampled_pixel_spacing, (std::array<double, 3>{1.0, 1.5, 0.0}));
    EXPECT_EQ(s.interpolator, rad::Interpolator::Linear);
    EXPECT_EQ(s.pad_distance, 2);
    EXPECT_TRUE(s.normalize);
    EXPECT_EQ(s.normalize_scale, 100.0);
    EXPECT_EQ(s.remove_outliers, 3.0);
    EXPECT_EQ(s.resegment_range, (std::vector<double>{-1000.0, 400.0}));
    EXPECT_EQ(s.resegment_mode, rad::ResegmentMode::Sigma);
    EXPECT_TRUE(s.resegment_shape);
    EXPECT_TRUE(s.pre_crop);
    EXPECT_EQ(s.minimum_roi_dimensions, 3);
    EXPECT_EQ(s.minimum_roi_size, 10);
    EXPECT_TRUE(s.force_2d);
    EXPECT_EQ(s.force_2d_dimension, 2);
    EXPECT_EQ(s.distances, (std::vector<int>{1, 2, 3}));
    EXPECT_FALSE(s.symmetrical_glcm);
    EXPECT_EQ(s.weighting_norm, rad::WeightingNorm::Infinity);
    EXPECT_EQ(s.gldm_a, 2.0);
    EXPECT_EQ(s.voxel_array_shift, -5.0);
    EXPECT_EQ(s.geometry_tolerance, 1e-5);
    EXPECT_TRUE(s.correct_mask);
    EXPECT_FALSE(s.additional_info);
    EXPECT_TRUE(s.ibsi_compliant);
}

TEST(RadiomicsParams, InterpolatorNamesAndCodes) {
    EXPECT_EQ(ParseRadiomicsParams("setting: {interpolator: sitkNearestNeighbor}").settings.interpolator,
              rad::Interpolator::Nearest);
    EXPECT_EQ(ParseRadiomicsParams("setting: {interpolator: 1}").settings.interpolator, rad::Interpolator::Nearest);
    EXPECT_EQ(ParseRadiomicsParams("setting: {interpolator: 2}").settings.interpolator, rad::Interpolator::Linear);
    EXPECT_EQ(ParseRadiomicsParams("setting: {interpolator: 3}").settings.interpolator, rad::Interpolator::BSpline);
    EXPECT_EQ(ParseRadiomicsParams("setting: {interpolator: sitkBSpline}").settings.interpolator,
              rad::Interpolator::BSpline);
    EXPECT_NE(ErrorOf("setting: {interpolator: sitkGaussian}").find("not implemented by radnode"), std::string::npos);
    EXPECT_NE(ErrorOf("setting: {interpolator: 11}").find("between 1 and 10"), std::string::npos);
    EXPECT_NE(ErrorOf("setting: {interpolator: cubic}").find("not a SimpleITK interpolator"), std::string::npos);
}

TEST(RadiomicsParams, FloatsAcceptWhatPythonFloatAccepts) {
    // pykwalify checks floats with float(): quoted numbers and "nan" pass.
    EXPECT_EQ(ParseRadiomicsParams("setting: {binWidth: '12.5'}").settings.bin_width, 12.5);
    EXPECT_EQ(ParseRadiomicsParams("setting: {geometryTolerance: 1e-6}").settings.geometry_tolerance, 1e-6);
    EXPECT_NO_THROW(ParseRadiomicsParams("voxelSetting: {initValue: nan}"));
}

TEST(RadiomicsParams, NullMeansNone) {
    // interpolator None: PyRadiomics does not resample even with a spacing.
    const rad::ExtractionParams p = ParseRadiomicsParams(
        "setting:\n  resampledPixelSpacing: [2, 2, 2]\n  interpolator:\n  binCount:\n  weightingNorm:\n  label:\n");
    EXPECT_FALSE(p.settings.resampled_pixel_spacing.has_value());
    EXPECT_FALSE(p.settings.bin_count.has_value());
    EXPECT_EQ(p.settings.weighting_norm, rad::WeightingNorm::None);
    EXPECT_EQ(p.settings.label, 1);
}

TEST(RadiomicsParams, WeightingNorms) {
    const auto norm = [](const char* v) {
        return ParseRadiomicsParams(std::string("setting: {weightingNorm: ") + v + "}").settings.weighting_norm;
    };
    EXPECT_EQ(norm("manhattan"), rad::WeightingNorm::Manhattan);
    EXPECT_EQ(norm("euclidean"), rad::WeightingNorm::Euclidean);
    EXPECT_EQ(norm("infinity"), rad::WeightingNorm::Infinity);
    EXPECT_EQ(norm("no_weighting"), rad::WeightingNorm::NoWeighting);
    EXPECT_NE(ErrorOf("setting: {weightingNorm: chebyshev}").find("setting.weightingNorm"), std::string::npos);
}

TEST(RadiomicsParams, GlobalFilterSettingsReachTheirImageType) {
    const rad::ExtractionParams p = ParseRadiomicsParams(R"(
setting:
  sigma: [1, 3]
  wavelet: db2
imageType:
  LoG: {}
  Wavelet: {wavelet: haar, binWidth: 10}
  Original:
featureClass:
  firstorder: [Mean, Median]
  glcm:
)");
    ASSERT_EQ(p.image_types.size(), 3u);
    EXPECT_EQ(p.image_types[0].options.at("sigma"), (std::vector<std::string>{"1", "3"}));
    EXPECT_EQ(p.image_types[1].options.at("wavelet"), std::vector<std::string>{"haar"});
    EXPECT_EQ(p.image_types[1].options.at("binWidth"), std::vector<std::string>{"10"});
    EXPECT_EQ(p.image_types[2].name, "Original");
    EXPECT_TRUE(p.image_types[2].options.empty());
    ASSERT_EQ(p.feature_classes.size(), 2u);
    EXPECT_EQ(p.feature_classes[0].second, (std::vector<std::string>{"Mean", "Median"}));
    EXPECT_TRUE(p.feature_classes[1].second.empty());
}
TEST(RadiomicsParams, ImageTypeOwnSettingsMergeOverGlobalOnes) {
    // PyRadiomics: args = settings.copy(); args.update(customKwargs) per image type.
    const rad::ExtractionParams p = ParseRadiomicsParams(R"(
setting: {binWidth: 25, force2D: true}
imageType:
  Original: {}
  LBP2D: {binWidth: 1, lbp2DRadius: 2}
  Square: {}
)",
                                                         "test.yaml");
    ASSERT_EQ(p.image_types.size(), 3U);
    EXPECT_FALSE(p.image_types[0].settings.has_value());
    ASSERT_TRUE(p.image_types[1].settings.has_value());
    EXPECT_EQ(p.image_types[1].settings->bin_width, 1.0);
    EXPECT_TRUE(p.image_types[1].settings->force_2d); // the global setting stays
    EXPECT_EQ(p.image_types[1].options.at("lbp2DRadius"), std::vector<std::string>{"2"});
    EXPECT_FALSE(p.image_types[2].settings.has_value());
    EXPECT_EQ(p.settings.bin_width, 25.0); // the global one is untouched
}

TEST(RadiomicsParams, IbsiFilterImageTypes) {
    const rad::ExtractionParams p = ParseRadiomicsParams(R"(
setting: {ibsiCompliant: true}
imageType:
  Original: {}
  Mean: {support: 5, padding: mirror, dimensions: 3D}
  Laws: {kernel: L5E5E5, rotation_invariance: true, pooling: max, energy_distance: 7}
)",
                                                         "test.yaml");
    ASSERT_EQ(p.image_types.size(), 3U);
    EXPECT_EQ(p.image_types[1].name, "Mean");
    EXPECT_EQ(p.image_types[1].options.at("support"), std::vector<std::string>{"5"});
    EXPECT_EQ(p.image_types[2].options.at("kernel"), std::vector<std::string>{"L5E5E5"});
    // Only in IBSI mode, with their own options, and values the filter accepts.
    EXPECT_NE(ErrorOf("imageType: {Mean: {support: 5}}\n").find("ibsiCompliant"), std::string::npos);
    EXPECT_NE(ErrorOf("setting: {ibsiCompliant: true}\nimageType: {Mean: {size: 5}}\n").find("unknown option of Mean"),
              std::string::npos);
    EXPECT_FALSE(ErrorOf("setting: {ibsiCompliant: true}\nimageType: {Mean: {support: 4}}\n").empty());
    EXPECT_FALSE(ErrorOf("setting: {ibsiCompliant: true}\nimageType: {Laws: {kernel: Q5}}\n").empty());
    // A general setting in an IBSI type's dict is that type's own setting, not a filter option.
    const rad::ExtractionParams own = ParseRadiomicsParams(
        "setting: {ibsiCompliant: true, binWidth: 25}\nimageType: {Mean: {support: 5, binWidth: 2}}\n", "test.yaml");
    ASSERT_TRUE(own.image_types[0].settings.has_value());
    EXPECT_EQ(own.image_types[0].settings->bin_width, 2.0);
    EXPECT_FALSE(own.image_types[0].options.contains("binWidth"));
}

TEST(RadiomicsParams, IbsiFeatureClasses) {
    // IBSI mode also takes the IBSI-only families; their feature names are Extract's to check.
    const rad::ExtractionParams p = ParseRadiomicsParams(R"(
setting: {ibsiCompliant: true}
featureClass:
  firstorder:
  statistics:
  morphology: [Volume]
)",
                                                         "test.yaml");
    ASSERT_EQ(p.feature_classes.size(), 3U);
    EXPECT_EQ(p.feature_classes[1].first, "statistics");
    EXPECT_TRUE(p.feature_classes[1].second.empty());
    EXPECT_EQ(p.feature_classes[2].second, std::vector<std::string>{"Volume"});
    EXPECT_NE(ErrorOf("featureClass: {statistics: }\n").find("unknown feature class"), std::string::npos);
    EXPECT_NE(ErrorOf("setting: {ibsiCompliant: true}\nfeatureClass: {texture: }\n").find("in IBSI mode: gldzm"),
              std::string::npos);
}

TEST(RadiomicsParams, IbsiModeSettings) {
    const rad::ExtractionParams p = ParseRadiomicsParams(R"(setting:
  ibsiCompliant: true
  ibsiAggregation: 2.5D_mrg
  ibsiDiscretisationMinimum: -500
  ivhBinWidth: 2.5
  ibsiRoundIntensities: false
  ibsiMaskThreshold: 0.4
  ibsiOutlierSigma: 3
)");
    const rad::Settings& s = p.settings;
    EXPECT_TRUE(s.ibsi_compliant);
    EXPECT_EQ(s.ibsi_aggregation, rad::Aggregation::TwoAndHalfDMerged);
    EXPECT_EQ(s.ibsi_discretisation_minimum, -500.0);
    EXPECT_EQ(s.ivh_bin_width, 2.5);
    EXPECT_FALSE(s.ivh_bin_count.has_value());
    EXPECT_FALSE(s.ibsi_round_intensities);
    EXPECT_EQ(s.ibsi_mask_threshold, 0.4);
    EXPECT_EQ(s.ibsi_outlier_sigma, 3.0);
    EXPECT_EQ(ParseRadiomicsParams("setting: {ivhBinCount: 1000}").settings.ivh_bin_count, 1000);
    EXPECT_NE(ErrorOf("setting: {ibsiAggregation: 4D_avg}").find("setting.ibsiAggregation"), std::string::npos);
    EXPECT_NE(ErrorOf("setting: {ibsiMaskThreshold: 1.5}").find("setting.ibsiMaskThreshold"), std::string::npos);
}

struct BadCase {
    const char* yaml;
    const char* expected; ///< substring of the message
};

class RadiomicsParamsBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(RadiomicsParamsBad, IsRefusedWithAClearMessage) {
    const std::string message = ErrorOf(GetParam().yaml);
    EXPECT_NE(message.find("test.yaml"), std::string::npos) << message;
    EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RadiomicsParamsBad,
    ::testing::Values(
        BadCase{"setting: {binwidth: 25}", "setting.binwidth (line 1): unknown setting"},
        BadCase{"setting: {binWidth: -1}", "setting.binWidth (line 1): must be > 0, got -1"},
        BadCase{"setting: {binWidth: wide}", "setting.binWidth (line 1): expected a number, got 'wide'"},
        BadCase{"setting: {binWidth: .inf}", "must be a finite number > 0"},
        BadCase{"setting: {binCount: 2.5}", "setting.binCount (line 1): expected an integer"},
        BadCase{"setting: {label: 0}", "setting.label (line 1): must be > 0"},
        BadCase{"setting: {label_channel: -1}", "setting.label_channel (line 1): must be >= 0"},
        BadCase{"setting: {minimumROIDimensions: 4}", "must be between 1 and 3"},
        BadCase{"setting: {force2Ddimension: 3}", "setting.force2Ddimension (line 1): must be between 0 and 2"},
        BadCase{"setting: {normalize: maybe}", "setting.normalize (line 1): expected true or false"},
        BadCase{"setting: {distances: 1}", "setting.distances (line 1): expected a list"},
        BadCase{"setting: {distances: [1, 0]}", "setting.distances[1] (line 1): must be > 0"},
        BadCase{"setting: {resampledPixelSpacing: [1, 1]}", "expected exactly 3 values, got 2"},
        BadCase{"setting: {resegmentRange: [1, 2, 3]}", "expected 1 to 2 values, got 3"},
        BadCase{"setting: {resegmentMode: percent}", "'percent' is not one of: absolute, relative, sigma"},
        BadCase{"setting: {voxelArrayShift: 0.5}", "setting.voxelArrayShift (line 1): expected an integer"},
        BadCase{"setting: {gldm_a: -1}", "setting.gldm_a (line 1): must be >= 0"},
        BadCase{"setting: {sigma: [0]}", "setting.sigma[0] (line 1): must be > 0"},
        BadCase{"setting: {wavelet: coif99}", "not a discrete wavelet"},
        BadCase{"setting:\n  padDistance: -2\n", "setting.padDistance (line 2): must be >= 0"},
        BadCase{"setting:", "setting (line 1): expected a mapping"},
        BadCase{"settings: {}", "settings (line 1): unknown section"},
        BadCase{"imageType: {LoG: {sigma: [1, -2]}}", "imageType.LoG.sigma[1] (line 1): must be > 0"},
        BadCase{"imageType: {Laplacian: {}}", "imageType.Laplacian (line 1): unknown image type"},
        BadCase{"imageType: {Original: {bogus: 1}}", "imageType.Original.bogus (line 1): unknown setting"},
        BadCase{"imageType:", "imageType (line 1): expected a mapping"},
        BadCase{"featureClass: {texture: }", "featureClass.texture (line 1): unknown feature class"},
        BadCase{"featureClass: {glcm: [Contrast, Contrast2]}", "'Contrast2' is not a glcm feature"},
        BadCase{"featureClass: {glcm: Contrast}", "featureClass (line 1): expected a list"},
        BadCase{"featureClass:", "featureClass (line 1): expected a mapping"},
        BadCase{"voxelSetting: {kernelRadius: 0}", "voxelSetting.kernelRadius (line 1): must be > 0"},
        BadCase{"voxelSetting: {radius: 1}", "unknown voxel setting"},
        BadCase{"- a\n- b\n", "expected a mapping"},
        BadCase{"", "the parameter file is empty"},
        BadCase{"setting: {binWidth: [1,}", "not valid YAML"}));

TEST(RadiomicsParams, MissingFileNamesIt) {
    try {
        LoadRadiomicsParams("/nonexistent/params.yaml");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/params.yaml"), std::string::npos);
    }
}

TEST(RadiomicsParams, ErrorsNameTheFile) {
    const fs::path file = fs::temp_directory_path() / "radnode_bad_params_test.yaml";
    {
        std::ofstream out(file);
        out << "setting:\n  binWidth: 0\n";
    }
    try {
        LoadRadiomicsParams(file);
        ADD_FAILURE();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(file.string() + ": setting.binWidth (line 2)"), std::string::npos)
            << e.what();
    }
    fs::remove(file);
}

} // namespace
} // namespace radnode::config
