#include "config/config.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside std::regex's std::function at -O2
// (GCC bug 105562); silence it for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/settings.h"

namespace radnode::config {
namespace {

std::string Trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(" \t");
    return std::string{s.substr(b, e - b + 1)};
}

std::vector<std::string> SplitList(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        std::string item = Trim(text.substr(0, comma));
        if (!item.empty())
            out.push_back(std::move(item));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return out;
}

[[noreturn]] void Fail(const SettingSpec& s, std::string_view source, std::string_view why) {
    throw ConfigError(fmt::format("{}: setting '{}' {}", source, s.name, why));
}

void CheckAeTitle(const SettingSpec& s, std::string_view source, const std::string& ae) {
    if (ae.empty() || ae.size() > 16 || ae.find('\\') != std::string::npos || Trim(ae).empty())
        Fail(s, source, fmt::format("'{}' is not a valid AE title (1-16 characters, no backslash)", ae));
    for (unsigned char c : ae)
        if (c < 0x20 || c > 0x7e)
            Fail(s, source, "contains a control or non-ASCII character");
}

/// Assigns one textual value (from a YAML scalar or a --set override) to the typed field.
void Assign(Config& config, const SettingSpec& s, const std::string& text, std::string_view source) {
    switch (s.type) {
    case SettingType::String:
        config.*std::get<std::string Config::*>(s.member) = text;
        break;
    case SettingType::Choice: {
        bool ok = false;
        for (auto c : s.choices)
            ok = ok || c == text;
        if (!ok) {
            std::string list;
            for (auto c : s.choices)
                list += fmt::format("{}{}", list.empty() ? "" : ", ", c);
            Fail(s, source, fmt::format("must be one of {} (got '{}')", list, text));
        }
        config.*std::get<std::string Config::*>(s.member) = text;
        break;
    }
    case SettingType::Int: {
        std::int64_t v = 0;
        const auto t = Trim(text);
        const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
        if (ec != std::errc{} || ptr != t.data() + t.size() || t.empty())
            Fail(s, source, fmt::format("expects an integer (got '{}')", text));
        if (s.min != s.max && (v < s.min || v > s.max))
            Fail(s, source, fmt::format("must be between {} and {} (got {})", s.min, s.max, v));
        if (s.min == s.max && v < 0)
            Fail(s, source, fmt::format("must not be negative (got {})", v));
        config.*std::get<std::int64_t Config::*>(s.member) = v;
        break;
    }
    case SettingType::Double: {
        try {
            std::size_t used = 0;
            const double v = std::stod(text, &used);
            if (used != text.size())
                throw std::invalid_argument("trailing");
            config.*std::get<double Config::*>(s.member) = v;
        } catch (const std::exception&) {
            Fail(s, source, fmt::format("expects a number (got '{}')", text));
        }
        break;
    }
    case SettingType::Bool:
        if (text == "true" || text == "yes" || text == "on" || text == "1")
            config.*std::get<bool Config::*>(s.member) = true;
        else if (text == "false" || text == "no" || text == "off" || text == "0")
            config.*std::get<bool Config::*>(s.member) = false;
        else
            Fail(s, source, fmt::format("expects true or false (got '{}')", text));
        break;
    case SettingType::StringList:
        config.*std::get<std::vector<std::string> Config::*>(s.member) = SplitList(text);
        break;
    }
}

void Validate(const Config& c, std::string_view source) {
    CheckAeTitle(*FindSetting("dicom.ae_title"), source, c.ae_title);
    const SettingSpec& callers = *FindSetting("dicom.allowed_callers");
    for (const auto& rule : c.allowed_callers) {
        try {
            const CallerRule r = ParseCallerRule(rule);
            if (r.ae != "*")
                CheckAeTitle(callers, source, r.ae);
        } catch (const ConfigError& e) {
            Fail(callers, source, e.what());
        }
    }
    if (c.data_dir.empty())
        Fail(*FindSetting("node.data_dir"), source, "must not be empty");
    if (!(c.missing_slice_factor > 1.0))
        Fail(*FindSetting("import.missing_slice_factor"), source, "must be greater than 1");
    if (!(c.seg_threshold > 0.0 && c.seg_threshold <= 1.0))
        Fail(*FindSetting("import.seg_threshold"), source, "must be in (0, 1]");
    for (const char* name : {"segmentation.min_lung_volume_ml", "segmentation.airway_max_volume_ml",
                             "segmentation.lung_closing_mm", "segmentation.chest_wall_mm",
                             "segmentation.bone_min_volume_ml", "segmentation.bone_margin_mm",
                             "segmentation.metal_margin_mm", "segmentation.aorta_margin_mm",
                             "cac.min_lesion_area_mm2"}) {
        const SettingSpec& s = *FindSetting(name);
        if (!(c.*std::get<double Config::*>(s.member) >= 0.0))
            Fail(s, source, "must not be negative");
    }
    if (!(c.seg_aorta_min_radius_mm > 0.0 && c.seg_aorta_min_radius_mm < c.seg_aorta_max_radius_mm))
        Fail(*FindSetting("segmentation.aorta_min_radius_mm"), source,
             "must be positive and below segmentation.aorta_max_radius_mm");
    if (!(c.cac_mass_calibration > 0.0))
        Fail(*FindSetting("cac.mass_calibration"), source, "must be positive");
    for (const char* name : {"peritumoral.distances_mm", "peritumoral.core_distances_mm"}) {
        const SettingSpec& s = *FindSetting(name);
        for (const std::string& item : c.*std::get<std::vector<std::string> Config::*>(s.member)) {
            char* end = nullptr;
            const double v = std::strtod(item.c_str(), &end);
            if (item.empty() || *end != '\0' || !(v > 0.0 && v <= 100.0))
                Fail(s, source, fmt::format("expects distances in (0, 100] mm (got '{}')", item));
        }
    }
    for (const std::string& item : c.export_destinations) {
        const auto at = item.find('@');
        const auto colon = item.rfind(':');
        bool ok = at != std::string::npos && colon != std::string::npos && at > 0 && at <= 16 && colon > at + 1 &&
                  item.substr(0, at).find('\\') == std::string::npos;
        if (ok) {
            char* end = nullptr;
            const std::string port = item.substr(colon + 1);
            const long value = std::strtol(port.c_str(), &end, 10);
            ok = !port.empty() && *end == '\0' && value >= 1 && value <= 65535;
        }
        if (!ok)
            Fail(*FindSetting("export.destinations"), source,
                 fmt::format("expects AE@host:port entries (AE title 1-16 characters, port 1-65535), got '{}'", item));
    }
    if (c.export_retry_base_s > c.export_retry_max_s)
        Fail(*FindSetting("export.retry_base_s"), source, "must not exceed export.retry_max_s");
    for (const std::string& item : c.cac_kvp_thresholds) {
        const auto colon = item.find(':');
        char* end_kvp = nullptr;
        char* end_hu = nullptr;
        const std::string kvp = item.substr(0, colon);
        const std::string hu = colon == std::string::npos ? "" : item.substr(colon + 1);
        const double k = std::strtod(kvp.c_str(), &end_kvp);
        std::strtod(hu.c_str(), &end_hu);
        if (colon == std::string::npos || kvp.empty() || hu.empty() || *end_kvp != '\0' || *end_hu != '\0' || !(k > 0.0))
            Fail(*FindSetting("cac.kvp_thresholds"), source, fmt::format("expects kVp:HU pairs (got '{}')", item));
    }
    try {
        const std::regex pattern(c.roi_name_pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
        Fail(*FindSetting("import.roi_name_pattern"), source, fmt::format("is not a valid regex: {}", e.what()));
    }
}

void Flatten(const YAML::Node& node, const std::string& prefix, std::vector<std::pair<std::string, YAML::Node>>& out) {
    for (const auto& kv : node) {
        const std::string key = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
        if (kv.second.IsMap() && !FindSetting(key))
            Flatten(kv.second, key, out);
        else
            out.emplace_back(key, kv.second);
    }
}

Config Apply(Config config, const YAML::Node& root, std::string_view source, const std::vector<std::string>& overrides) {
    if (root && !root.IsNull()) {
        if (!root.IsMap())
            throw ConfigError(fmt::format("{}: the top level must be a mapping of sections", source));
        std::vector<std::pair<std::string, YAML::Node>> entries;
        Flatten(root, "", entries);
        for (const auto& [key, value] : entries) {
            const SettingSpec* s = FindSetting(key);
            if (!s)
                throw ConfigError(fmt::format("{}: unknown setting '{}' (see docs/configuration.md)", source, key));
            if (s->type == SettingType::StringList) {
                if (value.IsSequence()) {
                    std::vector<std::string> items;
                    for (const auto& item : value)
                        items.push_back(item.as<std::string>());
                    Assign(config, *s, "", source);
                    config.*std::get<std::vector<std::string> Config::*>(s->member) = items;
                } else if (value.IsScalar() || value.IsNull()) {
                    Assign(config, *s, value.IsNull() ? "" : value.as<std::string>(), source);
                } else {
                    Fail(*s, source, "expects a list of strings");
                }
            } else if (value.IsScalar()) {
                Assign(config, *s, value.as<std::string>(), source);
            } else if (value.IsNull() && s->type == SettingType::String) {
                Assign(config, *s, "", source);
            } else {
                Fail(*s, source, "expects a single value");
            }
        }
    }
    for (const std::string& o : overrides) {
        const auto eq = o.find('=');
        if (eq == std::string::npos)
            throw ConfigError(fmt::format("--set '{}': expected key=value", o));
        const std::string key = Trim(std::string_view{o}.substr(0, eq));
        const SettingSpec* s = FindSetting(key);
        if (!s)
            throw ConfigError(fmt::format("--set: unknown setting '{}' (see docs/configuration.md)", key));
        Assign(config, *s, Trim(std::string_view{o}.substr(eq + 1)), "--set");
    }
    Validate(config, overrides.empty() ? source : std::string_view{"configuration"});
    return config;
}

} // namespace

Config DefaultConfig() {
    Config c;
    for (const SettingSpec& s : Settings())
        Assign(c, s, std::string{s.default_value}, "defaults");
    return c;
}

Config LoadConfigText(const std::string& yaml, const std::vector<std::string>& overrides) {
    YAML::Node root;
    try {
        root = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("config: YAML error: {}", e.what()));
    }
    return Apply(DefaultConfig(), root, "config", overrides);
}

