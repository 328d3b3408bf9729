#include "storage/job_queue.h"

#include "config/log.h"
#include "storage/database.h"
#include "storage/transaction.h"

#include <algorithm>
#include <cassert>
#include <fmt/format.h>

namespace radnode::storage {

namespace {

/// Columns read by ReadJob(), in order.
constexpr std::string_view kJobColumns =
    "id, kind, job_key, payload, state, attempts, max_attempts, not_before, lease_owner, lease_expires_at, "
    "heartbeat_at, last_error, result, created_at, updated_at";

JobState ParseState(const std::string& text) {
    if (text == "pending")
        return JobState::Pending;
    if (text == "running")
        return JobState::Running;
    if (text == "done")
        return JobState::Done;
    if (text == "dead")
        return JobState::Dead;
    throw StorageError(StorageError::Kind::Corrupt, fmt::format("unknown job state '{}'", text));
}

Job ReadJob(const Statement& row) {
    Job job;
    job.id = row.ColumnInt64(0);
    job.kind = row.ColumnText(1);
    job.key = row.ColumnText(2);
    job.payload = row.ColumnText(3);
    job.state = ParseState(row.ColumnText(4));
    job.attempts = static_cast<int>(row.ColumnInt64(5));
    job.max_attempts = static_cast<int>(row.ColumnInt64(6));
    job.not_before = row.ColumnInt64(7);
    job.lease_owner = row.ColumnIsNull(8) ? std::string{} : row.ColumnText(8);
    job.lease_expires_at = row.ColumnOptionalInt64(9);
    job.heartbeat_at = row.ColumnOptionalInt64(10);
    job.last_error = row.ColumnText(11);
    if (!row.ColumnIsNull(12))
        job.result = row.ColumnText(12);
    job.created_at = row.ColumnInt64(13);
    job.updated_at = row.ColumnInt64(14);
    return job;
}

/// The UPDATE … WHERE clause shared by every operation on a lease: the row is still running under it.
constexpr std::string_view kHeldBy = "id = ?1 AND state = 'running' AND lease_owner = ?2 AND attempts = ?3";

} // namespace

EpochMillis SystemNowMillis() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string_view JobStateName(JobState state) {
    switch (state) {
    case JobState::Pending:
        return "pending";
    case JobState::Running:
        return "running";
    case JobState::Done:
        return "done";
    case JobState::Dead:
        return "dead";
    }
    return "pending";
}

JobQueue::JobQueue(Database& db, QueueOptions options, MillisClock clock)
    : db_(db), options_(options), clock_(std::move(clock)) {
    assert(clock_);
    assert(options_.default_max_attempts >= 1);
}

Enqueued JobQueue::Enqueue(std::string_view kind, std::string_view key, std::string_view payload, int max_attempts,
                           std::chrono::milliseconds delay) {
    const int attempts_allowed = max_attempts > 0 ? max_attempts : options_.default_max_attempts;
    const EpochMillis now = clock_();
    Transaction transaction(db_, TransactionMode::Immediate);
    Enqueued out;
    {
        Statement& insert = db_.Prepare(R"sql(
INSERT INTO jobs (kind, job_key, payload, max_attempts, not_before, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
ON CONFLICT (kind, job_key) DO NOTHING
RETURNING id
)sql");
        StatementReset reset(insert);
        insert.BindAll(kind, key, payload, attempts_allowed, now + delay.count(), now);
        if (insert.Step()) {
            out.id = insert.ColumnInt64(0);
            out.created = true;
            insert.Run();
        }
    }
    if (!out.created) {
        Statement& lookup = db_.Prepare("SELECT id FROM jobs WHERE kind = ?1 AND job_key = ?2");
        StatementReset reset(lookup);
        lookup.BindAll(kind, key);
        if (!lookup.Step())
            throw StorageError(StorageError::Kind::Sql, "job insert conflicted but no job has its key");
        out.id = lookup.ColumnInt64(0);
    }
    transaction.Commit();
    if (out.created)
        RADNODE_LOG_DEBUG(Category::Jobs, "job enqueued", {{"job", out.id}, {"kind", kind}, {"key", key}});
    return out;
}

bool JobQueue::Requeue(std::int64_t id) {
    const EpochMillis now = clock_();
    Transaction transaction(db_, TransactionMode::Immediate);
    Statement& statement = db_.Prepare(R"sql(
UPDATE jobs SET state = 'pending', attempts = 0, not_before = ?2, lease_expires_at = NULL, last_error = '',
                result = NULL, updated_at = ?2
 WHERE id = ?1 AND state IN ('done', 'dead')
)sql");
    StatementReset reset(statement);
    statement.BindAll(id, now).Run();
    const bool changed = db_.Changes() == 1;
    transaction.Commit();
    if (changed)
        RADNODE_LOG_INFO(Category::Jobs, "job requeued", {{"job", id}});
    return changed;
}

std::optional<Job> JobQueue::Claim(std::string_view owner, std::span<const std::string> kinds,
                                   std::chrono::milliseconds lease_duration) {
    // One statement text per number of kinds, so each stays in the connection's statement cache.
    std::string kind_filter;
    if (!kinds.empty()) {
        kind_filter = " AND kind IN (";
        for (std::size_t i = 0; i < kinds.size(); ++i)
            kind_filter += fmt::format("{}?{}", i == 0 ? "" : ", ", i + 4);
        kind_filter += ")";
    }
    const std::string sql = fmt::format(R"sql(
UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?1, lease_expires_at = ?3,
                heartbeat_at = ?2, updated_at = ?2
 WHERE id = (SELECT id FROM jobs WHERE state = 'pending' AND not_before <= ?2{} ORDER BY not_before, id LIMIT 1)
RETURNING {}
)sql",
                                        kind_filter, kJobColumns);

    const EpochMillis now = clock_();
    // IMMEDIATE: the write lock is taken before the SELECT, so two connections can never pick the same row.
    Transaction transaction(db_, TransactionMode::Immediate);
    std::optional<Job> job;
    {
        Statement& statement = db_.Prepare(sql);
        StatementReset reset(statement);
        statement.BindAll(owner, now, now + lease_duration.count());
        for (std::size_t i = 0; i < kinds.size(); ++i)
            statement.Bind(static_cast<int>(i) + 4, kinds[i]);
        if (statement.Step()) {
            job = ReadJob(statement);
            statement.Run();
        }
    }
    transaction.Commit();
    if (job)
        RADNODE_LOG_DEBUG(Category::Jobs, "job claimed",
                          {{"job", job->id}, {"kind", job->kind}, {"owner", owner}, {"attempt", job->attempts}});
    return job;
}

bool JobQueue::Heartbeat(const Lease& lease, std::chrono::milliseconds lease_duration) {
    static const std::string sql =
        fmt::format("UPDATE jobs SET lease_expires_at = ?5, heartbeat_at = ?4, updated_at = ?4 WHERE {}", kHeldBy);
    const EpochMillis now = clock_();
    Transaction transaction(db_, TransactionMode::Immediate);
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.BindAll(lease.job_id, lease.owner, lease.attempt, now, now + lease_duration.count()).Run();
    const bool held = db_.Changes() == 1;
    transaction.Commit();
    return held;
}

bool JobQueue::Complete(const Lease& lease, std::string_view result) {
    static const std::string sql = fmt::format(
        "UPDATE jobs SET state = 'done', result = ?5, last_error = '', lease_expires_at = NULL, updated_at = ?4 "
        "WHERE {}",
        kHeldBy);
    const EpochMillis now = clock_();
    Transaction transaction(db_, TransactionMode::Immediate);
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.BindAll(lease.job_id, lease.owner, lease.attempt, now, result).Run();
    const bool held = db_.Changes() == 1;
    transaction.Commit();
    if (held)
        RADNODE_LOG_DEBUG(Category::Jobs, "job done", {{"job", lease.job_id}, {"attempt", lease.attempt}});
    else
        RADNODE_LOG_WARN(Category::Jobs, "completion of a lost lease ignored",
                         {{"job", lease.job_id}, {"owner", lease.owner}, {"attempt", lease.attempt}});
    return held;
}

std::optional<JobState> JobQueue::Fail(const Lease& lease, std::string_view error, bool retryable) {
    static const std::string sql = fmt::format(R"sql(
UPDATE jobs SET state = iif(?5 AND attempts < max_attempts, 'pending', 'dead'),
                not_before = iif(?5 AND attempts < max_attempts, ?4 + ?7, not_before),
                last_error = ?6, lease_expires_at = NULL, updated_at = ?4
 WHERE {}
RETURNING state
)sql",
                                               kHeldBy);
    const EpochMillis now = clock_();
    // The attempt being failed is the lease's, so the backoff is known before the row is read.
    const std::int64_t delay = BackoffAfter(std::max(lease.attempt, 1)).count();
    Transaction transaction(db_, TransactionMode::Immediate);
    std::optional<JobState> state;
    {
        Statement& statement = db_.Prepare(sql);
        StatementReset reset(statement);
        statement.BindAll(lease.job_id, lease.owner, lease.attempt, now, retryable ? 1 : 0, error, delay);
        if (statement.Step()) {
            state = ParseState(statement.ColumnText(0));
            statement.Run();
        }
    }
    transaction.Commit();
    if (!state)
        RADNODE_LOG_WARN(Category::Jobs, "failure of a lost lease ignored",
                         {{"job", lease.job_id}, {"owner", lease.owner}, {"attempt", lease.attempt}});
    else if (*state == JobState::Dead)
        RADNODE_LOG_ERROR(Category::Jobs, "job dead-lettered",
                          {{"job", lease.job_id}, {"attempt", lease.attempt}, {"error", error}});
    else
        RADNODE_LOG_WARN(Category::Jobs, "job failed, will retry",
                         {{"job", lease.job_id}, {"attempt", lease.attempt}, {"delay_ms", delay}, {"error", error}});
    return state;
}

