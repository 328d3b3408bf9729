#include "config/settings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace radnode::config {
namespace {

using T = SettingType;

// The table. Keep descriptions short and user-facing: they become docs/configuration.md.
const std::vector<SettingSpec>& Table() {
    static const std::vector<SettingSpec> specs = {
        {"node.data_dir", T::String, &Config::data_dir, "./radnode-data", "path",
         "Folder holding the SQLite index (`index.sqlite`), received instances (`instances/`) and temporary "
         "files (`tmp/`). Relative paths are resolved against the working directory."},
        {"dicom.ae_title", T::String, &Config::ae_title, "RADNODE", "",
         "Application Entity title radnode answers to (1-16 characters, no backslash)."},
        {"dicom.port", T::Int, &Config::dicom_port, "11112", "TCP port", "Port of the DICOM listener (all interfaces).",
         1, 65535},
        {"dicom.max_associations", T::Int, &Config::max_associations, "16", "associations",
         "Maximum number of simultaneous associations; further requests are rejected with "
         "'local limit exceeded' (transient).",
         1, 256},
        {"dicom.allowed_callers", T::StringList, &Config::allowed_callers, "*@127.0.0.1", "list",
         "Calling AE titles allowed to associate: `AE`, `AE@host` or `*@host` (`*` = any AE title; host is an "
         "IP address or name compared with the peer address). An empty list rejects everyone. The default accepts "
         "any AE title from the local machine only."},
        {"dicom.check_called_ae", T::Bool, &Config::check_called_ae, "true", "",
         "Reject associations whose called AE title is not `dicom.ae_title`."},
        {"dicom.max_pdu", T::Int, &Config::max_pdu, "131072", "bytes",
         "Maximum PDU size radnode receives (DCMTK allows 4096-131072).", 4096, 131072},
        {"dicom.acse_timeout", T::Int, &Config::acse_timeout, "30", "s",
         "Timeout for association negotiation messages.", 1, 3600},
        {"dicom.dimse_timeout", T::Int, &Config::dimse_timeout, "60", "s",
         "Timeout while waiting for the next DIMSE message or data on an open association.", 1, 86400},
        {"dicom.duplicate_policy", T::Choice, &Config::duplicate_policy, "keep_first", "",
         "What to do when an instance arrives again with the same SOP Instance UID but different content "
         "(`keep_first`: keep the stored file, answer Success, log a warning; `replace`: store the new file). "
         "An identical re-sent instance is always answered Success without rewriting anything.",
         0, 0, {"keep_first", "replace"}},
        {"storage.min_free_mb", T::Int, &Config::min_free_mb, "1024", "MiB",
         "Free space that must remain on the data folder's file system; below it C-STORE is refused with "
         "0xA700 (out of resources) while C-ECHO keeps working.",
         0, 0},
        {"import.non_uniform_spacing", T::Choice, &Config::non_uniform_spacing, "resample", "",
         "A CT series whose slices are complete but unevenly spaced: `resample` to the median spacing by "
         "linear interpolation along the slice normal (recorded in the assembly notes) or `reject` it.",
         0, 0, {"resample", "reject"}},
        {"import.missing_slice_factor", T::Double, &Config::missing_slice_factor, "1.5", "x median spacing",
         "A gap between consecutive slices larger than this many median spacings is a missing slice; the "
         "series is rejected (must be above 1)."},
        {"import.roi_selection", T::Choice, &Config::roi_selection, "type_then_name", "",
         "How the tumour ROIs of an RTSTRUCT are chosen: `type_then_name` (ROIs whose RTROIInterpretedType is in "
         "`import.roi_types`; if none, ROIs whose name matches `import.roi_name_pattern`), `interpreted_type`, "
         "`name_regex`, or `all` (every ROI).",
         0, 0, {"type_then_name", "interpreted_type", "name_regex", "all"}},
        {"import.roi_types", T::StringList, &Config::roi_types, "GTV", "list",
         "RTROIInterpretedType values (case-insensitive) that mark a tumour ROI."},
        {"import.roi_name_pattern", T::String, &Config::roi_name_pattern, "gtv|tumou?r|lesion", "regex",
         "ECMAScript regular expression searched case-insensitively in ROI names."},
        {"import.contour_fill", T::Choice, &Config::contour_fill, "even_odd", "",
         "How the closed contours of one ROI on one slice are filled: `even_odd` (a contour inside another is a "
         "hole) or `union` (any contour covers; for tools that draw overlapping pieces).",
         0, 0, {"even_odd", "union"}},
        {"import.seg_threshold", T::Double, &Config::seg_threshold, "0.5", "fraction of maximum",
         "A FRACTIONAL SEG voxel belongs to the segment when its value is at least this fraction of the "
         "maximum (0 < threshold <= 1)."},
        {"segmentation.body_threshold_hu", T::Double, &Config::seg_body_threshold_hu, "-500", "HU",
         "Body: the largest connected component above this (docs/segmentation.md)."},
        {"segmentation.lung_threshold_hu", T::Double, &Config::seg_lung_threshold_hu, "-400", "HU",
         "Lungs and airways: air-like voxels inside the body below this."},
        {"segmentation.min_lung_volume_ml", T::Double, &Config::seg_min_lung_volume_ml, "50", "mL",
         "Smaller air components are not lungs (bowel gas, air pockets)."},
        {"segmentation.airway_threshold_hu", T::Double, &Config::seg_airway_threshold_hu, "-950", "HU",
         "Trachea and bronchi lumen, grown from the trachea below this (lowered in 25 HU steps on a leak)."},
        {"segmentation.airway_max_volume_ml", T::Double, &Config::seg_airway_max_volume_ml, "300", "mL",
         "An airway tree larger than this has leaked into the lungs."},
        {"segmentation.lung_closing_mm", T::Double, &Config::seg_lung_closing_mm, "5", "mm",
         "Radius of the closing of each lung (juxtapleural vessels and nodules stay inside); 0 = none."},
        {"segmentation.chest_wall_mm", T::Double, &Config::seg_chest_wall_mm, "15", "mm",
         "The heart region keeps at least this far inside the body surface."},
        {"segmentation.bone_threshold_hu", T::Double, &Config::seg_bone_threshold_hu, "200", "HU",
         "Bone (spine, sternum, ribs): voxels above this in components of at least "
         "`segmentation.bone_min_volume_ml`."},
        {"segmentation.bone_min_volume_ml", T::Double, &Config::seg_bone_min_volume_ml, "1", "mL",
         "Dense components at least this large are bone, smaller ones may be calcifications."},
        {"segmentation.bone_margin_mm", T::Double, &Config::seg_bone_margin_mm, "3", "mm",
         "Removed around bone from the coronary candidate region."},
        {"segmentation.metal_threshold_hu", T::Double, &Config::seg_metal_threshold_hu, "2500", "HU",
         "Metal (wires, valves, leads)."},
        {"segmentation.metal_margin_mm", T::Double, &Config::seg_metal_margin_mm, "5", "mm",
         "Removed around metal from the coronary candidate region (streaks)."},
        {"segmentation.aorta_margin_mm", T::Double, &Config::seg_aorta_margin_mm, "3", "mm",
         "Removed around the aorta found from the coronary candidate region (its wall)."},
        {"segmentation.aorta_min_radius_mm", T::Double, &Config::seg_aorta_min_radius_mm, "8", "mm",
         "Smallest radius of a descending aorta section."},
        {"segmentation.aorta_max_radius_mm", T::Double, &Config::seg_aorta_max_radius_mm, "20", "mm",
         "Largest radius of a descending aorta section."},
        {"peritumoral.distances_mm", T::StringList, &Config::peritumoral_distances_mm, "3,6,9", "mm (list)",
         "Peritumoral rings: voxels whose Euclidean distance from the tumour surface is in (0, d], one region "
         "`ring_<d>mm` per distance (0 < d <= 100)."},
        {"peritumoral.annuli", T::Bool, &Config::peritumoral_annuli, "false", "",
         "Also the annuli between consecutive distances, `annulus_<a>_<b>mm` (the first from 0)."},
        {"peritumoral.tumour_rings", T::Bool, &Config::peritumoral_tumour_rings, "false", "",
         "Also the tumour plus each ring, `tumour_ring_<d>mm`."},
        {"peritumoral.core_distances_mm", T::StringList, &Config::peritumoral_core_distances_mm, "", "mm (list)",
         "Intratumoral cores: tumour voxels farther than d inside its surface, `core_<d>mm`."},
        {"peritumoral.clip", T::Choice, &Config::peritumoral_clip, "lungs", "",
         "Keep ring and annulus voxels only inside the lungs (`lungs`, as the peritumoral NSCLC studies do: a "
         "juxtapleural tumour's ring does not count the chest wall), inside the body (`body`) or everywhere "
         "(`none`). Without the mask the rings are not computed, with the reason.",
         0, 0, {"lungs", "body", "none"}},
        {"cac.threshold_hu", T::Double, &Config::cac_threshold_hu, "130", "HU",
         "Calcium threshold (Agatston 1990: 130 HU at 120 kVp)."},
        {"cac.kvp_thresholds", T::StringList, &Config::cac_kvp_thresholds, "", "list of kVp:HU",
         "Tube-voltage-specific thresholds, e.g. `100:147`, used when the CT's KVP is listed; empty by default "
         "(fill only from a phantom calibration of the site's scanner)."},
        {"cac.connectivity", T::Choice, &Config::cac_connectivity, "8", "",
         "In-slice connectivity of lesion pixels.", 0, 0, {"8", "4"}},
        {"cac.min_lesion_area_mm2", T::Double, &Config::cac_min_lesion_area_mm2, "1", "mm²",
         "Lesions smaller than this are excluded (Agatston 1990: 1 mm²)."},
        {"cac.mass_calibration", T::Double, &Config::cac_mass_calibration, "0.001", "mg/mm³ per HU",
         "Mass score calibration factor; the default 0.001 is nominal: a real scanner needs the factor of a "
         "hydroxyapatite calibration phantom."},
        {"pipeline.enabled", T::Bool, &Config::pipeline_enabled, "true", "",
         "Analyse received CT series automatically (series completion, job queue, workers; docs/pipeline.md). "
         "`false` only stores what arrives."},
        {"pipeline.stable_age_s", T::Int, &Config::pipeline_stable_age_s, "15", "s",
         "A series is complete when no instance has arrived for this long.", 1, 86400},
        {"pipeline.tumour_grace_s", T::Int, &Config::pipeline_tumour_grace_s, "120", "s",
         "A complete CT with no RTSTRUCT or SEG in its study waits this long for one, then is analysed without "
         "tumour regions (lungs, heart, CAC still run). A tumour object arriving later starts a re-analysis.",
         0, 86400},
        {"pipeline.workers", T::Int, &Config::pipeline_workers, "1", "threads",
         "Analysis workers; each analysis already uses every core for its filters.", 1, 64},
        {"pipeline.max_attempts", T::Int, &Config::pipeline_max_attempts, "3", "attempts",
         "An analysis that fails (or whose worker dies) this many times goes to the dead-letter state.", 1, 100},
        {"pipeline.lease_s", T::Int, &Config::pipeline_lease_s, "600", "s",
         "A running job whose worker has not renewed it for this long is taken back (crash recovery); the "
         "worker renews it every lease/4.",
         10, 86400},
        {"pipeline.radiomics_params", T::String, &Config::pipeline_radiomics_params, "", "path",
         "PyRadiomics parameter file of the analysis; empty: the built-in default (docs/analysis.md)."},
        {"pipeline.radiomics_regions", T::StringList, &Config::pipeline_radiomics_regions,
         "tumour,ring_*,annulus_*,tumour_ring_*,core_*,lung_right,lung_left,heart", "list",
         "Regions that get radiomics: names, prefixes ending in `*`, or `all`."},
        {"pipeline.signatures", T::StringList, &Config::pipeline_signatures, "", "paths",
         "Signature files or folders of them (docs/signatures.md) applied to every analysis."},
        {"export.destinations", T::StringList, &Config::export_destinations, "", "list of AE@host:port",
         "Where every SR and SEG is sent by C-STORE (several allowed); empty: results stay in the data folder."},
        {"export.max_age_h", T::Int, &Config::export_max_age_h, "168", "h",
         "A delivery still failing after this long is given up (dead-letter, visible in the queue); until then "
         "it is retried with exponential backoff.",
         1, 8760},
        {"export.retry_base_s", T::Int, &Config::export_retry_base_s, "10", "s",
         "First retry delay of a failed delivery; it doubles on each failure up to `export.retry_max_s`.", 1, 86400},
        {"export.retry_max_s", T::Int, &Config::export_retry_max_s, "600", "s", "Longest retry delay of a delivery.",
         1, 86400},
        {"http.bind", T::String, &Config::http_bind, "127.0.0.1", "address",
         "Address of the REST API listener. Keep it on loopback unless a token is configured."},
        {"http.port", T::Int, &Config::http_port, "8743", "TCP port", "Port of the REST API; 0 disables it.", 0,
         65535},
        {"log.level", T::Choice, &Config::log_level, "info", "", "Log verbosity.", 0, 0,
         {"trace", "debug", "info", "warn", "error"}},
        {"log.file", T::String, &Config::log_file, "", "path",
         "Also append log lines to this file (empty: standard error only)."},
    };
    return specs;
}

std::string_view TypeName(const SettingSpec& s) {
    switch (s.type) {
    case T::String: return "string";
    case T::Int: return "integer";
    case T::Bool: return "boolean";
    case T::Double: return "number";
    case T::StringList: return "list of strings";
    case T::Choice: return "one of";
    }
    return "?";
}

} // namespace

