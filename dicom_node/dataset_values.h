#pragma once
/// Typed attribute access shared by the DICOM readers of this module (DCMTK edge only;
/// never included outside dicom_node/).

#include <array>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <fmt/format.h>

#include "config/errors.h"

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

/// Loads `file` and checks that it is an instance of `sop_class_uid` (`kind` names it in
/// the message): CannotUnderstand when it is not DICOM, UnsupportedSopClass otherwise.
inline Status LoadInstanceOf(const std::filesystem::path& file, std::string_view sop_class_uid, std::string_view kind,
                             DcmFileFormat& format) {
    const OFCondition loaded = format.loadFile(file.c_str());
    if (loaded.bad())
        return Status::Error(ErrorCode::CannotUnderstand, fmt::format("cannot parse {}: {}", file.string(), loaded.text()));
    DcmDataset& ds = *format.getDataset();
    const std::string sop_class = GetString(ds, DCM_SOPClassUID);
    if (sop_class != sop_class_uid)
        return Status::Error(ErrorCode::UnsupportedSopClass,
                             fmt::format("{} is not {}: SOP class '{}', modality '{}' (expected {})", file.string(), kind,
                                         sop_class, GetString(ds, DCM_Modality), sop_class_uid));
    return Status::Ok();
}

} // namespace radnode::dicom_node
