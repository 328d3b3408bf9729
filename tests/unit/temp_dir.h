#pragma once
// A fresh temporary directory for a test, removed with its contents on destruction.

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace radnode::test {

class TempDir {
public:
    /// Creates <TMPDIR>/<prefix>-XXXXXX with mkdtemp, so parallel tests never collide.
    explicit TempDir(std::string_view prefix = "radnode-test") {
        std::string pattern = (std::filesystem::temp_directory_path() / (std::string{prefix} + "-XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed for " + pattern);
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    [[nodiscard]] const std::filesystem::path& Path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace radnode::test
