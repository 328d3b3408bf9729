#include "storage/database.h"
#include "storage/job_queue.h"
#include "storage/result_store.h"
#include "storage/transaction.h"
#include "storage_test_support.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

namespace radnode::storage {
namespace {

using test::TempDir;

constexpr EpochMillis kT0 = 1'780'000'000'000; // 2026-05-28, an arbitrary fixed start

std::int64_t QueryInt(Database& db, std::string_view sql) {
    Statement& statement = db.Prepare(sql);
    StatementReset reset(statement);
    EXPECT_TRUE(statement.Step()) << sql;
    return statement.ColumnInt64(0);
}

/// Rows of every result table, so a test can show that a failed write left nothing behind.
struct TableCounts {
    std::int64_t analyses = 0, regions = 0, features = 0, cac = 0, signatures = 0;
    bool operator==(const TableCounts&) const = default;
};

TableCounts CountRows(Database& db) {
    return {QueryInt(db, "SELECT COUNT(*) FROM analyses"), QueryInt(db, "SELECT COUNT(*) FROM region_results"),
            QueryInt(db, "SELECT COUNT(*) FROM features"), QueryInt(db, "SELECT COUNT(*) FROM cac_results"),
            QueryInt(db, "SELECT COUNT(*) FROM signature_results")};
}

/// A complete analysis: 8 regions (peritumoral ones with a clipped fraction), `features_per_region`
/// radiomics features of each of 6 regions (one NaN), CAC and two signatures (one not computable).
AnalysisRecord MakeAnalysis(const std::string& study, const std::string& series, std::optional<std::int64_t> job,
                            int features_per_region = 10, double offset = 0.0) {
    AnalysisRecord r;
    r.study_instance_uid = study;
    r.ct_series_instance_uid = series;
    r.tumour_object_uid = series + ".77";
    r.software_version = "radnode 0.9.0";
    r.settings_hash = "9f86d081884c7d65";
    r.started_at = kT0;
    r.finished_at = kT0 + 12'345;
    r.status = AnalysisStatus::Ok;
    r.job_id = job;
    const std::vector<std::string> names = {"body",  "lung_right", "lung_left",  "lungs",
                                            "heart", "tumour",     "ring_0_5mm", "ring_5_10mm"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        RegionResult region;
        region.region = names[i];
        region.found = names[i] != "heart";
        region.reason = region.found ? "" : "no mediastinal soft tissue between the lungs";
        region.voxel_count = region.found ? 1000 * static_cast<std::int64_t>(i + 1) : 0;
        region.volume_ml = region.found ? 0.5 * static_cast<double>(i + 1) : 0.0;
        if (names[i].starts_with("ring_"))
            region.clipped_fraction = 0.125 * static_cast<double>(i);
        r.regions.push_back(region);
    }
    const std::vector<std::string> featured = {"body",   "lung_right", "lung_left",
                                               "tumour", "ring_0_5mm", "ring_5_10mm"};
    for (const std::string& region : featured) {
        for (int f = 0; f < features_per_region; ++f) {
            const double value = f == 3 && region == "tumour" ? std::numeric_limits<double>::quiet_NaN()
                                                              : offset + f * 1.5 + static_cast<double>(region.size());
            r.features.push_back(FeatureValue{region, fmt::format("original_glcm_F{:04}", f), value});
        }
    }
    CacResult cac;
    cac.computed = true;
    cac.agatston = 123.25;
    cac.agatston_raw = 98.6;
    cac.volume_mm3 = 87.5;
    cac.mass_mg = 21.75;
    cac.risk_category = "101-400";
    cac.lesion_count = 4;
    cac.threshold_hu = 130.0;
    cac.slice_increment_mm = 2.5;
    r.cac = cac;
    r.signatures.push_back(SignatureRecord{"aerts-2014-example", "1.0", true, true, -0.4375, "low", ""});
    r.signatures.push_back(
        SignatureRecord{"lung-ring", "2", false, false, std::nullopt, "", "missing feature ring_0_5mm/original_X"});
    return r;
}

void ExpectSameFeatures(std::vector<FeatureValue> expected, const std::vector<FeatureValue>& actual) {
    std::sort(expected.begin(), expected.end(), [](const FeatureValue& a, const FeatureValue& b) {
        return std::tie(a.region, a.feature) < std::tie(b.region, b.feature);
    });
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(actual[i].region, expected[i].region);
        EXPECT_EQ(actual[i].feature, expected[i].feature);
        if (std::isnan(expected[i].value))
            EXPECT_TRUE(std::isnan(actual[i].value)) << actual[i].feature;
        else
            EXPECT_EQ(actual[i].value, expected[i].value) << actual[i].feature;
    }
}

void ExpectSameRecord(const AnalysisRecord& expected, const StoredAnalysis& actual, bool with_features) {
    EXPECT_EQ(actual.study_instance_uid, expected.study_instance_uid);
    EXPECT_EQ(actual.ct_series_instance_uid, expected.ct_series_instance_uid);
    EXPECT_EQ(actual.tumour_object_uid, expected.tumour_object_uid);
    EXPECT_EQ(actual.software_version, expected.software_version);
    EXPECT_EQ(actual.settings_hash, expected.settings_hash);
    EXPECT_EQ(actual.started_at, expected.started_at);
    EXPECT_EQ(actual.finished_at, expected.finished_at);
    EXPECT_EQ(actual.status, expected.status);
    EXPECT_EQ(actual.error, expected.error);
    EXPECT_EQ(actual.sr_sop_instance_uid, expected.sr_sop_instance_uid);
    EXPECT_EQ(actual.seg_sop_instance_uid, expected.seg_sop_instance_uid);
    EXPECT_EQ(actual.sr_path, expected.sr_path);
    EXPECT_EQ(actual.seg_path, expected.seg_path);
    EXPECT_EQ(actual.job_id, expected.job_id);
    EXPECT_EQ(actual.regions, expected.regions); // in the order given
    EXPECT_EQ(actual.cac, expected.cac);
    EXPECT_EQ(actual.signatures, expected.signatures); // in the order given
    if (with_features)
        ExpectSameFeatures(expected.features, actual.features);
    else
        EXPECT_TRUE(actual.features.empty());
}

TEST(StorageResultStore, FullRecordRoundTripsInOneTransaction) {
    TempDir dir;
    Database db = Database::Open(dir.Path() / "index.sqlite");
    // No automatic checkpoints, so the WAL shows every page this connection wrote.
    db.Exec("PRAGMA wal_autocheckpoint=0; PRAGMA wal_checkpoint(TRUNCATE);");
    ResultStore store(db);
    const AnalysisRecord record = MakeAnalysis("1.2.3", "1.2.3.4", 41, 400); // 2400 features
    ASSERT_EQ(record.features.size(), 2400u);

    const RecordedAnalysis recorded = store.RecordAnalysis(record);
    EXPECT_TRUE(recorded.created);
    EXPECT_GT(recorded.id, 0);
    EXPECT_FALSE(recorded.superseded_id);

    // One commit per row would append at least 2400 frames to the WAL; one transaction writes each page once.
    Statement& checkpoint = db.Prepare("PRAGMA wal_checkpoint(PASSIVE)");
    ASSERT_TRUE(checkpoint.Step());
    const std::int64_t wal_frames = checkpoint.ColumnInt64(1);
    checkpoint.Reset();
    EXPECT_GT(wal_frames, 0);
    EXPECT_LT(wal_frames, 200);

    const std::optional<StoredAnalysis> without = store.Get(recorded.id);
    ASSERT_TRUE(without);
    EXPECT_EQ(without->id, recorded.id);
    EXPECT_FALSE(without->superseded);
    EXPECT_FALSE(without->predecessor_analysis_id);
    ExpectSameRecord(record, *without, false);

    const std::optional<StoredAnalysis> with = store.Get(recorded.id, true);
    ASSERT_TRUE(with);
    ExpectSameRecord(record, *with, true);
    EXPECT_TRUE(std::isnan(store.Features(recorded.id, "tumour").at(3).value));

    const std::vector<FeatureValue> tumour = store.Features(recorded.id, "tumour");
    ASSERT_EQ(tumour.size(), 400u);
    for (const FeatureValue& feature : tumour)
        EXPECT_EQ(feature.region, "tumour");
    EXPECT_TRUE(store.Features(recorded.id, "heart").empty());
    EXPECT_FALSE(store.Get(recorded.id + 1));
}

TEST(StorageResultStore, EmptyOptionalPartsRoundTripAsAbsent) {
    Database db = Database::OpenInMemory();
    ResultStore store(db);
    AnalysisRecord failed;
    failed.study_instance_uid = "1.2.3";
    failed.ct_series_instance_uid = "1.2.3.4";
    failed.software_version = "radnode 0.9.0";
    failed.settings_hash = "abc";
    failed.started_at = kT0;
    failed.finished_at = kT0 + 5;
    failed.status = AnalysisStatus::Failed;
    failed.error = "series has a missing slice at z = -12.5 mm";
    const std::int64_t id = store.RecordAnalysis(failed).id;
    const auto stored = store.Get(id, true);
    ASSERT_TRUE(stored);
    ExpectSameRecord(failed, *stored, true);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM analyses WHERE tumour_object_uid IS NULL AND sr_path IS NULL "
                           "AND job_id IS NULL"),
              1);
}

