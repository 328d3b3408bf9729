#include "storage/database.h"
#include "storage/instance_index.h"
#include "storage/series_tracker.h"
#include "storage_test_support.h"

#include <atomic>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

namespace radnode::storage {
namespace {

/// YYYY-MM-DDTHH:MM:SS.mmmZ
bool LooksLikeUtcTimestamp(const std::string& t) {
    const std::string shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (t.size() != shape.size())
        return false;
    for (std::size_t i = 0; i < t.size(); ++i)
        if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(t[i])) : t[i] != shape[i])
            return false;
    return true;
}

using test::MakeRecord;
using test::TempDir;

const InstanceRecord& AsRecord(const StoredInstance& stored) {
    return stored;
}

TEST(StorageInstanceIndex, PutThenFindRoundTripsEveryField) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    const InstanceRecord record = MakeRecord("1.2.3", "1.2.3.4", "1.2.3.4.5", 17);

    EXPECT_EQ(index.Put(record), PutOutcome::Inserted);
    const auto found = index.Find(record.sop_instance_uid);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(AsRecord(*found), record); // every field, including position/orientation doubles
    EXPECT_GT(found->id, 0);
    EXPECT_TRUE(LooksLikeUtcTimestamp(found->received_at))
        << found->received_at;
}

TEST(StorageInstanceIndex, AbsentOptionalFieldsStayAbsent) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    InstanceRecord record = MakeRecord("1.2", "1.2.1", "1.2.1.1");
    record.series_number.reset();
    record.instance_number.reset();
    record.image_position.reset();
    record.image_orientation.reset();
    record.patient_id.clear();
    record.number_of_frames = 24;
    ASSERT_EQ(index.Put(record), PutOutcome::Inserted);
    const auto found = index.Find("1.2.1.1");
    ASSERT_TRUE(found);
    EXPECT_EQ(AsRecord(*found), record);
}

TEST(StorageInstanceIndex, FindOfUnknownSopIsEmpty) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    EXPECT_FALSE(index.Find("9.9.9").has_value());
    EXPECT_EQ(index.CountInstances(), 0u);
    EXPECT_FALSE(index.FindStudy("9.9").has_value());
    EXPECT_FALSE(index.FindSeries("9.9").has_value());
    EXPECT_TRUE(index.ListSeriesInstances("9.9").empty());
}

TEST(StorageInstanceIndex, StudiesAndSeriesAreUpsertedWithCounts) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    for (int n : {3, 1, 2}) { // out of order on purpose
        index.Put(MakeRecord("1.1", "1.1.1", fmt::format("1.1.1.{}", n), n));
        index.Put(MakeRecord("1.1", "1.1.2", fmt::format("1.1.2.{}", n), n));
    }
    InstanceRecord other = MakeRecord("2.2", "2.2.1", "2.2.1.1");
    index.Put(other);

    const auto study = index.FindStudy("1.1");
    ASSERT_TRUE(study);
    EXPECT_EQ(study->series_count, 2);
    EXPECT_EQ(study->instance_count, 6);
    EXPECT_EQ(study->patient_id, "PID-0042");
    EXPECT_EQ(study->accession_number, "ACC123");
    EXPECT_LE(study->first_received_at, study->last_received_at);

    const auto series = index.FindSeries("1.1.2");
    ASSERT_TRUE(series);
    EXPECT_EQ(series->study_uid, "1.1");
    EXPECT_EQ(series->instance_count, 3);
    EXPECT_EQ(series->modality, "CT");
    EXPECT_EQ(series->series_number, 3);

    EXPECT_EQ(index.ListStudySeries("1.1").size(), 2u);
    EXPECT_EQ(index.CountInstances(), 7u);
    EXPECT_EQ(index.CountInstances("1.1.1"), 3u);
    EXPECT_EQ(index.CountInstances("2.2.1"), 1u);
    EXPECT_EQ(index.CountInstances("no.such"), 0u);

    const auto instances = index.ListSeriesInstances("1.1.1");
    ASSERT_EQ(instances.size(), 3u);
    EXPECT_EQ(instances[0].instance_number, 1);
    EXPECT_EQ(instances[1].instance_number, 2);
    EXPECT_EQ(instances[2].instance_number, 3);
    EXPECT_EQ(instances[2].sop_instance_uid, "1.1.1.3");
}

