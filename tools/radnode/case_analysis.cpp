#include "tools/radnode/case_analysis.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <system_error>
#include <map>
#include <optional>

#include "config/radiomics_params.h"
#include "processing/parallel_for.h"
#include "config/signature_file.h"
#include "reporting/dicom_values.h"
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
    return fmt::format("fnv1a64:{:016x}", reporting::Fnv1a64(text));
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
    params.settings.additional_info = false; // PyRadiomics' diagnostics: not reported per case
    std::vector<const rg::NamedMask*> wanted;
    const std::vector<rg::NamedMask> masks = out.regions.Masks();
    for (const rg::NamedMask& region : masks)
        if (Wanted(options.radiomics_regions, region.name))
            wanted.push_back(&region);
    out.radiomics.resize(wanted.size());
    // Largest boxes first, so that the small regions fill the gaps at the end.
    std::vector<std::size_t> order(wanted.size());
    for (std::size_t w = 0; w < order.size(); ++w)
        order[w] = w;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return wanted[a]->mask->BoxVoxelCount() > wanted[b]->mask->BoxVoxelCount();
    });
    // Two regions at a time, each extraction itself parallel: one region's serial steps
    // (preprocessing, its last derived image) then leave no core idle. Each of the two keeps
    // one whole-grid label volume, into whose box every region it takes is written and then
    // cleared.
    constexpr std::size_t kConcurrentRegions = 2;
    std::atomic<std::size_t> next{0};
    processing::ParallelFor(kConcurrentRegions, kConcurrentRegions, [&](std::size_t) {
        std::optional<processing::Volume<std::int32_t>> labels;
        const auto paint = [&labels](const rg::BoxMask& mask, bool set) {
            for (std::size_t k = 0; k < mask.size[2]; ++k)
                for (std::size_t j = 0; j < mask.size[1]; ++j) {
                    std::int32_t* row = &labels->At(mask.begin[0], mask.begin[1] + j, mask.begin[2] + k);
                    const std::uint8_t* values = &mask.values[mask.size[0] * (j + mask.size[1] * k)];
                    for (std::size_t i = 0; i < mask.size[0]; ++i)
                        row[i] = set && values[i] != 0 ? 1 : 0;
                }
        };
        for (std::size_t taken = next++; taken < order.size(); taken = next++) {
            const std::size_t w = order[taken];
            const rg::BoxMask& mask = *wanted[w]->mask;
            const auto region_start = std::chrono::steady_clock::now();
            RegionRadiomics& r = out.radiomics[w];
            r.region = wanted[w]->name;
            r.voxels = mask.Count();
            if (!labels)
                labels.emplace(ct.Geometry(), 0);
            paint(mask, true);
            try {
                rad::ExtractionResult result = rad::Extract(image, *labels, params);
                r.error = std::move(result.error);
                r.features = std::move(result.features);
            } catch (const std::exception& e) {
                r.error = std::string("extraction failed: ") + e.what();
            }
            paint(mask, false);
            r.seconds = SecondsSince(region_start);
        }
    });

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