TEST(StorageResultStore, ReanalysisSupersedesAndLinksItsPredecessor) {
    Database db = Database::OpenInMemory();
    ResultStore store(db);
    const auto first = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 1));
    const auto other_series = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.5", 2));
    const auto second = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 3));
    const auto third = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 4));

    EXPECT_EQ(second.superseded_id, first.id);
    EXPECT_EQ(third.superseded_id, second.id);
    EXPECT_FALSE(other_series.superseded_id);

    const auto latest = store.LatestForSeries("1.2.3.4");
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->id, third.id);
    EXPECT_FALSE(latest->superseded);
    EXPECT_EQ(latest->predecessor_analysis_id, second.id);
    EXPECT_EQ(store.Get(second.id)->predecessor_analysis_id, first.id);
    EXPECT_TRUE(store.Get(second.id)->superseded);
    EXPECT_TRUE(store.Get(first.id)->superseded);
    EXPECT_FALSE(store.Get(first.id)->predecessor_analysis_id);
    EXPECT_FALSE(store.Get(other_series.id)->superseded);
    EXPECT_EQ(store.LatestForSeries("1.2.3.5")->id, other_series.id);
    EXPECT_FALSE(store.LatestForSeries("1.2.3.999"));

    // Superseded analyses keep their results.
    EXPECT_EQ(store.Features(first.id).size(), 60u);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM analyses WHERE superseded = 0 AND ct_series_instance_uid = '1.2.3.4'"),
              1);
}

