#pragma once
// Serialises the phantom truth to truth.json (schema in docs/phantom.md).

#include "processing/phantom/thorax_phantom.h"
#include "tools/phantom/phantom_study.h"

#include <filesystem>
#include <string>

namespace radnode::tools {

/// The truth document as JSON text.
[[nodiscard]] std::string TruthToJson(const processing::phantom::PhantomTruth& truth,
                                      const processing::phantom::PhantomOptions& options, const PhantomStudy& study,
                                      bool unsigned_storage);

/// Writes TruthToJson() to `file`; throws std::runtime_error on I/O failure.
void WriteTruthJson(const std::filesystem::path& file, const processing::phantom::PhantomTruth& truth,
                    const processing::phantom::PhantomOptions& options, const PhantomStudy& study,
                    bool unsigned_storage);

} // namespace radnode::tools
