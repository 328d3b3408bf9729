#pragma once
/// RAII ownership of a temporary file path.

#include <filesystem>
#include <utility>

namespace radnode::storage {

/// Removes the file at `path` when destroyed, unless released (e.g. after FileStore::Commit renamed it).
/// Removal errors are ignored: a leftover temp file is cleaned by the next FileStore start-up.
class TempFile {
public:
    TempFile() = default;
    explicit TempFile(std::filesystem::path path) : path_(std::move(path)) {}
    TempFile(TempFile&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempFile& operator=(TempFile&& other) noexcept {
        if (this != &other) {
            Discard();
            path_ = std::exchange(other.path_, {});
        }
        return *this;
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() { Discard(); }

    const std::filesystem::path& Path() const { return path_; }
    /// Stops owning the file and returns its path.
    std::filesystem::path Release() { return std::exchange(path_, {}); }
    /// Removes the file now.
    void Discard() noexcept {
        if (!path_.empty()) {
            std::error_code ignored;
            std::filesystem::remove(path_, ignored);
            path_.clear();
        }
    }

private:
    std::filesystem::path path_;
};

} // namespace radnode::storage
