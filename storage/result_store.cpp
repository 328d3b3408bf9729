#include "storage/result_store.h"

#include "config/log.h"
#include "storage/database.h"
#include "storage/transaction.h"

#include <cmath>
#include <fmt/format.h>
#include <limits>

namespace radnode::storage {

namespace {

/// Columns read by ReadAnalysis(), in order, qualified by the alias `a`.
constexpr std::string_view kAnalysisColumns =
    "a.id, a.study_instance_uid, a.ct_series_instance_uid, a.tumour_object_uid, a.software_version, "
    "a.settings_hash, a.started_at, a.finished_at, a.status, a.error, a.sr_sop_instance_uid, "
    "a.seg_sop_instance_uid, a.sr_path, a.seg_path, a.predecessor_analysis_id, a.superseded, a.job_id";

std::string TextOrEmpty(const Statement& row, int column) {
    return row.ColumnIsNull(column) ? std::string{} : row.ColumnText(column);
}

/// Empty text is stored as NULL in the nullable UID and path columns.
std::optional<std::string_view> NullIfEmpty(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    return text;
}

/// SQLite turns a bound NaN into NULL; read it back as NaN.
double ValueOrNan(const Statement& row, int column) {
    return row.ColumnIsNull(column) ? std::numeric_limits<double>::quiet_NaN() : row.ColumnDouble(column);
}

AnalysisStatus ParseStatus(const std::string& text) {
    if (text == "ok")
        return AnalysisStatus::Ok;
    if (text == "failed")
        return AnalysisStatus::Failed;
    throw StorageError(StorageError::Kind::Corrupt, fmt::format("unknown analysis status '{}'", text));
}

StoredAnalysis ReadAnalysis(const Statement& row) {
    StoredAnalysis a;
    a.id = row.ColumnInt64(0);
    a.study_instance_uid = row.ColumnText(1);
    a.ct_series_instance_uid = row.ColumnText(2);
    a.tumour_object_uid = TextOrEmpty(row, 3);
    a.software_version = row.ColumnText(4);
    a.settings_hash = row.ColumnText(5);
    a.started_at = row.ColumnInt64(6);
    a.finished_at = row.ColumnInt64(7);
    a.status = ParseStatus(row.ColumnText(8));
    a.error = row.ColumnText(9);
    a.sr_sop_instance_uid = TextOrEmpty(row, 10);
    a.seg_sop_instance_uid = TextOrEmpty(row, 11);
    a.sr_path = TextOrEmpty(row, 12);
    a.seg_path = TextOrEmpty(row, 13);
    a.predecessor_analysis_id = row.ColumnOptionalInt64(14);
    a.superseded = row.ColumnInt64(15) != 0;
    a.job_id = row.ColumnOptionalInt64(16);
    return a;
}

std::int64_t Flag(bool value) {
    return value ? 1 : 0;
}

} // namespace

std::string_view AnalysisStatusName(AnalysisStatus status) {
    return status == AnalysisStatus::Failed ? "failed" : "ok";
}

RecordedAnalysis ResultStore::RecordAnalysis(const AnalysisRecord& record) {
    Transaction transaction(db_, TransactionMode::Immediate);
    RecordedAnalysis out;
    if (record.job_id) {
        Statement& existing = db_.Prepare("SELECT id FROM analyses WHERE job_id = ?1");
        StatementReset reset(existing);
        existing.Bind(1, *record.job_id);
        if (existing.Step()) {
            out.id = existing.ColumnInt64(0);
            transaction.Commit();
            RADNODE_LOG_INFO(Category::Db, "analysis of this job already recorded",
                             {{"job", *record.job_id}, {"analysis", out.id}, {"study", record.study_instance_uid}});
            return out;
        }
    }
    {
        Statement& current =
            db_.Prepare("SELECT id FROM analyses WHERE ct_series_instance_uid = ?1 AND superseded = 0");
        StatementReset reset(current);
        current.Bind(1, record.ct_series_instance_uid);
        if (current.Step())
            out.superseded_id = current.ColumnInt64(0);
    }
    if (out.superseded_id) {
        // Before the insert: the partial unique index allows one current analysis per series.
        db_.Prepare("UPDATE analyses SET superseded = 1 WHERE id = ?1").Bind(1, *out.superseded_id).Run();
    }
    {
        Statement& insert = db_.Prepare(R"sql(
INSERT INTO analyses (study_instance_uid, ct_series_instance_uid, tumour_object_uid, software_version, settings_hash,
                      started_at, finished_at, status, error, sr_sop_instance_uid, seg_sop_instance_uid, sr_path,
                      seg_path, predecessor_analysis_id, superseded, job_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 0, ?15)
)sql");
        insert.BindAll(record.study_instance_uid, record.ct_series_instance_uid, NullIfEmpty(record.tumour_object_uid),
                       record.software_version, record.settings_hash, record.started_at, record.finished_at,
                       AnalysisStatusName(record.status), record.error, NullIfEmpty(record.sr_sop_instance_uid),
                       NullIfEmpty(record.seg_sop_instance_uid), NullIfEmpty(record.sr_path),
                       NullIfEmpty(record.seg_path), out.superseded_id, record.job_id);
        insert.Run();
        out.id = db_.LastInsertRowid();
    }
    InsertChildren(out.id, record);
    transaction.Commit();
    out.created = true;
    RADNODE_LOG_INFO(Category::Db, "analysis recorded",
                     {{"analysis", out.id},
                      {"study", record.study_instance_uid},
                      {"series", record.ct_series_instance_uid},
                      {"status", AnalysisStatusName(record.status)},
                      {"regions", record.regions.size()},
                      {"features", record.features.size()},
                      {"supersedes", out.superseded_id.value_or(0)}});
    return out;
}

void ResultStore::InsertChildren(std::int64_t id, const AnalysisRecord& record) {
    if (!record.regions.empty()) {
        Statement& insert = db_.Prepare(R"sql(
INSERT INTO region_results (analysis_id, region, found, reason, voxel_count, volume_ml, clipped_fraction)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
)sql");
        for (const RegionResult& region : record.regions) {
            insert.Reset();
            insert.BindAll(id, region.region, Flag(region.found), region.reason, region.voxel_count, region.volume_ml,
                           region.clipped_fraction);
            insert.Run();
        }
    }
    if (!record.features.empty()) {
        Statement& insert =
            db_.Prepare("INSERT INTO features (analysis_id, region, feature, value) VALUES (?1, ?2, ?3, ?4)");
        for (const FeatureValue& feature : record.features) {
            insert.Reset();
            insert.BindAll(id, feature.region, feature.feature, feature.value);
            insert.Run();
        }
    }
    if (record.cac) {
        const CacResult& cac = *record.cac;
        db_.Prepare(R"sql(
INSERT INTO cac_results (analysis_id, computed, reason, agatston, agatston_raw, volume_mm3, mass_mg, risk_category,
                         lesion_count, threshold_hu, slice_increment_mm)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
)sql")
            .BindAll(id, Flag(cac.computed), cac.reason, cac.agatston, cac.agatston_raw, cac.volume_mm3, cac.mass_mg,
                     cac.risk_category, cac.lesion_count, cac.threshold_hu, cac.slice_increment_mm)
            .Run();
    }
    if (!record.signatures.empty()) {
        Statement& insert = db_.Prepare(R"sql(
INSERT INTO signature_results (analysis_id, name, version, example, computable, score, risk_group, reason)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
)sql");
        for (const SignatureRecord& signature : record.signatures) {
            insert.Reset();
            insert.BindAll(id, signature.name, signature.version, Flag(signature.example), Flag(signature.computable),
                           signature.score, signature.risk_group, signature.reason);
            insert.Run();
        }
    }
}

template <typename... Values>
std::vector<StoredAnalysis> ResultStore::Select(std::string_view where, bool with_features, const Values&... values) {
    std::vector<StoredAnalysis> analyses;
    {
        Statement& select = db_.Prepare(fmt::format("SELECT {} FROM analyses a WHERE {}", kAnalysisColumns, where));
        StatementReset reset(select);
        select.BindAll(values...);
        while (select.Step())
            analyses.push_back(ReadAnalysis(select));
    }
    for (StoredAnalysis& analysis : analyses)
        LoadChildren(analysis, with_features);
    return analyses;
}

std::optional<StoredAnalysis> ResultStore::Get(std::int64_t id, bool with_features) {
    std::vector<StoredAnalysis> found = Select("a.id = ?1", with_features, id);
    return found.empty() ? std::nullopt : std::optional<StoredAnalysis>(std::move(found.front()));
}

std::optional<StoredAnalysis> ResultStore::LatestForSeries(std::string_view ct_series_instance_uid,
                                                           bool with_features) {
    std::vector<StoredAnalysis> found =
        Select("a.ct_series_instance_uid = ?1 AND a.superseded = 0", with_features, ct_series_instance_uid);
    return found.empty() ? std::nullopt : std::optional<StoredAnalysis>(std::move(found.front()));
}

std::vector<StoredAnalysis> ResultStore::ForStudy(std::string_view study_instance_uid, bool include_superseded) {
    return Select("a.study_instance_uid = ?1 AND (?2 OR a.superseded = 0) ORDER BY a.ct_series_instance_uid, a.id",
                  false, study_instance_uid, Flag(include_superseded));
}

void ResultStore::LoadChildren(StoredAnalysis& analysis, bool with_features) {
    {
        Statement& select =
            db_.Prepare("SELECT region, found, reason, voxel_count, volume_ml, clipped_fraction FROM region_results "
                        "WHERE analysis_id = ?1 ORDER BY rowid");
        StatementReset reset(select);
        select.Bind(1, analysis.id);
        while (select.Step()) {
            RegionResult region;
            region.region = select.ColumnText(0);
            region.found = select.ColumnInt64(1) != 0;
            region.reason = select.ColumnText(2);
            region.voxel_count = select.ColumnInt64(3);
            region.volume_ml = select.ColumnDouble(4);
            region.clipped_fraction = select.ColumnOptionalDouble(5);
            analysis.regions.push_back(std::move(region));
        }
    }
    {
        Statement& select = db_.Prepare(
            "SELECT computed, reason, agatston, agatston_raw, volume_mm3, mass_mg, risk_category, lesion_count, "
            "threshold_hu, slice_increment_mm FROM cac_results WHERE analysis_id = ?1");
        StatementReset reset(select);
        select.Bind(1, analysis.id);
        if (select.Step()) {
            CacResult cac;
            cac.computed = select.ColumnInt64(0) != 0;
            cac.reason = select.ColumnText(1);
            cac.agatston = select.ColumnDouble(2);
            cac.agatston_raw = select.ColumnDouble(3);
            cac.volume_mm3 = select.ColumnDouble(4);
            cac.mass_mg = select.ColumnDouble(5);
            cac.risk_category = select.ColumnText(6);
            cac.lesion_count = select.ColumnInt64(7);
            cac.threshold_hu = select.ColumnDouble(8);
            cac.slice_increment_mm = select.ColumnDouble(9);
            analysis.cac = std::move(cac);
        }
    }
    {
        Statement& select =
            db_.Prepare("SELECT name, version, example, computable, score, risk_group, reason FROM signature_results "
                        "WHERE analysis_id = ?1 ORDER BY rowid");
        StatementReset reset(select);
        select.Bind(1, analysis.id);
        while (select.Step()) {
            SignatureRecord signature;
            signature.name = select.ColumnText(0);
            signature.version = select.ColumnText(1);
            signature.example = select.ColumnInt64(2) != 0;
            signature.computable = select.ColumnInt64(3) != 0;
            signature.score = select.ColumnOptionalDouble(4);
            signature.risk_group = select.ColumnText(5);
            signature.reason = select.ColumnText(6);
            analysis.signatures.push_back(std::move(signature));
        }
    }
    if (with_features)
        analysis.features = Features(analysis.id);
}

std::vector<FeatureValue> ResultStore::Features(std::int64_t id, std::string_view region) {
    std::vector<FeatureValue> features;
    Statement& select = db_.Prepare("SELECT region, feature, value FROM features WHERE analysis_id = ?1 "
                                    "AND (COALESCE(?2, '') = '' OR region = ?2) ORDER BY region, feature");
    StatementReset reset(select);
    select.BindAll(id, region);
    while (select.Step())
        features.push_back(FeatureValue{select.ColumnText(0), select.ColumnText(1), ValueOrNan(select, 2)});
    return features;
}

std::vector<FeatureRow> ResultStore::FeatureTable(const FeatureQuery& query) {
    // One statement text per number of names, so each stays in the connection's statement cache.
    std::string name_filter;
    if (!query.features.empty()) {
        name_filter = " AND f.feature IN (";
        for (std::size_t i = 0; i < query.features.size(); ++i)
            name_filter += fmt::format("{}?{}", i == 0 ? "" : ", ", i + 4);
        name_filter += ")";
    }
    const std::string sql = fmt::format(R"sql(
SELECT a.id, a.study_instance_uid, a.ct_series_instance_uid, f.region, f.feature, f.value
  FROM analyses a JOIN features f ON f.analysis_id = a.id
 WHERE a.superseded = 0 AND a.status = 'ok' AND (COALESCE(?1, '') = '' OR f.region = ?1)
   AND (?2 IS NULL OR a.finished_at >= ?2){}
 ORDER BY a.id, f.region, f.feature
 LIMIT ?3
)sql",
                                        name_filter);
    Statement& select = db_.Prepare(sql);
    StatementReset reset(select);
    select.BindAll(query.region, query.finished_since, query.limit);
    for (std::size_t i = 0; i < query.features.size(); ++i)
        select.Bind(static_cast<int>(i) + 4, query.features[i]);
    std::vector<FeatureRow> rows;
    while (select.Step()) {
        FeatureRow row;
        row.analysis_id = select.ColumnInt64(0);
        row.study_instance_uid = select.ColumnText(1);
        row.ct_series_instance_uid = select.ColumnText(2);
        row.region = select.ColumnText(3);
        row.feature = select.ColumnText(4);
        row.value = ValueOrNan(select, 5);
        rows.push_back(std::move(row));
    }
    return rows;
}

bool ResultStore::SetReportFiles(std::int64_t id, std::string_view sr_sop_instance_uid, std::string_view sr_path,
                                 std::string_view seg_sop_instance_uid, std::string_view seg_path) {
    Transaction transaction(db_, TransactionMode::Immediate);
    db_.Prepare("UPDATE analyses SET sr_sop_instance_uid = ?2, sr_path = ?3, seg_sop_instance_uid = ?4, "
                "seg_path = ?5 WHERE id = ?1")
        .BindAll(id, NullIfEmpty(sr_sop_instance_uid), NullIfEmpty(sr_path), NullIfEmpty(seg_sop_instance_uid),
                 NullIfEmpty(seg_path))
        .Run();
    const bool changed = db_.Changes() == 1;
    transaction.Commit();
    return changed;
}

} // namespace radnode::storage
