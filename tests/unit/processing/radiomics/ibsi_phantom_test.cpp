// IBSI 1 digital phantom conformance: every digital-phantom reference value of the
// families computed here, compared within the IBSI tolerance (tests/data/ibsi_digital_phantom).
#include "processing/radiomics/extractor.h"
#include "processing/radiomics/firstorder.h"
#include "processing/radiomics/glcm.h"
#include "processing/radiomics/gldm.h"
#include "processing/radiomics/gldzm.h"
#include "processing/radiomics/glrlm.h"
#include "processing/radiomics/glszm.h"
#include "processing/radiomics/ibsi_morphology.h"
#include "processing/radiomics/ibsi_statistics.h"
#include "processing/radiomics/intensity_histogram.h"
#include "processing/radiomics/local_intensity.h"
#include "processing/radiomics/ngldm.h"
#include "processing/radiomics/ngtdm.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/shape.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

const std::filesystem::path kDataDir = std::filesystem::path(RADNODE_TEST_DATA_DIR) / "ibsi_digital_phantom";

struct Phantom {
    Volume<double> image;
    Volume<std::int32_t> mask;
};

Phantom LoadPhantom() {
    ImageGeometry geometry;
    geometry.size = {5, 4, 4};
    geometry.spacing = {2.0, 2.0, 2.0};
    Phantom p{Volume<double>(geometry, 0.0), Volume<std::int32_t>(geometry, 0)};
    std::ifstream in(kDataDir / "phantom_voxels.csv");
    std::string line;
    std::getline(in, line); // header x,y,z,intensity,in_roi
    std::size_t rows = 0;
    while (std::getline(in, line)) {
        std::istringstream s(line);
        std::size_t x = 0, y = 0, z = 0;
        double value = 0;
        int in_roi = 0;
        char comma = 0;
        s >> x >> comma >> y >> comma >> z >> comma >> value >> comma >> in_roi;
        p.image.At(x, y, z) = value;
        p.mask.At(x, y, z) = in_roi;
        ++rows;
    }
    EXPECT_EQ(rows, 80U);
    return p;
}

/// The Region as IBSI computed the phantom references: no discretisation (grey level =
/// intensity) and N_g = 6 including the empty levels 2 and 5.
Region PhantomRegion(const Phantom& p) {
    Settings settings;
    settings.ibsi_compliant = true;
    Region region;
    EXPECT_EQ(BuildRegion(p.image, p.mask, settings, region), "");
    for (const std::uint32_t v : region.voxels)
        region.gray[v] = static_cast<std::int32_t>(std::lround(region.image[v]));
    region.gray_levels = {1, 3, 4, 6};
    region.max_gray_level = 6;
    region.bin_edges.clear();
    return region;
}

struct Reference {
    std::string family;
    std::string aggregation;
    std::string aggregation_code;
    std::string tag;
    double value = 0.0;
    double tolerance = 0.0;
};

std::vector<std::string> SplitCsv(const std::string& line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (const char c : line) {
        if (c == '"')
            quoted = !quoted;
        else if (c == ',' && !quoted)
            cells.emplace_back();
        else if (c != '\r')
            cells.back() += c;
    }
    return cells;
}

std::vector<Reference> LoadReferences() {
    std::ifstream in(kDataDir / "reference_values.csv");
    std::string line;
    std::getline(in, line);
    std::vector<Reference> refs;
    while (std::getline(in, line)) {
        const auto c = SplitCsv(line);
        // data_set,family,family_code,feature,manual_feature_name,ibsi_code,aggregation,
        // aggregation_code,tag,value,tolerance,consensus,note
        if (c.size() < 11 || c[0] != "digital_phantom" || c[9].empty())
            continue;
        refs.push_back({c[1], c[6], c[7], c[8], std::stod(c[9]), std::stod(c[10])});
    }
    return refs;
}

