// FileStore::HashDatasetBytes: content hash of a Part 10 file, independent of its meta header.

#include "storage/file_store.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <memory>
#include <system_error>
#include <unistd.h>
#include <vector>
#include <xxhash.h>

namespace radnode::storage {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kPreambleSize = 128;
constexpr std::size_t kChunkSize = std::size_t{256} * 1024;

[[noreturn]] void ThrowIo(int error, std::string_view operation, const fs::path& path) {
    throw StorageError(StorageError::Kind::Io,
                       fmt::format("{} '{}': {}", operation, path.string(), std::system_category().message(error)));
}

class ReadOnlyFile {
public:
    explicit ReadOnlyFile(const fs::path& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0)
            ThrowIo(errno, "open", path);
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    ReadOnlyFile(const ReadOnlyFile&) = delete;
    ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
    ~ReadOnlyFile() { ::close(fd_); }

    /// Reads up to `size` bytes at `offset`; fewer only at end of file.
    std::size_t ReadAt(std::uint64_t offset, void* buffer, std::size_t size) const {
        std::size_t done = 0;
        while (done < size) {
            const ssize_t n =
                ::pread(fd_, static_cast<char*>(buffer) + done, size - done, static_cast<off_t>(offset + done));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                ThrowIo(errno, "read", path_);
            }
            if (n == 0)
                break;
            done += static_cast<std::size_t>(n);
        }
        return done;
    }

private:
    const fs::path& path_;
    int fd_;
};

std::uint16_t Le16(const unsigned char* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t Le32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

/// Explicit VR Little Endian VRs with a 2-byte reserved field and a 4-byte length.
bool HasLongLength(const unsigned char* vr) {
    static constexpr std::array<std::string_view, 13> kLong{"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                                            "SV", "UC", "UN", "UR", "UT", "UV"};
    const std::string_view code(reinterpret_cast<const char*>(vr), 2);
    for (const auto& candidate : kLong)
        if (code == candidate)
            return true;
    return false;
}

/// Offset of the first byte after the Part 10 header, or 0 when the file has no "DICM" prefix. The meta
/// group is walked element by element (always Explicit VR Little Endian) rather than trusting
/// (0002,0000), which some writers get wrong; for a correct file both give the same offset.
std::uint64_t DatasetOffset(const ReadOnlyFile& file, const fs::path& path) {
    std::array<unsigned char, kPreambleSize + 4> head{};
    if (file.ReadAt(0, head.data(), head.size()) < head.size() ||
        std::memcmp(head.data() + kPreambleSize, "DICM", 4) != 0)
        return 0;
    std::uint64_t offset = head.size();
    for (;;) {
        std::array<unsigned char, 12> element{};
        const std::size_t got = file.ReadAt(offset, element.data(), element.size());
        if (got < 8 || Le16(element.data()) != 0x0002)
            return offset; // end of file or first dataset element
        const unsigned char* vr = element.data() + 4;
        if (vr[0] < 'A' || vr[0] > 'Z' || vr[1] < 'A' || vr[1] > 'Z')
            throw StorageError(
                StorageError::Kind::Corrupt,
                fmt::format("'{}': meta header element at offset {} has no explicit VR", path.string(), offset));
        std::uint64_t header = 8;
        std::uint64_t length = Le16(element.data() + 6);
        if (HasLongLength(vr)) {
            if (got < 12)
                throw StorageError(StorageError::Kind::Corrupt,
                                   fmt::format("'{}': truncated meta header", path.string()));
            header = 12;
            length = Le32(element.data() + 8);
            if (length == 0xFFFFFFFFu)
                throw StorageError(StorageError::Kind::Corrupt,
                                   fmt::format("'{}': undefined length in meta header", path.string()));
        }
        offset += header + length;
    }
}

} // namespace

std::string FileStore::HashDatasetBytes(const fs::path& part10_file) {
    const ReadOnlyFile file(part10_file);
    std::uint64_t offset = DatasetOffset(file, part10_file);

    using State = std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)>;
    const State state(XXH3_createState(), &XXH3_freeState);
    if (!state || XXH3_128bits_reset(state.get()) != XXH_OK)
        throw std::bad_alloc();
    std::vector<unsigned char> buffer(kChunkSize);
    for (;;) {
        const std::size_t n = file.ReadAt(offset, buffer.data(), buffer.size());
        if (n == 0)
            break;
        XXH3_128bits_update(state.get(), buffer.data(), n);
        offset += n;
    }
    XXH128_canonical_t canonical;
    XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state.get()));
    std::string hex;
    hex.reserve(32);
    for (const unsigned char byte : canonical.digest)
        hex += fmt::format("{:02x}", byte);
    return hex;
}

} // namespace radnode::storage
