#include "storage/database.h"
#include "storage/job_queue.h"
#include "storage/series_tracker.h"
#include "storage/transaction.h"
#include "storage_test_support.h"

#include <gtest/gtest.h>
#include <string>

namespace radnode::storage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::TempDir;

constexpr EpochMillis kT0 = 1'780'000'000'000;
constexpr std::chrono::milliseconds kStable = 15s;

class StorageSeriesTracker : public ::testing::Test {
protected:
    Database db_ = Database::OpenInMemory();
    EpochMillis now_ = kT0;
    SeriesTracker tracker_{db_, [this] { return now_; }};
};

TEST_F(StorageSeriesTracker, NotingInstancesCountsThemAndKeepsTheReceiveWindow) {
    const NoteResult first = tracker_.NoteInstance("1.2.3", "1.2", "CT", kT0);
    EXPECT_EQ(first.outcome, NoteOutcome::NewSeries);
    EXPECT_EQ(first.instance_count, 1);
    const NoteResult second = tracker_.NoteInstance("1.2.3", "1.2", "CT", kT0 + 500);
    EXPECT_EQ(second.outcome, NoteOutcome::Added);
    EXPECT_EQ(second.previous_state, SeriesState::Receiving);
    EXPECT_EQ(second.instance_count, 2);
    // Noted out of order (another association's instance from before): the window only widens.
    EXPECT_EQ(tracker_.NoteInstance("1.2.3", "1.2", "CT", kT0 - 200).instance_count, 3);

    const auto row = tracker_.Get("1.2.3");
    ASSERT_TRUE(row);
    EXPECT_EQ(row->study_uid, "1.2");
    EXPECT_EQ(row->modality, "CT");
    EXPECT_EQ(row->first_received_at, kT0 - 200);
    EXPECT_EQ(row->last_received_at, kT0 + 500);
    EXPECT_EQ(row->instance_count, 3);
    EXPECT_EQ(row->state, SeriesState::Receiving);
    EXPECT_FALSE(row->completed_at);
    EXPECT_FALSE(tracker_.Get("9.9"));
}