/// The tag without its aggregation suffix ("dzm_sde_2_5D" -> "dzm_sde").
std::string BaseTag(const Reference& r) {
    static const std::map<std::string, std::string> kSuffix{
        {"BTW3", "_2D_avg"},   {"SUJT", "_2D_comb"}, {"JJUI", "_2_5D_avg"}, {"ZW7Z", "_2_5D_comb"},
        {"ITBB", "_3D_avg"},   {"IAZD", "_3D_comb"}, {"8QNN", "_2D"},       {"62GR", "_2_5D"},
        {"KOBO", "_3D"},
    };
    const auto it = kSuffix.find(r.aggregation_code);
    if (it == kSuffix.end() || !r.tag.ends_with(it->second))
        return r.tag;
    return r.tag.substr(0, r.tag.size() - it->second.size());
}

Aggregation AggregationOf(const std::string& code) {
    static const std::map<std::string, Aggregation> kMap{
        {"BTW3", Aggregation::TwoDAverage},        {"SUJT", Aggregation::TwoDSliceMerged},
        {"JJUI", Aggregation::TwoAndHalfDAverage}, {"ZW7Z", Aggregation::TwoAndHalfDMerged},
        {"ITBB", Aggregation::ThreeDAverage},      {"IAZD", Aggregation::ThreeDMerged},
        {"8QNN", Aggregation::TwoDAverage},        {"62GR", Aggregation::TwoAndHalfDMerged},
        {"KOBO", Aggregation::ThreeDMerged},
    };
    const auto it = kMap.find(code);
    return it == kMap.end() ? Aggregation::ThreeDMerged : it->second;
}

/// IBSI's rule: printed values carry 3 significant digits, so half a unit of the third digit
/// is allowed on top of the published tolerance.
double Tolerance(const Reference& r) {
    const double rounding = r.value == 0.0 ? 0.0 : 0.5 * std::pow(10.0, std::floor(std::log10(std::abs(r.value))) - 2.0);
    return std::max(r.tolerance, rounding) + 1e-12;
}

using Compute = std::function<Features(const Region&, const Volume<double>&, const Settings&)>;

/// One computing function and the IBSI tags it answers. Every IBSI feature has exactly one
/// source, the family that provides it in IBSI mode (docs/validation.md lists the choices).
struct Source {
    Compute compute;
    std::map<std::string, std::string> tag_to_feature;
};

