#include "storage/database.h"
#include "storage/job_queue.h"
#include "storage/transaction.h"
#include "storage_test_support.h"

#include <algorithm>
#include <barrier>
#include <csignal>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace radnode::storage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::TempDir;

constexpr EpochMillis kT0 = 1'780'000'000'000; // 2026-05-28, an arbitrary fixed start

/// A clock the test moves by hand.
struct FakeClock {
    EpochMillis now = kT0;
    MillisClock Fn() {
        return [this] { return now; };
    }
};

const std::vector<std::string> kAnyKind;

std::int64_t QueryInt(Database& db, std::string_view sql) {
    Statement& statement = db.Prepare(sql);
    StatementReset reset(statement);
    EXPECT_TRUE(statement.Step()) << sql;
    return statement.ColumnInt64(0);
}

class StorageJobQueue : public ::testing::Test {
protected:
    Database db_ = Database::OpenInMemory();
    FakeClock clock_;
    JobQueue queue_{db_, QueueOptions{}, clock_.Fn()};
};

TEST_F(StorageJobQueue, EnqueueIsIdempotentPerKindAndKey) {
    const Enqueued first = queue_.Enqueue("analyze", "1.2.3", R"({"series":"1.2.3"})", 3);
    EXPECT_TRUE(first.created);
    const Enqueued again = queue_.Enqueue("analyze", "1.2.3", R"({"series":"changed"})", 7);
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.id, first.id);
    const Enqueued other_kind = queue_.Enqueue("export", "1.2.3", "{}");
    EXPECT_TRUE(other_kind.created);
    EXPECT_NE(other_kind.id, first.id);

    const auto job = queue_.Get(first.id);
    ASSERT_TRUE(job);
    EXPECT_EQ(job->kind, "analyze");
    EXPECT_EQ(job->key, "1.2.3");
    EXPECT_EQ(job->payload, R"({"series":"1.2.3"})"); // the second enqueue changed nothing
    EXPECT_EQ(job->max_attempts, 3);
    EXPECT_EQ(job->state, JobState::Pending);
    EXPECT_EQ(job->attempts, 0);
    EXPECT_EQ(job->not_before, kT0);
    EXPECT_EQ(job->created_at, kT0);
    EXPECT_EQ(queue_.Get(other_kind.id)->max_attempts, QueueOptions{}.default_max_attempts);
    EXPECT_EQ(queue_.Counts().pending, 2);
}

