#include "storage/database.h"
#include "storage/file_store.h"
#include "storage/instance_index.h"
#include "storage/instance_store.h"
#include "storage_test_support.h"

#include <atomic>
#include <barrier>
#include <chrono>
#include <csignal>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace radnode::storage {
namespace {

namespace fs = std::filesystem;
using test::DatasetBytes;
using test::Part10;
using test::ReadFile;
using test::TempDir;
using test::WriteFile;

/// A record as the DICOM edge hands it over: metadata only, file fields left to the store.
InstanceRecord Received(const std::string& study, const std::string& series, const std::string& sop, int n = 1) {
    InstanceRecord record = test::MakeRecord(study, series, sop, n);
    record.file_path.clear();
    record.file_size = 0;
    record.content_hash.clear();
    return record;
}

class StorageInstanceStore : public ::testing::Test {
protected:
    fs::path Receive(const std::string& sop, const std::string& payload, const std::string& implementation = "1.2.3") {
        fs::path temp = files_.NewTempPath();
        WriteFile(temp, Part10(DatasetBytes(sop, payload), implementation));
        return temp;
    }

    TempDir dir_;
    FileStore files_{dir_.Path()};
    Database db_ = Database::OpenInMemory();
    InstanceIndex index_{db_};
    InstanceStore store_{files_, index_};
};

TEST_F(StorageInstanceStore, NewInstanceIsCommittedAndIndexed) {
    const fs::path temp = Receive("1.1.1.1", "pixels");
    const std::string bytes = ReadFile(temp);
    const auto outcome = store_.Store(temp, Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::KeepFirst);
    ASSERT_TRUE(outcome) << outcome.GetStatus().message;
    EXPECT_EQ(*outcome, PutOutcome::Inserted);
    EXPECT_FALSE(fs::exists(temp));

    const auto row = index_.Find("1.1.1.1");
    ASSERT_TRUE(row);
    EXPECT_EQ(row->file_path, "instances/1.1/1.1.1/1.1.1.1.dcm");
    EXPECT_EQ(row->file_size, bytes.size());
    EXPECT_EQ(ReadFile(files_.Absolute(row->file_path)), bytes);
    EXPECT_EQ(row->content_hash, FileStore::HashDatasetBytes(files_.Absolute(row->file_path)));
}

TEST_F(StorageInstanceStore, IdenticalResendIsADuplicateAndRewritesNothing) {
    ASSERT_TRUE(store_.Store(Receive("1.1.1.1", "pixels", "1.2.3"), Received("1.1", "1.1.1", "1.1.1.1"),
                             DuplicatePolicy::Replace));
    const auto first = index_.Find("1.1.1.1");
    const std::string stored = ReadFile(files_.Absolute(first->file_path));

    // Same dataset, different receiver meta header: still the same content.
    const fs::path temp = Receive("1.1.1.1", "pixels", "9.8.7.6");
    const auto outcome = store_.Store(temp, Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::Replace);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(*outcome, PutOutcome::IdenticalDuplicate);
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(ReadFile(files_.Absolute(first->file_path)), stored);
    EXPECT_EQ(index_.Find("1.1.1.1")->received_at, first->received_at);
    EXPECT_EQ(index_.CountInstances(), 1u);
}

TEST_F(StorageInstanceStore, KeepFirstKeepsTheStoredContent) {
    ASSERT_TRUE(
        store_.Store(Receive("1.1.1.1", "first"), Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::KeepFirst));
    const auto first = index_.Find("1.1.1.1");
    const std::string stored = ReadFile(files_.Absolute(first->file_path));

    const fs::path temp = Receive("1.1.1.1", "second");
    const auto outcome = store_.Store(temp, Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::KeepFirst);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(*outcome, PutOutcome::KeptExisting);
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(ReadFile(files_.Absolute(first->file_path)), stored);
    EXPECT_EQ(index_.Find("1.1.1.1")->content_hash, first->content_hash);
}

TEST_F(StorageInstanceStore, ReplaceOverwritesFileAndRow) {
    ASSERT_TRUE(
        store_.Store(Receive("1.1.1.1", "first"), Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::Replace));
    const auto first = index_.Find("1.1.1.1");
    const fs::path temp = Receive("1.1.1.1", "second");
    const std::string bytes = ReadFile(temp);
    const auto outcome = store_.Store(temp, Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::Replace);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(*outcome, PutOutcome::Replaced);
    const auto row = index_.Find("1.1.1.1");
    EXPECT_NE(row->content_hash, first->content_hash);
    EXPECT_EQ(ReadFile(files_.Absolute(row->file_path)), bytes);
    EXPECT_EQ(row->content_hash, FileStore::HashDatasetBytes(files_.Absolute(row->file_path)));
    EXPECT_EQ(index_.CountInstances(), 1u);
}

TEST_F(StorageInstanceStore, ReplaceWithCorrectedUidsMovesTheFile) {
    ASSERT_TRUE(
        store_.Store(Receive("1.1.1.1", "first"), Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::Replace));
    const std::string old_path = index_.Find("1.1.1.1")->file_path;
    const auto outcome =
        store_.Store(Receive("1.1.1.1", "second"), Received("2.2", "2.2.1", "1.1.1.1"), DuplicatePolicy::Replace);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(*outcome, PutOutcome::Replaced);
    EXPECT_FALSE(fs::exists(files_.Absolute(old_path)));
    EXPECT_TRUE(fs::exists(files_.Absolute(index_.Find("1.1.1.1")->file_path)));
    EXPECT_EQ(index_.FindSeries("1.1.1")->instance_count, 0);
    EXPECT_EQ(index_.FindSeries("2.2.1")->instance_count, 1);
}

TEST_F(StorageInstanceStore, AMissingFileIsRestoredFromAnIdenticalResend) {
    ASSERT_TRUE(
        store_.Store(Receive("1.1.1.1", "pixels"), Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::KeepFirst));
    const fs::path stored = files_.Absolute(index_.Find("1.1.1.1")->file_path);
    fs::remove(stored);
    const auto outcome =
        store_.Store(Receive("1.1.1.1", "pixels"), Received("1.1", "1.1.1", "1.1.1.1"), DuplicatePolicy::KeepFirst);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(*outcome, PutOutcome::IdenticalDuplicate);
    EXPECT_TRUE(fs::exists(stored));
}

TEST_F(StorageInstanceStore, InvalidUidIsAnInvalidDatasetAndTheTempIsDeleted) {
    const fs::path temp = Receive("1.1.1.1", "pixels");
    const auto outcome = store_.Store(temp, Received("1.1", "../../etc", "1.1.1.1"), DuplicatePolicy::KeepFirst);
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.GetStatus().code, ErrorCode::InvalidDataset);
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(index_.CountInstances(), 0u);
}