std::vector<Source> Sources() {
    const auto plain = [](Features (*f)(const Region&, const Settings&)) {
        return [f](const Region& r, const Volume<double>&, const Settings& s) { return f(r, s); };
    };
    return {
        {plain(&ComputeGldzm),
         {{"dzm_sde", "gldzm_SmallDistanceEmphasis"},
          {"dzm_lde", "gldzm_LargeDistanceEmphasis"},
          {"dzm_lgze", "gldzm_LowGrayLevelZoneEmphasis"},
          {"dzm_hgze", "gldzm_HighGrayLevelZoneEmphasis"},
          {"dzm_sdlge", "gldzm_SmallDistanceLowGrayLevelEmphasis"},
          {"dzm_sdhge", "gldzm_SmallDistanceHighGrayLevelEmphasis"},
          {"dzm_ldlge", "gldzm_LargeDistanceLowGrayLevelEmphasis"},
          {"dzm_ldhge", "gldzm_LargeDistanceHighGrayLevelEmphasis"},
          {"dzm_glnu", "gldzm_GrayLevelNonUniformity"},
          {"dzm_glnu_norm", "gldzm_GrayLevelNonUniformityNormalized"},
          {"dzm_zdnu", "gldzm_ZoneDistanceNonUniformity"},
          {"dzm_zdnu_norm", "gldzm_ZoneDistanceNonUniformityNormalized"},
          {"dzm_z_perc", "gldzm_ZonePercentage"},
          {"dzm_gl_var", "gldzm_GrayLevelVariance"},
          {"dzm_zd_var", "gldzm_ZoneDistanceVariance"},
          {"dzm_zd_entr", "gldzm_ZoneDistanceEntropy"}}},
        {plain(&ComputeNgldm),
         {{"ngl_lde", "ngldm_LowDependenceEmphasis"},
          {"ngl_hde", "ngldm_HighDependenceEmphasis"},
          {"ngl_lgce", "ngldm_LowGrayLevelCountEmphasis"},
          {"ngl_hgce", "ngldm_HighGrayLevelCountEmphasis"},
          {"ngl_ldlge", "ngldm_LowDependenceLowGrayLevelEmphasis"},
          {"ngl_ldhge", "ngldm_LowDependenceHighGrayLevelEmphasis"},
          {"ngl_hdlge", "ngldm_HighDependenceLowGrayLevelEmphasis"},
          {"ngl_hdhge", "ngldm_HighDependenceHighGrayLevelEmphasis"},
          {"ngl_glnu", "ngldm_GrayLevelNonUniformity"},
          {"ngl_glnu_norm", "ngldm_GrayLevelNonUniformityNormalized"},
          {"ngl_dcnu", "ngldm_DependenceCountNonUniformity"},
          {"ngl_dcnu_norm", "ngldm_DependenceCountNonUniformityNormalized"},
          {"ngl_dc_perc", "ngldm_DependenceCountPercentage"},
          {"ngl_gl_var", "ngldm_GrayLevelVariance"},
          {"ngl_dc_var", "ngldm_DependenceCountVariance"},
          {"ngl_dc_entr", "ngldm_DependenceCountEntropy"},
          {"ngl_dc_energy", "ngldm_DependenceCountEnergy"}}},
        {plain(&ComputeIntensityHistogram),
         {{"ih_mean", "intensityhistogram_Mean"},
          {"ih_var", "intensityhistogram_Variance"},
          {"ih_skew", "intensityhistogram_Skewness"},
          {"ih_kurt", "intensityhistogram_ExcessKurtosis"},
          {"ih_median", "intensityhistogram_Median"},
          {"ih_min", "intensityhistogram_Minimum"},
          {"ih_p10", "intensityhistogram_10Percentile"},
          {"ih_p90", "intensityhistogram_90Percentile"},
          {"ih_max", "intensityhistogram_Maximum"},
          {"ih_mode", "intensityhistogram_Mode"},
          {"ih_iqr", "intensityhistogram_InterquartileRange"},
          {"ih_range", "intensityhistogram_Range"},
          {"ih_mad", "intensityhistogram_MeanAbsoluteDeviation"},
          {"ih_rmad", "intensityhistogram_RobustMeanAbsoluteDeviation"},
          {"ih_medad", "intensityhistogram_MedianAbsoluteDeviation"},
          {"ih_cov", "intensityhistogram_CoefficientOfVariation"},
          {"ih_qcod", "intensityhistogram_QuartileCoefficientOfDispersion"},
          {"ih_entropy", "intensityhistogram_Entropy"},
          {"ih_uniformity", "intensityhistogram_Uniformity"},
          {"ih_max_grad", "intensityhistogram_MaximumHistogramGradient"},
          {"ih_max_grad_g", "intensityhistogram_MaximumHistogramGradientIntensity"},
          {"ih_min_grad", "intensityhistogram_MinimumHistogramGradient"},
          {"ih_min_grad_g", "intensityhistogram_MinimumHistogramGradientIntensity"}}},
        {plain(&ComputeIntensityVolumeHistogram),
         {{"ivh_v10", "ivh_VolumeAtIntensityFraction10"},
          {"ivh_v90", "ivh_VolumeAtIntensityFraction90"},
          {"ivh_i10", "ivh_IntensityAtVolumeFraction10"},
          {"ivh_i90", "ivh_IntensityAtVolumeFraction90"},
          {"ivh_diff_v10_v90", "ivh_VolumeFractionDifference10To90"},
          {"ivh_diff_i10_i90", "ivh_IntensityDifference10To90"}}},
        {plain(&ComputeFirstOrder),
         {{"stat_mean", "firstorder_Mean"},
          {"stat_var", "firstorder_Variance"},
          {"stat_skew", "firstorder_Skewness"},
          {"stat_median", "firstorder_Median"},
          {"stat_min", "firstorder_Minimum"},
          {"stat_p10", "firstorder_10Percentile"},
          {"stat_p90", "firstorder_90Percentile"},
          {"stat_max", "firstorder_Maximum"},
          {"stat_iqr", "firstorder_InterquartileRange"},
          {"stat_range", "firstorder_Range"},
          {"stat_mad", "firstorder_MeanAbsoluteDeviation"},
          {"stat_rmad", "firstorder_RobustMeanAbsoluteDeviation"},
          {"stat_energy", "firstorder_Energy"},
          {"stat_rms", "firstorder_RootMeanSquared"}}},
        {plain(&ComputeIbsiStatistics),
         {{"stat_medad", "statistics_MedianAbsoluteDeviation"},
          {"stat_cov", "statistics_CoefficientOfVariation"},
          {"stat_qcod", "statistics_QuartileCoefficientOfDispersion"},
          {"stat_kurt", "statistics_ExcessKurtosis"}}},
        {[](const Region& r, const Volume<double>& image, const Settings& s) {
             return ComputeLocalIntensity(r, image, s);
         },
         {{"loc_peak_loc", "localintensity_LocalPeak"}, {"loc_peak_glob", "localintensity_GlobalPeak"}}},
        {plain(&ComputeIbsiMorphology),
         {{"morph_vol_approx", "morphology_VolumeVoxelCounting"},
          {"morph_comp_1", "morphology_Compactness1"},
          {"morph_comp_2", "morphology_Compactness2"},
          {"morph_sph_dispr", "morphology_SphericalDisproportion"},
          {"morph_asphericity", "morphology_Asphericity"},
          {"morph_com", "morphology_CentreOfMassShift"},
          {"morph_vol_dens_aabb", "morphology_VolumeDensityAABB"},
          {"morph_area_dens_aabb", "morphology_AreaDensityAABB"},
          {"morph_vol_dens_aee", "morphology_VolumeDensityAEE"},
          {"morph_area_dens_aee", "morphology_AreaDensityAEE"},
          {"morph_vol_dens_conv_hull", "morphology_VolumeDensityConvexHull"},
          {"morph_area_dens_conv_hull", "morphology_AreaDensityConvexHull"},
          {"morph_integ_int", "morphology_IntegratedIntensity"},
          {"morph_moran_i", "morphology_MoransI"},
          {"morph_geary_c", "morphology_GearysC"}}},
        {plain(&ComputeShape),
         {{"morph_volume", "shape_MeshVolume"},
          {"morph_area_mesh", "shape_SurfaceArea"},
          {"morph_av", "shape_SurfaceVolumeRatio"},
          {"morph_sphericity", "shape_Sphericity"},
          {"morph_diam", "shape_Maximum3DDiameter"},
          {"morph_pca_maj_axis", "shape_MajorAxisLength"},
          {"morph_pca_min_axis", "shape_MinorAxisLength"},
          {"morph_pca_least_axis", "shape_LeastAxisLength"},
          {"morph_pca_elongation", "shape_Elongation"},
          {"morph_pca_flatness", "shape_Flatness"}}},
        {plain(&ComputeGlcm),
         {{"cm_joint_max", "glcm_MaximumProbability"},
          {"cm_joint_avg", "glcm_JointAverage"},
          {"cm_joint_var", "glcm_SumSquares"},
          {"cm_joint_entr", "glcm_JointEntropy"},
          {"cm_diff_avg", "glcm_DifferenceAverage"},
          {"cm_diff_var", "glcm_DifferenceVariance"},
          {"cm_diff_entr", "glcm_DifferenceEntropy"},
          {"cm_sum_avg", "glcm_SumAverage"},
          {"cm_sum_var", "glcm_SumVariance"},
          {"cm_sum_entr", "glcm_SumEntropy"},
          {"cm_energy", "glcm_JointEnergy"},
          {"cm_contrast", "glcm_Contrast"},
          {"cm_dissimilarity", "glcm_Dissimilarity"},
          {"cm_inv_diff", "glcm_Id"},
          {"cm_inv_diff_norm", "glcm_Idn"},
          {"cm_inv_diff_mom", "glcm_Idm"},
          {"cm_inv_diff_mom_norm", "glcm_Idmn"},
          {"cm_inv_var", "glcm_InverseVariance"},
          {"cm_corr", "glcm_Correlation"},
          {"cm_auto_corr", "glcm_Autocorrelation"},
          {"cm_clust_tend", "glcm_ClusterTendency"},
          {"cm_clust_shade", "glcm_ClusterShade"},
          {"cm_clust_prom", "glcm_ClusterProminence"},
          {"cm_info_corr1", "glcm_Imc1"},
          {"cm_info_corr2", "glcm_Imc2"}}},
        {plain(&ComputeGlrlm),
         {{"rlm_sre", "glrlm_ShortRunEmphasis"},
          {"rlm_lre", "glrlm_LongRunEmphasis"},
          {"rlm_lgre", "glrlm_LowGrayLevelRunEmphasis"},
          {"rlm_hgre", "glrlm_HighGrayLevelRunEmphasis"},
          {"rlm_srlge", "glrlm_ShortRunLowGrayLevelEmphasis"},
          {"rlm_srhge", "glrlm_ShortRunHighGrayLevelEmphasis"},
          {"rlm_lrlge", "glrlm_LongRunLowGrayLevelEmphasis"},
          {"rlm_lrhge", "glrlm_LongRunHighGrayLevelEmphasis"},
          {"rlm_glnu", "glrlm_GrayLevelNonUniformity"},
          {"rlm_glnu_norm", "glrlm_GrayLevelNonUniformityNormalized"},
          {"rlm_rlnu", "glrlm_RunLengthNonUniformity"},
          {"rlm_rlnu_norm", "glrlm_RunLengthNonUniformityNormalized"},
          {"rlm_r_perc", "glrlm_RunPercentage"},
          {"rlm_gl_var", "glrlm_GrayLevelVariance"},
          {"rlm_rl_var", "glrlm_RunVariance"},
          {"rlm_rl_entr", "glrlm_RunEntropy"}}},
        {plain(&ComputeGlszm),
         {{"szm_sze", "glszm_SmallAreaEmphasis"},
          {"szm_lze", "glszm_LargeAreaEmphasis"},
          {"szm_lgze", "glszm_LowGrayLevelZoneEmphasis"},
          {"szm_hgze", "glszm_HighGrayLevelZoneEmphasis"},
          {"szm_szlge", "glszm_SmallAreaLowGrayLevelEmphasis"},
          {"szm_szhge", "glszm_SmallAreaHighGrayLevelEmphasis"},
          {"szm_lzlge", "glszm_LargeAreaLowGrayLevelEmphasis"},
          {"szm_lzhge", "glszm_LargeAreaHighGrayLevelEmphasis"},
          {"szm_glnu", "glszm_GrayLevelNonUniformity"},
          {"szm_glnu_norm", "glszm_GrayLevelNonUniformityNormalized"},
          {"szm_zsnu", "glszm_SizeZoneNonUniformity"},
          {"szm_zsnu_norm", "glszm_SizeZoneNonUniformityNormalized"},
          {"szm_z_perc", "glszm_ZonePercentage"},
          {"szm_gl_var", "glszm_GrayLevelVariance"},
          {"szm_zs_var", "glszm_ZoneVariance"},
          {"szm_zs_entr", "glszm_ZoneEntropy"}}},
        {plain(&ComputeNgtdm),
         {{"ngt_coarseness", "ngtdm_Coarseness"},
          {"ngt_contrast", "ngtdm_Contrast"},
          {"ngt_busyness", "ngtdm_Busyness"},
          {"ngt_complexity", "ngtdm_Complexity"},
          {"ngt_strength", "ngtdm_Strength"}}},
    };
}