int JobQueue::RecoverExpiredLeases() {
    const EpochMillis now = clock_();
    Transaction transaction(db_, TransactionMode::Immediate);
    Statement& statement = db_.Prepare(R"sql(
UPDATE jobs SET state = iif(attempts < max_attempts, 'pending', 'dead'),
                not_before = iif(attempts < max_attempts, ?1, not_before),
                last_error = 'lease of ' || coalesce(lease_owner, '') || ' expired (attempt ' || attempts || ')',
                lease_expires_at = NULL, updated_at = ?1
 WHERE state = 'running' AND lease_expires_at < ?1
)sql");
    StatementReset reset(statement);
    statement.BindAll(now).Run();
    const int recovered = db_.Changes();
    transaction.Commit();
    if (recovered > 0)
        RADNODE_LOG_WARN(Category::Jobs, "expired job leases recovered", {{"jobs", recovered}});
    return recovered;
}

std::chrono::milliseconds JobQueue::BackoffAfter(int attempts) const {
    // Doubling stops at the cap, so large attempt counts cannot overflow.
    std::chrono::milliseconds delay = options_.backoff_base;
    for (int i = 1; i < attempts && delay < options_.backoff_cap; ++i)
        delay *= 2;
    return std::min(delay, options_.backoff_cap);
}

