#pragma once
/// The DICOM objects of one analysed case: a binary SEG with the tumour and every derived
/// region, and a TID 1500 Enhanced SR with one measurement group per region that references
/// its SEG segment (docs/sr.md, docs/analysis.md).

#include <filesystem>
#include <string>
#include <vector>

#include "tools/radnode/case_analysis.h"
#include "tools/radnode/ct_inputs.h"

namespace radnode::tools {

struct CaseReportOptions {
    std::string software_version;
    std::vector<std::string> parameters; ///< free text for the SR's algorithm identification
};

struct CaseReports {
    std::string error; ///< empty when both objects were written
    std::filesystem::path seg_file;
    std::filesystem::path sr_file;
    std::string seg_sop_instance_uid;
    std::string sr_sop_instance_uid;
    std::size_t segments = 0;
};

/// Writes `seg.dcm` and `sr.dcm` into `out`. A CT whose volume was resampled from irregular
/// slices cannot be referenced slice by slice: then no SEG or SR is written and `error` says so.
[[nodiscard]] CaseReports WriteCaseReports(const CtInput& ct, const CaseAnalysis& analysis,
                                           const std::filesystem::path& out, const CaseReportOptions& options);

} // namespace radnode::tools
