#pragma once
/// The DICOM listener: an SCP pool serving C-ECHO and C-STORE on dicom.port with
/// up to dicom.max_associations concurrent associations. No DCMTK type in this header.

#include <memory>

#include "config/config.h"
#include "config/errors.h"

namespace radnode::storage {
class FileStore;
}

namespace radnode::dicom_node {

struct ListenerCounters;

class DicomServer {
public:
    /// `files` must outlive the server; the database file must already be migrated.
    DicomServer(const config::Config& config, storage::FileStore& files, std::filesystem::path database_file);
    ~DicomServer();
    DicomServer(const DicomServer&) = delete;
    DicomServer& operator=(const DicomServer&) = delete;

    /// Listens until Stop() is called; an error if the port cannot be opened.
    Status Run();
    /// Thread-safe: stops accepting and returns from Run() once the current associations end.
    void Stop();
    const ListenerCounters& Counters() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Process-wide DCMTK network settings radnode relies on: Nagle's algorithm off on
/// every DICOM socket whatever the environment says, no reverse DNS for peers.
void ConfigureDcmtkNetwork();

} // namespace radnode::dicom_node
