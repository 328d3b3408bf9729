#pragma once
/// Subcommands of the radnode executable. Each add_* registers its options and a
/// callback; the callback stores its exit code for main() to return.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config.h"

namespace radnode::tools {

/// Options every node command shares: where the configuration comes from.
struct CommonOptions {
    std::string config_file;
    std::vector<std::string> overrides; ///< --set key=value
    std::string data_dir, ae_title;
    int port = -1;

    /// Registers --config/--set and the shorthand flags on `command`.
    void add_to(CLI::App& command);
    /// Defaults ← config file ← --set ← shorthand flags.
    config::Config load() const;
};

void add_serve_command(CLI::App& app, CommonOptions& common);
void add_config_command(CLI::App& app, CommonOptions& common);

void set_exit_code(int code);
int exit_code();

} // namespace radnode::tools
