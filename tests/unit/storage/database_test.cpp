#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/transaction.h"
#include "storage_test_support.h"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <stdexcept>
#include <thread>
#include <vector>

namespace radnode::storage {
namespace {

using test::TempDir;

std::int64_t QueryInt(Database& db, std::string_view sql) {
    Statement& statement = db.Prepare(sql);
    StatementReset reset(statement);
    EXPECT_TRUE(statement.Step()) << sql;
    return statement.ColumnInt64(0);
}

std::string QueryText(Database& db, std::string_view sql) {
    Statement& statement = db.Prepare(sql);
    StatementReset reset(statement);
    EXPECT_TRUE(statement.Step()) << sql;
    return statement.ColumnText(0);
}

TEST(StorageDatabase, EmbeddedMigrationsAreNumberedWithoutGaps) {
    const auto migrations = EmbeddedMigrations();
    ASSERT_FALSE(migrations.empty());
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
        EXPECT_FALSE(migrations[i].name.empty());
        EXPECT_NE(migrations[i].sql.find("CREATE"), std::string_view::npos);
    }
    EXPECT_EQ(Database::LatestSchemaVersion(), migrations.back().version);
}

TEST(StorageDatabase, InMemoryDatabaseHasAllMigrationsApplied) {
    Database db = Database::OpenInMemory();
    EXPECT_EQ(db.SchemaVersion(), Database::LatestSchemaVersion());
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM schema_migrations"), Database::LatestSchemaVersion());
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                           "('studies', 'series', 'instances')"),
              3);
    EXPECT_EQ(QueryInt(db, "PRAGMA foreign_keys"), 1);
}

TEST(StorageDatabase, FileDatabaseUsesWalFullSyncAndForeignKeys) {
    TempDir dir;
    Database db = Database::Open(dir.Path() / "index.db");
    EXPECT_EQ(QueryText(db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(QueryInt(db, "PRAGMA synchronous"), 2); // FULL
    EXPECT_EQ(QueryInt(db, "PRAGMA foreign_keys"), 1);
}

TEST(StorageDatabase, MigrationsApplyOnceAndReopeningIsIdempotent) {
    TempDir dir;
    const auto file = dir.Path() / "index.db";
    std::string applied_at;
    {
        Database db = Database::Open(file);
        EXPECT_EQ(db.SchemaVersion(), Database::LatestSchemaVersion());
        applied_at = QueryText(db, "SELECT applied_at FROM schema_migrations WHERE version = 1");
        db.Exec("INSERT INTO studies (study_uid, first_received_at, last_received_at) VALUES ('1.2', 'a', 'b')");
    }
    for (int i = 0; i < 2; ++i) {
        Database db = Database::Open(file);
        EXPECT_EQ(db.SchemaVersion(), Database::LatestSchemaVersion());
        EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM schema_migrations"), Database::LatestSchemaVersion());
        EXPECT_EQ(QueryText(db, "SELECT applied_at FROM schema_migrations WHERE version = 1"), applied_at);
        EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM studies"), 1); // data untouched
    }
}

TEST(StorageDatabase, DatabaseFromTheFutureIsRefused) {
    TempDir dir;
    const auto file = dir.Path() / "index.db";
    const int future = Database::LatestSchemaVersion() + 1;
    {
        Database db = Database::Open(file);
        db.Prepare("INSERT INTO schema_migrations (version, name) VALUES (?1, 'from_the_future')")
            .Bind(1, future)
            .Run();
    }
    try {
        Database::Open(file);
        FAIL() << "a database with a newer schema was opened";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.GetKind(), StorageError::Kind::SchemaTooNew);
        EXPECT_NE(std::string(e.what()).find(std::to_string(future)), std::string::npos) << e.what();
    }
}

TEST(StorageDatabase, ConcurrentFirstOpensMigrateExactlyOnce) {
    TempDir dir;
    const auto file = dir.Path() / "index.db";
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    threads.reserve(6);
    for (int i = 0; i < 6; ++i)
        threads.emplace_back([&] {
            try {
                Database db = Database::Open(file);
                if (db.SchemaVersion() != Database::LatestSchemaVersion())
                    ++failures;
            } catch (const std::exception&) {
                ++failures;
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(failures, 0);
    Database db = Database::Open(file);
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM schema_migrations"), Database::LatestSchemaVersion());
}

TEST(StorageDatabase, TransactionRollsBackWhenAnExceptionLeavesTheScope) {
    Database db = Database::OpenInMemory();
    db.Exec("CREATE TABLE t (x INTEGER)");
    try {
        Transaction transaction(db);
        db.Exec("INSERT INTO t VALUES (1)");
        EXPECT_TRUE(db.InTransaction());
        throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(db.InTransaction());
    EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM t"), 0);
}

TEST(StorageDatabase, CommittedTransactionPersistsAcrossConnections) {
    TempDir dir;
    const auto file = dir.Path() / "index.db";
    Database writer = Database::Open(file);
    writer.Exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction transaction(writer);
        writer.Exec("INSERT INTO t VALUES (7)");
        transaction.Commit();
        EXPECT_FALSE(transaction.IsActive());
    }
    Database reader = Database::Open(file);
    EXPECT_EQ(QueryInt(reader, "SELECT x FROM t"), 7);
}

TEST(StorageDatabase, NestedTransactionIsASavepoint) {
    Database db = Database::OpenInMemory();
    db.Exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction outer(db);
        db.Exec("INSERT INTO t VALUES (1)");
        {
            Transaction inner(db);
            db.Exec("INSERT INTO t VALUES (2)");
        } // inner rolled back only
        {
            Transaction inner(db);
            db.Exec("INSERT INTO t VALUES (3)");
            inner.Commit();
        }
        EXPECT_TRUE(db.InTransaction());
        outer.Commit();
    }
    EXPECT_EQ(QueryInt(db, "SELECT group_concat(x) = '1,3' FROM t"), 1);
}

TEST(StorageDatabase, PrepareCachesAndResetsStatements) {
    Database db = Database::OpenInMemory();
    db.Exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);");
    Statement& first = db.Prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(first.Step());
    EXPECT_EQ(first.ColumnInt64(0), 1);
    Statement& again = db.Prepare("SELECT x FROM t ORDER BY x");
    EXPECT_EQ(&first, &again);
    ASSERT_TRUE(again.Step());
    EXPECT_EQ(again.ColumnInt64(0), 1); // rewound by Prepare()
    again.Reset();
}

TEST(StorageDatabase, StatementBindsAndReadsEveryType) {
    Database db = Database::OpenInMemory();
    db.Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n INTEGER)");
    const std::vector<std::byte> blob{std::byte{0}, std::byte{0xff}, std::byte{7}};
    db.Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)")
        .BindAll(std::uint64_t{1} << 40, 2.5, std::string("text with\0nul", 13), std::span<const std::byte>(blob),
                 std::optional<int>{})
        .Run();
    Statement& row = db.Prepare("SELECT i, d, s, b, n FROM t");
    StatementReset reset(row);
    ASSERT_TRUE(row.Step());
    EXPECT_EQ(row.ColumnInt64(0), std::int64_t{1} << 40);
    EXPECT_DOUBLE_EQ(row.ColumnDouble(1), 2.5);
    EXPECT_EQ(row.ColumnText(2), std::string("text with\0nul", 13));
    EXPECT_EQ(row.ColumnBlob(3), blob);
    EXPECT_TRUE(row.ColumnIsNull(4));
    EXPECT_EQ(row.ColumnOptionalInt64(4), std::nullopt);
    EXPECT_EQ(row.ColumnCount(), 5);
    EXPECT_FALSE(row.Step());
}

