#pragma once
// Formatting of numeric DICOM string values.

#include <cstdio>
#include <string>
#include <vector>

namespace radnode::tools {

/// Decimal String (DS) value of at most 16 characters, shortest form first.
[[nodiscard]] inline std::string FormatDs(double value) {
    char buffer[32] = {};
    for (int precision = 10; precision > 0; --precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
        if (std::string(buffer).size() <= 16) {
            break;
        }
    }
    const std::string text = buffer;
    return text == "-0" ? "0" : text;
}

/// Backslash-separated multi-valued DS.
[[nodiscard]] inline std::string FormatDsList(const std::vector<double>& values) {
    std::string text;
    for (const double value : values) {
        if (!text.empty()) {
            text += '\\';
        }
        text += FormatDs(value);
    }
    return text;
}

} // namespace radnode::tools