TEST_F(StorageInstanceStore, ConcurrentReplacementsOfOneSopKeepFileAndRowInAgreement) {
    const fs::path db_file = dir_.Path() / "index.db";
    Database checker_db = Database::Open(db_file);
    InstanceIndex checker(checker_db);
    constexpr int kThreads = 6;
    constexpr int kRounds = 25;
    std::atomic<int> disagreements{0};
    // Each round all threads store the same SOP at once; then, with everyone parked, file and row must agree.
    auto check = [&]() noexcept {
        try {
            const auto row = checker.Find("1.7.1.1");
            if (!row || row->content_hash != FileStore::HashDatasetBytes(files_.Absolute(row->file_path)))
                ++disagreements;
        } catch (...) {
            ++disagreements;
        }
    };
    std::barrier round_done(kThreads, check);
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            Database db = Database::Open(db_file);
            InstanceIndex index(db);
            InstanceStore store(files_, index);
            for (int round = 0; round < kRounds; ++round) {
                const auto outcome = store.Store(Receive("1.7.1.1", fmt::format("thread {} round {}", t, round)),
                                                 Received("1.7", "1.7.1", "1.7.1.1"), DuplicatePolicy::Replace);
                EXPECT_TRUE(outcome) << outcome.GetStatus().message;
                round_done.arrive_and_wait();
            }
        });
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(disagreements, 0);
    EXPECT_EQ(checker.CountInstances(), 1u);
}

