#include "storage/file_store.h"

#include "config/log.h"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <random>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <system_error>
#include <unistd.h>

namespace radnode::storage {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kInstancesDir = "instances";
constexpr std::string_view kTmpDir = "tmp";

/// OutOfResources for a full disk or quota, StorageFailure for any other errno; the message keeps the errno text.
Status ErrnoStatus(int error, std::string_view operation, const fs::path& path) {
    const ErrorCode code = (error == ENOSPC || error == EDQUOT) ? ErrorCode::OutOfResources : ErrorCode::StorageFailure;
    return Status::Error(code,
                         fmt::format("{} '{}': {}", operation, path.string(), std::system_category().message(error)));
}

/// Closes a file descriptor on scope exit.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int Get() const { return fd_; }

private:
    int fd_;
};

/// Flushes a file's data or a directory's entries to stable storage. Directory entries (a created file, a
/// rename) are durable only once the directory itself is fsynced. For a file fdatasync() suffices: it
/// flushes the data and the metadata needed to read it back (size, blocks), skipping timestamps.
Status SyncPath(const fs::path& path, bool directory) {
    const int flags = O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0);
    FileDescriptor fd(::open(path.c_str(), flags));
    if (fd.Get() < 0)
        return ErrnoStatus(errno, "open", path);
    if ((directory ? ::fsync(fd.Get()) : ::fdatasync(fd.Get())) != 0)
        return ErrnoStatus(errno, directory ? "fsync" : "fdatasync", path);
    return {};
}

/// A relative path with no root, no empty, "." or ".." components: it cannot leave the store.
bool IsSafeRelative(const fs::path& relative) {
    if (relative.empty() || relative.has_root_path())
        return false;
    for (const auto& part : relative)
        if (part.empty() || part == "." || part == "..")
            return false;
    return true;
}

std::string RandomHex() {
    std::random_device device;
    return fmt::format("{:08x}", device());
}

} // namespace

FileStore::FileStore(fs::path root) : root_(std::move(root)), tmp_dir_(root_ / kTmpDir) {
    temp_prefix_ = fmt::format("{}-{}", ::getpid(), RandomHex());
    std::error_code error;
    for (const fs::path& dir : {root_ / kInstancesDir, tmp_dir_}) {
        fs::create_directories(dir, error);
        if (error)
            throw StorageError(StorageError::Kind::Io,
                               fmt::format("cannot create directory '{}': {}", dir.string(), error.message()));
    }
    const fs::path root_parent = root_.has_parent_path() ? root_.parent_path() : fs::path(".");
    for (const fs::path& dir : {root_parent, root_, root_ / kInstancesDir, tmp_dir_})
        if (const Status status = SyncPath(dir, true); !status)
            throw StorageError(StorageError::Kind::Io, status.message);

    // Anything in tmp/ is a file whose Commit() never ran (or never finished): never acknowledged.
    std::size_t removed = 0;
    for (const auto& entry : fs::directory_iterator(tmp_dir_, error)) {
        std::error_code remove_error;
        if (fs::remove_all(entry.path(), remove_error) > 0 && !remove_error)
            ++removed;
        else if (remove_error)
            RADNODE_LOG_WARN(Category::Db, "cannot remove stale temp file",
                             {{"path", entry.path().string()}, {"error", remove_error.message()}});
    }
    if (error)
        throw StorageError(StorageError::Kind::Io,
                           fmt::format("cannot list '{}': {}", tmp_dir_.string(), error.message()));
    RADNODE_LOG_INFO(Category::Db, "file store opened",
                     {{"root", root_.string()}, {"stale_temp_files_removed", removed}});
}

fs::path FileStore::NewTempPath() {
    const std::uint64_t n = temp_counter_.fetch_add(1, std::memory_order_relaxed);
    return tmp_dir_ / fmt::format("{}-{}.part", temp_prefix_, n);
}

bool FileStore::IsValidUid(std::string_view uid) {
    if (uid.empty() || uid.size() > 64)
        return false;
    if (uid.front() == '.' || uid.back() == '.')
        return false;
    char previous = '\0';
    for (const char c : uid) {
        if (c != '.' && (c < '0' || c > '9'))
            return false;
        if (c == '.' && previous == '.')
            return false;
        previous = c;
    }
    return true;
}

