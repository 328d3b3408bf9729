#include "storage/instance_index.h"

#include "config/log.h"
#include "storage/database.h"
#include "storage/transaction.h"

#include <chrono>
#include <ctime>
#include <fmt/format.h>

namespace radnode::storage {

namespace {

std::string utc_now_iso() {
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

std::optional<int> optional_int(const Statement& row, int column) {
    const auto value = row.column_optional_int64(column);
    return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
}

/// Columns read by read_instance(), in order. Joined so a row carries its series and study UIDs.
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

StoredInstance read_instance(const Statement& row) {
    StoredInstance out;
    out.id = row.column_int64(0);
    out.sop_instance_uid = row.column_text(1);
    out.sop_class_uid = row.column_text(2);
    out.instance_number = optional_int(row, 3);
    if (!row.column_is_null(4))
        out.image_position = std::array{row.column_double(4), row.column_double(5), row.column_double(6)};
    if (!row.column_is_null(7))
        out.image_orientation = std::array{row.column_double(7),  row.column_double(8),  row.column_double(9),
                                           row.column_double(10), row.column_double(11), row.column_double(12)};
    out.number_of_frames = static_cast<int>(row.column_int64(13));
    out.transfer_syntax_uid = row.column_text(14);
    out.calling_ae = row.column_text(15);
    out.calling_host = row.column_text(16);
    out.file_path = row.column_text(17);
    out.file_size = static_cast<std::uint64_t>(row.column_int64(18));
    out.content_hash = row.column_text(19);
    out.received_at = row.column_text(20);
    out.series_uid = row.column_text(21);
    out.modality = row.column_text(22);
    out.series_number = optional_int(row, 23);
    out.series_description = row.column_text(24);
    out.frame_of_reference_uid = row.column_text(25);
    out.study_uid = row.column_text(26);
    out.patient_id = row.column_text(27);
    out.study_date = row.column_text(28);
    out.study_description = row.column_text(29);
    out.accession_number = row.column_text(30);
    return out;
}

/// Binds the instance's own columns to parameters 2..22 (parameter 1 is the series id).
void bind_instance_columns(Statement& statement, const InstanceRecord& r, const std::string& received_at) {
    const auto& p = r.image_position;
    const auto& o = r.image_orientation;
    auto position = [&](std::size_t k) { return p ? std::optional<double>((*p)[k]) : std::nullopt; };
    auto orientation = [&](std::size_t k) { return o ? std::optional<double>((*o)[k]) : std::nullopt; };
    statement.bind(2, r.sop_instance_uid)
        .bind(3, r.sop_class_uid)
        .bind(4, r.instance_number)
        .bind(5, position(0))
        .bind(6, position(1))
        .bind(7, position(2))
        .bind(8, orientation(0))
        .bind(9, orientation(1))
        .bind(10, orientation(2))
        .bind(11, orientation(3))
        .bind(12, orientation(4))
        .bind(13, orientation(5))
        .bind(14, r.number_of_frames)
        .bind(15, r.transfer_syntax_uid)
        .bind(16, r.calling_ae)
        .bind(17, r.calling_host)
        .bind(18, r.file_path)
        .bind(19, r.file_size)
        .bind(20, r.content_hash)
        .bind(21, received_at);
}

SeriesSummary read_series(const Statement& row) {
    SeriesSummary out;
    out.id = row.column_int64(0);
    out.study_uid = row.column_text(1);
    out.series_uid = row.column_text(2);
    out.modality = row.column_text(3);
    out.series_number = optional_int(row, 4);
    out.series_description = row.column_text(5);
    out.frame_of_reference_uid = row.column_text(6);
    out.instance_count = row.column_int64(7);
    out.first_received_at = row.column_text(8);
    out.last_received_at = row.column_text(9);
    return out;
}

constexpr std::string_view kSeriesSelect = R"sql(
SELECT se.id, st.study_uid, se.series_uid, se.modality, se.series_number, se.series_description,
       se.frame_of_reference_uid, se.instance_count, se.first_received_at, se.last_received_at
  FROM series se
  JOIN studies st ON st.id = se.study_id
)sql";

} // namespace

std::optional<StoredInstance> InstanceIndex::find(std::string_view sop_instance_uid) {
    static const std::string sql = std::string(kInstanceSelect) + " WHERE i.sop_instance_uid = ?1";
    Statement& statement = db_.prepare(sql);
    StatementReset reset(statement);
    statement.bind(1, sop_instance_uid);
    if (!statement.step())
        return std::nullopt;
    return read_instance(statement);
}

PutOutcome InstanceIndex::put(const InstanceRecord& record, DuplicatePolicy policy) {
    // A top-level IMMEDIATE transaction holds the write lock from the first statement, so the duplicate check
    // below cannot race another connection. Nested in a caller's DEFERRED transaction it could: then the UNIQUE
    // constraint is the last line of defence and surfaces as StorageError(Duplicate).
    Transaction transaction(db_, TransactionMode::Immediate);

    Statement& lookup = db_.prepare("SELECT content_hash FROM instances WHERE sop_instance_uid = ?1");
    std::optional<std::string> existing_hash;
    {
        StatementReset reset(lookup);
        lookup.bind(1, record.sop_instance_uid);
        if (lookup.step())
            existing_hash = lookup.column_text(0);
    }

    PutOutcome outcome = PutOutcome::Inserted;
    if (!existing_hash) {
        const std::string now = utc_now_iso();
        insert_instance(record, upsert_series(record, upsert_study(record, now), now), now);
    } else if (*existing_hash == record.content_hash) {
        outcome = PutOutcome::IdenticalDuplicate;
    } else if (policy == DuplicatePolicy::KeepFirst) {
        outcome = PutOutcome::KeptExisting;
    } else {
        const std::string now = utc_now_iso();
        update_instance(record, upsert_series(record, upsert_study(record, now), now), now);
        outcome = PutOutcome::Replaced;
    }
    transaction.commit();
    return outcome;
}

void InstanceIndex::replace(const InstanceRecord& record) {
    Transaction transaction(db_, TransactionMode::Immediate);
    const std::string now = utc_now_iso();
    const std::int64_t series_id = upsert_series(record, upsert_study(record, now), now);
    update_instance(record, series_id, now);
    if (db_.changes() == 0)
        insert_instance(record, series_id, now);
    transaction.commit();
}

std::int64_t InstanceIndex::upsert_study(const InstanceRecord& r, const std::string& now) {
    // Study-level attributes come from the first instance; later instances only fill in what was empty.
    Statement& statement = db_.prepare(R"sql(
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
    statement.bind_all(r.study_uid, r.patient_id, r.study_date, r.study_description, r.accession_number, now);
    if (!statement.step())
        throw StorageError(StorageError::Kind::Sql, "study upsert returned no row");
    const std::int64_t id = statement.column_int64(0);
    statement.run(); // a RETURNING statement completes its write only when stepped to the end
    return id;
}

std::int64_t InstanceIndex::upsert_series(const InstanceRecord& r, std::int64_t study_id, const std::string& now) {
    Statement& statement = db_.prepare(R"sql(
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
    statement.bind_all(study_id, r.series_uid, r.modality, r.series_number, r.series_description,
                       r.frame_of_reference_uid, now);
    if (!statement.step())
        throw StorageError(StorageError::Kind::Sql, "series upsert returned no row");
    const std::int64_t id = statement.column_int64(0);
    const std::int64_t owning_study = statement.column_int64(1);
    statement.run();
    if (owning_study != study_id)
        // Inconsistent sender data: the series stays with the study it first arrived in.
        RADNODE_LOG_WARN(Category::Db, "series already belongs to another study; keeping the first",
                         {{"series", r.series_uid}, {"study", r.study_uid}, {"sop", r.sop_instance_uid}});
    return id;
}

void InstanceIndex::insert_instance(const InstanceRecord& r, std::int64_t series_id, const std::string& now) {
    Statement& statement = db_.prepare(R"sql(
INSERT INTO instances (series_id, sop_instance_uid, sop_class_uid, instance_number,
                       position_x, position_y, position_z,
                       orientation_row_x, orientation_row_y, orientation_row_z,
                       orientation_col_x, orientation_col_y, orientation_col_z,
                       number_of_frames, transfer_syntax_uid, calling_ae, calling_host,
                       file_path, file_size, content_hash, received_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
)sql");
    StatementReset reset(statement);
    statement.bind(1, series_id);
    bind_instance_columns(statement, r, now);
    statement.run();
}

void InstanceIndex::update_instance(const InstanceRecord& r, std::int64_t series_id, const std::string& now) {
    Statement& statement = db_.prepare(R"sql(
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
    statement.bind(1, series_id);
    bind_instance_columns(statement, r, now);
    statement.run();
}

std::size_t InstanceIndex::count_instances(std::string_view series_uid) {
    Statement& statement =
        series_uid.empty()
            ? db_.prepare("SELECT COUNT(*) FROM instances")
            : db_.prepare(
                  "SELECT COUNT(*) FROM instances WHERE series_id = (SELECT id FROM series WHERE series_uid = ?1)");
    StatementReset reset(statement);
    if (!series_uid.empty())
        statement.bind(1, series_uid);
    return statement.step() ? static_cast<std::size_t>(statement.column_int64(0)) : 0;
}

std::vector<StoredInstance> InstanceIndex::list_series_instances(std::string_view series_uid) {
    static const std::string sql =
        std::string(kInstanceSelect) +
        " WHERE se.series_uid = ?1 ORDER BY i.instance_number IS NULL, i.instance_number, i.id";
    Statement& statement = db_.prepare(sql);
    StatementReset reset(statement);
    statement.bind(1, series_uid);
    std::vector<StoredInstance> out;
    while (statement.step())
        out.push_back(read_instance(statement));
    return out;
}

std::optional<StudySummary> InstanceIndex::find_study(std::string_view study_uid) {
    Statement& statement = db_.prepare(R"sql(
SELECT id, study_uid, patient_id, study_date, study_description, accession_number,
       series_count, instance_count, first_received_at, last_received_at
  FROM studies WHERE study_uid = ?1
)sql");
    StatementReset reset(statement);
    statement.bind(1, study_uid);
    if (!statement.step())
        return std::nullopt;
    StudySummary out;
    out.id = statement.column_int64(0);
    out.study_uid = statement.column_text(1);
    out.patient_id = statement.column_text(2);
    out.study_date = statement.column_text(3);
    out.study_description = statement.column_text(4);
    out.accession_number = statement.column_text(5);
    out.series_count = statement.column_int64(6);
    out.instance_count = statement.column_int64(7);
    out.first_received_at = statement.column_text(8);
    out.last_received_at = statement.column_text(9);
    return out;
}

std::optional<SeriesSummary> InstanceIndex::find_series(std::string_view series_uid) {
    static const std::string sql = std::string(kSeriesSelect) + " WHERE se.series_uid = ?1";
    Statement& statement = db_.prepare(sql);
    StatementReset reset(statement);
    statement.bind(1, series_uid);
    if (!statement.step())
        return std::nullopt;
    return read_series(statement);
}

std::vector<SeriesSummary> InstanceIndex::list_study_series(std::string_view study_uid) {
    static const std::string sql =
        std::string(kSeriesSelect) +
        " WHERE st.study_uid = ?1 ORDER BY se.series_number IS NULL, se.series_number, se.id";
    Statement& statement = db_.prepare(sql);
    StatementReset reset(statement);
    statement.bind(1, study_uid);
    std::vector<SeriesSummary> out;
    while (statement.step())
        out.push_back(read_series(statement));
    return out;
}

} // namespace radnode::storage
