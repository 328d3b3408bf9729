#pragma once
/// The SQLite index of received instances: studies ← series ← instances.

#include "storage/instance_record.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::storage {

class Database;

/// Typed access to the studies/series/instances tables over one connection (so one per thread, like the
/// Database it wraps). Every write is one IMMEDIATE transaction, nested as a savepoint when the caller
/// already holds one. Database failures throw StorageError.
class InstanceIndex {
public:
    explicit InstanceIndex(Database& db) : db_(db) {}

    /// The stored instance with this SOP Instance UID, if any.
    std::optional<StoredInstance> Find(std::string_view sop_instance_uid);

    /// In one transaction: upserts the study and series, then inserts the instance. When the SOP is already
    /// present (another association won a race since the caller's Find()), decides under the write lock:
    /// same content_hash → IdenticalDuplicate; different → KeptExisting or, with Replace, Replaced. Never
    /// produces a second row for one SOP Instance UID.
    PutOutcome Put(const InstanceRecord& record, DuplicatePolicy policy = DuplicatePolicy::KeepFirst);

    /// Overwrites the row of `record.sop_instance_uid` with new content (inserts it when absent). The study
    /// and series are upserted, so corrected study/series UIDs move the instance and the counts follow.
    void Replace(const InstanceRecord& record);

    /// Instances in one series, or in the whole index when `series_uid` is empty.
    std::size_t CountInstances(std::string_view series_uid = {});
    /// Instances of a series ordered by InstanceNumber (missing numbers last), then arrival.
    std::vector<StoredInstance> ListSeriesInstances(std::string_view series_uid);

    std::optional<StudySummary> FindStudy(std::string_view study_uid);
    std::optional<SeriesSummary> FindSeries(std::string_view series_uid);
    /// Series of a study ordered by SeriesNumber (missing numbers last), then arrival.
    std::vector<SeriesSummary> ListStudySeries(std::string_view study_uid);

private:
    /// Records the instance in series_progress (series_tracker.h) for series completion.
    void NoteForCompletion(const InstanceRecord& record);
    std::int64_t UpsertStudy(const InstanceRecord& record, const std::string& now);
    std::int64_t UpsertSeries(const InstanceRecord& record, std::int64_t study_id, const std::string& now);
    void InsertInstance(const InstanceRecord& record, std::int64_t series_id, const std::string& now);
    void UpdateInstance(const InstanceRecord& record, std::int64_t series_id, const std::string& now);

    Database& db_;
};

} // namespace radnode::storage
