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
