#include "tools/radnode/case_analysis.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <system_error>
#include <map>

#include "config/radiomics_params.h"
#include "config/signature_file.h"
#include "reporting/json_writer.h"
#include "tools/radnode/region_settings.h"
#include "reporting/regions_json.h"

namespace radnode::tools {
namespace {

namespace rg = processing::regions;
namespace rad = processing::radiomics;

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool Wanted(const std::vector<std::string>& patterns, const std::string& name) {
    for (const std::string& p : patterns) {
        if (p == "all")
            return name != "body" && name != "airways" && name != "aorta";
        if (!p.empty() && p.back() == '*' ? name.rfind(p.substr(0, p.size() - 1), 0) == 0 : p == name)
            return true;
    }
    return false;
}

} // namespace

const std::string& DefaultAnalysisParamsYaml() {
    static const std::string yaml = R"(# radnode's default analysis (docs/analysis.md): the seed studies' setting.
setting:
  binWidth: 25
  label: 1
  resampledPixelSpacing: [1, 1, 1]
  interpolator: sitkBSpline
  padDistance: 5
imageType:
  Original: {}
  LoG:
    sigma: [1.0, 2.0, 3.0, 4.0, 5.0]
  Wavelet:
    wavelet: coif1
featureClass:
  shape:
  firstorder:
  glcm:
  glrlm:
  glszm:
  gldm:
  ngtdm:
)";
    return yaml;
}

std::vector<std::string> DefaultRadiomicsRegions() {
    return {"tumour", "ring_*", "annulus_*", "tumour_ring_*", "core_*", "lung_right", "lung_left", "heart"};
}

std::string SettingsFingerprint(const std::string& params_text, const config::Config& config,
                                const CaseAnalysisOptions& options) {
    std::string text = params_text + "\n---\n" + config::ToYaml(config) + "\n---\nregions:";
    for (const std::string& r : options.radiomics_regions)
        text += " " + r;
    for (const auto& s : options.signatures)
        text += "\nsignature: " + s.name + " " + s.version;
    std::uint64_t h = 1469598103934665603ULL;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return fmt::format("fnv1a64:{:016x}", h);
}

LoadedAnalysisOptions LoadAnalysisOptions(const config::Config& config, const std::filesystem::path& params,
                                          const std::vector<std::filesystem::path>& signatures,
                                          const std::vector<std::string>& radiomics_regions) {
    LoadedAnalysisOptions loaded;
    CaseAnalysisOptions& options = loaded.options;
    options.regions = RegionSettingsFrom(config);
    if (params.empty()) {
        loaded.params_text = DefaultAnalysisParamsYaml();
        options.params = config::ParseRadiomicsParams(loaded.params_text, "<default analysis parameters>");
    } else {
        std::ifstream stream(params, std::ios::binary);
        loaded.params_text.assign(std::istreambuf_iterator<char>(stream), {});
        options.params = config::LoadRadiomicsParams(params);
    }
    for (const std::filesystem::path& path : signatures) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            for (auto& signature : config::LoadSignatureFolder(path))
                options.signatures.push_back(std::move(signature));
        } else {
            options.signatures.push_back(config::LoadSignatureFile(path));
        }
    }
    if (!radiomics_regions.empty())
        options.radiomics_regions = radiomics_regions;
    loaded.fingerprint = SettingsFingerprint(loaded.params_text, config, options);
    return loaded;
}

