// The segmentation.*, peritumoral.* and cac.* settings reach the processing structs they name.

#include "tools/radnode/region_settings.h"

#include <gtest/gtest.h>

namespace radnode::tools {
namespace {

namespace rg = processing::regions;

TEST(RegionSettings, DefaultsMatchTheProcessingDefaults) {
    const rg::RegionAnalysisSettings s = RegionSettingsFrom(config::DefaultConfig());
    const rg::RegionAnalysisSettings d;
    EXPECT_EQ(s.thorax.lung_threshold_hu, d.thorax.lung_threshold_hu);
    EXPECT_EQ(s.thorax.chest_wall_mm, d.thorax.chest_wall_mm);
    EXPECT_EQ(s.thorax.bone_margin_mm, d.thorax.bone_margin_mm);
    EXPECT_EQ(s.thorax.calcium_threshold_hu, 130.0);
    EXPECT_EQ(s.peritumoral.distances_mm, (std::vector<double>{3.0, 6.0, 9.0}));
    EXPECT_TRUE(s.peritumoral.rings);
    EXPECT_FALSE(s.peritumoral.annuli);
    EXPECT_EQ(s.peritumoral.clip, rg::PeritumoralClip::Lungs);
    EXPECT_EQ(s.cac.threshold_hu, 130.0);
    EXPECT_TRUE(s.cac.kvp_thresholds_hu.empty());
    EXPECT_EQ(s.cac.connectivity, processing::cac::LesionConnectivity::Eight);
    EXPECT_EQ(s.cac.min_lesion_area_mm2, 1.0);
    EXPECT_EQ(s.cac.mass_calibration_mg_per_mm3_per_hu, 0.001);
}

TEST(RegionSettings, OverridesArrive) {
    const config::Config c = config::LoadConfigText(
        "", {"peritumoral.distances_mm=2,4.5", "peritumoral.annuli=true", "peritumoral.core_distances_mm=1",
             "peritumoral.clip=body", "cac.threshold_hu=120", "cac.kvp_thresholds=100:147,80:167",
             "cac.connectivity=4", "cac.min_lesion_area_mm2=0.5", "cac.mass_calibration=0.00074",
             "segmentation.lung_closing_mm=3", "segmentation.aorta_max_radius_mm=25"});
    const rg::RegionAnalysisSettings s = RegionSettingsFrom(c);
    EXPECT_EQ(s.peritumoral.distances_mm, (std::vector<double>{2.0, 4.5}));
    EXPECT_TRUE(s.peritumoral.annuli);
    EXPECT_EQ(s.peritumoral.core_distances_mm, (std::vector<double>{1.0}));
    EXPECT_EQ(s.peritumoral.clip, rg::PeritumoralClip::Body);
    EXPECT_EQ(s.cac.threshold_hu, 120.0);
    EXPECT_EQ(s.thorax.calcium_threshold_hu, 120.0);
    EXPECT_EQ(s.cac.kvp_thresholds_hu.at(100), 147.0);
    EXPECT_EQ(s.cac.kvp_thresholds_hu.at(80), 167.0);
    EXPECT_EQ(s.cac.connectivity, processing::cac::LesionConnectivity::Four);
    EXPECT_EQ(s.cac.min_lesion_area_mm2, 0.5);
    EXPECT_EQ(s.cac.mass_calibration_mg_per_mm3_per_hu, 0.00074);
    EXPECT_EQ(s.thorax.lung_closing_mm, 3.0);
    EXPECT_EQ(s.thorax.aorta_max_radius_mm, 25.0);
}

TEST(RegionSettings, EmptyDistancesMeanNoRings) {
    const config::Config c = config::LoadConfigText("", {"peritumoral.distances_mm=", "peritumoral.clip=none"});
    const rg::RegionAnalysisSettings s = RegionSettingsFrom(c);
    EXPECT_TRUE(s.peritumoral.distances_mm.empty());
    EXPECT_FALSE(s.peritumoral.rings);
    EXPECT_EQ(s.peritumoral.clip, rg::PeritumoralClip::None);
}

TEST(RegionSettings, InvalidValuesAreRefusedByTheConfiguration) {
    EXPECT_THROW((void)config::LoadConfigText("", {"peritumoral.distances_mm=3,-1"}), std::exception);
    EXPECT_THROW((void)config::LoadConfigText("", {"cac.kvp_thresholds=100"}), std::exception);
    EXPECT_THROW((void)config::LoadConfigText("", {"cac.connectivity=6"}), std::exception);
    EXPECT_THROW((void)config::LoadConfigText("", {"peritumoral.clip=heart"}), std::exception);
}

} // namespace
} // namespace radnode::tools