TEST(StorageResultStore, SameJobRecordsOnlyOnce) {
    Database db = Database::OpenInMemory();
    ResultStore store(db);
    const auto first = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 7));
    const TableCounts after_first = CountRows(db);

    // The job was killed after writing and before completing; its rerun records again (even with other values).
    const auto rerun = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 7, 10, 100.0));
    EXPECT_FALSE(rerun.created);
    EXPECT_EQ(rerun.id, first.id);
    EXPECT_FALSE(rerun.superseded_id);
    EXPECT_EQ(CountRows(db), after_first);
    EXPECT_FALSE(store.Get(first.id)->superseded);
    EXPECT_EQ(store.Features(first.id, "body").at(0).value, 4.0); // the first write's value, not 104

    // Another job for the same series is a re-analysis.
    const auto other = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 8));
    EXPECT_TRUE(other.created);
    EXPECT_EQ(other.superseded_id, first.id);
    // Analyses without a job are never merged.
    EXPECT_TRUE(store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", std::nullopt)).created);
    EXPECT_TRUE(store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", std::nullopt)).created);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM analyses"), 4);
}

TEST(StorageResultStore, FailedWriteLeavesNothingOfTheAnalysis) {
    Database db = Database::OpenInMemory();
    ResultStore store(db);
    const auto previous = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 1));
    const TableCounts before = CountRows(db);

    AnalysisRecord duplicate_feature = MakeAnalysis("1.2.3", "1.2.3.4", 2, 400);
    duplicate_feature.features.push_back(duplicate_feature.features.front()); // fails after 2400 rows
    try {
        store.RecordAnalysis(duplicate_feature);
        FAIL() << "a duplicate feature row was accepted";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.GetKind(), StorageError::Kind::Duplicate);
    }
    EXPECT_FALSE(db.InTransaction());
    EXPECT_EQ(CountRows(db), before);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM analyses WHERE job_id = 2"), 0);
    // The earlier analysis is still current: the supersession was rolled back too.
    const auto latest = store.LatestForSeries("1.2.3.4");
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->id, previous.id);
    EXPECT_FALSE(latest->superseded);

    AnalysisRecord duplicate_signature = MakeAnalysis("1.2.3", "1.2.3.4", 3);
    duplicate_signature.signatures.push_back(duplicate_signature.signatures.front()); // the very last insert
    EXPECT_THROW(store.RecordAnalysis(duplicate_signature), StorageError);
    EXPECT_EQ(CountRows(db), before);

    // The job can record successfully afterwards.
    const auto retried = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 2));
    EXPECT_TRUE(retried.created);
    EXPECT_EQ(retried.superseded_id, previous.id);
}