TEST_F(StorageJobQueue, EnqueueOfDoneJobDoesNotRerunItButRequeueDoes) {
    const auto id = queue_.Enqueue("analyze", "s1", "{}").id;
    const auto job = queue_.Claim("w", kAnyKind, 30s);
    ASSERT_TRUE(job);
    ASSERT_TRUE(queue_.Complete(LeaseOf(*job), "result-1"));

    EXPECT_FALSE(queue_.Requeue(queue_.Enqueue("analyze", "s2", "{}").id)); // pending: nothing to requeue
    const Enqueued again = queue_.Enqueue("analyze", "s1", "{}");
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.id, id);
    EXPECT_EQ(queue_.Get(id)->state, JobState::Done);
    const auto next = queue_.Claim("w", kAnyKind, 30s);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->key, "s2");             // not s1 again
    EXPECT_FALSE(queue_.Requeue(next->id)); // running

    clock_.now += 1000;
    ASSERT_TRUE(queue_.Requeue(id));
    const auto requeued = queue_.Get(id);
    EXPECT_EQ(requeued->state, JobState::Pending);
    EXPECT_EQ(requeued->attempts, 0);
    EXPECT_FALSE(requeued->result);
    EXPECT_EQ(requeued->not_before, kT0 + 1000);
    const auto rerun = queue_.Claim("w", kAnyKind, 30s);
    ASSERT_TRUE(rerun);
    EXPECT_EQ(rerun->id, id);
    EXPECT_EQ(rerun->attempts, 1);
    EXPECT_FALSE(queue_.Requeue(999'999));
}

TEST_F(StorageJobQueue, ClaimTakesTheLongestReadyJobAndHonoursNotBefore) {
    const auto a = queue_.Enqueue("analyze", "a", "{}").id;
    const auto later = queue_.Enqueue("analyze", "later", "{}", 0, 10s).id;
    clock_.now += 1;
    const auto b = queue_.Enqueue("analyze", "b", "{}").id;

    auto claimed = queue_.Claim("w1", kAnyKind, 30s);
    ASSERT_TRUE(claimed);
    EXPECT_EQ(claimed->id, a);
    EXPECT_EQ(claimed->state, JobState::Running);
    EXPECT_EQ(claimed->attempts, 1);
    EXPECT_EQ(claimed->lease_owner, "w1");
    EXPECT_EQ(claimed->lease_expires_at, clock_.now + 30'000);
    EXPECT_EQ(claimed->heartbeat_at, clock_.now);
    EXPECT_EQ(queue_.Claim("w1", kAnyKind, 30s)->id, b);
    EXPECT_FALSE(queue_.Claim("w1", kAnyKind, 30s)); // "later" is not ready yet

    clock_.now = kT0 + 9'999;
    EXPECT_FALSE(queue_.Claim("w1", kAnyKind, 30s));
    clock_.now = kT0 + 10'000;
    EXPECT_EQ(queue_.Claim("w1", kAnyKind, 30s)->id, later);
    EXPECT_FALSE(queue_.Claim("w1", kAnyKind, 30s));
    const JobCounts counts = queue_.Counts();
    EXPECT_EQ(counts.running, 3);
    EXPECT_EQ(counts.pending, 0);
}

TEST_F(StorageJobQueue, ClaimFiltersByKind) {
    const auto export_id = queue_.Enqueue("export", "sr-1", "{}").id;
    const auto analyze_id = queue_.Enqueue("analyze", "s1", "{}").id;
    const std::vector<std::string> analyze{"analyze"};
    const std::vector<std::string> both{"analyze", "export"};
    EXPECT_EQ(queue_.Claim("w", analyze, 30s)->id, analyze_id);
    EXPECT_FALSE(queue_.Claim("w", analyze, 30s));
    EXPECT_FALSE(queue_.Claim("w", std::vector<std::string>{"other"}, 30s));
    EXPECT_EQ(queue_.Claim("w", both, 30s)->id, export_id);
}

TEST_F(StorageJobQueue, HeartbeatExtendsTheLease) {
    queue_.Enqueue("analyze", "s1", "{}");
    const auto job = queue_.Claim("w1", kAnyKind, 30s);
    ASSERT_TRUE(job);
    clock_.now = kT0 + 20'000;
    ASSERT_TRUE(queue_.Heartbeat(LeaseOf(*job), 30s));
    EXPECT_EQ(queue_.Get(job->id)->lease_expires_at, kT0 + 50'000);
    EXPECT_EQ(queue_.Get(job->id)->heartbeat_at, kT0 + 20'000);

    clock_.now = kT0 + 40'000; // past the first lease, within the extended one
    EXPECT_EQ(queue_.RecoverExpiredLeases(), 0);
    EXPECT_EQ(queue_.Get(job->id)->state, JobState::Running);
    EXPECT_FALSE(queue_.Heartbeat(Lease{job->id, "someone-else", job->attempts}, 30s));

    clock_.now = kT0 + 50'001;
    EXPECT_EQ(queue_.RecoverExpiredLeases(), 1);
    EXPECT_FALSE(queue_.Heartbeat(LeaseOf(*job), 30s)); // lost
}

TEST_F(StorageJobQueue, ExpiredLeasesGoBackToPendingWithTheAttemptCounted) {
    const auto id = queue_.Enqueue("analyze", "s1", "{}", 2).id;
    ASSERT_TRUE(queue_.Claim("w1", kAnyKind, 30s));
    clock_.now = kT0 + 30'000; // expiry itself is still inside the lease
    EXPECT_EQ(queue_.RecoverExpiredLeases(), 0);
    clock_.now = kT0 + 30'001;
    EXPECT_EQ(queue_.RecoverExpiredLeases(), 1);
    auto job = queue_.Get(id);
    EXPECT_EQ(job->state, JobState::Pending);
    EXPECT_EQ(job->attempts, 1);
    EXPECT_FALSE(job->lease_expires_at);
    EXPECT_EQ(job->not_before, clock_.now);
    EXPECT_NE(job->last_error.find("expired"), std::string::npos) << job->last_error;

    ASSERT_TRUE(queue_.Claim("w2", kAnyKind, 30s));
    clock_.now += 60'000;
    EXPECT_EQ(queue_.RecoverExpiredLeases(), 1);
    job = queue_.Get(id);
    EXPECT_EQ(job->state, JobState::Dead); // a job that kills its worker every time does not loop forever
    EXPECT_EQ(job->attempts, 2);
    EXPECT_FALSE(queue_.Claim("w3", kAnyKind, 30s));
}

TEST_F(StorageJobQueue, AnOwnerThatLostItsLeaseCannotChangeTheJob) {
    const auto id = queue_.Enqueue("analyze", "s1", "{}").id;
    const auto stale = queue_.Claim("worker-1", kAnyKind, 30s);
    ASSERT_TRUE(stale);
    clock_.now += 31'000;
    ASSERT_EQ(queue_.RecoverExpiredLeases(), 1);
    // The same owner name claims again (a restarted worker): the old lease is still not the new one.
    const auto fresh = queue_.Claim("worker-1", kAnyKind, 30s);
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->attempts, 2);

    EXPECT_FALSE(queue_.Complete(LeaseOf(*stale), "stale result"));
    EXPECT_FALSE(queue_.Fail(LeaseOf(*stale), "stale error", true));
    EXPECT_FALSE(queue_.Heartbeat(LeaseOf(*stale), 30s));
    EXPECT_FALSE(queue_.Complete(Lease{id, "worker-2", fresh->attempts}, "wrong owner"));
    auto job = queue_.Get(id);
    EXPECT_EQ(job->state, JobState::Running);
    EXPECT_EQ(job->last_error.find("stale"), std::string::npos);
    EXPECT_FALSE(job->result);

    ASSERT_TRUE(queue_.Complete(LeaseOf(*fresh), "fresh result"));
    EXPECT_FALSE(queue_.Complete(LeaseOf(*fresh), "twice")); // done is final
    job = queue_.Get(id);
    EXPECT_EQ(job->state, JobState::Done);
    EXPECT_EQ(job->result, "fresh result");
    EXPECT_FALSE(job->lease_expires_at);
}

TEST(StorageJobQueueBackoff, RetriesBackOffExponentiallyUpToTheCap) {
    Database db = Database::OpenInMemory();
    FakeClock clock;
    QueueOptions options;
    options.backoff_base = 5s;
    options.backoff_cap = 60s;
    JobQueue queue(db, options, clock.Fn());
    const auto id = queue.Enqueue("export", "sr-1", "{}", 10).id;

    const std::vector<EpochMillis> expected{5'000, 10'000, 20'000, 40'000, 60'000, 60'000};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto job = queue.Claim("w", kAnyKind, 30s);
        ASSERT_TRUE(job) << "attempt " << i + 1;
        EXPECT_EQ(job->attempts, static_cast<int>(i) + 1);
        clock.now += 100; // the attempt takes a while
        EXPECT_EQ(queue.Fail(LeaseOf(*job), "peer refused association", true), JobState::Pending);
        const auto row = queue.Get(id);
        EXPECT_EQ(row->not_before - clock.now, expected[i]) << "attempt " << i + 1;
        EXPECT_EQ(row->last_error, "peer refused association");
        EXPECT_FALSE(row->lease_expires_at);
        clock.now = row->not_before - 1;
        EXPECT_FALSE(queue.Claim("w", kAnyKind, 30s)) << "claimable before its backoff ended";
        clock.now = row->not_before;
    }
    EXPECT_EQ(queue.BackoffAfter(1), 5s);
    EXPECT_EQ(queue.BackoffAfter(4), 40s);
    EXPECT_EQ(queue.BackoffAfter(1'000'000), 60s); // no overflow
}

TEST_F(StorageJobQueue, DeadLettersAfterMaxAttempts) {
    const auto id = queue_.Enqueue("export", "sr-1", "{}", 3).id;
    for (int attempt = 1; attempt <= 3; ++attempt) {
        clock_.now += 600'000; // past any backoff
        const auto job = queue_.Claim("w", kAnyKind, 30s);
        ASSERT_TRUE(job) << attempt;
        const auto state = queue_.Fail(LeaseOf(*job), fmt::format("attempt {}", attempt), true);
        EXPECT_EQ(state, attempt < 3 ? JobState::Pending : JobState::Dead);
    }
    clock_.now += 3'600'000;
    EXPECT_FALSE(queue_.Claim("w", kAnyKind, 30s));
    const JobCounts counts = queue_.Counts();
    EXPECT_EQ(counts.dead, 1);
    EXPECT_EQ(counts.pending + counts.running + counts.done, 0);
    const auto dead = queue_.List(JobState::Dead);
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].id, id);
    EXPECT_EQ(dead[0].attempts, 3);
    EXPECT_EQ(dead[0].last_error, "attempt 3");
    EXPECT_TRUE(queue_.List(JobState::Pending).empty());
}

