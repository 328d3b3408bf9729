#pragma once
/// ASCII case folding for matching DICOM names, labels and codes case-insensitively.

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <string>
#include <string_view>

namespace radnode::processing {

/// A number for messages: shortest of %g with up to 6 significant digits ("50", "0.35").
[[nodiscard]] inline std::string ShortNumber(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

[[nodiscard]] inline std::string ToLower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace radnode::processing
