#pragma once
/// radnode's typed configuration. Values come, in increasing precedence, from
/// the defaults in the settings table, the YAML config file, and `--set key=value`
/// overrides on the command line. Every field is described in config/settings.cpp.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace radnode::config {

struct Config {
    // node
    std::string data_dir;
    // dicom
    std::string ae_title;
    std::int64_t dicom_port = 0;
    std::int64_t max_associations = 0;
    std::vector<std::string> allowed_callers;
    bool check_called_ae = true;
    std::int64_t max_pdu = 0;
    std::int64_t acse_timeout = 0;
    std::int64_t dimse_timeout = 0;
    std::string duplicate_policy;
    // storage
    std::int64_t min_free_mb = 0;
    // import (CT volume and tumour regions)
    std::string non_uniform_spacing;
    double missing_slice_factor = 0.0;
    std::string roi_selection;
    std::vector<std::string> roi_types;
    std::string roi_name_pattern;
    std::string contour_fill;
    double seg_threshold = 0.0;
    // segmentation (automatic regions; processing/regions/thorax_regions.h)
    double seg_body_threshold_hu = 0.0;
    double seg_lung_threshold_hu = 0.0;
    double seg_min_lung_volume_ml = 0.0;
    double seg_airway_threshold_hu = 0.0;
    double seg_airway_max_volume_ml = 0.0;
    double seg_lung_closing_mm = 0.0;
    double seg_chest_wall_mm = 0.0;
    double seg_bone_threshold_hu = 0.0;
    double seg_bone_min_volume_ml = 0.0;
    double seg_bone_margin_mm = 0.0;
    double seg_metal_threshold_hu = 0.0;
    double seg_metal_margin_mm = 0.0;
    double seg_aorta_margin_mm = 0.0;
    double seg_aorta_min_radius_mm = 0.0;
    double seg_aorta_max_radius_mm = 0.0;
    // peritumoral regions (processing/regions/peritumoral.h)
    std::vector<std::string> peritumoral_distances_mm;
    bool peritumoral_annuli = false;
    bool peritumoral_tumour_rings = false;
    std::vector<std::string> peritumoral_core_distances_mm;
    std::string peritumoral_clip;
    // coronary artery calcium (processing/cac/calcium_score.h)
    double cac_threshold_hu = 0.0;
    std::vector<std::string> cac_kvp_thresholds;
    std::string cac_connectivity;
    double cac_min_lesion_area_mm2 = 0.0;
    double cac_mass_calibration = 0.0;
    // pipeline (tools/radnode/pipeline.h) and export
    bool pipeline_enabled = true;
    std::int64_t pipeline_stable_age_s = 0;
    std::int64_t pipeline_tumour_grace_s = 0;
    std::int64_t pipeline_workers = 0;
    std::int64_t pipeline_max_attempts = 0;
    std::int64_t pipeline_lease_s = 0;
    std::string pipeline_radiomics_params;
    std::vector<std::string> pipeline_radiomics_regions;
    std::vector<std::string> pipeline_signatures;
    std::vector<std::string> export_destinations;
    std::int64_t export_max_age_h = 0;
    std::int64_t export_retry_base_s = 0;
    std::int64_t export_retry_max_s = 0;
    // http
    std::string http_bind;
    std::int64_t http_port = 0;
    // log
    std::string log_level;
    std::string log_file;
};

/// A problem with a configuration value, naming the setting and its source.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The defaults from the settings table.
Config DefaultConfig();
/// Defaults, then `file` (if not empty; unknown keys and bad values are errors),
/// then each "key=value" override. Throws ConfigError.
Config LoadConfig(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});
/// Parses YAML text (for tests and `config check`).
Config LoadConfigText(const std::string& yaml, const std::vector<std::string>& overrides = {});
/// Effective configuration as YAML (for `radnode config show`).
std::string ToYaml(const Config& config);

/// One entry of dicom.allowed_callers: "AE", "AE@host", "*@host" or "*".
struct CallerRule {
    std::string ae;   ///< "*" matches any calling AE title
    std::string host; ///< empty matches any host
};
CallerRule ParseCallerRule(const std::string& text);

} // namespace radnode::config