/// Runs a writer process that stores instances and reports each acknowledged one on `ack_fd`; never returns.
[[noreturn]] void IngestUntilKilled(const fs::path& root, const fs::path& db_file, int ack_fd, int first) {
    try {
        FileStore files(root);
        Database db = Database::Open(db_file);
        InstanceIndex index(db);
        InstanceStore store(files, index);
        for (int i = first;; ++i) {
            const std::string sop = fmt::format("1.9.1.{}", i);
            const fs::path temp = files.NewTempPath();
            WriteFile(temp, Part10(DatasetBytes(sop, std::string(20'000 + i, static_cast<char>(i)))));
            const auto outcome = store.Store(temp, Received("1.9", "1.9.1", sop, i), DuplicatePolicy::KeepFirst);
            if (!outcome || *outcome != PutOutcome::Inserted)
                ::_exit(2);
            if (::write(ack_fd, &i, sizeof i) != sizeof i) // the "C-STORE response": only after Store() returned
                ::_exit(3);
        }
    } catch (...) {
        ::_exit(4);
    }
}

TEST(StorageInstanceStoreCrash, KillNineLosesNoAcknowledgedInstanceAndIndexesNoPartialFile) {
    TempDir dir;
    const fs::path root = dir.Path() / "store";
    const fs::path db_file = dir.Path() / "index.db";
    Database::Open(db_file); // migrated before the writers start

    std::vector<int> acknowledged;
    int next = 0;
    for (int round = 0; round < 8; ++round) {
        int pipe_fds[2];
        ASSERT_EQ(::pipe(pipe_fds), 0);
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(pipe_fds[0]);
            IngestUntilKilled(root, db_file, pipe_fds[1], next);
        }
        ::close(pipe_fds[1]);
        // Kill at a different point each round: after 3, 8, 13, … acknowledgements, mid-way through the next.
        const int kill_after = 3 + 5 * round;
        int got = 0;
        int value = 0;
        while (got < kill_after && ::read(pipe_fds[0], &value, sizeof value) == sizeof value) {
            acknowledged.push_back(value);
            ++got;
        }
        // Jitter the kill point into the next instance (temp write, fsyncs, rename, transaction). This pause picks
        // where the crash lands; it does not wait for anything.
        std::this_thread::sleep_for(std::chrono::microseconds(131 * round));
        ::kill(child, SIGKILL);
        while (::read(pipe_fds[0], &value, sizeof value) == sizeof value)
            acknowledged.push_back(value); // acknowledged before the kill landed
        ::close(pipe_fds[0]);
        int wait_status = 0;
        ::waitpid(child, &wait_status, 0);
        ASSERT_TRUE(WIFSIGNALED(wait_status)) << "writer exited on its own with " << WEXITSTATUS(wait_status);
        ASSERT_EQ(got, kill_after);
        next = acknowledged.back() + 1000; // the next writer starts on fresh SOPs
    }

    FileStore files(root); // start-up after the crash: stale temps go
    EXPECT_TRUE(fs::is_empty(root / "tmp"));
    Database db = Database::Open(db_file);
    InstanceIndex index(db);
    for (const int i : acknowledged) {
        const auto row = index.Find(fmt::format("1.9.1.{}", i));
        ASSERT_TRUE(row) << "acknowledged instance " << i << " lost";
    }
    // Every indexed row has its complete file (the in-flight instance of each round may or may not be there).
    const auto rows = index.ListSeriesInstances("1.9.1");
    EXPECT_GE(rows.size(), acknowledged.size());
    for (const auto& row : rows) {
        const fs::path file = files.Absolute(row.file_path);
        ASSERT_TRUE(fs::exists(file)) << row.sop_instance_uid;
        EXPECT_EQ(fs::file_size(file), row.file_size) << row.sop_instance_uid;
        EXPECT_EQ(FileStore::HashDatasetBytes(file), row.content_hash) << row.sop_instance_uid;
    }
    EXPECT_EQ(index.FindSeries("1.9.1")->instance_count, static_cast<std::int64_t>(rows.size()));
}

} // namespace
} // namespace radnode::storage