TEST_F(StorageJobQueue, NonRetryableFailureDeadLettersAtOnce) {
    const auto id = queue_.Enqueue("analyze", "s1", "{}", 5).id;
    const auto job = queue_.Claim("w", kAnyKind, 30s);
    ASSERT_TRUE(job);
    EXPECT_EQ(queue_.Fail(LeaseOf(*job), "not a CT series", false), JobState::Dead);
    const auto row = queue_.Get(id);
    EXPECT_EQ(row->state, JobState::Dead);
    EXPECT_EQ(row->attempts, 1);
    EXPECT_EQ(row->last_error, "not a CT series");
    clock_.now += 3'600'000;
    EXPECT_FALSE(queue_.Claim("w", kAnyKind, 30s));
}

TEST_F(StorageJobQueue, ListReturnsJobsOfOneStateOldestFirst) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i)
        ids.push_back(queue_.Enqueue("analyze", fmt::format("s{}", i), "{}").id);
    const auto first = queue_.Claim("w", kAnyKind, 30s);
    ASSERT_TRUE(first);
    const auto pending = queue_.List(JobState::Pending, 3);
    ASSERT_EQ(pending.size(), 3u);
    EXPECT_EQ(pending[0].id, ids[1]);
    EXPECT_EQ(pending[2].id, ids[3]);
    ASSERT_EQ(queue_.List(JobState::Running).size(), 1u);
    EXPECT_FALSE(queue_.Get(999'999));
}

TEST(StorageJobQueuePersistence, QueueStateSurvivesClosingAndReopeningTheFile) {
    TempDir dir;
    const fs::path file = dir.Path() / "index.sqlite";
    FakeClock clock;
    std::int64_t done_id = 0;
    std::int64_t running_id = 0;
    std::int64_t waiting_id = 0;
    {
        Database db = Database::Open(file);
        JobQueue queue(db, QueueOptions{}, clock.Fn());
        done_id = queue.Enqueue("analyze", "done", "{}").id;
        running_id = queue.Enqueue("analyze", "running", "{}").id;
        waiting_id = queue.Enqueue("export", "waiting", R"({"ae":"PACS"})", 4, 60s).id;
        const auto a = queue.Claim("w", kAnyKind, 30s);
        ASSERT_TRUE(a);
        ASSERT_TRUE(queue.Complete(LeaseOf(*a), R"({"features":1234})"));
        ASSERT_TRUE(queue.Claim("w", kAnyKind, 30s));
    }
    Database db = Database::Open(file);
    JobQueue queue(db, QueueOptions{}, clock.Fn());
    const JobCounts counts = queue.Counts();
    EXPECT_EQ(counts.done, 1);
    EXPECT_EQ(counts.running, 1);
    EXPECT_EQ(counts.pending, 1);
    EXPECT_EQ(queue.Get(done_id)->result, R"({"features":1234})");
    const auto running = queue.Get(running_id);
    EXPECT_EQ(running->state, JobState::Running);
    EXPECT_EQ(running->lease_owner, "w");
    EXPECT_EQ(running->lease_expires_at, kT0 + 30'000);
    const auto waiting = queue.Get(waiting_id);
    EXPECT_EQ(waiting->payload, R"({"ae":"PACS"})");
    EXPECT_EQ(waiting->max_attempts, 4);
    EXPECT_EQ(waiting->not_before, kT0 + 60'000);
    EXPECT_FALSE(queue.Enqueue("analyze", "done", "{}").created);

    clock.now = kT0 + 30'001; // the start-up recovery of a restarted node
    EXPECT_EQ(queue.RecoverExpiredLeases(), 1);
    const auto again = queue.Claim("w", kAnyKind, 30s);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->id, running_id);
    EXPECT_EQ(again->attempts, 2);
}

TEST(StorageJobQueueConcurrency, TwoConnectionsNeverClaimTheSameJob) {
    TempDir dir;
    const fs::path file = dir.Path() / "index.sqlite";
    constexpr int kJobs = 200;
    FakeClock clock;
    {
        Database db = Database::Open(file);
        JobQueue queue(db, QueueOptions{}, clock.Fn());
        Transaction transaction(db);
        for (int i = 0; i < kJobs; ++i)
            queue.Enqueue(i % 2 == 0 ? "analyze" : "export", fmt::format("job-{}", i), "{}");
        transaction.Commit();
    }

    constexpr int kWorkers = 2;
    std::vector<std::vector<std::int64_t>> claimed(kWorkers);
    std::barrier start(kWorkers);
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w)
        threads.emplace_back([&, w] {
            Database db = Database::Open(file);
            JobQueue queue(db, QueueOptions{}, clock.Fn());
            const std::string owner = fmt::format("worker-{}", w);
            start.arrive_and_wait();
            while (auto job = queue.Claim(owner, kAnyKind, 30s)) {
                claimed[static_cast<std::size_t>(w)].push_back(job->id);
                EXPECT_TRUE(queue.Complete(LeaseOf(*job), owner)) << job->id;
            }
        });
    for (auto& thread : threads)
        thread.join();

    std::multiset<std::int64_t> all;
    for (std::size_t w = 0; w < claimed.size(); ++w) {
        all.insert(claimed[w].begin(), claimed[w].end());
        RecordProperty(fmt::format("worker{}_claims", w), static_cast<int>(claimed[w].size())); // the interleaving
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kJobs));
    EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), all.size()) << "a job was claimed twice";

    Database db = Database::Open(file);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM jobs WHERE state = 'done' AND attempts = 1"), kJobs);
    for (int w = 0; w < kWorkers; ++w) {
        Statement& statement = db.Prepare("SELECT COUNT(*) FROM jobs WHERE result = ?1");
        StatementReset reset(statement);
        statement.Bind(1, fmt::format("worker-{}", w));
        ASSERT_TRUE(statement.Step());
        EXPECT_EQ(statement.ColumnInt64(0), static_cast<std::int64_t>(claimed[static_cast<std::size_t>(w)].size()));
    }
}