TEST(StorageInstanceIndex, LaterInstancesOnlyFillEmptyStudyAttributes) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    InstanceRecord first = MakeRecord("1.1", "1.1.1", "1.1.1.1");
    first.accession_number.clear();
    index.Put(first);
    InstanceRecord second = MakeRecord("1.1", "1.1.1", "1.1.1.2");
    second.study_description = "something else";
    index.Put(second);
    const auto study = index.FindStudy("1.1");
    ASSERT_TRUE(study);
    EXPECT_EQ(study->accession_number, "ACC123");     // filled in
    EXPECT_EQ(study->study_description, "CT Thorax"); // first value kept
}

TEST(StorageInstanceIndex, IdenticalDuplicateChangesNothing) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    const InstanceRecord record = MakeRecord("1.1", "1.1.1", "1.1.1.1");
    ASSERT_EQ(index.Put(record), PutOutcome::Inserted);
    const auto before = index.Find(record.sop_instance_uid);
    EXPECT_EQ(index.Put(record), PutOutcome::IdenticalDuplicate);
    EXPECT_EQ(index.Put(record, DuplicatePolicy::Replace), PutOutcome::IdenticalDuplicate);
    EXPECT_EQ(index.CountInstances(), 1u);
    EXPECT_EQ(index.Find(record.sop_instance_uid)->received_at, before->received_at);
    EXPECT_EQ(index.FindSeries("1.1.1")->instance_count, 1);
}

TEST(StorageInstanceIndex, DifferentContentFollowsThePolicy) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    const InstanceRecord original = MakeRecord("1.1", "1.1.1", "1.1.1.1");
    index.Put(original);
    InstanceRecord changed = original;
    changed.content_hash = "ffffffffffffffffffffffffffffffff";
    changed.file_size = 42;

    EXPECT_EQ(index.Put(changed, DuplicatePolicy::KeepFirst), PutOutcome::KeptExisting);
    EXPECT_EQ(index.Find("1.1.1.1")->content_hash, original.content_hash);

    EXPECT_EQ(index.Put(changed, DuplicatePolicy::Replace), PutOutcome::Replaced);
    EXPECT_EQ(AsRecord(*index.Find("1.1.1.1")), changed);
    EXPECT_EQ(index.CountInstances(), 1u);
    EXPECT_EQ(index.FindStudy("1.1")->instance_count, 1);
}

TEST(StorageInstanceIndex, ReplaceCanMoveAnInstanceAndCountsFollow) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    index.Put(MakeRecord("1.1", "1.1.1", "1.1.1.1"));
    index.Put(MakeRecord("1.1", "1.1.1", "1.1.1.2"));
    InstanceRecord corrected = MakeRecord("3.3", "3.3.1", "1.1.1.2");
    corrected.content_hash = "0123456789abcdef0123456789abcdef";
    index.Replace(corrected);

    EXPECT_EQ(AsRecord(*index.Find("1.1.1.2")), corrected);
    EXPECT_EQ(index.FindSeries("1.1.1")->instance_count, 1);
    EXPECT_EQ(index.FindStudy("1.1")->instance_count, 1);
    EXPECT_EQ(index.FindSeries("3.3.1")->instance_count, 1);
    EXPECT_EQ(index.FindStudy("3.3")->instance_count, 1);
    EXPECT_EQ(index.CountInstances(), 2u);
}

TEST(StorageInstanceIndex, ReplaceOfAnAbsentSopInserts) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    const InstanceRecord record = MakeRecord("1.1", "1.1.1", "1.1.1.9");
    index.Replace(record);
    EXPECT_EQ(AsRecord(*index.Find("1.1.1.9")), record);
    EXPECT_EQ(index.FindSeries("1.1.1")->instance_count, 1);
}

TEST(StorageInstanceIndex, SopInstanceUidIsUnique) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    index.Put(MakeRecord("1.1", "1.1.1", "1.1.1.1"));
    try {
        db.Exec("INSERT INTO instances (series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, file_path, "
                "file_size, content_hash, received_at) SELECT series_id, sop_instance_uid, sop_class_uid, "
                "transfer_syntax_uid, file_path, file_size, content_hash, received_at FROM instances");
        FAIL() << "a second row for one SOP Instance UID was accepted";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.GetKind(), StorageError::Kind::Duplicate) << e.what();
    }
    EXPECT_EQ(index.CountInstances(), 1u);
}