Config LoadConfig(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
    if (file.empty())
        return Apply(DefaultConfig(), YAML::Node{}, "defaults", overrides);
    std::ifstream in(file);
    if (!in)
        throw ConfigError(fmt::format("{}: cannot open configuration file", file.string()));
    std::stringstream text;
    text << in.rdbuf();
    YAML::Node root;
    try {
        root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("{}: YAML error: {}", file.string(), e.what()));
    }
    return Apply(DefaultConfig(), root, file.string(), overrides);
}

std::string ToYaml(const Config& config) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    std::string section;
    for (const SettingSpec& s : Settings()) {
        const auto dot = s.name.find('.');
        const std::string head{s.name.substr(0, dot)};
        if (head != section) {
            if (!section.empty())
                out << YAML::EndMap;
            out << YAML::Key << head << YAML::Value << YAML::BeginMap;
            section = head;
        }
        out << YAML::Key << std::string{s.name.substr(dot + 1)} << YAML::Value;
        std::visit(
            [&](auto member) {
                const auto& v = config.*member;
                if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::vector<std::string>>) {
                    out << YAML::Flow << YAML::BeginSeq;
                    for (const auto& item : v)
                        out << item;
                    out << YAML::EndSeq;
                } else {
                    out << v;
                }
            },
            s.member);
    }
    if (!section.empty())
        out << YAML::EndMap;
    out << YAML::EndMap;
    return std::string{out.c_str()} + "\n";
}

CallerRule ParseCallerRule(const std::string& text) {
    const std::string t = Trim(text);
    if (t.empty())
        throw ConfigError("empty caller rule");
    const auto at = t.find('@');
    CallerRule r;
    r.ae = Trim(std::string_view{t}.substr(0, at));
    if (at != std::string::npos) {
        r.host = Trim(std::string_view{t}.substr(at + 1));
        if (r.host.empty())
            throw ConfigError(fmt::format("caller rule '{}': empty host after '@'", text));
    }
    if (r.ae.empty())
        throw ConfigError(fmt::format("caller rule '{}': empty AE title (use * for any)", text));
    return r;
}

} // namespace radnode::config