/// The test's stand-in for a job's output table: a worker writes its rows and completes its lease in one
/// transaction, so a killed or stale worker leaves no rows.
constexpr std::string_view kResultsTable =
    "CREATE TABLE IF NOT EXISTS test_results (job_id INTEGER NOT NULL, attempt INTEGER NOT NULL, owner TEXT)";

/// Writes the job's result row and completes it atomically; returns whether the lease still held.
bool FinishJob(Database& db, JobQueue& queue, const Lease& lease) {
    Transaction transaction(db);
    db.Prepare("INSERT INTO test_results (job_id, attempt, owner) VALUES (?1, ?2, ?3)")
        .BindAll(lease.job_id, lease.attempt, lease.owner)
        .Run();
    if (!queue.Complete(lease, fmt::format("attempt {}", lease.attempt))) {
        transaction.Rollback();
        return false;
    }
    transaction.Commit();
    return true;
}

/// The killed worker: claims the job, starts writing its result inside a transaction, reports the claim on
/// `ack_fd`, then dies by SIGKILL with the transaction open. Never returns.
[[noreturn]] void ClaimAndDie(const fs::path& file, int ack_fd) {
    try {
        Database db = Database::Open(file);
        JobQueue queue(db, QueueOptions{}, [] { return kT0; });
        const auto job = queue.Claim("worker-1", kAnyKind, 30s);
        if (!job)
            ::_exit(2);
        Transaction transaction(db);
        db.Prepare("INSERT INTO test_results (job_id, attempt, owner) VALUES (?1, ?2, 'half-way')")
            .BindAll(job->id, job->attempts)
            .Run();
        const Lease lease = LeaseOf(*job);
        if (::write(ack_fd, &lease.attempt, sizeof lease.attempt) != sizeof lease.attempt)
            ::_exit(3);
        ::raise(SIGKILL);
    } catch (...) {
        ::_exit(4);
    }
    ::_exit(5);
}

