// libFuzzer target: arbitrary bytes as a SEG Part 10 file must give a Status, never a crash.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "dicom_node/seg_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("radnode-fuzz-seg-" + std::to_string(::getpid()) + ".dcm");
    if (std::FILE* f = std::fopen(file.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    const auto result = radnode::dicom_node::ReadSegmentation(file);
    (void)result;
    return 0;
}
