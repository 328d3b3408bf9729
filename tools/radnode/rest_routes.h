#pragma once
/// The REST routes of `radnode serve`. This release serves GET /health; the
/// query API (studies, results, jobs) joins it later.

#include <filesystem>

#include "config/config.h"
#include "dicom_node/http_server.h"

namespace radnode::dicom_node {
class DicomServer;
}
namespace radnode::storage {
class FileStore;
}

namespace radnode::tools {

struct RestContext {
    const config::Config& config;
    const dicom_node::DicomServer& dicom;
    storage::FileStore& files;
    std::filesystem::path database_file;
};

/// Routes requests; unknown paths are 404 and other methods 405, as JSON errors.
dicom_node::HttpHandler MakeRestHandler(RestContext context);

} // namespace radnode::tools
