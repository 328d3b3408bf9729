#pragma once
/// Signature files (YAML, or JSON, which yaml-cpp reads as YAML): one radiomics signature
/// each, parsed into processing::signatures::Signature and validated. Unknown or repeated
/// keys, wrong types and every ValidateSignature issue are errors; they throw
/// config::ConfigError naming the file, the field and the problem, e.g.
/// "sig.yaml: terms[2].sd (line 14): must be a finite number > 0, got 0".
/// Format: docs/signatures.md.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "processing/signatures/signature.h"

namespace radnode::config {

/// Reads and parses one signature file. Throws ConfigError.
processing::signatures::Signature LoadSignatureFile(const std::filesystem::path& file);

/// Parses signature text (YAML or JSON); `source` names it in messages. Throws ConfigError.
processing::signatures::Signature ParseSignature(const std::string& text, std::string_view source = "<signature>");

/// Every *.yaml, *.yml and *.json file directly in `folder`, in file-name order. Throws
/// ConfigError when the folder is not a directory, a file is invalid, or two files declare the
/// same signature name. An empty folder gives no signatures.
std::vector<processing::signatures::Signature> LoadSignatureFolder(const std::filesystem::path& folder);

} // namespace radnode::config