/// Compares every digital-phantom reference value with its source's feature on `region`,
/// printing pass/compared per family and aggregation.
void CheckReferences(const Region& region, const Volume<double>& image, const std::string& what) {
    ASSERT_EQ(region.voxels.size(), 74U);
    const std::vector<Reference> refs = LoadReferences();
    ASSERT_EQ(refs.size(), 482U); // 487 rows, 5 of them without a reference value

    const std::vector<Source> sources = Sources();
    // (family, aggregation) -> (passed, compared, not covered)
    std::map<std::pair<std::string, std::string>, std::array<int, 3>> tally;
    std::map<std::pair<std::size_t, std::string>, Features> cache; // (source, aggregation code)
    for (const Reference& r : refs) {
        auto& t = tally[{r.family, r.aggregation}];
        const std::string base = BaseTag(r);
        const Source* source = nullptr;
        std::size_t source_index = 0;
        for (std::size_t i = 0; i < sources.size(); ++i)
            if (sources[i].tag_to_feature.count(base) != 0) {
                EXPECT_EQ(source, nullptr) << base << " has two sources";
                source = &sources[i];
                source_index = i;
            }
        if (source == nullptr) {
            ADD_FAILURE() << r.tag << " is not covered";
            ++t[2];
            continue;
        }
        auto it = cache.find({source_index, r.aggregation_code});
        if (it == cache.end()) {
            Settings settings;
            settings.ibsi_compliant = true;
            settings.ibsi_aggregation = AggregationOf(r.aggregation_code);
            it = cache.emplace(std::make_pair(source_index, r.aggregation_code),
                               source->compute(region, image, settings))
                     .first;
        }
        const std::string& name = source->tag_to_feature.at(base);
        const Feature* feature = nullptr;
        for (const Feature& f : it->second)
            if (f.name == name)
                feature = &f;
        ++t[1];
        if (feature == nullptr) {
            ADD_FAILURE() << r.tag << ": feature " << name << " not returned";
            continue;
        }
        EXPECT_FALSE(feature->ibsi_code.empty()) << name;
        const bool pass = std::abs(feature->value - r.value) <= Tolerance(r);
        EXPECT_TRUE(pass) << r.tag << " (" << name << "): computed " << feature->value << ", reference " << r.value
                          << " +- " << Tolerance(r);
        if (pass)
            ++t[0];
    }
    std::cout << "IBSI digital phantom (" << what << "): family | aggregation | passed/compared | not covered\n";
    for (const auto& [key, t] : tally)
        std::cout << "  " << key.first << " | " << (key.second.empty() ? "-" : key.second) << " | " << t[0] << "/"
                  << t[1] << " | " << t[2] << "\n";
}

