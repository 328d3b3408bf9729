#pragma once
/// ASCII case folding for matching DICOM names, labels and codes case-insensitively.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace radnode::processing {

[[nodiscard]] inline std::string ToLower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace radnode::processing
