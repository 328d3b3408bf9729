// `radnode segment`: the automatic regions of a thoracic CT (body, airways, lungs, heart,
// aorta, coronary candidates, peritumoral rings) and its coronary calcium score, written for
// inspection: one NRRD label map (0/1) per region, regions.json and cac.json.
//
// Policy (see docs/user-guide.md, "radnode segment", and docs/segmentation.md):
//  - the CT is the series under --input with the most instances (as `convert`/`extract`);
//  - the tumour is --tumour (RTSTRUCT or SEG file); without it, the single RT Structure Set on
//    the CT's frame of reference under --input, else the single Segmentation there; none found
//    means no tumour (no peritumoral regions, said in regions.json); several of one kind and
//    none of the other is an error asking for --tumour; --no-tumour ignores any;
//  - regions that cannot be found are listed with found = false and the reason, and get no
//    file; CAC without a heart region is "computed": false with the reason, never a 0 score;
//  - exit 0 when the outputs are written (whatever was found), 2 on unusable input (no CT,
//    rejected series, unreadable or mismatched tumour file), 1 when an output cannot be written.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "processing/image_io.h"
#include "processing/regions/region_analysis.h"
#include "reporting/regions_json.h"
#include "tools/radnode/commands.h"
#include "tools/radnode/ct_inputs.h"
#include "tools/radnode/dicom_files.h"
#include "tools/radnode/region_settings.h"

namespace radnode::tools {
namespace {

namespace fs = std::filesystem;
namespace regions = processing::regions;


struct SegmentOptions {
    fs::path input;
    fs::path tumour;
    fs::path out;
    std::string roi;
    bool no_tumour = false;
};

/// The tumour file to use: --tumour, else the one found with the CT (FindTumourFile).
TumourFileChoice ChooseTumourFile(const SegmentOptions& o, const std::string& frame_of_reference) {
    if (o.no_tumour)
        return {};
    if (!o.tumour.empty())
        return {o.tumour, "", ""};
    return FindTumourFile(o.input, frame_of_reference);
}

bool WriteText(const fs::path& file, const std::string& text) {
    std::ofstream stream(file, std::ios::binary | std::ios::trunc);
    stream << text;
    return static_cast<bool>(stream.flush());
}

int Run(const SegmentOptions& o, const config::Config& config) {
    CtInput ct = LoadCtFolder(o.input, config);
    if (!ct.error.empty()) {
        std::cerr << "radnode segment: " << ct.error << "\n";
        return kExitBadInput;
    }
    for (const std::string& note : ct.notes)
        std::cerr << "radnode segment: note: " << note << "\n";
    const processing::ImageGeometry& grid = ct.volume.Geometry();

    const TumourFileChoice choice = ChooseTumourFile(o, ct.frame_of_reference);
    if (!choice.error.empty()) {
        std::cerr << "radnode segment: " << choice.error << "\n";
        return kExitBadInput;
    }
    std::vector<std::string> notes;
    if (!choice.note.empty())
        notes.push_back(choice.note);
    regions::BoxMask tumour;
    if (!choice.file.empty()) {
        CaseTumour t = LoadCaseTumour(choice.file, o.roi, ct, config);
        if (!t.error.empty()) {
            std::cerr << "radnode segment: " << t.error << "\n";
            return kExitBadInput;
        }
        tumour = std::move(t.mask);
        notes.insert(notes.end(), t.notes.begin(), t.notes.end());
    }
    for (const std::string& note : notes)
        std::cerr << "radnode segment: note: " << note << "\n";

    regions::RegionAnalysis analysis = regions::AnalyseRegions(ct.volume, tumour, RegionSettingsFrom(config), ct.kvp);
    analysis.notes.insert(analysis.notes.begin(), notes.begin(), notes.end());

    std::error_code ec;
    fs::create_directories(o.out, ec);
    if (ec) {
        std::cerr << "radnode segment: cannot create " << o.out.string() << ": " << ec.message() << "\n";
        return kExitWriteFailed;
    }
    std::map<std::string, std::string> files;
    auto write_region = [&](const std::string& name, const regions::BoxMask& mask) {
        const std::string file = name + ".nrrd";
        const processing::ImageIoResult written = processing::WriteImage(regions::ToLabelMap(mask, grid), o.out / file);
        if (!written.IsOk()) {
            std::cerr << "radnode segment: cannot write " << (o.out / file).string() << ": " << written.error << "\n";
            return false;
        }
        files[name] = file;
        return true;
    };
    for (const regions::DerivedRegion* r : analysis.Regions())
        if (r->found && !write_region(r->name, r->mask))
            return kExitWriteFailed;
    if (analysis.peritumoral_computed)
        for (const regions::PeritumoralRegion& r : analysis.peritumoral.regions)
            if (!write_region(r.name, r.mask))
                return kExitWriteFailed;
    if (!WriteText(o.out / "regions.json", reporting::RegionsJson(analysis, grid, files)) ||
        !WriteText(o.out / "cac.json", reporting::CacJson(analysis.cac))) {
        std::cerr << "radnode segment: cannot write the JSON files in " << o.out.string() << "\n";
        return kExitWriteFailed;
    }

    // A short summary on stderr; the files hold everything.
    for (const regions::DerivedRegion* r :
         {&analysis.lungs, &analysis.thorax.lung_right, &analysis.thorax.lung_left, &analysis.thorax.heart})
        std::cerr << fmt::format("radnode segment: {:<12} {}\n", r->name,
                                 r->found ? fmt::format("{:.1f} mL", r->volume_ml) : "not found: " + r->reason);
    if (analysis.cac.computed)
        std::cerr << fmt::format("radnode segment: CAC Agatston {:.1f} ({}), volume {:.1f} mm3, mass {:.1f} mg, {} lesions\n",
                                 analysis.cac.agatston_scaled, analysis.cac.risk_category, analysis.cac.volume_mm3,
                                 analysis.cac.mass_mg, analysis.cac.lesion_count);
    else
        std::cerr << "radnode segment: CAC not computed: " << analysis.cac.reason << "\n";
    if (!analysis.peritumoral_computed)
        std::cerr << "radnode segment: peritumoral regions not computed: " << analysis.peritumoral_reason << "\n";
    std::cerr << "radnode segment: wrote " << files.size() << " regions, regions.json and cac.json to "
              << o.out.string() << "\n";
    return kExitOk;
}

} // namespace

void AddSegmentCommand(CLI::App& app, CommonOptions& common) {
    auto options = std::make_shared<SegmentOptions>();
    CLI::App* cmd = app.add_subcommand(
        "segment", "Automatic thorax regions, peritumoral rings and coronary calcium of a DICOM CT, for inspection");
    cmd->add_option("--input", options->input, "DICOM CT series folder (searched recursively)")
        ->required()
        ->check(CLI::ExistingDirectory);
    CLI::Option* tumour = cmd->add_option("--tumour", options->tumour, "Tumour RTSTRUCT or SEG file (default: the one "
                                                                       "found with the CT)")
                              ->check(CLI::ExistingFile);
    cmd->add_flag("--no-tumour", options->no_tumour, "Ignore any RTSTRUCT/SEG: no peritumoral regions")->excludes(tumour);
    cmd->add_option("--roi", options->roi, "RTSTRUCT ROI name or SEG segment label (case-insensitive)");
    cmd->add_option("--out", options->out, "Output folder (created)")->required();
    common.AddTo(*cmd);
    cmd->callback([options, &common] { SetExitCode(Run(*options, common.Load())); });
}

} // namespace radnode::tools