TEST(RadiomicsIbsiPhantomTest, DigitalPhantomReferenceValues) {
    const Phantom phantom = LoadPhantom();
    CheckReferences(PhantomRegion(phantom), phantom.image, "grey level = intensity, N_g = 6");
}

/// The same table on the region IBSI mode's own discretisation builds: fixed bin size 1 from
/// the ROI minimum gives the intensities as grey levels (N_g = 6 is the highest level).
TEST(RadiomicsIbsiPhantomTest, DigitalPhantomReferenceValuesWithIbsiDiscretisation) {
    const Phantom phantom = LoadPhantom();
    Settings settings;
    settings.ibsi_compliant = true;
    settings.bin_width = 1.0;
    Region region;
    ASSERT_EQ(BuildRegion(phantom.image, phantom.mask, settings, region), "");
    for (const std::uint32_t v : region.voxels)
        ASSERT_EQ(region.gray[v], std::lround(region.image[v]));
    EXPECT_EQ(region.max_gray_level, 6);
    CheckReferences(region, phantom.image, "fixed bin size 1");
}

/// The extractor's IBSI class set on the phantom: every feature carries an IBSI code, each
/// IBSI feature comes from one class only, and every feature of the reference table is there
/// with the value its family computes.
TEST(RadiomicsIbsiPhantomTest, IbsiFeatureSetReportsEachFeatureOnce) {
    const Phantom phantom = LoadPhantom();
    const Region region = PhantomRegion(phantom);
    Settings settings;
    settings.ibsi_compliant = true;
    const Features all = ComputeIbsiFeatures(region, phantom.image, settings);
    std::map<std::string, std::string> code_owner;
    std::map<std::string, double> by_name;
    for (const Feature& f : all) {
        EXPECT_FALSE(f.ibsi_code.empty()) << f.name;
        EXPECT_FALSE(f.on_request) << f.name;
        EXPECT_TRUE(by_name.emplace(f.name, f.value).second) << f.name << " twice";
        // The IVH reports two parameterisations of each of its features under one code.
        if (f.name.starts_with("ivh_"))
            continue;
        const auto [it, fresh] = code_owner.emplace(std::string(f.ibsi_code), f.name);
        EXPECT_TRUE(fresh) << f.ibsi_code << ": " << it->second << " and " << f.name;
    }
    std::size_t listed = 0;
    for (const Source& source : Sources()) {
        const Features own = source.compute(region, phantom.image, settings);
        for (const auto& [tag, name] : source.tag_to_feature) {
            ++listed;
            const auto it = by_name.find(name);
            ASSERT_NE(it, by_name.end()) << name << " (" << tag << ") missing from the IBSI feature set";
            for (const Feature& f : own) {
                if (f.name == name) {
                    EXPECT_EQ(f.value, it->second) << name;
                }
            }
        }
    }
    EXPECT_EQ(listed, by_name.size()) << "features in the IBSI set that the reference table does not list";
}