Result<std::string> FileStore::RelativePathFor(std::string_view study, std::string_view series,
                                               std::string_view sop) const {
    for (const auto& [what, uid] : {std::pair{"StudyInstanceUID", study}, std::pair{"SeriesInstanceUID", series},
                                    std::pair{"SOPInstanceUID", sop}})
        if (!IsValidUid(uid))
            // The value goes to logs: cap it, it came from the network.
            return Status::Error(ErrorCode::InvalidDataset,
                                 fmt::format("{} '{}' is not a valid UID", what, uid.substr(0, 80)));
    return fmt::format("{}/{}/{}/{}.dcm", kInstancesDir, study, series, sop);
}

Status FileStore::EnsureDurableDirectory(const fs::path& relative_dir) {
    fs::path prefix;
    for (const auto& part : relative_dir) {
        const fs::path parent = prefix;
        prefix /= part;
        {
            std::lock_guard lock(directories_mutex_);
            if (durable_directories_.contains(prefix.native()))
                continue;
        }
        const fs::path absolute_dir = root_ / prefix;
        if (::mkdir(absolute_dir.c_str(), 0755) != 0 && errno != EEXIST)
            return ErrnoStatus(errno, "mkdir", absolute_dir);
        // Also when it already existed: another thread may have made it and not yet fsynced the parent, or a
        // crash may have interrupted that. One extra fsync per directory per process is cheap.
        if (Status status = SyncPath(root_ / parent, true); !status)
            return status;
        std::lock_guard lock(directories_mutex_);
        if (durable_directories_.size() > 100'000)
            durable_directories_.clear(); // bound memory on long runs; entries are only a cache
        durable_directories_.insert(prefix.native());
    }
    return {};
}

Status FileStore::Commit(const fs::path& temp, const std::string& relative_final) {
    const fs::path relative(relative_final);
    if (!IsSafeRelative(relative) || !relative.has_parent_path())
        return Status::Error(ErrorCode::InvalidRequest, fmt::format("unsafe store path '{}'", relative_final));
    const fs::path final_path = root_ / relative;

    // 1. The data must be on disk before the name points at it, else a crash could leave a complete-looking
    //    but empty or partial file under its final name.
    if (Status status = SyncPath(temp, false); !status)
        return status;
    // 2. Every directory on the way must itself be durable.
    if (Status status = EnsureDurableDirectory(relative.parent_path()); !status)
        return status;
    // 3. Atomic replace: readers see the old file or the new one, never a mix.
    if (::rename(temp.c_str(), final_path.c_str()) != 0)
        return ErrnoStatus(errno, "rename to", final_path);
    // 4. Make the rename itself durable.
    return SyncPath(final_path.parent_path(), true);
}

Status FileStore::Remove(const std::string& relative) {
    const fs::path relative_path(relative);
    if (!IsSafeRelative(relative_path))
        return Status::Error(ErrorCode::InvalidRequest, fmt::format("unsafe store path '{}'", relative));
    const fs::path path = root_ / relative_path;
    if (::unlink(path.c_str()) != 0)
        return ErrnoStatus(errno, "unlink", path);
    return SyncPath(path.parent_path(), true);
}

fs::path FileStore::Absolute(std::string_view relative) const {
    return root_ / fs::path(relative);
}

std::uint64_t FileStore::FreeBytes() const {
    struct statvfs info {};
    if (::statvfs(root_.c_str(), &info) != 0) {
        const int error = errno;
        throw StorageError(error == ENOSPC ? StorageError::Kind::DiskFull : StorageError::Kind::Io,
                           ErrnoStatus(error, "statvfs", root_).message);
    }
    return static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
}

std::unique_lock<std::mutex> FileStore::LockInstance(std::string_view sop_instance_uid) {
    const std::size_t stripe = std::hash<std::string_view>{}(sop_instance_uid) % kInstanceLockStripes;
    return std::unique_lock(instance_locks_[stripe]);
}

} // namespace radnode::storage
