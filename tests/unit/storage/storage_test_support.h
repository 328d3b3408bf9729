#pragma once
// Fixtures shared by the storage tests: temp directories, tmpfs mounts, records, Part 10 files built in code.

#include "tests/unit/temp_dir.h"
#include "storage/instance_record.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <sys/mount.h>

namespace radnode::storage::test {

using ::radnode::test::TempDir;

/// A small tmpfs mounted at `dir` (needs CAP_SYS_ADMIN); `IsMounted()` is false where that is not permitted.
class TmpfsMount {
public:
    TmpfsMount(const std::filesystem::path& dir, const std::string& options) : dir_(dir) {
        std::filesystem::create_directories(dir_);
        mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0;
    }
    TmpfsMount(const TmpfsMount&) = delete;
    TmpfsMount& operator=(const TmpfsMount&) = delete;
    ~TmpfsMount() {
        if (mounted_)
            ::umount2(dir_.c_str(), MNT_DETACH);
    }
    bool IsMounted() const { return mounted_; }

private:
    std::filesystem::path dir_;
    bool mounted_ = false;
};

inline void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

inline std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// One Explicit VR Little Endian element; long-length VRs get the reserved field and a 32-bit length.
inline std::string Element(std::uint16_t group, std::uint16_t number, const std::string& vr, std::string value) {
    if (value.size() % 2 != 0)
        value += (vr == "UI" || vr == "OB") ? '\0' : ' ';
    std::string out;
    auto le16 = [&](std::uint32_t v) {
        out += static_cast<char>(v & 0xff);
        out += static_cast<char>((v >> 8) & 0xff);
    };
    le16(group);
    le16(number);
    out += vr;
    const bool long_length = vr == "OB" || vr == "OW" || vr == "SQ" || vr == "UN" || vr == "UT";
    if (long_length) {
        le16(0);
        le16(static_cast<std::uint32_t>(value.size() & 0xffff));
        le16(static_cast<std::uint32_t>(value.size() >> 16));
    } else {
        le16(static_cast<std::uint32_t>(value.size()));
    }
    return out + value;
}

/// A dataset's bytes (no meta header) for SOP `sop`, with `payload` as pixel-like data.
inline std::string DatasetBytes(const std::string& sop, const std::string& payload = "pixels") {
    return Element(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2") + Element(0x0008, 0x0018, "UI", sop) +
           Element(0x0008, 0x0060, "CS", "CT") + Element(0x7fe0, 0x0010, "OW", payload);
}

/// A Part 10 file: preamble, "DICM", a meta group written by "receiver" `implementation`, then `dataset`.
inline std::string Part10(const std::string& dataset, const std::string& implementation = "1.2.3.4.5",
                          const std::string& version = "RADNODE_010", const std::string& sop = "1.2.3") {
    std::string meta = Element(0x0002, 0x0001, "OB", std::string("\0\1", 2)) +
                       Element(0x0002, 0x0002, "UI", "1.2.840.10008.5.1.4.1.1.2") + Element(0x0002, 0x0003, "UI", sop) +
                       Element(0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1") +
                       Element(0x0002, 0x0012, "UI", implementation) + Element(0x0002, 0x0013, "SH", version);
    std::string length(4, '\0');
    for (int i = 0; i < 4; ++i)
        length[static_cast<std::size_t>(i)] = static_cast<char>((meta.size() >> (8 * i)) & 0xff);
    const std::string group_length = Element(0x0002, 0x0000, "UL", length);
    return std::string(128, '\0') + "DICM" + group_length + meta + dataset;
}

/// A fully populated record; `n` varies the per-instance fields.
inline InstanceRecord MakeRecord(const std::string& study, const std::string& series, const std::string& sop,
                                 int n = 1) {
    InstanceRecord r;
    r.patient_id = "PID-0042";
    r.study_uid = study;
    r.series_uid = series;
    r.sop_instance_uid = sop;
    r.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
    r.modality = "CT";
    r.frame_of_reference_uid = "1.2.826.0.1.99";
    r.series_description = "Thorax 1.0 B30f";
    r.study_date = "20260321";
    r.study_description = "CT Thorax";
    r.accession_number = "ACC123";
    r.series_number = 3;
    r.instance_number = n;
    r.image_position = std::array{-175.5, -180.25, -12.5 - 1.25 * n};
    r.image_orientation = std::array{1.0, 0.0, 0.0, 0.0, 1.0, 0.0};
    r.number_of_frames = 1;
    r.transfer_syntax_uid = "1.2.840.10008.1.2.1";
    r.calling_ae = "MODALITY1";
    r.calling_host = "127.0.0.1";
    r.file_path = fmt::format("instances/{}/{}/{}.dcm", study, series, sop);
    r.file_size = 525'000 + static_cast<std::uint64_t>(n);
    r.content_hash = fmt::format("{:032x}", 0xabc000 + n);
    return r;
}

} // namespace radnode::storage::test