TEST(StorageInstanceIndex, FailedPutLeavesNoStudyOrSeriesBehind) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    db.Exec("CREATE TRIGGER refuse BEFORE INSERT ON instances BEGIN SELECT RAISE(ABORT, 'refused'); END");
    EXPECT_THROW(index.Put(MakeRecord("1.1", "1.1.1", "1.1.1.1")), StorageError);
    EXPECT_FALSE(db.InTransaction());
    EXPECT_FALSE(index.FindStudy("1.1").has_value());
    EXPECT_FALSE(index.FindSeries("1.1.1").has_value());
}

TEST(StorageInstanceIndex, ConcurrentWritersWithTheirOwnConnectionsAllLand) {
    TempDir dir;
    const auto file = dir.Path() / "index.db";
    Database::Open(file); // migrate once up front; the writers then take the fast path
    constexpr int kThreads = 8;
    constexpr int kPerThread = 40;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            try {
                Database db = Database::Open(file);
                InstanceIndex index(db);
                for (int i = 0; i < kPerThread; ++i) {
                    // Two threads share each series, so series/study upserts contend too.
                    const std::string series = fmt::format("1.5.{}", t % 4);
                    if (index.Put(MakeRecord("1.5", series, fmt::format("1.5.{}.{}.{}", t % 4, t, i), i)) !=
                        PutOutcome::Inserted)
                        ++failures;
                }
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
                ++failures;
            }
        });
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(failures, 0);

    Database db = Database::Open(file);
    InstanceIndex index(db);
    EXPECT_EQ(index.CountInstances(), static_cast<std::size_t>(kThreads * kPerThread));
    EXPECT_EQ(index.FindStudy("1.5")->instance_count, kThreads * kPerThread);
    EXPECT_EQ(index.FindStudy("1.5")->series_count, 4);
    for (int s = 0; s < 4; ++s)
        EXPECT_EQ(index.FindSeries(fmt::format("1.5.{}", s))->instance_count, 2 * kPerThread);
}

TEST(StorageInstanceIndex, ConcurrentPutsOfOneSopProduceOneRow) {
    TempDir dir;
    const auto file = dir.Path() / "index.db";
    Database::Open(file);
    constexpr int kThreads = 8;
    std::atomic<int> inserted{0};
    std::atomic<int> duplicates{0};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            try {
                Database db = Database::Open(file);
                InstanceIndex index(db);
                for (int i = 0; i < 20; ++i) {
                    const PutOutcome outcome = index.Put(MakeRecord("1.6", "1.6.1", fmt::format("1.6.1.{}", i), i));
                    (outcome == PutOutcome::Inserted ? inserted : duplicates)++;
                }
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
            }
        });
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(inserted, 20);
    EXPECT_EQ(duplicates, (kThreads - 1) * 20);
    Database db = Database::Open(file);
    InstanceIndex index(db);
    EXPECT_EQ(index.CountInstances(), 20u);
    EXPECT_EQ(index.FindSeries("1.6.1")->instance_count, 20);
}

TEST(StorageInstanceIndex, EveryIndexedInstanceIsTrackedForSeriesCompletion) {
    Database db = Database::OpenInMemory();
    InstanceIndex index(db);
    SeriesTracker tracker(db);
    ASSERT_EQ(index.Put(MakeRecord("1.2.3", "1.2.3.4", "1.2.3.4.5", 1)), PutOutcome::Inserted);
    ASSERT_EQ(index.Put(MakeRecord("1.2.3", "1.2.3.4", "1.2.3.4.6", 2)), PutOutcome::Inserted);
    auto progress = tracker.Get("1.2.3.4");
    ASSERT_TRUE(progress.has_value());
    EXPECT_EQ(progress->instance_count, 2);
    EXPECT_EQ(progress->state, SeriesState::Receiving);
    // An identical re-send adds nothing.
    ASSERT_EQ(index.Put(MakeRecord("1.2.3", "1.2.3.4", "1.2.3.4.6", 2)), PutOutcome::IdenticalDuplicate);
    EXPECT_EQ(tracker.Get("1.2.3.4")->instance_count, 2);
    // A failed index write leaves no trace in the tracker either (same transaction).
    EXPECT_FALSE(tracker.Get("9.9.9").has_value());
}

} // namespace
} // namespace radnode::storage