JobCounts JobQueue::Counts() {
    Statement& statement = db_.Prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state");
    StatementReset reset(statement);
    JobCounts counts;
    while (statement.Step()) {
        const std::int64_t n = statement.ColumnInt64(1);
        switch (ParseState(statement.ColumnText(0))) {
        case JobState::Pending:
            counts.pending = n;
            break;
        case JobState::Running:
            counts.running = n;
            break;
        case JobState::Done:
            counts.done = n;
            break;
        case JobState::Dead:
            counts.dead = n;
            break;
        }
    }
    return counts;
}

std::optional<Job> JobQueue::Get(std::int64_t id) {
    static const std::string sql = fmt::format("SELECT {} FROM jobs WHERE id = ?1", kJobColumns);
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.Bind(1, id);
    if (!statement.Step())
        return std::nullopt;
    return ReadJob(statement);
}

std::vector<Job> JobQueue::List(JobState state, int limit) {
    static const std::string sql =
        fmt::format("SELECT {} FROM jobs WHERE state = ?1 ORDER BY id LIMIT ?2", kJobColumns);
    Statement& statement = db_.Prepare(sql);
    StatementReset reset(statement);
    statement.BindAll(JobStateName(state), limit);
    std::vector<Job> out;
    while (statement.Step())
        out.push_back(ReadJob(statement));
    return out;
}

} // namespace radnode::storage
