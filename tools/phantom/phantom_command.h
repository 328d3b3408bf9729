#pragma once
// The `radnode phantom` subcommand: writes the synthetic thoracic CT study
// (CT series, RTSTRUCT, SEG, truth.json) used throughout the test suite.

#include <CLI/CLI.hpp>

namespace radnode::tools {

/// Registers `phantom` on the application; see docs/phantom.md for its options.
void AddPhantomCommand(CLI::App& app);

} // namespace radnode::tools
