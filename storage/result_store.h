#pragma once
/// The analysis results in SQLite (tables analyses, region_results, features, cac_results, signature_results;
/// migration 0003). Plain values only: storage/ knows nothing of processing/, the caller converts.

#include "storage/job_queue.h" // EpochMillis

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::storage {

class Database;

/// How an analysis ended: "ok" or "failed" in analyses.status.
enum class AnalysisStatus { Ok, Failed };
std::string_view AnalysisStatusName(AnalysisStatus status);

/// One region the analysis derived or looked for.
struct RegionResult {
    std::string region; ///< e.g. "tumour", "lung_right"
    bool found = false;
    std::string reason; ///< why it was not found; empty when found
    std::int64_t voxel_count = 0;
    double volume_ml = 0.0;
    std::optional<double> clipped_fraction; ///< peritumoral regions only

    bool operator==(const RegionResult&) const = default;
};

/// One radiomics feature value of one region. A NaN value is stored as NULL and read back as NaN.
struct FeatureValue {
    std::string region;
    std::string feature; ///< PyRadiomics name, e.g. "original_firstorder_Mean"
    double value = 0.0;
};

/// The coronary calcium score.
struct CacResult {
    bool computed = false;
    std::string reason;    ///< why not computed
    double agatston = 0.0; ///< scaled to the reference slice increment
    double agatston_raw = 0.0;
    double volume_mm3 = 0.0;
    double mass_mg = 0.0;
    std::string risk_category; ///< "0", "1-10", "11-100", "101-400", ">400"
    std::int64_t lesion_count = 0;
    double threshold_hu = 0.0;
    double slice_increment_mm = 0.0;

    bool operator==(const CacResult&) const = default;
};

/// One signature's outcome.
struct SignatureRecord {
    std::string name;
    std::string version;
    bool example = false; ///< an example signature, not a validated model
    bool computable = false;
    std::optional<double> score; ///< set when computable
    std::string risk_group;      ///< empty when the signature has no cutoffs
    std::string reason;          ///< why not computable

    bool operator==(const SignatureRecord&) const = default;
};

/// Everything one analysis produced, as RecordAnalysis() writes it. Empty UID and path strings are stored as
/// NULL. There is deliberately no field for the patient's name.
struct AnalysisRecord {
    std::string study_instance_uid;
    std::string ct_series_instance_uid;
    std::string tumour_object_uid; ///< the RTSTRUCT/SEG SOP Instance UID used; empty without tumour
    std::string software_version;
    std::string settings_hash;
    EpochMillis started_at = 0;
    EpochMillis finished_at = 0;
    AnalysisStatus status = AnalysisStatus::Ok;
    std::string error; ///< why it failed
    std::string sr_sop_instance_uid;
    std::string seg_sop_instance_uid;
    std::string sr_path;
    std::string seg_path;
    std::optional<std::int64_t> job_id; ///< the queue job that produced it

    std::vector<RegionResult> regions;
    std::vector<FeatureValue> features; ///< unique per (region, feature)
    std::optional<CacResult> cac;
    std::vector<SignatureRecord> signatures; ///< unique per name
};

/// A stored analysis: the record (features only when asked for) plus what the store assigned.
struct StoredAnalysis : AnalysisRecord {
    std::int64_t id = 0;
    std::optional<std::int64_t> predecessor_analysis_id; ///< the analysis of the same series it replaced
    bool superseded = false;                             ///< a later analysis of the series replaced it
};

/// Result of RecordAnalysis().
struct RecordedAnalysis {
    std::int64_t id = 0;
    bool created = false; ///< false: an analysis of the same job_id existed and was returned unchanged
    std::optional<std::int64_t> superseded_id; ///< the analysis this one replaced
};

/// What FeatureTable() returns: features of the current (latest, non-superseded, ok) analyses.
struct FeatureQuery {
    std::vector<std::string> features;         ///< feature names; empty = every feature
    std::string region;                        ///< one region; empty = every region
    std::optional<EpochMillis> finished_since; ///< only analyses finished at or after this time
    std::int64_t limit = 100'000;              ///< at most this many rows
};

/// One row of the research export (long format).
struct FeatureRow {
    std::int64_t analysis_id = 0;
    std::string study_instance_uid;
    std::string ct_series_instance_uid;
    std::string region;
    std::string feature;
    double value = 0.0;
};

/// Typed access to the result tables over one connection (so one per thread, like its Database). Every write
/// is one IMMEDIATE transaction (a savepoint inside a caller's transaction, so a worker can record results and
/// complete its job atomically). Database failures throw StorageError.
class ResultStore {
public:
    explicit ResultStore(Database& db) : db_(db) {}

    /// Writes the analysis with all its regions, features, CAC and signatures in one transaction: all or
    /// nothing (a duplicate feature or signature throws StorageError(Duplicate) and leaves no trace). The
    /// series' current analysis, if any, is marked superseded and becomes the new one's predecessor (the
    /// most recently recorded analysis is the current one, whatever its status). When `job_id` is set and an
    /// analysis of that job exists already (a job killed after writing reruns), returns that analysis'
    /// id with created = false and changes nothing.
    RecordedAnalysis RecordAnalysis(const AnalysisRecord& record);

    /// The analysis with regions, CAC and signatures; features too when `with_features`.
    std::optional<StoredAnalysis> Get(std::int64_t id, bool with_features = false);
    /// The current (non-superseded) analysis of a CT series, as Get().
    std::optional<StoredAnalysis> LatestForSeries(std::string_view ct_series_instance_uid, bool with_features = false);
    /// The analyses of a study, by series then recording order, as Get() without features; superseded ones
    /// only when `include_superseded`.
    std::vector<StoredAnalysis> ForStudy(std::string_view study_instance_uid, bool include_superseded = false);
    /// Features of one analysis, of one region (or all when `region` is empty), by region then feature.
    std::vector<FeatureValue> Features(std::int64_t id, std::string_view region = {});

    /// The research export: feature rows of the current, successful analyses, by analysis, region, feature.
    std::vector<FeatureRow> FeatureTable(const FeatureQuery& query);

    /// Records the SR and SEG written for an analysis (empty strings clear them). False when no such analysis.
    bool SetReportFiles(std::int64_t id, std::string_view sr_sop_instance_uid, std::string_view sr_path,
                        std::string_view seg_sop_instance_uid, std::string_view seg_path);

private:
    /// The analyses the SQL condition `where` on `analyses a` selects (parameters ?1.. bound to
    /// `values`), each with its children (LoadChildren).
    template <typename... Values>
    std::vector<StoredAnalysis> Select(std::string_view where, bool with_features, const Values&... values);
    void LoadChildren(StoredAnalysis& analysis, bool with_features);
    void InsertChildren(std::int64_t id, const AnalysisRecord& record);

    Database& db_;
};

} // namespace radnode::storage
