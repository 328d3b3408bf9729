#pragma once
/// Typed attribute access shared by the DICOM readers of this module (DCMTK edge only;
/// never included outside dicom_node/).

#include <array>
#include <cmath>
#include <optional>
#include <string>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

namespace radnode::dicom_node {

/// All values of a string attribute (backslash-joined), without DICOM padding; "" when absent.
inline std::string GetString(DcmItem& item, const DcmTagKey& tag) {
    OFString value;
    if (item.findAndGetOFStringArray(tag, value).bad())
        return {};
    std::string s{value.c_str()};
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    const auto b = s.find_first_not_of(' ');
    return b == std::string::npos ? std::string{} : s.substr(b);
}

/// An integer attribute of any integer VR (US, SS, UL, SL) or IS.
inline std::optional<long> GetLong(DcmItem& item, const DcmTagKey& tag) {
    long v = 0;
    if (item.findAndGetLongInt(tag, v).good())
        return v;
    return std::nullopt;
}

/// The first N values of a DS/FD attribute, all finite, or nullopt.
template <std::size_t N> std::optional<std::array<double, N>> GetDoubles(DcmItem& item, const DcmTagKey& tag) {
    std::array<double, N> values{};
    for (std::size_t n = 0; n < N; ++n) {
        Float64 v = 0.0;
        if (item.findAndGetFloat64(tag, v, static_cast<unsigned long>(n)).bad() || !std::isfinite(v))
            return std::nullopt;
        values[n] = v;
    }
    return values;
}

} // namespace radnode::dicom_node