CaseAnalysis RunCaseAnalysis(const processing::CtVolume& ct, std::optional<double> kvp, const rg::BoxMask& tumour,
                             const CaseAnalysisOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    CaseAnalysis out;
    out.regions = rg::AnalyseRegions(ct, tumour, options.regions, kvp);

    processing::Volume<double> image(ct.Geometry(), processing::kUninitialized);
    std::transform(ct.Data().begin(), ct.Data().end(), image.Data().begin(),
                   [](std::int16_t v) { return static_cast<double>(v); });
    rad::ExtractionParams params = options.params;
    params.settings.image_pixel_type = "short"; // the assembled CT is int16 HU
    params.settings.label = 1;
    for (const rg::NamedMask& region : out.regions.Masks()) {
        const std::string& name = region.name;
        const rg::BoxMask* mask = region.mask;
        if (!Wanted(options.radiomics_regions, name))
            continue;
        const auto region_start = std::chrono::steady_clock::now();
        RegionRadiomics r;
        r.region = name;
        r.voxels = mask->Count();
        processing::Volume<std::int32_t> labels(ct.Geometry(), 0);
        const processing::LabelMap full = rg::ToLabelMap(*mask, ct.Geometry());
        std::transform(full.Data().begin(), full.Data().end(), labels.Data().begin(),
                       [](std::uint8_t v) { return static_cast<std::int32_t>(v); });
        try {
            rad::ExtractionResult result = rad::Extract(image, labels, params);
            r.error = std::move(result.error);
            r.features = std::move(result.features);
        } catch (const std::exception& e) {
            r.error = std::string("extraction failed: ") + e.what();
        }
        r.seconds = SecondsSince(region_start);
        out.radiomics.push_back(std::move(r));
    }

    // Signatures look features up by region and full PyRadiomics name.
    std::map<std::string, std::map<std::string, double, std::less<>>, std::less<>> table;
    for (const RegionRadiomics& r : out.radiomics)
        for (const rad::Feature& f : r.features)
            table[r.region][f.name] = f.value;
    const processing::signatures::FeatureLookup lookup = [&](std::string_view region,
                                                             std::string_view feature) -> std::optional<double> {
        const auto r = table.find(region);
        if (r == table.end())
            return std::nullopt;
        const auto f = r->second.find(feature);
        return f == r->second.end() ? std::nullopt : std::optional<double>(f->second);
    };
    for (const processing::signatures::Signature& s : options.signatures)
        out.signatures.push_back({s.name, s.version, s.example, processing::signatures::ComputeSignature(s, lookup)});
    out.seconds = SecondsSince(start);
    return out;
}

std::string CaseAnalysisJson(const CaseAnalysis& a, const processing::ImageGeometry& grid,
                             const std::string& settings_hash) {
    reporting::JsonWriter w;
    w.BeginObject();
    w.Key("software").BeginObject();
    w.Key("name").String("radnode");
    w.Key("version").String(RADNODE_VERSION);
    w.EndObject();
    w.Key("settings_hash").String(settings_hash);
    w.Key("seconds").Number(a.seconds);
    w.Key("regions");
    reporting::WriteRegions(w, a.regions, grid);
    w.Key("cac");
    reporting::WriteCac(w, a.regions.cac);
    w.Key("radiomics").BeginArray();
    for (const RegionRadiomics& region : a.radiomics) {
        w.BeginObject();
        w.Key("region").String(region.region);
        w.Key("voxels").Unsigned(region.voxels);
        w.Key("seconds").Number(region.seconds);
        if (!region.error.empty())
            w.Key("error").String(region.error);
        w.Key("features").BeginObject();
        for (const rad::Feature& f : region.features)
            w.Key(f.name).Number(f.value);
        w.EndObject();
        w.EndObject();
    }
    w.EndArray();
    w.Key("signatures").BeginArray();
    for (const SignatureOutcome& o : a.signatures) {
        w.BeginObject();
        w.Key("name").String(o.name);
        w.Key("version").String(o.version);
        w.Key("example").Bool(o.example);
        w.Key("computable").Bool(o.result.computable);
        if (o.result.computable) {
            w.Key("score").Number(o.result.score);
            w.Key("group").String(o.result.group);
        } else {
            w.Key("reason").String(o.result.reason);
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return w.Text() + "\n";
}

std::string CaseAnalysisCsv(const CaseAnalysis& a) {
    std::string csv = "region,feature,value\n";
    auto row = [&](const std::string& region, const std::string& feature, double value) {
        csv += fmt::format("{},{},{}\n", region, feature, value);
    };
    for (const auto& r : {&a.regions.tumour, &a.regions.thorax.body, &a.regions.thorax.lung_right,
                          &a.regions.thorax.lung_left, &a.regions.lungs, &a.regions.thorax.heart,
                          &a.regions.thorax.coronary_candidates})
        if (r->found)
            row(r->name, "volume_ml", r->volume_ml);
    if (a.regions.peritumoral_computed)
        for (const rg::PeritumoralRegion& r : a.regions.peritumoral.regions)
            row(r.name, "volume_ml", r.volume_ml);
    if (a.regions.cac.computed) {
        row("coronary", "cac_agatston", a.regions.cac.agatston_scaled);
        row("coronary", "cac_volume_mm3", a.regions.cac.volume_mm3);
        row("coronary", "cac_mass_mg", a.regions.cac.mass_mg);
        row("coronary", "cac_lesions", static_cast<double>(a.regions.cac.lesion_count));
    }
    for (const RegionRadiomics& r : a.radiomics)
        for (const rad::Feature& f : r.features)
            row(r.region, f.name, f.value);
    for (const SignatureOutcome& o : a.signatures)
        if (o.result.computable)
            row("signature", o.name, o.result.score);
    return csv;
}

} // namespace radnode::tools
