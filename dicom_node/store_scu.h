#pragma once
/// The C-STORE SCU that exports radnode's SR and SEG files to a PACS: one
/// association per call, one outcome per file, so the export job can decide per
/// file whether to retry later. Network failures are values, never exceptions.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/errors.h"

namespace radnode::dicom_node {

/// A remote storage SCP (a PACS) radnode sends to.
struct StoreDestination {
    std::string ae_title; ///< called AE title
    std::string host;
    int port = 0;
    std::string calling_ae = "RADNODE";
    std::chrono::seconds connect_timeout{10}; ///< TCP connect and A-ASSOCIATE-AC wait
    std::chrono::seconds dimse_timeout{60};   ///< wait for each C-STORE response
};

struct ParseDestinationResult {
    Status status;
    StoreDestination destination;
};

/// Parses "AE@host:port" (AE 1-16 characters without backslash or control characters,
/// host non-empty, port 1-65535; an IPv6 host is written in brackets, "AE@[::1]:104").
ParseDestinationResult ParseDestination(std::string_view text);

/// "AE@host:port", for logs and job rows.
std::string DescribeDestination(const StoreDestination& destination);

enum class FileOutcome {
    Sent,         ///< the peer answered Success or a Warning (see `status`)
    Refused,      ///< the peer answered a failure status, or accepted no presentation context for the SOP class
    NotAttempted, ///< the association failed or was lost before a response for this file arrived
    Unreadable,   ///< the file is missing or not a DICOM Part 10 file with SOP class/instance UIDs
};

std::string_view FileOutcomeName(FileOutcome outcome);

/// Why an association could not be used, for every file it affected.
enum class AssociationFailure {
    None,
    ConnectionFailed,      ///< TCP connect failed (refused, unreachable, name not resolved)
    Timeout,               ///< connect, A-ASSOCIATE-AC or a C-STORE response took too long
    Rejected,              ///< A-ASSOCIATE-RJ
    NoPresentationContext, ///< associated, but the peer accepted none of the proposed contexts
    Aborted,               ///< A-ABORT or a network error while sending
};

std::string_view AssociationFailureName(AssociationFailure failure);

struct FileStoreResult {
    std::filesystem::path file;
    std::string sop_class_uid;
    std::string sop_instance_uid;
    std::string study_instance_uid;
    FileOutcome outcome = FileOutcome::NotAttempted;
    std::optional<std::uint16_t> status; ///< the C-STORE response status, when one was received
    bool retryable = false;              ///< sending the same file again later may succeed
    std::string reason;                  ///< empty for a plain Success
};

struct StoreResult {
    std::vector<FileStoreResult> files; ///< in the order of the input
    AssociationFailure association = AssociationFailure::None;
    std::string association_reason;

    std::size_t Count(FileOutcome outcome) const;
    bool AllSent() const { return Count(FileOutcome::Sent) == files.size(); }
};

/// Sends `files` to `destination` on one association: one presentation context per SOP
/// class (the files' transfer syntaxes, then Explicit and Implicit VR Little Endian),
/// C-STORE of each file in order, release. Logs one line per file and per association
/// (category DICOM, UIDs only). Thread-safe except that DCMTK's connect timeout is a
/// process-wide setting: concurrent calls with different `connect_timeout` race on it.
StoreResult SendFiles(const StoreDestination& destination, const std::vector<std::filesystem::path>& files);

/// How a C-STORE response status is classified (PS3.4 B.2.3, PS3.7 C).
enum class StatusClass { Success, Warning, RetryableFailure, PermanentFailure };
StatusClass ClassifyStoreStatus(std::uint16_t status);

} // namespace radnode::dicom_node
