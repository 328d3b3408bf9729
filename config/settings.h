#pragma once
/// The single settings table: every radnode setting with its type, default,
/// unit and description. Parsing, validation, `radnode config default` and the
/// configuration reference in docs/configuration.md are all generated from it.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"

namespace radnode::config {

enum class SettingType { String, Int, Bool, Double, StringList, Choice };

/// Where a setting's value lives in the typed Config.
using MemberRef = std::variant<std::string Config::*, std::int64_t Config::*, bool Config::*, double Config::*,
                               std::vector<std::string> Config::*>;

struct SettingSpec {
    std::string_view name;          ///< dotted key, e.g. "dicom.port"; the YAML path
    SettingType type;
    MemberRef member;
    std::string_view default_value; ///< as written in YAML; lists comma-separated
    std::string_view unit;          ///< "" when dimensionless
    std::string_view description;
    std::int64_t min = 0;           ///< Int only
    std::int64_t max = 0;           ///< Int only; min == max means unbounded
    std::vector<std::string_view> choices = {}; ///< Choice only
};

/// All settings, in documentation order.
std::span<const SettingSpec> Settings();
const SettingSpec* FindSetting(std::string_view name);

/// Markdown table rows of the configuration reference (between the markers in docs/configuration.md).
std::string SettingsReferenceMarkdown();
/// A commented YAML file with every default, for `radnode config default`.
std::string DefaultConfigYaml();

} // namespace radnode::config