TEST(StorageResultStore, RecordingNestsInTheCallersTransaction) {
    Database db = Database::OpenInMemory();
    ResultStore store(db);
    JobQueue queue(db);
    const std::int64_t job = queue.Enqueue("analyze", "1.2.3.4", "{}").id;
    {
        Transaction outer(db);
        store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", job));
        // The worker lost its lease: it rolls back, results included.
        outer.Rollback();
    }
    EXPECT_EQ(CountRows(db), TableCounts{});
    {
        Transaction outer(db);
        const auto recorded = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", job));
        outer.Commit();
        EXPECT_TRUE(store.Get(recorded.id));
    }
}

TEST(StorageResultStore, QueriesByStudyAndFeatureTable) {
    Database db = Database::OpenInMemory();
    ResultStore store(db);
    auto a = MakeAnalysis("1.2.10", "1.2.10.1", 1, 10, 0.0);
    auto old_b = MakeAnalysis("1.2.20", "1.2.20.1", 2, 10, 50.0);
    auto b = MakeAnalysis("1.2.20", "1.2.20.1", 3, 10, 20.0);
    b.finished_at = kT0 + 100'000;
    auto b_second_series = MakeAnalysis("1.2.20", "1.2.20.2", 4, 10, 30.0);
    auto failed = MakeAnalysis("1.2.30", "1.2.30.1", 5, 10, 40.0);
    failed.status = AnalysisStatus::Failed;
    failed.error = "assembly failed";
    const std::int64_t id_a = store.RecordAnalysis(a).id;
    const std::int64_t id_old_b = store.RecordAnalysis(old_b).id;
    const std::int64_t id_b = store.RecordAnalysis(b).id;
    const std::int64_t id_b2 = store.RecordAnalysis(b_second_series).id;
    store.RecordAnalysis(failed);

    const auto study_b = store.ForStudy("1.2.20");
    ASSERT_EQ(study_b.size(), 2u);
    EXPECT_EQ(study_b[0].id, id_b);
    EXPECT_EQ(study_b[1].id, id_b2);
    EXPECT_EQ(study_b[0].regions.size(), 8u);
    EXPECT_TRUE(study_b[0].cac);
    EXPECT_EQ(study_b[0].signatures.size(), 2u);
    EXPECT_TRUE(study_b[0].features.empty());
    const auto study_b_all = store.ForStudy("1.2.20", true);
    ASSERT_EQ(study_b_all.size(), 3u);
    EXPECT_EQ(study_b_all[0].id, id_old_b);
    EXPECT_TRUE(study_b_all[0].superseded);
    EXPECT_TRUE(store.ForStudy("9.9.9").empty());

    // One feature of one region across studies: the current, successful analyses only, in analysis order.
    FeatureQuery query;
    query.features = {"original_glcm_F0002"};
    query.region = "tumour";
    auto rows = store.FeatureTable(query);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].analysis_id, id_a);
    EXPECT_EQ(rows[0].study_instance_uid, "1.2.10");
    EXPECT_EQ(rows[0].ct_series_instance_uid, "1.2.10.1");
    EXPECT_EQ(rows[0].region, "tumour");
    EXPECT_EQ(rows[0].feature, "original_glcm_F0002");
    EXPECT_EQ(rows[0].value, 0.0 + 3.0 + 6.0);
    EXPECT_EQ(rows[1].analysis_id, id_b);
    EXPECT_EQ(rows[1].value, 20.0 + 3.0 + 6.0);
    EXPECT_EQ(rows[2].analysis_id, id_b2);

    query.features = {"original_glcm_F0002", "original_glcm_F0003", "no_such_feature"};
    rows = store.FeatureTable(query);
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(rows[1].feature, "original_glcm_F0003");
    EXPECT_TRUE(std::isnan(rows[1].value));

    query.region.clear();
    query.features = {"original_glcm_F0000"};
    EXPECT_EQ(store.FeatureTable(query).size(), 3u * 6u);
    query.limit = 5;
    EXPECT_EQ(store.FeatureTable(query).size(), 5u);

    FeatureQuery everything;
    EXPECT_EQ(store.FeatureTable(everything).size(), 3u * 60u);
    everything.finished_since = kT0 + 50'000;
    rows = store.FeatureTable(everything);
    ASSERT_EQ(rows.size(), 60u);
    EXPECT_EQ(rows.front().analysis_id, id_b);
}

