#include "tools/radnode/seg_mask.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside std::regex's std::function at -O2
// (GCC bug 105562); silence it for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>
#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "dicom_node/seg_reader.h"
#include "processing/seg_mapping.h"
#include "processing/text.h"

namespace radnode::tools {
SegMaskResult BuildSegMask(const std::filesystem::path& seg_file, const std::string& roi,
                           const std::string& ct_frame_of_reference, const processing::ImageGeometry& grid,
                           const config::Config& config) {
    SegMaskResult out;
    dicom_node::SegReadResult read = dicom_node::ReadSegmentation(seg_file);
    if (!read.status) {
        out.error = fmt::format("cannot read Segmentation {}: {}", seg_file.string(), read.status.message);
        return out;
    }
    out.warnings = read.warnings;
    const processing::DecodedSegmentation& seg = read.seg;
    if (!seg.frame_of_reference_uid.empty() && seg.frame_of_reference_uid != ct_frame_of_reference) {
        out.error = fmt::format("frame of reference mismatch: Segmentation {} is on {}, the CT on {}",
                                seg_file.string(), seg.frame_of_reference_uid, ct_frame_of_reference);
        return out;
    }
    std::string labels;
    for (const processing::SegmentInfo& s : seg.segments)
        labels += fmt::format("{}'{}'", labels.empty() ? "" : ", ", s.label);

    std::vector<int> chosen;
    const std::regex pattern(config.roi_name_pattern, std::regex::ECMAScript | std::regex::icase);
    for (const processing::SegmentInfo& s : seg.segments) {
        const bool pick = !roi.empty()                ? processing::ToLower(s.label) == processing::ToLower(roi)
                          : seg.segments.size() == 1 ? true
                                                     : std::regex_search(s.label, pattern);
        if (pick)
            chosen.push_back(s.number);
    }
    if (chosen.empty()) {
        out.error = roi.empty() ? fmt::format("no tumour segment in {}; choose one with --roi LABEL: {}",
                                              seg_file.string(), labels)
                                : fmt::format("no segment labelled '{}' in {}; segments: {}", roi,
                                              seg_file.string(), labels);
        return out;
    }

    processing::SegMappingOptions options;
    options.threshold = config.seg_threshold;
    out.mask = processing::LabelMap(grid);
    for (int number : chosen) {
        processing::SegMappingResult mapped = processing::MapSegmentToGrid(seg, number, grid, options);
        for (const std::string& w : mapped.warnings)
            out.warnings.push_back(fmt::format("segment {}: {}", number, w));
        if (!mapped.IsOk()) {
            out.error = fmt::format("segment {} gives no mask ({}): {}", number,
                                    processing::SegMappingStatusName(mapped.status), mapped.reason);
            return out;
        }
        std::transform(mapped.mask.Data().begin(), mapped.mask.Data().end(), out.mask.Data().begin(),
                       out.mask.Data().begin(), [](std::uint8_t a, std::uint8_t b) { return a || b ? 1 : 0; });
        const auto it = std::find_if(seg.segments.begin(), seg.segments.end(),
                                     [number](const processing::SegmentInfo& s) { return s.number == number; });
        out.label += (out.label.empty() ? "" : "+") + it->label;
    }
    return out;
}

} // namespace radnode::tools
