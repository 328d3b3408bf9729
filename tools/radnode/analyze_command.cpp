// `radnode analyze`: the node's whole analysis of one CT case, offline, on a folder: automatic
// regions and CAC, radiomics of the tumour, its rings, the lungs and the heart region with one
// parameter file, and the configured signatures; results as results.json and features.csv.
//
// Policy (see docs/user-guide.md, "radnode analyze", and docs/analysis.md):
//  - CT and tumour are found as by `radnode segment` (--tumour, else the RTSTRUCT/SEG with the
//    CT; --no-tumour ignores any);
//  - --params is a PyRadiomics parameter file; without it the built-in default (original + LoG
//    sigma 1-5 mm + coif1 wavelet, binWidth 25, 1 mm B-spline resampling) is used;
//  - --signatures FILE_OR_FOLDER (repeatable) adds signatures; an invalid file is exit 2 before
//    anything runs;
//  - a region whose radiomics fail (e.g. too small) gets its error in results.json, the others
//    still run; a signature that lacks a feature is "not computable" with the reason;
//  - exit 0 when the results are written, 2 on unusable input or settings, 1 when an output
//    cannot be written.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "config/errors.h"
#include "tools/radnode/case_analysis.h"
#include "tools/radnode/case_reports.h"
#include "tools/radnode/commands.h"
#include "tools/radnode/ct_inputs.h"

