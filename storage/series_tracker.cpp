#include "storage/series_tracker.h"

#include "config/log.h"
#include "storage/database.h"
#include "storage/transaction.h"

#include <cassert>
#include <fmt/format.h>

namespace radnode::storage {

namespace {

SeriesState ParseSeriesState(const std::string& text) {
    if (text == "receiving")
        return SeriesState::Receiving;
    if (text == "complete")
        return SeriesState::Complete;
    if (text == "queued")
        return SeriesState::Queued;
    throw StorageError(StorageError::Kind::Corrupt, fmt::format("unknown series state '{}'", text));
}

/// Columns read by ReadProgress(), in order.
constexpr std::string_view kProgressColumns = "series_instance_uid, study_instance_uid, modality, first_received_at, "
                                              "last_received_at, instance_count, state, completed_at";

SeriesProgress ReadProgress(const Statement& row) {
    SeriesProgress out;
    out.series_uid = row.ColumnText(0);
    out.study_uid = row.ColumnText(1);
    out.modality = row.ColumnText(2);
    out.first_received_at = row.ColumnInt64(3);
    out.last_received_at = row.ColumnInt64(4);
    out.instance_count = row.ColumnInt64(5);
    out.state = ParseSeriesState(row.ColumnText(6));
    out.completed_at = row.ColumnOptionalInt64(7);
    return out;
}

} // namespace

std::string_view SeriesStateName(SeriesState state) {
    switch (state) {
    case SeriesState::Receiving:
        return "receiving";
    case SeriesState::Complete:
        return "complete";
    case SeriesState::Queued:
        return "queued";
    }
    return "receiving";
}

SeriesTracker::SeriesTracker(Database& db, MillisClock clock) : db_(db), clock_(std::move(clock)) {
    assert(clock_);
}

NoteResult SeriesTracker::NoteInstance(std::string_view series_uid, std::string_view study_uid,
                                       std::string_view modality, EpochMillis received_at) {
    const EpochMillis now = clock_();
    Transaction transaction(db_, TransactionMode::Immediate);
    NoteResult out;
    bool existed = false;
    {
        Statement& lookup = db_.Prepare("SELECT state FROM series_progress WHERE series_instance_uid = ?1");
        StatementReset reset(lookup);
        lookup.Bind(1, series_uid);
        if (lookup.Step()) {
            existed = true;
            out.previous_state = ParseSeriesState(lookup.ColumnText(0));
        }
    }
    {
        // min/max: instances noted out of order (several associations at once) keep the window right.
        Statement& upsert = db_.Prepare(R"sql(
INSERT INTO series_progress (series_instance_uid, study_instance_uid, modality, first_received_at,
                             last_received_at, instance_count, state, updated_at)
VALUES (?1, ?2, ?3, ?4, ?4, 1, 'receiving', ?5)
ON CONFLICT (series_instance_uid) DO UPDATE SET
    study_instance_uid = iif(study_instance_uid = '', excluded.study_instance_uid, study_instance_uid),
    modality           = iif(modality = '', excluded.modality, modality),
    first_received_at  = min(first_received_at, excluded.first_received_at),
    last_received_at   = max(last_received_at, excluded.last_received_at),
    instance_count     = instance_count + 1,
    state              = 'receiving',
    completed_at       = NULL,
    updated_at         = excluded.updated_at
RETURNING instance_count
)sql");
        StatementReset reset(upsert);
        upsert.BindAll(series_uid, study_uid, modality, received_at, now);
        if (!upsert.Step())
            throw StorageError(StorageError::Kind::Sql, "series progress upsert returned no row");
        out.instance_count = upsert.ColumnInt64(0);
        upsert.Run();
    }
    transaction.Commit();
    if (!existed)
        out.outcome = NoteOutcome::NewSeries;
    else if (out.previous_state == SeriesState::Receiving)
        out.outcome = NoteOutcome::Added;
    else
        out.outcome = NoteOutcome::Reopened;
    if (out.outcome == NoteOutcome::Reopened)
        RADNODE_LOG_INFO(Category::Jobs, "late instance reopened a series",
                         {{"series", series_uid},
                          {"study", study_uid},
                          {"was", SeriesStateName(out.previous_state)},
                          {"instances", out.instance_count}});
    return out;
}

std::vector<SeriesProgress> SeriesTracker::DueSeries(EpochMillis now, std::chrono::milliseconds stable_age, int limit) {
    static const std::string sql =
        fmt::format("SELECT {} FROM series_progress WHERE state = 'receiving' AND last_received_at <= ?1 "
                    "ORDER BY last_received_at, series_instance_uid LIMIT ?2",
                    kProgressColumns);
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.BindAll(now - stable_age.count(), limit);
    std::vector<SeriesProgress> out;
    while (statement.Step())
        out.push_back(ReadProgress(statement));
    return out;
}

bool SeriesTracker::MarkComplete(std::string_view series_uid, EpochMillis now, std::chrono::milliseconds stable_age) {
    Transaction transaction(db_, TransactionMode::Immediate);
    Statement& statement = db_.Prepare(R"sql(
UPDATE series_progress SET state = 'complete', completed_at = ?2, updated_at = ?2
 WHERE series_instance_uid = ?1 AND state = 'receiving' AND last_received_at <= ?3
)sql");
    StatementReset reset(statement);
    statement.BindAll(series_uid, now, now - stable_age.count()).Run();
    const bool marked = db_.Changes() == 1;
    transaction.Commit();
    return marked;
}

bool SeriesTracker::MarkQueued(std::string_view series_uid) {
    const EpochMillis now = clock_();
    Transaction transaction(db_, TransactionMode::Immediate);
    Statement& statement = db_.Prepare(R"sql(
UPDATE series_progress SET state = 'queued', updated_at = ?2 WHERE series_instance_uid = ?1 AND state = 'complete'
)sql");
    StatementReset reset(statement);
    statement.BindAll(series_uid, now).Run();
    const bool marked = db_.Changes() == 1;
    transaction.Commit();
    return marked;
}

std::optional<SeriesProgress> SeriesTracker::Get(std::string_view series_uid) {
    static const std::string sql =
        fmt::format("SELECT {} FROM series_progress WHERE series_instance_uid = ?1", kProgressColumns);
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.Bind(1, series_uid);
    if (!statement.Step())
        return std::nullopt;
    return ReadProgress(statement);
}

std::vector<SeriesProgress> SeriesTracker::ListSeries(SeriesState state, int limit) {
    static const std::string sql = fmt::format(
        "SELECT {} FROM series_progress WHERE state = ?1 ORDER BY last_received_at, series_instance_uid LIMIT ?2",
        kProgressColumns);
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.BindAll(SeriesStateName(state), limit);
    std::vector<SeriesProgress> out;
    while (statement.Step())
        out.push_back(ReadProgress(statement));
    return out;
}

} // namespace radnode::storage