TEST(StorageResultStore, ReportFilesAreRecorded) {
    Database db = Database::OpenInMemory();
    ResultStore store(db);
    const std::int64_t id = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 1)).id;
    EXPECT_TRUE(store.SetReportFiles(id, "2.25.1", "results/1.2.3/sr.dcm", "2.25.2", "results/1.2.3/seg.dcm"));
    auto stored = store.Get(id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->sr_sop_instance_uid, "2.25.1");
    EXPECT_EQ(stored->sr_path, "results/1.2.3/sr.dcm");
    EXPECT_EQ(stored->seg_sop_instance_uid, "2.25.2");
    EXPECT_EQ(stored->seg_path, "results/1.2.3/seg.dcm");

    EXPECT_TRUE(store.SetReportFiles(id, "2.25.3", "results/1.2.3/sr2.dcm", "", ""));
    stored = store.Get(id);
    EXPECT_EQ(stored->sr_sop_instance_uid, "2.25.3");
    EXPECT_TRUE(stored->seg_sop_instance_uid.empty());
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM analyses WHERE seg_sop_instance_uid IS NULL AND seg_path IS NULL"), 1);
    EXPECT_FALSE(store.SetReportFiles(id + 100, "2.25.4", "x", "", ""));
}

TEST(StorageResultStore, ResultsSurviveClosingAndReopening) {
    TempDir dir;
    const auto file = dir.Path() / "index.sqlite";
    const AnalysisRecord first = MakeAnalysis("1.2.3", "1.2.3.4", 1, 50);
    const AnalysisRecord second = MakeAnalysis("1.2.3", "1.2.3.4", 2, 50, 7.0);
    std::int64_t id = 0;
    {
        Database db = Database::Open(file);
        ResultStore store(db);
        store.RecordAnalysis(first);
        id = store.RecordAnalysis(second).id;
    }
    Database db = Database::Open(file);
    ResultStore store(db);
    const auto latest = store.LatestForSeries("1.2.3.4", true);
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->id, id);
    ExpectSameRecord(second, *latest, true);
    EXPECT_TRUE(latest->predecessor_analysis_id);
    // The job id still deduplicates after a restart.
    EXPECT_FALSE(store.RecordAnalysis(second).created);
}

TEST(StorageResultStore, MigrationAppliesToADatabaseOfTheEarlierSchema) {
    TempDir dir;
    const auto file = dir.Path() / "index.sqlite";
    {
        // Make the file what migrations 0001 + 0002 alone leave, with pipeline state in it.
        Database db = Database::Open(file);
        db.Exec("DROP TABLE signature_results; DROP TABLE cac_results; DROP TABLE features; "
                "DROP TABLE region_results; DROP TABLE analyses; DELETE FROM schema_migrations WHERE version > 2;");
        ASSERT_EQ(db.SchemaVersion(), 2);
        JobQueue(db).Enqueue("analyze", "1.2.3.4", "{}");
    }
    Database db = Database::Open(file);
    EXPECT_EQ(db.SchemaVersion(), Database::LatestSchemaVersion());
    EXPECT_GE(db.SchemaVersion(), 3);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM jobs"), 1);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                           "('analyses', 'region_results', 'features', 'cac_results', 'signature_results')"),
              5);
    ResultStore store(db);
    const auto recorded = store.RecordAnalysis(MakeAnalysis("1.2.3", "1.2.3.4", 1));
    EXPECT_TRUE(store.Get(recorded.id, true));
}

TEST(StorageResultStore, NoColumnCanHoldAPatientName) {
    Database db = Database::OpenInMemory();
    // Result tables carry no patient data at all; the whole schema has no patient-name column.
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM sqlite_schema m, pragma_table_info(m.name) p "
                           "WHERE m.type = 'table' AND m.name IN ('analyses', 'region_results', 'features', "
                           "'cac_results', 'signature_results') AND p.name LIKE '%patient%'"),
              0);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM sqlite_schema m, pragma_table_info(m.name) p "
                           "WHERE m.type = 'table' AND (p.name LIKE '%patient%name%' OR p.name LIKE '%patients%')"),
              0);
    EXPECT_GT(QueryInt(db, "SELECT COUNT(*) FROM sqlite_schema m, pragma_table_info(m.name) p "
                           "WHERE m.type = 'table' AND m.name = 'analyses'"),
              10); // the query does see columns
}

TEST(StorageResultStore, StatusNames) {
    EXPECT_EQ(AnalysisStatusName(AnalysisStatus::Ok), "ok");
    EXPECT_EQ(AnalysisStatusName(AnalysisStatus::Failed), "failed");
}

} // namespace
} // namespace radnode::storage