namespace radnode::tools {
namespace {

namespace fs = std::filesystem;

struct AnalyzeOptions {
    fs::path input;
    fs::path tumour;
    fs::path out;
    fs::path params;
    std::vector<fs::path> signatures;
    std::vector<std::string> regions;
    std::string roi;
    bool no_tumour = false;
    bool show_params = false;
};

bool WriteText(const fs::path& file, const std::string& text) {
    std::ofstream stream(file, std::ios::binary | std::ios::trunc);
    stream << text;
    return static_cast<bool>(stream.flush());
}

int Run(const AnalyzeOptions& o, const config::Config& config) {
    if (o.show_params) {
        std::cout << DefaultAnalysisParamsYaml();
        return kExitOk;
    }
    if (o.input.empty() || o.out.empty()) {
        std::cerr << "radnode analyze: --input and --out are required\n";
        return kExitBadInput;
    }
    LoadedAnalysisOptions loaded;
    try {
        loaded = LoadAnalysisOptions(config, o.params, o.signatures, o.regions);
    } catch (const config::ConfigError& e) {
        std::cerr << "radnode analyze: " << e.what() << "\n";
        return kExitBadInput;
    }
    const CaseAnalysisOptions& options = loaded.options;

    CtInput ct = LoadCtFolder(o.input, config);
    if (!ct.error.empty()) {
        std::cerr << "radnode analyze: " << ct.error << "\n";
        return kExitBadInput;
    }
    for (const std::string& note : ct.notes)
        std::cerr << "radnode analyze: note: " << note << "\n";
    const processing::ImageGeometry& grid = ct.volume.Geometry();

    TumourFileChoice choice;
    if (!o.tumour.empty())
        choice.file = o.tumour;
    else if (!o.no_tumour)
        choice = FindTumourFile(o.input, ct.frame_of_reference);
    if (!choice.error.empty()) {
        std::cerr << "radnode analyze: " << choice.error << "\n";
        return kExitBadInput;
    }
    if (!choice.note.empty())
        std::cerr << "radnode analyze: note: " << choice.note << "\n";
    processing::regions::BoxMask tumour;
    std::vector<std::string> notes;
    if (!choice.file.empty()) {
        CaseTumour t = LoadCaseTumour(choice.file, o.roi, ct, config);
        if (!t.error.empty()) {
            std::cerr << "radnode analyze: " << t.error << "\n";
            return kExitBadInput;
        }
        tumour = std::move(t.mask);
        notes = std::move(t.notes);
    }
    if (!choice.note.empty())
        notes.insert(notes.begin(), choice.note);

    CaseAnalysis analysis = RunCaseAnalysis(ct.volume, ct.kvp, tumour, options);
    analysis.regions.notes.insert(analysis.regions.notes.begin(), notes.begin(), notes.end());

    const std::string& fingerprint = loaded.fingerprint;

    std::error_code ec;
    fs::create_directories(o.out, ec);
    if (ec) {
        std::cerr << "radnode analyze: cannot create " << o.out.string() << ": " << ec.message() << "\n";
        return kExitWriteFailed;
    }
    if (!WriteText(o.out / "results.json", CaseAnalysisJson(analysis, grid, fingerprint)) ||
        !WriteText(o.out / "features.csv", CaseAnalysisCsv(analysis))) {
        std::cerr << "radnode analyze: cannot write the results in " << o.out.string() << "\n";
        return kExitWriteFailed;
    }
    CaseReportOptions report_options;
    report_options.software_version = RADNODE_VERSION;
    report_options.parameters = {"settings " + fingerprint,
                                 o.params.empty() ? std::string("default analysis parameters") : o.params.string()};
    const CaseReports reports = WriteCaseReports(ct, analysis, o.out, report_options);
    if (!reports.error.empty())
        std::cerr << "radnode analyze: no DICOM reports: " << reports.error << "\n";
    else
        std::cerr << fmt::format("radnode analyze: wrote seg.dcm ({} segments) and sr.dcm\n", reports.segments);
    for (const RegionRadiomics& r : analysis.radiomics)
        std::cerr << fmt::format("radnode analyze: {:<14} {}\n", r.region,
                                 r.error.empty() ? fmt::format("{} features ({:.1f} s)", r.features.size(), r.seconds)
                                                 : "no radiomics: " + r.error);
    if (analysis.regions.cac.computed)
        std::cerr << fmt::format("radnode analyze: CAC Agatston {:.1f} ({})\n", analysis.regions.cac.agatston_scaled,
                                 analysis.regions.cac.risk_category);
    else
        std::cerr << "radnode analyze: CAC not computed: " << analysis.regions.cac.reason << "\n";
    for (const SignatureOutcome& s : analysis.signatures)
        std::cerr << fmt::format("radnode analyze: signature {} {}\n", s.name,
                                 s.result.computable ? fmt::format("{:.4g} ({})", s.result.score, s.result.group)
                                                     : "not computable: " + s.result.reason);
    std::cerr << fmt::format("radnode analyze: wrote results.json and features.csv to {} ({:.1f} s)\n",
                             o.out.string(), analysis.seconds);
    return kExitOk;
}

} // namespace

void AddAnalyzeCommand(CLI::App& app, CommonOptions& common) {
    auto options = std::make_shared<AnalyzeOptions>();
    CLI::App* cmd = app.add_subcommand(
        "analyze", "The node's whole analysis of a DICOM CT folder offline: regions, CAC, radiomics, signatures");
    cmd->add_option("--input", options->input, "DICOM CT series folder (searched recursively)")
        ->check(CLI::ExistingDirectory);
    cmd->add_flag("--show-params", options->show_params, "Print the built-in analysis parameter file and exit");
    CLI::Option* tumour = cmd->add_option("--tumour", options->tumour, "Tumour RTSTRUCT or SEG file (default: the one "
                                                                       "found with the CT)")
                              ->check(CLI::ExistingFile);
    cmd->add_flag("--no-tumour", options->no_tumour, "Ignore any RTSTRUCT/SEG")->excludes(tumour);
    cmd->add_option("--roi", options->roi, "RTSTRUCT ROI name or SEG segment label (case-insensitive)");
    cmd->add_option("--params", options->params, "PyRadiomics parameter file (default: the built-in analysis)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--signatures", options->signatures, "Signature file or folder of them (repeatable)")
        ->check(CLI::ExistingPath);
    cmd->add_option("--regions", options->regions,
                    "Regions that get radiomics: names, prefixes ending in '*', or 'all' "
                    "(default: tumour,ring_*,annulus_*,tumour_ring_*,core_*,lung_right,lung_left,heart)")
        ->delimiter(',');
    cmd->add_option("--out", options->out, "Output folder (created)");
    common.AddTo(*cmd);
    cmd->callback([options, &common] { SetExitCode(Run(*options, common.Load())); });
}

} // namespace radnode::tools
