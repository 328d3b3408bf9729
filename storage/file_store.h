#pragma once
/// The durable file store: <root>/instances/<StudyUID>/<SeriesUID>/<SOPUID>.dcm, temp files in <root>/tmp.

#include "storage/status.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace radnode::storage {

/// Places received files durably. Thread-safe: one FileStore per root, shared by all association threads.
/// Construct it once per process at start-up, before any association runs (the constructor deletes
/// whatever is in <root>/tmp).
class FileStore {
public:
    /// Creates <root>/instances and <root>/tmp and deletes stale temp files a crash left behind (they were
    /// never acknowledged), logging how many. Throws StorageError(IoError) when the directories cannot be made.
    explicit FileStore(std::filesystem::path root);
    FileStore(const FileStore&) = delete;
    FileStore& operator=(const FileStore&) = delete;

    /// A fresh, unique path in <root>/tmp (same filesystem as the final place, so Commit() is a rename).
    /// The file is not created.
    std::filesystem::path NewTempPath();

    /// "instances/<study>/<series>/<sop>.dcm". Each UID must be digits and dots, 1–64 characters, starting
    /// and ending with a digit and without empty components (so no path traversal is possible), else
    /// ErrorCode::InvalidDataset.
    Result<std::string> RelativePathFor(std::string_view study, std::string_view series, std::string_view sop) const;

    /// Makes `temp` durable at `relative_final`: fsync(temp) → create missing directories, fsyncing each new
    /// directory's parent → rename(temp, final), replacing any file there → fsync(final directory).
    /// Only when this returns Ok may the instance be indexed and acknowledged. Errors carry the errno text;
    /// ENOSPC/EDQUOT map to OutOfResources, anything else to StorageFailure; an unsafe `relative_final` is
    /// InvalidRequest. On error `temp` is left for the caller.
    Status Commit(const std::filesystem::path& temp, const std::string& relative_final);

    /// Deletes a stored file (e.g. the old path of a replaced instance) and fsyncs its directory.
    Status Remove(const std::string& relative);

    /// <root>/<relative>.
    std::filesystem::path Absolute(std::string_view relative) const;
    const std::filesystem::path& Root() const { return root_; }

    /// Bytes available to unprivileged users on the root's filesystem (statvfs). Throws StorageError.
    std::uint64_t FreeBytes() const;

    /// Serialises work on one SOP Instance UID within this process (striped locks). Hold it across
    /// Find → Commit → Put so two associations storing the same SOP cannot interleave file and row.
    [[nodiscard]] std::unique_lock<std::mutex> LockInstance(std::string_view sop_instance_uid);

    /// XXH3-128 (32 lower-case hex digits) of the bytes after the Part 10 header (128-byte preamble, "DICM",
    /// group 0002), so the hash depends only on the dataset and not on the receiver-written meta header. A
    /// file without "DICM" at offset 128 is hashed whole. Throws StorageError (IoError, or Corrupt for a
    /// malformed meta header; kind Io or Corrupt).
    static std::string HashDatasetBytes(const std::filesystem::path& part10_file);

    /// True for a UID that RelativePathFor() accepts.
    static bool IsValidUid(std::string_view uid);

private:
    Status EnsureDurableDirectory(const std::filesystem::path& relative_dir);

    std::filesystem::path root_;
    std::filesystem::path tmp_dir_;
    std::string temp_prefix_;
    std::atomic<std::uint64_t> temp_counter_{0};

    std::mutex directories_mutex_;
    std::unordered_set<std::string> durable_directories_; ///< relative dirs whose entries are known fsynced

    static constexpr std::size_t kInstanceLockStripes = 64;
    std::array<std::mutex, kInstanceLockStripes> instance_locks_;
};

} // namespace radnode::storage