/// The extractor in IBSI mode on the phantom (no interpolation, fixed bin size 1, 3D merged):
/// every reference value of the non-texture families and the 3D texture aggregations.
TEST(RadiomicsIbsiPhantomTest, ExtractorInIbsiModeReproducesThePhantom) {
    const Phantom phantom = LoadPhantom();
    ExtractionParams params;
    params.settings.ibsi_compliant = true;
    params.settings.bin_width = 1.0;
    params.settings.ibsi_aggregation = Aggregation::ThreeDMerged;
    const ExtractionResult result = Extract(phantom.image, phantom.mask, params);
    ASSERT_EQ(result.error, "");
    std::map<std::string, double> by_name;
    for (const Feature& f : result.features) {
        EXPECT_TRUE(f.name.starts_with("original_")) << f.name;
        EXPECT_FALSE(f.ibsi_code.empty()) << f.name;
        by_name[f.name] = f.value;
    }
    std::map<std::string, std::string> tag_to_name;
    for (const Source& source : Sources())
        for (const auto& [tag, name] : source.tag_to_feature)
            tag_to_name[tag] = "original_" + name;
    std::size_t compared = 0;
    for (const Reference& r : LoadReferences()) {
        if (!r.aggregation_code.empty() && r.aggregation_code != "IAZD" && r.aggregation_code != "KOBO")
            continue;
        const auto name = tag_to_name.find(BaseTag(r));
        ASSERT_NE(name, tag_to_name.end()) << r.tag;
        const auto it = by_name.find(name->second);
        ASSERT_NE(it, by_name.end()) << name->second;
        EXPECT_NEAR(it->second, r.value, Tolerance(r)) << r.tag << " (" << name->second << ")";
        ++compared;
    }
    EXPECT_EQ(compared, 25U + 2U + 18U + 23U + 6U + 25U + 16U + 16U + 16U + 5U + 17U);
}

/// GLDM in IBSI mode and the NGLDM family compute the same IBSI NGLDM features; IBSI mode
/// reports them once (from ngldm), so the two must agree wherever both are computed.
TEST(RadiomicsIbsiPhantomTest, GldmInIbsiModeAgreesWithNgldm) {
    const Phantom phantom = LoadPhantom();
    const Region region = PhantomRegion(phantom);
    for (const Aggregation aggregation :
         {Aggregation::TwoDAverage, Aggregation::TwoAndHalfDMerged, Aggregation::ThreeDMerged}) {
        Settings settings;
        settings.ibsi_compliant = true;
        settings.ibsi_aggregation = aggregation;
        const Features gldm = ComputeGldm(region, settings);
        const Features ngldm = ComputeNgldm(region, settings);
        std::size_t compared = 0;
        for (const Feature& g : gldm)
            for (const Feature& n : ngldm)
                if (!g.ibsi_code.empty() && g.ibsi_code == n.ibsi_code) {
                    EXPECT_NEAR(g.value, n.value, 1e-9 * std::max(1.0, std::abs(n.value))) << g.name << " vs " << n.name;
                    ++compared;
                }
        EXPECT_EQ(compared, 17U);
    }
}

} // namespace
} // namespace radnode::processing::radiomics
