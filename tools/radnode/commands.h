#pragma once
/// Subcommands of the radnode executable. Each Add*Command registers its options and a
/// callback; the callback stores its exit code for main() to return.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config.h"

namespace radnode::tools {

/// Exit codes the offline commands share (each command's policy comment says when).
inline constexpr int kExitOk = 0;
inline constexpr int kExitWriteFailed = 1; ///< an output could not be written
inline constexpr int kExitBadInput = 2;    ///< unusable input or parameters

/// Options every node command shares: where the configuration comes from.
struct CommonOptions {
    std::string config_file;
    std::vector<std::string> overrides; ///< --set key=value
    std::string data_dir, ae_title;
    int port = -1;

    /// Registers --config/--set and the shorthand flags on `command`.
    void AddTo(CLI::App& command);
    /// Defaults ← config file ← --set ← shorthand flags.
    config::Config Load() const;
};

void AddServeCommand(CLI::App& app, CommonOptions& common);
void AddConfigCommand(CLI::App& app, CommonOptions& common);
/// `radnode convert`: a DICOM CT folder (and an RTSTRUCT ROI) to NRRD/NIfTI files.
void AddConvertCommand(CLI::App& app, CommonOptions& common);
/// `radnode extract`: PyRadiomics-compatible radiomics features, one case or a batch CSV.
void AddExtractCommand(CLI::App& app, CommonOptions& common);
/// `radnode segment`: automatic regions and coronary calcium of a DICOM CT, written for inspection.
void AddSegmentCommand(CLI::App& app, CommonOptions& common);
/// `radnode analyze`: the whole analysis of a DICOM CT folder offline (results.json, features.csv).
void AddAnalyzeCommand(CLI::App& app, CommonOptions& common);

void SetExitCode(int code);
int ExitCode();

} // namespace radnode::tools
