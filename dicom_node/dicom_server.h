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

    /// Listens until stop() is called; an error if the port cannot be opened.
    Status run();
    /// Thread-safe: stops accepting and returns from run() once the current associations end.
    void stop();
    const ListenerCounters& counters() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Process-wide DCMTK network settings radnode relies on: Nagle's algorithm off on
/// every DICOM socket whatever the environment says, no reverse DNS for peers.
void configure_dcmtk_network();

} // namespace radnode::dicom_node