TEST_F(StorageSeriesTracker, SeriesIsDueOnceQuietForTheStableAge) {
    tracker_.NoteInstance("ct", "study", "CT", kT0);
    tracker_.NoteInstance("ct", "study", "CT", kT0 + 1'000);
    tracker_.NoteInstance("rt", "study", "RTSTRUCT", kT0 + 4'000);

    EXPECT_TRUE(tracker_.DueSeries(kT0 + 15'999, kStable).empty());
    auto due = tracker_.DueSeries(kT0 + 16'000, kStable);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].series_uid, "ct");
    due = tracker_.DueSeries(kT0 + 19'000, kStable);
    ASSERT_EQ(due.size(), 2u);
    EXPECT_EQ(due[0].series_uid, "ct"); // quiet longest first
    EXPECT_EQ(due[1].series_uid, "rt");

    EXPECT_FALSE(tracker_.MarkQueued("ct")); // not complete yet
    ASSERT_TRUE(tracker_.MarkComplete("ct", kT0 + 19'000, kStable));
    EXPECT_FALSE(tracker_.MarkComplete("ct", kT0 + 19'000, kStable)); // already
    const auto complete = tracker_.Get("ct");
    EXPECT_EQ(complete->state, SeriesState::Complete);
    EXPECT_EQ(complete->completed_at, kT0 + 19'000);
    ASSERT_EQ(tracker_.DueSeries(kT0 + 19'000, kStable).size(), 1u);
    ASSERT_EQ(tracker_.ListSeries(SeriesState::Complete).size(), 1u);

    ASSERT_TRUE(tracker_.MarkQueued("ct"));
    EXPECT_EQ(tracker_.Get("ct")->state, SeriesState::Queued);
    EXPECT_TRUE(tracker_.ListSeries(SeriesState::Complete).empty());
    EXPECT_FALSE(tracker_.MarkComplete("missing", kT0 + 19'000, kStable));
}

TEST_F(StorageSeriesTracker, LateInstanceReopensACompleteOrQueuedSeries) {
    tracker_.NoteInstance("ct", "study", "CT", kT0);
    ASSERT_TRUE(tracker_.MarkComplete("ct", kT0 + 20'000, kStable));
    const NoteResult late = tracker_.NoteInstance("ct", "study", "CT", kT0 + 21'000);
    EXPECT_EQ(late.outcome, NoteOutcome::Reopened);
    EXPECT_EQ(late.previous_state, SeriesState::Complete);
    EXPECT_EQ(late.instance_count, 2);
    auto row = tracker_.Get("ct");
    EXPECT_EQ(row->state, SeriesState::Receiving);
    EXPECT_FALSE(row->completed_at);
    EXPECT_FALSE(tracker_.MarkQueued("ct"));
    EXPECT_TRUE(tracker_.DueSeries(kT0 + 35'999, kStable).empty()); // the timer restarted
    ASSERT_EQ(tracker_.DueSeries(kT0 + 36'000, kStable).size(), 1u);

    ASSERT_TRUE(tracker_.MarkComplete("ct", kT0 + 36'000, kStable));
    ASSERT_TRUE(tracker_.MarkQueued("ct"));
    const NoteResult after_queued = tracker_.NoteInstance("ct", "study", "CT", kT0 + 40'000);
    EXPECT_EQ(after_queued.outcome, NoteOutcome::Reopened);
    EXPECT_EQ(after_queued.previous_state, SeriesState::Queued);
    EXPECT_EQ(tracker_.Get("ct")->state, SeriesState::Receiving);
}

TEST_F(StorageSeriesTracker, MarkCompleteLosesToAnInstanceThatArrivedAfterDueSeries) {
    tracker_.NoteInstance("ct", "study", "CT", kT0);
    ASSERT_EQ(tracker_.DueSeries(kT0 + 15'000, kStable).size(), 1u);
    tracker_.NoteInstance("ct", "study", "CT", kT0 + 14'000); // stored meanwhile, received 1 s ago
    EXPECT_FALSE(tracker_.MarkComplete("ct", kT0 + 15'000, kStable));
    EXPECT_EQ(tracker_.Get("ct")->state, SeriesState::Receiving);
}

TEST_F(StorageSeriesTracker, QueueingIsAtomicWithEnqueueingTheJob) {
    JobQueue queue(db_, QueueOptions{}, [this] { return now_; });
    tracker_.NoteInstance("ct", "study", "CT", kT0);
    ASSERT_TRUE(tracker_.MarkComplete("ct", kT0 + 15'000, kStable));
    {
        Transaction transaction(db_);
        queue.Enqueue("analyze", "ct", "{}");
        ASSERT_TRUE(tracker_.MarkQueued("ct"));
        // a crash here: neither the job nor the queued state is kept
    }
    EXPECT_EQ(queue.Counts().pending, 0);
    EXPECT_EQ(tracker_.Get("ct")->state, SeriesState::Complete);
    {
        Transaction transaction(db_);
        queue.Enqueue("analyze", "ct", "{}");
        ASSERT_TRUE(tracker_.MarkQueued("ct"));
        transaction.Commit();
    }
    EXPECT_EQ(queue.Counts().pending, 1);
    EXPECT_EQ(tracker_.Get("ct")->state, SeriesState::Queued);
}

TEST(StorageSeriesTrackerPersistence, TimersSurviveARestart) {
    TempDir dir;
    const fs::path file = dir.Path() / "index.sqlite";
    {
        Database db = Database::Open(file);
        SeriesTracker tracker(db, [] { return kT0; });
        tracker.NoteInstance("ct", "study", "CT", kT0);
        tracker.NoteInstance("ct", "study", "CT", kT0 + 2'000);
        tracker.NoteInstance("done", "study", "SEG", kT0);
        ASSERT_TRUE(tracker.MarkComplete("done", kT0 + 15'000, kStable));
    }
    Database db = Database::Open(file);
    SeriesTracker tracker(db, [] { return kT0 + 60'000; });
    const auto due = tracker.DueSeries(kT0 + 60'000, kStable);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].series_uid, "ct");
    EXPECT_EQ(due[0].instance_count, 2);
    EXPECT_EQ(due[0].last_received_at, kT0 + 2'000);
    const auto complete = tracker.ListSeries(SeriesState::Complete);
    ASSERT_EQ(complete.size(), 1u);
    EXPECT_EQ(complete[0].series_uid, "done");
    EXPECT_EQ(complete[0].modality, "SEG");
}

} // namespace
} // namespace radnode::storage