TEST(StorageDatabase, UnrepresentableUnsignedIsRefused) {
    Database db = Database::OpenInMemory();
    Statement& statement = db.Prepare("SELECT ?1");
    EXPECT_THROW(statement.Bind(1, std::uint64_t{1} << 63), StorageError);
}

TEST(StorageDatabase, SqlErrorsThrowStorageError) {
    Database db = Database::OpenInMemory();
    try {
        db.Prepare("SELEC nonsense");
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_EQ(e.GetKind(), StorageError::Kind::Sql);
        EXPECT_EQ(e.Code(), ErrorCode::StorageFailure);
        EXPECT_NE(e.SqliteCode(), 0);
    }
    EXPECT_THROW(db.Exec("INSERT INTO no_such_table VALUES (1)"), StorageError);
}

TEST(StorageDatabase, WriterBlockedPastTheBusyTimeoutFailsWithBusy) {
    TempDir dir;
    const auto file = dir.Path() / "index.db";
    Database holder = Database::Open(file);
    Database waiter = Database::Open(file, DatabaseOptions{std::chrono::milliseconds(100)});
    Transaction held(holder);
    const auto start = std::chrono::steady_clock::now();
    try {
        Transaction blocked(waiter);
        FAIL() << "acquired a write lock that another connection holds";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.GetKind(), StorageError::Kind::Busy);
    }
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST(StorageDatabase, FullDiskIsReportedAsDiskFull) {
    TempDir dir;
    test::TmpfsMount small(dir.Path() / "small", "size=256k");
    if (!small.IsMounted())
        GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
    Database db = Database::Open(dir.Path() / "small" / "index.db");
    db.Exec("CREATE TABLE filler (b BLOB)");
    try {
        for (int i = 0; i < 1000; ++i)
            db.Prepare("INSERT INTO filler VALUES (zeroblob(16384))").Run();
        FAIL() << "256 KiB filesystem never filled up";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.GetKind(), StorageError::Kind::DiskFull) << e.what();
        EXPECT_EQ(e.Code(), ErrorCode::OutOfResources);
    }
}

} // namespace
} // namespace radnode::storage