TEST(StorageJobQueueCrash, WorkerKilledMidJobIsRecoveredAndCompletedExactlyOnce) {
    TempDir dir;
    const fs::path file = dir.Path() / "index.sqlite";
    std::int64_t id = 0;
    {
        Database db = Database::Open(file);
        db.Exec(kResultsTable);
        FakeClock clock;
        JobQueue queue(db, QueueOptions{}, clock.Fn());
        id = queue.Enqueue("analyze", "1.2.840.1", R"({"series":"1.2.840.1"})", 3).id;
    } // closed before fork(): the child opens its own connection

    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        ClaimAndDie(file, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);
    int child_attempt = 0;
    const auto got = ::read(pipe_fds[0], &child_attempt, sizeof child_attempt);
    ::close(pipe_fds[0]);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
    ASSERT_EQ(got, static_cast<ssize_t>(sizeof child_attempt)) << "the worker died before claiming";
    ASSERT_TRUE(WIFSIGNALED(wait_status)) << "worker exited with " << WEXITSTATUS(wait_status);
    ASSERT_EQ(WTERMSIG(wait_status), SIGKILL);
    EXPECT_EQ(child_attempt, 1);

    // The restarted node: the dead worker's lease still blocks the job until it expires.
    Database db = Database::Open(file);
    FakeClock clock;
    clock.now = kT0 + 10'000;
    JobQueue queue(db, QueueOptions{}, clock.Fn());
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM test_results"), 0) << "the killed transaction left rows";
    EXPECT_EQ(queue.Get(id)->state, JobState::Running);
    EXPECT_EQ(queue.RecoverExpiredLeases(), 0);
    EXPECT_FALSE(queue.Claim("worker-1", kAnyKind, 30s));

    clock.now = kT0 + 30'001;
    ASSERT_EQ(queue.RecoverExpiredLeases(), 1);
    const auto job = queue.Claim("worker-1", kAnyKind, 30s); // the same worker name, restarted
    ASSERT_TRUE(job);
    EXPECT_EQ(job->id, id);
    EXPECT_EQ(job->attempts, 2);
    EXPECT_FALSE(FinishJob(db, queue, Lease{id, "worker-1", child_attempt})) << "the killed attempt completed";
    ASSERT_TRUE(FinishJob(db, queue, LeaseOf(*job)));

    const auto row = queue.Get(id);
    EXPECT_EQ(row->state, JobState::Done);
    EXPECT_EQ(row->attempts, 2);
    EXPECT_EQ(row->result, "attempt 2");
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM test_results"), 1);
    EXPECT_EQ(QueryInt(db, "SELECT attempt FROM test_results"), 2);
    EXPECT_EQ(queue.Counts().done, 1);
}

TEST(StorageJobQueueMigration, SchemaHasTheQueueTablesAndConstraints) {
    Database db = Database::OpenInMemory();
    EXPECT_GE(db.SchemaVersion(), 2);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                           "('jobs', 'series_progress')"),
              2);
    db.Exec("INSERT INTO jobs (kind, job_key, max_attempts, not_before, created_at, updated_at) "
            "VALUES ('analyze', 'k', 1, 0, 0, 0)");
    EXPECT_THROW(db.Exec("INSERT INTO jobs (kind, job_key, max_attempts, not_before, created_at, updated_at) "
                         "VALUES ('analyze', 'k', 1, 0, 0, 0)"),
                 StorageError);
    EXPECT_THROW(db.Exec("UPDATE jobs SET state = 'failed'"), StorageError);
}

} // namespace
} // namespace radnode::storage
