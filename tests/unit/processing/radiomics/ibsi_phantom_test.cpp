// IBSI 1 digital phantom conformance: every digital-phantom reference value of the
// families computed here, compared within the IBSI tolerance (tests/data/ibsi_digital_phantom).
#include "processing/radiomics/gldzm.h"
#include "processing/radiomics/ibsi_morphology.h"
#include "processing/radiomics/ibsi_statistics.h"
#include "processing/radiomics/intensity_histogram.h"
#include "processing/radiomics/local_intensity.h"
#include "processing/radiomics/ngldm.h"
#include "processing/radiomics/region.h"

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

/// One computing function and the IBSI tags it answers. Families computed by other classes
/// (shape, first order, GLCM, GLRLM, GLSZM, NGTDM in IBSI mode) are added as further rows.
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
        // Further rows, once the IBSI modes of the other classes exist, e.g.
        // {plain(&ComputeGlcm), {{"cm_joint_max", "glcm_JointMaximum"}, ...}},
    };
}

TEST(RadiomicsIbsiPhantomTest, DigitalPhantomReferenceValues) {
    const Phantom phantom = LoadPhantom();
    const Region region = PhantomRegion(phantom);
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
                source = &sources[i];
                source_index = i;
            }
        if (source == nullptr) {
            ++t[2];
            continue;
        }
        auto it = cache.find({source_index, r.aggregation_code});
        if (it == cache.end()) {
            Settings settings;
            settings.ibsi_compliant = true;
            settings.ibsi_aggregation = AggregationOf(r.aggregation_code);
            it = cache.emplace(std::make_pair(source_index, r.aggregation_code),
                               source->compute(region, phantom.image, settings))
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
    std::cout << "IBSI digital phantom: family | aggregation | passed/compared | not covered here\n";
    for (const auto& [key, t] : tally)
        std::cout << "  " << key.first << " | " << (key.second.empty() ? "-" : key.second) << " | " << t[0] << "/"
                  << t[1] << " | " << t[2] << "\n";
}

} // namespace
} // namespace radnode::processing::radiomics
