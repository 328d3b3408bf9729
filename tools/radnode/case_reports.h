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
    /// Non-empty: the SEG's and SR's series/instance UIDs (and the tracking UIDs) derive from it,
    /// so a job that reruns writes the same objects; empty: fresh UIDs.
    std::string uid_seed;
    /// Non-empty: the SEG's and SR's series UIDs derive from it (e.g. the CT series UID), so every
    /// version of a CT's results lands in the same two series.
    std::string series_seed;
    /// The SR this one replaces (a re-analysis of the same CT), for PredecessorDocumentsSequence;
    /// with series_seed set it lies in the same SR series.
    std::string predecessor_sr_sop_uid;
};

struct CaseReports {
    std::string error; ///< empty when both objects were written
    std::filesystem::path seg_file;
    std::filesystem::path sr_file;
    std::string seg_sop_instance_uid;
    std::string sr_sop_instance_uid;
    std::string sr_series_instance_uid;
    std::size_t segments = 0;
};

/// Writes `seg.dcm` and `sr.dcm` into `out`. A CT whose volume was resampled from irregular
/// slices cannot be referenced slice by slice: then no SEG or SR is written and `error` says so.
[[nodiscard]] CaseReports WriteCaseReports(const CtInput& ct, const CaseAnalysis& analysis,
                                           const std::filesystem::path& out, const CaseReportOptions& options);

} // namespace radnode::tools