std::span<const SettingSpec> Settings() { return Table(); }

const SettingSpec* FindSetting(std::string_view name) {
    for (const SettingSpec& s : Table())
        if (s.name == name)
            return &s;
    return nullptr;
}

std::string SettingsReferenceMarkdown() {
    std::string out = "| Setting | Type | Default | Unit | Description |\n|---|---|---|---|---|\n";
    for (const SettingSpec& s : Table()) {
        std::string type{TypeName(s)};
        if (s.type == T::Choice) {
            std::string list;
            for (auto c : s.choices)
                list += fmt::format("{}`{}`", list.empty() ? " " : ", ", c);
            type += list;
        } else if (s.type == T::Int && s.min != s.max) {
            type += fmt::format(" ({}-{})", s.min, s.max);
        }
        const std::string def = s.default_value.empty() ? "(empty)" : fmt::format("`{}`", s.default_value);
        out += fmt::format("| `{}` | {} | {} | {} | {} |\n", s.name, type, def, s.unit, s.description);
    }
    return out;
}

std::string DefaultConfigYaml() {
    std::string out = "# radnode configuration; every key is optional and shows its default.\n"
                      "# Reference: docs/configuration.md\n";
    std::string section;
    for (const SettingSpec& s : Table()) {
        const auto dot = s.name.find('.');
        const std::string head{s.name.substr(0, dot)};
        const std::string key{s.name.substr(dot + 1)};
        if (head != section) {
            out += fmt::format("\n{}:\n", head);
            section = head;
        }
        std::vector<std::string> items;
        if (s.type == T::StringList) {
            std::string_view rest = s.default_value;
            while (!rest.empty()) {
                const auto comma = rest.find(',');
                items.push_back(fmt::format("\"{}\"", rest.substr(0, comma)));
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            }
            out += fmt::format("  {}: [{}]\n", key, fmt::join(items, ", "));
        } else if (s.type == T::String || s.type == T::Choice) {
            out += fmt::format("  {}: \"{}\"\n", key, s.default_value);
        } else {
            out += fmt::format("  {}: {}\n", key, s.default_value);
        }
    }
    return out;
}

} // namespace radnode::config
