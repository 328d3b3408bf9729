#include <atomic>

#include "tools/radnode/commands.h"

namespace radnode::tools {
namespace {
std::atomic<int> g_exit_code{0};
}

void SetExitCode(int code) { g_exit_code = code; }
int ExitCode() { return g_exit_code; }

void CommonOptions::AddTo(CLI::App& command) {
    command.add_option("-c,--config", config_file, "YAML configuration file (see docs/configuration.md)")
        ->check(CLI::ExistingFile);
    command.add_option("--set", overrides, "Override a setting: --set dicom.port=104 (repeatable)");
    command.add_option("--data-dir", data_dir, "Shorthand for --set node.data_dir=DIR");
    command.add_option("--aet", ae_title, "Shorthand for --set dicom.ae_title=AET");
    command.add_option("--port", port, "Shorthand for --set dicom.port=PORT");
}

config::Config CommonOptions::Load() const {
    std::vector<std::string> all = overrides;
    if (!data_dir.empty())
        all.push_back("node.data_dir=" + data_dir);
    if (!ae_title.empty())
        all.push_back("dicom.ae_title=" + ae_title);
    if (port >= 0)
        all.push_back("dicom.port=" + std::to_string(port));
    return config::LoadConfig(config_file, all);
}

} // namespace radnode::tools
