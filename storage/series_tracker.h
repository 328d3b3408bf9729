#pragma once
/// Series completion tracking for the hands-free pipeline (table `series_progress`, migration 0002).

#include "storage/job_queue.h" // EpochMillis, MillisClock

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::storage {

class Database;

/// receiving → complete (stable for stable_age) → queued (its work enqueued); a late instance → receiving.
enum class SeriesState { Receiving, Complete, Queued };
/// "receiving", "complete", "queued": the values of series_progress.state.
std::string_view SeriesStateName(SeriesState state);

/// One row of `series_progress`.
struct SeriesProgress {
    std::string series_uid;
    std::string study_uid;
    std::string modality;
    EpochMillis first_received_at = 0;
    EpochMillis last_received_at = 0;
    std::int64_t instance_count = 0;
    SeriesState state = SeriesState::Receiving;
    std::optional<EpochMillis> completed_at;
};

enum class NoteOutcome {
    NewSeries, ///< first instance of the series
    Added,     ///< the series was already receiving
    Reopened,  ///< a late instance: the series was complete or queued and is receiving again
};

/// Result of NoteInstance().
struct NoteResult {
    NoteOutcome outcome = NoteOutcome::NewSeries;
    SeriesState previous_state = SeriesState::Receiving; ///< before this instance (Receiving for a new series)
    std::int64_t instance_count = 0;                     ///< after this instance
};

/// Durable series-completion state over one connection (one per thread, like its Database). A series is due
/// when it is receiving and its last instance arrived at least `stable_age` ago; the state lives in SQLite,
/// so a restart resumes the timers. Database failures throw StorageError.
///
/// The store path calls NoteInstance() once per newly stored instance (not for identical duplicates),
/// ideally inside the transaction that indexes the instance, so a crash cannot index an instance without
/// noting it. The pipeline polls DueSeries(), marks each series complete, and marks it queued in the same
/// transaction that enqueues its job; after a crash between the two, ListSeries(Complete) finds it again.
class SeriesTracker {
public:
    explicit SeriesTracker(Database& db, MillisClock clock = SystemNowMillis);

    /// Counts one instance received at `received_at`: inserts the series or updates its count and
    /// first/last times; a complete or queued series goes back to receiving (completed_at cleared).
    /// Study UID and modality are taken from the first instance that has them.
    NoteResult NoteInstance(std::string_view series_uid, std::string_view study_uid, std::string_view modality,
                            EpochMillis received_at);

    /// Receiving series whose last instance arrived at or before now - `stable_age`, longest quiet first.
    std::vector<SeriesProgress> DueSeries(EpochMillis now, std::chrono::milliseconds stable_age, int limit = 100);

    /// Receiving → complete, only if the series is still quiet for `stable_age` at `now` (re-checked under the
    /// write lock, so an instance that arrived since DueSeries() wins). True when marked.
    bool MarkComplete(std::string_view series_uid, EpochMillis now, std::chrono::milliseconds stable_age);
    /// Complete → queued. False when the series is not complete (e.g. reopened by a late instance).
    bool MarkQueued(std::string_view series_uid);

    std::optional<SeriesProgress> Get(std::string_view series_uid);
    /// Up to `limit` series in `state`, by last instance time.
    std::vector<SeriesProgress> ListSeries(SeriesState state, int limit = 100);

private:
    Database& db_;
    MillisClock clock_;
};

} // namespace radnode::storage
