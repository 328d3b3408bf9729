#include "storage/instance_index.h"

#include "storage/series_tracker.h"

#include "config/log.h"
#include "storage/database.h"
#include "storage/transaction.h"

#include <chrono>
#include <ctime>
#include <fmt/format.h>

namespace radnode::storage {

namespace {

std::string UtcNowIso() {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const auto seconds = time_point_cast<std::chrono::seconds>(now);
    const auto millis = duration_cast<milliseconds>(now - seconds).count();
    const std::time_t t = system_clock::to_time_t(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::optional<int> OptionalInt(const Statement& row, int column) {
    const auto value = row.ColumnOptionalInt64(column);
    return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

/// Columns read by ReadInstance(), in order. Joined so a row carries its series and study UIDs.
constexpr std::string_view kInstanceSelect = R"sql(
SELECT i.id, i.sop_instance_uid, i.sop_class_uid, i.instance_number,
       i.position_x, i.position_y, i.position_z,
       i.orientation_row_x, i.orientation_row_y, i.orientation_row_z,
       i.orientation_col_x, i.orientation_col_y, i.orientation_col_z,
       i.number_of_frames, i.transfer_syntax_uid, i.calling_ae, i.calling_host,
       i.file_path, i.file_size, i.content_hash, i.received_at,
       se.series_uid, se.modality, se.series_number, se.series_description, se.frame_of_reference_uid,
       st.study_uid, st.patient_id, st.study_date, st.study_description, st.accession_number
  FROM instances i
  JOIN series se ON se.id = i.series_id
  JOIN studies st ON st.id = se.study_id
)sql";

StoredInstance ReadInstance(const Statement& row) {
    StoredInstance out;
    out.id = row.ColumnInt64(0);
    out.sop_instance_uid = row.ColumnText(1);
    out.sop_class_uid = row.ColumnText(2);
    out.instance_number = OptionalInt(row, 3);
    if (!row.ColumnIsNull(4))
        out.image_position = std::array{row.ColumnDouble(4), row.ColumnDouble(5), row.ColumnDouble(6)};
    if (!row.ColumnIsNull(7))
        out.image_orientation = std::array{row.ColumnDouble(7),  row.ColumnDouble(8),  row.ColumnDouble(9),
                                           row.ColumnDouble(10), row.ColumnDouble(11), row.ColumnDouble(12)};
    out.number_of_frames = static_cast<int>(row.ColumnInt64(13));
    out.transfer_syntax_uid = row.ColumnText(14);
    out.calling_ae = row.ColumnText(15);
    out.calling_host = row.ColumnText(16);
    out.file_path = row.ColumnText(17);
    out.file_size = static_cast<std::uint64_t>(row.ColumnInt64(18));
    out.content_hash = row.ColumnText(19);
    out.received_at = row.ColumnText(20);
    out.series_uid = row.ColumnText(21);
    out.modality = row.ColumnText(22);
    out.series_number = OptionalInt(row, 23);
    out.series_description = row.ColumnText(24);
    out.frame_of_reference_uid = row.ColumnText(25);
    out.study_uid = row.ColumnText(26);
    out.patient_id = row.ColumnText(27);
    out.study_date = row.ColumnText(28);
    out.study_description = row.ColumnText(29);
    out.accession_number = row.ColumnText(30);
    return out;
}

/// Binds the instance's own columns to parameters 2..22 (parameter 1 is the series id).
void BindInstanceColumns(Statement& statement, const InstanceRecord& r, const std::string& received_at) {
    const auto& p = r.image_position;
    const auto& o = r.image_orientation;
    auto position = [&](std::size_t k) { return p ? std::optional<double>((*p)[k]) : std::nullopt; };
    auto orientation = [&](std::size_t k) { return o ? std::optional<double>((*o)[k]) : std::nullopt; };
    statement.Bind(2, r.sop_instance_uid)
        .Bind(3, r.sop_class_uid)
        .Bind(4, r.instance_number)
        .Bind(5, position(0))
        .Bind(6, position(1))
        .Bind(7, position(2))
        .Bind(8, orientation(0))
        .Bind(9, orientation(1))
        .Bind(10, orientation(2))
        .Bind(11, orientation(3))
        .Bind(12, orientation(4))
        .Bind(13, orientation(5))
        .Bind(14, r.number_of_frames)
        .Bind(15, r.transfer_syntax_uid)
        .Bind(16, r.calling_ae)
        .Bind(17, r.calling_host)
        .Bind(18, r.file_path)
        .Bind(19, r.file_size)
        .Bind(20, r.content_hash)
        .Bind(21, received_at);
}

SeriesSummary ReadSeries(const Statement& row) {
    SeriesSummary out;
    out.id = row.ColumnInt64(0);
    out.study_uid = row.ColumnText(1);
    out.series_uid = row.ColumnText(2);
    out.modality = row.ColumnText(3);
    out.series_number = OptionalInt(row, 4);
    out.series_description = row.ColumnText(5);
    out.frame_of_reference_uid = row.ColumnText(6);
    out.instance_count = row.ColumnInt64(7);
    out.first_received_at = row.ColumnText(8);
    out.last_received_at = row.ColumnText(9);
    return out;
}

constexpr std::string_view kSeriesSelect = R"sql(
SELECT se.id, st.study_uid, se.series_uid, se.modality, se.series_number, se.series_description,
       se.frame_of_reference_uid, se.instance_count, se.first_received_at, se.last_received_at
  FROM series se
  JOIN studies st ON st.id = se.study_id
)sql";

} // namespace

std::optional<StoredInstance> InstanceIndex::Find(std::string_view sop_instance_uid) {
    static const std::string sql = std::string(kInstanceSelect) + " WHERE i.sop_instance_uid = ?1";
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.Bind(1, sop_instance_uid);
    if (!statement.Step())
        return std::nullopt;
    return ReadInstance(statement);
}

PutOutcome InstanceIndex::Put(const InstanceRecord& record, DuplicatePolicy policy) {
    // A top-level IMMEDIATE transaction holds the write lock from the first statement, so the duplicate check
    // below cannot race another connection. Nested in a caller's DEFERRED transaction it could: then the UNIQUE
    // constraint is the last line of defence and surfaces as StorageError(Duplicate).
    Transaction transaction(db_, TransactionMode::Immediate);

    Statement& lookup = db_.Prepare("SELECT content_hash FROM instances WHERE sop_instance_uid = ?1");
    std::optional<std::string> existing_hash;
    {
        StatementReset reset(lookup);
        lookup.Bind(1, record.sop_instance_uid);
        if (lookup.Step())
            existing_hash = lookup.ColumnText(0);
    }

    PutOutcome outcome = PutOutcome::Inserted;
    if (!existing_hash) {
        const std::string now = UtcNowIso();
        InsertInstance(record, UpsertSeries(record, UpsertStudy(record, now), now), now);
        NoteForCompletion(record);
    } else if (*existing_hash == record.content_hash) {
        outcome = PutOutcome::IdenticalDuplicate;
    } else if (policy == DuplicatePolicy::KeepFirst) {
        outcome = PutOutcome::KeptExisting;
    } else {
        const std::string now = UtcNowIso();
        UpdateInstance(record, UpsertSeries(record, UpsertStudy(record, now), now), now);
        NoteForCompletion(record);
        outcome = PutOutcome::Replaced;
    }
    transaction.Commit();
    return outcome;
}

void InstanceIndex::Replace(const InstanceRecord& record) {
    Transaction transaction(db_, TransactionMode::Immediate);
    const std::string now = UtcNowIso();
    const std::int64_t series_id = UpsertSeries(record, UpsertStudy(record, now), now);
    UpdateInstance(record, series_id, now);
    if (db_.Changes() == 0)
        InsertInstance(record, series_id, now);
    NoteForCompletion(record);
    transaction.Commit();
}

void InstanceIndex::NoteForCompletion(const InstanceRecord& record) {
    // In the instance's own transaction: a series can never be indexed without being tracked.
    SeriesTracker(db_).NoteInstance(record.series_uid, record.study_uid, record.modality, SystemNowMillis());
}

std::int64_t InstanceIndex::UpsertStudy(const InstanceRecord& r, const std::string& now) {
    // Study-level attributes come from the first instance; later instances only fill in what was empty.
    Statement& statement = db_.Prepare(R"sql(
INSERT INTO studies (study_uid, patient_id, study_date, study_description, accession_number,
                     first_received_at, last_received_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (study_uid) DO UPDATE SET
    last_received_at  = excluded.last_received_at,
    patient_id        = iif(patient_id = '', excluded.patient_id, patient_id),
    study_date        = iif(study_date = '', excluded.study_date, study_date),
    study_description = iif(study_description = '', excluded.study_description, study_description),
    accession_number  = iif(accession_number = '', excluded.accession_number, accession_number)
RETURNING id
)sql");
    StatementReset reset(statement);
    statement.BindAll(r.study_uid, r.patient_id, r.study_date, r.study_description, r.accession_number, now);
    if (!statement.Step())
        throw StorageError(StorageError::Kind::Sql, "study upsert returned no row");
    const std::int64_t id = statement.ColumnInt64(0);
    statement.Run(); // a RETURNING statement completes its write only when stepped to the end
    return id;
}

std::int64_t InstanceIndex::UpsertSeries(const InstanceRecord& r, std::int64_t study_id, const std::string& now) {
    Statement& statement = db_.Prepare(R"sql(
INSERT INTO series (study_id, series_uid, modality, series_number, series_description, frame_of_reference_uid,
                    first_received_at, last_received_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
ON CONFLICT (series_uid) DO UPDATE SET
    last_received_at       = excluded.last_received_at,
    modality               = iif(modality = '', excluded.modality, modality),
    series_number          = coalesce(series_number, excluded.series_number),
    series_description     = iif(series_description = '', excluded.series_description, series_description),
    frame_of_reference_uid = iif(frame_of_reference_uid = '', excluded.frame_of_reference_uid,
                                 frame_of_reference_uid)
RETURNING id, study_id
)sql");
    StatementReset reset(statement);
    statement.BindAll(study_id, r.series_uid, r.modality, r.series_number, r.series_description,
                      r.frame_of_reference_uid, now);
    if (!statement.Step())
        throw StorageError(StorageError::Kind::Sql, "series upsert returned no row");
    const std::int64_t id = statement.ColumnInt64(0);
    const std::int64_t owning_study = statement.ColumnInt64(1);
    statement.Run();
    if (owning_study != study_id)
        // Inconsistent sender data: the series stays with the study it first arrived in.
        RADNODE_LOG_WARN(Category::Db, "series already belongs to another study; keeping the first",
                         {{"series", r.series_uid}, {"study", r.study_uid}, {"sop", r.sop_instance_uid}});
    return id;
}

void InstanceIndex::InsertInstance(const InstanceRecord& r, std::int64_t series_id, const std::string& now) {
    Statement& statement = db_.Prepare(R"sql(
INSERT INTO instances (series_id, sop_instance_uid, sop_class_uid, instance_number,
                       position_x, position_y, position_z,
                       orientation_row_x, orientation_row_y, orientation_row_z,
                       orientation_col_x, orientation_col_y, orientation_col_z,
                       number_of_frames, transfer_syntax_uid, calling_ae, calling_host,
                       file_path, file_size, content_hash, received_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
)sql");
    StatementReset reset(statement);
    statement.Bind(1, series_id);
    BindInstanceColumns(statement, r, now);
    statement.Run();
}

void InstanceIndex::UpdateInstance(const InstanceRecord& r, std::int64_t series_id, const std::string& now) {
    Statement& statement = db_.Prepare(R"sql(
UPDATE instances SET
    series_id = ?1, sop_class_uid = ?3, instance_number = ?4,
    position_x = ?5, position_y = ?6, position_z = ?7,
    orientation_row_x = ?8, orientation_row_y = ?9, orientation_row_z = ?10,
    orientation_col_x = ?11, orientation_col_y = ?12, orientation_col_z = ?13,
    number_of_frames = ?14, transfer_syntax_uid = ?15, calling_ae = ?16, calling_host = ?17,
    file_path = ?18, file_size = ?19, content_hash = ?20, received_at = ?21
WHERE sop_instance_uid = ?2
)sql");
    StatementReset reset(statement);
    statement.Bind(1, series_id);
    BindInstanceColumns(statement, r, now);
    statement.Run();
}

std::size_t InstanceIndex::CountInstances(std::string_view series_uid) {
    Statement& statement =
        series_uid.empty()
            ? db_.Prepare("SELECT COUNT(*) FROM instances")
            : db_.Prepare(
                  "SELECT COUNT(*) FROM instances WHERE series_id = (SELECT id FROM series WHERE series_uid = ?1)");
    StatementReset reset(statement);
    if (!series_uid.empty())
        statement.Bind(1, series_uid);
    return statement.Step() ? static_cast<std::size_t>(statement.ColumnInt64(0)) : 0;
}

std::vector<StoredInstance> InstanceIndex::ListSeriesInstances(std::string_view series_uid) {
    static const std::string sql =
        std::string(kInstanceSelect) +
        " WHERE se.series_uid = ?1 ORDER BY i.instance_number IS NULL, i.instance_number, i.id";
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.Bind(1, series_uid);
    std::vector<StoredInstance> out;
    while (statement.Step())
        out.push_back(ReadInstance(statement));
    return out;
}

std::optional<StudySummary> InstanceIndex::FindStudy(std::string_view study_uid) {
    Statement& statement = db_.Prepare(R"sql(
SELECT id, study_uid, patient_id, study_date, study_description, accession_number,
       series_count, instance_count, first_received_at, last_received_at
  FROM studies WHERE study_uid = ?1
)sql");
    StatementReset reset(statement);
    statement.Bind(1, study_uid);
    if (!statement.Step())
        return std::nullopt;
    StudySummary out;
    out.id = statement.ColumnInt64(0);
    out.study_uid = statement.ColumnText(1);
    out.patient_id = statement.ColumnText(2);
    out.study_date = statement.ColumnText(3);
    out.study_description = statement.ColumnText(4);
    out.accession_number = statement.ColumnText(5);
    out.series_count = statement.ColumnInt64(6);
    out.instance_count = statement.ColumnInt64(7);
    out.first_received_at = statement.ColumnText(8);
    out.last_received_at = statement.ColumnText(9);
    return out;
}

std::optional<SeriesSummary> InstanceIndex::FindSeries(std::string_view series_uid) {
    static const std::string sql = std::string(kSeriesSelect) + " WHERE se.series_uid = ?1";
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.Bind(1, series_uid);
    if (!statement.Step())
        return std::nullopt;
    return ReadSeries(statement);
}

std::vector<SeriesSummary> InstanceIndex::ListStudySeries(std::string_view study_uid) {
    static const std::string sql =
        std::string(kSeriesSelect) +
        " WHERE st.study_uid = ?1 ORDER BY se.series_number IS NULL, se.series_number, se.id";
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.Bind(1, study_uid);
    std::vector<SeriesSummary> out;
    while (statement.Step())
        out.push_back(ReadSeries(statement));
    return out;
}

} // namespace radnode::storage
