#pragma once
/// The durable job queue of the hands-free pipeline (table `jobs`, migration 0002).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::storage {

class Database;

/// Milliseconds since the Unix epoch (UTC), the unit of every time in the pipeline tables.
using EpochMillis = std::int64_t;
/// The time source of JobQueue and SeriesTracker; tests inject a fake one.
using MillisClock = std::function<EpochMillis()>;
/// std::chrono::system_clock in EpochMillis.
EpochMillis SystemNowMillis();

/// pending → running → done, or running → pending (retry, expired lease) → … → dead (the dead letter).
enum class JobState { Pending, Running, Done, Dead };
/// "pending", "running", "done", "dead": the values of jobs.state.
std::string_view JobStateName(JobState state);

/// One row of `jobs`.
struct Job {
    std::int64_t id = 0;
    std::string kind;
    std::string key;
    std::string payload;
    JobState state = JobState::Pending;
    int attempts = 0; ///< claims so far, including the current one while running
    int max_attempts = 0;
    EpochMillis not_before = 0;
    std::string lease_owner; ///< the current (running) or last owner; empty if never claimed
    std::optional<EpochMillis> lease_expires_at;
    std::optional<EpochMillis> heartbeat_at;
    std::string last_error;
    std::optional<std::string> result;
    EpochMillis created_at = 0;
    EpochMillis updated_at = 0;
};

/// Proof of holding a claimed job. `attempt` is a fencing token: after the lease is recovered and the job
/// claimed again, even by an owner with the same name, the old lease no longer matches the row.
struct Lease {
    std::int64_t job_id = 0;
    std::string owner;
    int attempt = 0;
};

/// The lease a just-claimed `job` is held under.
inline Lease LeaseOf(const Job& job) {
    return Lease{job.id, job.lease_owner, job.attempts};
}

struct QueueOptions {
    /// Delay before the first retry; doubles with each further failed attempt.
    std::chrono::milliseconds backoff_base{5'000};
    /// Upper bound of the retry delay.
    std::chrono::milliseconds backoff_cap{600'000};
    /// max_attempts of a job enqueued without one.
    int default_max_attempts = 5;
};

/// Result of Enqueue().
struct Enqueued {
    std::int64_t id = 0;
    bool created = false; ///< false: (kind, key) existed and its row was left as it was
};

/// Jobs per state.
struct JobCounts {
    std::int64_t pending = 0;
    std::int64_t running = 0;
    std::int64_t done = 0;
    std::int64_t dead = 0;
};

/// Typed access to `jobs` over one connection (so one JobQueue per thread, like its Database); several
/// connections and processes may share the file. Every write is one IMMEDIATE transaction (a savepoint
/// inside a caller's transaction, so enqueueing can be atomic with other writes). Operations on a lease
/// change the row only while the row is still running under that lease, and return false otherwise: a
/// worker that lost its lease can never overwrite the result of the worker that took the job over.
/// Database failures throw StorageError.
class JobQueue {
public:
    explicit JobQueue(Database& db, QueueOptions options = {}, MillisClock clock = SystemNowMillis);

    /// Adds a pending job ready now (or after `delay`), unless (kind, key) exists: then returns the existing
    /// id, whatever its state, and changes nothing. A done or dead job is not run again by enqueueing it
    /// again; that takes Requeue(). `max_attempts` 0 means QueueOptions::default_max_attempts.
    Enqueued Enqueue(std::string_view kind, std::string_view key, std::string_view payload, int max_attempts = 0,
                     std::chrono::milliseconds delay = std::chrono::milliseconds{0});

    /// Explicitly runs a done or dead job again: back to pending, ready now, attempts 0, error and result
    /// cleared (payload kept). False when the job is missing, pending or running.
    bool Requeue(std::int64_t id);

    /// Atomically takes the pending job of one of `kinds` (any kind when empty) with not_before <= now that
    /// has been ready longest (not_before, then id), marks it running under `owner` until now +
    /// `lease_duration` and counts the attempt. nullopt when none is ready.
    std::optional<Job> Claim(std::string_view owner, std::span<const std::string> kinds,
                             std::chrono::milliseconds lease_duration);

    /// Extends the lease to now + `lease_duration`. False when the lease was lost (recovered or taken over).
    /// A lease past its expiry that nobody has recovered yet is still honoured: no one else can hold it.
    bool Heartbeat(const Lease& lease, std::chrono::milliseconds lease_duration);

    /// Marks the job done with `result`. False, changing nothing, when the lease was lost.
    bool Complete(const Lease& lease, std::string_view result);

    /// Records a failed attempt. Retryable and attempts < max_attempts: back to pending with not_before =
    /// now + min(backoff_cap, backoff_base * 2^(attempts-1)); otherwise dead. Returns the new state, or
    /// nullopt, changing nothing, when the lease was lost.
    std::optional<JobState> Fail(const Lease& lease, std::string_view error, bool retryable);

    /// Running jobs whose lease expired before now go back to pending (ready now), or to dead when they have
    /// used max_attempts; the lost attempt stays counted. Call at start and periodically. Returns how many.
    int RecoverExpiredLeases();

    /// The retry delay after `attempts` failed attempts (>= 1), as Fail() applies it.
    std::chrono::milliseconds BackoffAfter(int attempts) const;

    JobCounts Counts();
    std::optional<Job> Get(std::int64_t id);
    /// Up to `limit` jobs in `state`, oldest first.
    std::vector<Job> List(JobState state, int limit = 100);

private:
    Database& db_;
    QueueOptions options_;
    MillisClock clock_;
};

} // namespace radnode::storage
