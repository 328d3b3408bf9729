#include "tools/radnode/region_settings.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace radnode::tools {
namespace {

std::vector<double> Distances(const std::vector<std::string>& items) {
    std::vector<double> out;
    for (const std::string& item : items)
        out.push_back(std::strtod(item.c_str(), nullptr));
    return out;
}

} // namespace

processing::regions::RegionAnalysisSettings RegionSettingsFrom(const config::Config& c) {
    using namespace processing::regions;
    RegionAnalysisSettings s;
    ThoraxSettings& t = s.thorax;
    t.body_threshold_hu = c.seg_body_threshold_hu;
    t.lung_threshold_hu = c.seg_lung_threshold_hu;
    t.min_lung_volume_ml = c.seg_min_lung_volume_ml;
    t.airway_threshold_hu = c.seg_airway_threshold_hu;
    t.airway_max_volume_ml = c.seg_airway_max_volume_ml;
    t.lung_closing_mm = c.seg_lung_closing_mm;
    t.calcium_threshold_hu = c.cac_threshold_hu;
    t.chest_wall_mm = c.seg_chest_wall_mm;
    t.bone_threshold_hu = c.seg_bone_threshold_hu;
    t.bone_min_volume_ml = c.seg_bone_min_volume_ml;
    t.bone_margin_mm = c.seg_bone_margin_mm;
    t.metal_threshold_hu = c.seg_metal_threshold_hu;
    t.metal_margin_mm = c.seg_metal_margin_mm;
    t.aorta_margin_mm = c.seg_aorta_margin_mm;
    t.aorta_min_radius_mm = c.seg_aorta_min_radius_mm;
    t.aorta_max_radius_mm = c.seg_aorta_max_radius_mm;

    PeritumoralSettings& p = s.peritumoral;
    p.distances_mm = Distances(c.peritumoral_distances_mm);
    p.rings = !p.distances_mm.empty();
    p.annuli = c.peritumoral_annuli;
    p.tumour_rings = c.peritumoral_tumour_rings;
    p.core_distances_mm = Distances(c.peritumoral_core_distances_mm);
    p.clip = c.peritumoral_clip == "body"   ? PeritumoralClip::Body
             : c.peritumoral_clip == "none" ? PeritumoralClip::None
                                            : PeritumoralClip::Lungs;

    processing::cac::CacSettings& k = s.cac;
    k.threshold_hu = c.cac_threshold_hu;
    for (const std::string& item : c.cac_kvp_thresholds) {
        const auto colon = item.find(':');
        const double kvp = std::strtod(item.substr(0, colon).c_str(), nullptr);
        k.kvp_thresholds_hu[static_cast<int>(std::lround(kvp))] = std::strtod(item.substr(colon + 1).c_str(), nullptr);
    }
    k.connectivity = c.cac_connectivity == "4" ? processing::cac::LesionConnectivity::Four
                                               : processing::cac::LesionConnectivity::Eight;
    k.min_lesion_area_mm2 = c.cac_min_lesion_area_mm2;
    k.mass_calibration_mg_per_mm3_per_hu = c.cac_mass_calibration;
    return s;
}

} // namespace radnode::tools
