#include "tools/radnode/dicom_files.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <string_view>
#include <system_error>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

namespace radnode::tools {

namespace fs = std::filesystem;

std::optional<DicomFileHeader> ReadDicomFileHeader(const fs::path& file) {
    std::ifstream stream(file, std::ios::binary);
    std::array<char, 132> head{};
    if (!stream.read(head.data(), static_cast<std::streamsize>(head.size())) ||
        std::string_view(head.data() + 128, 4) != "DICM")
        return std::nullopt;
    DcmFileFormat format;
    // Long values (pixel data, contour data) are not loaded: only UIDs are needed here.
    constexpr Uint32 kMaxReadLength = 256;
    if (format.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength, ERM_fileOnly).bad())
        return std::nullopt;
    DcmDataset& dataset = *format.getDataset();
    const auto get = [&](const DcmTagKey& tag) {
        OFString value;
        return dataset.findAndGetOFString(tag, value).good() ? std::string(value.c_str()) : std::string{};
    };
    DicomFileHeader header{file, get(DCM_SOPClassUID), get(DCM_SeriesInstanceUID), get(DCM_FrameOfReferenceUID),
                           std::nullopt};
    if (header.sop_class_uid.empty())
        return std::nullopt;
    Float64 kvp = 0.0;
    if (dataset.findAndGetFloat64(DCM_KVP, kvp).good() && kvp > 0.0)
        header.kvp = kvp;
    return header;
}

std::vector<DicomFileHeader> ScanDicomFolder(const fs::path& folder) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec))
        if (it->is_regular_file())
            files.push_back(it->path());
    std::sort(files.begin(), files.end());
    std::vector<DicomFileHeader> headers;
    for (const fs::path& file : files)
        if (auto header = ReadDicomFileHeader(file))
            headers.push_back(std::move(*header));
    return headers;
}

bool IsCtSopClass(const std::string& uid) {
    return uid == UID_CTImageStorage || uid == UID_EnhancedCTImageStorage ||
           uid == UID_LegacyConvertedEnhancedCTImageStorage;
}

processing::RoiSelection RoiSelectionFrom(const config::Config& config) {
    processing::RoiSelection selection;
    using Rule = processing::RoiSelection::Rule;
    selection.rule = config.roi_selection == "interpreted_type" ? Rule::InterpretedType
                     : config.roi_selection == "name_regex"     ? Rule::NameRegex
                     : config.roi_selection == "all"            ? Rule::All
                                                                : Rule::TypeThenName;
    selection.interpreted_types = config.roi_types;
    selection.name_pattern = config.roi_name_pattern;
    return selection;
}

processing::AssemblyOptions AssemblyOptionsFrom(const config::Config& config, const std::string& non_uniform) {
    processing::AssemblyOptions options;
    const std::string& policy = non_uniform.empty() ? config.non_uniform_spacing : non_uniform;
    options.non_uniform = policy == "reject" ? processing::AssemblyOptions::NonUniformSpacing::Reject
                                             : processing::AssemblyOptions::NonUniformSpacing::Resample;
    options.gap_factor = config.missing_slice_factor;
    return options;
}

} // namespace radnode::tools
