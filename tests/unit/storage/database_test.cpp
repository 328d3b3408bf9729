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

std::int64_t query_int(Database& db, std::string_view sql) {
    Statement& statement = db.prepare(sql);
    StatementReset reset(statement);
    EXPECT_TRUE(statement.step()) << sql;
    return statement.column_int64(0);
}

std::string query_text(Database& db, std::string_view sql) {
    Statement& statement = db.prepare(sql);
    StatementReset reset(statement);
    EXPECT_TRUE(statement.step()) << sql;
    return statement.column_text(0);
}

TEST(StorageDatabase, EmbeddedMigrationsAreNumberedWithoutGaps) {
    const auto migrations = embedded_migrations();
    ASSERT_FALSE(migrations.empty());
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
        EXPECT_FALSE(migrations[i].name.empty());
        EXPECT_NE(migrations[i].sql.find("CREATE"), std::string_view::npos);
    }
    EXPECT_EQ(Database::latest_schema_version(), migrations.back().version);
}

TEST(StorageDatabase, InMemoryDatabaseHasAllMigrationsApplied) {
    Database db = Database::open_in_memory();
    EXPECT_EQ(db.schema_version(), Database::latest_schema_version());
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM schema_migrations"), Database::latest_schema_version());
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                            "('studies', 'series', 'instances')"),
              3);
    EXPECT_EQ(query_int(db, "PRAGMA foreign_keys"), 1);
}

TEST(StorageDatabase, FileDatabaseUsesWalFullSyncAndForeignKeys) {
    TempDir dir;
    Database db = Database::open(dir.path() / "index.db");
    EXPECT_EQ(query_text(db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(query_int(db, "PRAGMA synchronous"), 2); // FULL
    EXPECT_EQ(query_int(db, "PRAGMA foreign_keys"), 1);
}

TEST(StorageDatabase, MigrationsApplyOnceAndReopeningIsIdempotent) {
    TempDir dir;
    const auto file = dir.path() / "index.db";
    std::string applied_at;
    {
        Database db = Database::open(file);
        EXPECT_EQ(db.schema_version(), Database::latest_schema_version());
        applied_at = query_text(db, "SELECT applied_at FROM schema_migrations WHERE version = 1");
        db.exec("INSERT INTO studies (study_uid, first_received_at, last_received_at) VALUES ('1.2', 'a', 'b')");
    }
    for (int i = 0; i < 2; ++i) {
        Database db = Database::open(file);
        EXPECT_EQ(db.schema_version(), Database::latest_schema_version());
        EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM schema_migrations"), Database::latest_schema_version());
        EXPECT_EQ(query_text(db, "SELECT applied_at FROM schema_migrations WHERE version = 1"), applied_at);
        EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM studies"), 1); // data untouched
    }
}

TEST(StorageDatabase, DatabaseFromTheFutureIsRefused) {
    TempDir dir;
    const auto file = dir.path() / "index.db";
    const int future = Database::latest_schema_version() + 1;
    {
        Database db = Database::open(file);
        db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?1, 'from_the_future')")
            .bind(1, future)
            .run();
    }
    try {
        Database::open(file);
        FAIL() << "a database with a newer schema was opened";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.kind(), StorageError::Kind::SchemaTooNew);
        EXPECT_NE(std::string(e.what()).find(std::to_string(future)), std::string::npos) << e.what();
    }
}

TEST(StorageDatabase, ConcurrentFirstOpensMigrateExactlyOnce) {
    TempDir dir;
    const auto file = dir.path() / "index.db";
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    threads.reserve(6);
    for (int i = 0; i < 6; ++i)
        threads.emplace_back([&] {
            try {
                Database db = Database::open(file);
                if (db.schema_version() != Database::latest_schema_version())
                    ++failures;
            } catch (const std::exception&) {
                ++failures;
            }
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(failures, 0);
    Database db = Database::open(file);
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM schema_migrations"), Database::latest_schema_version());
}

TEST(StorageDatabase, TransactionRollsBackWhenAnExceptionLeavesTheScope) {
    Database db = Database::open_in_memory();
    db.exec("CREATE TABLE t (x INTEGER)");
    try {
        Transaction transaction(db);
        db.exec("INSERT INTO t VALUES (1)");
        EXPECT_TRUE(db.in_transaction());
        throw std::runtime_error("boom");
    } catch (const std::runtime_error&) {
    }
    EXPECT_FALSE(db.in_transaction());
    EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM t"), 0);
}

TEST(StorageDatabase, CommittedTransactionPersistsAcrossConnections) {
    TempDir dir;
    const auto file = dir.path() / "index.db";
    Database writer = Database::open(file);
    writer.exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction transaction(writer);
        writer.exec("INSERT INTO t VALUES (7)");
        transaction.commit();
        EXPECT_FALSE(transaction.active());
    }
    Database reader = Database::open(file);
    EXPECT_EQ(query_int(reader, "SELECT x FROM t"), 7);
}

TEST(StorageDatabase, NestedTransactionIsASavepoint) {
    Database db = Database::open_in_memory();
    db.exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction outer(db);
        db.exec("INSERT INTO t VALUES (1)");
        {
            Transaction inner(db);
            db.exec("INSERT INTO t VALUES (2)");
        } // inner rolled back only
        {
            Transaction inner(db);
            db.exec("INSERT INTO t VALUES (3)");
            inner.commit();
        }
        EXPECT_TRUE(db.in_transaction());
        outer.commit();
    }
    EXPECT_EQ(query_int(db, "SELECT group_concat(x) = '1,3' FROM t"), 1);
}

TEST(StorageDatabase, PrepareCachesAndResetsStatements) {
    Database db = Database::open_in_memory();
    db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);");
    Statement& first = db.prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(first.step());
    EXPECT_EQ(first.column_int64(0), 1);
    Statement& again = db.prepare("SELECT x FROM t ORDER BY x");
    EXPECT_EQ(&first, &again);
    ASSERT_TRUE(again.step());
    EXPECT_EQ(again.column_int64(0), 1); // rewound by prepare()
    again.reset();
}

TEST(StorageDatabase, StatementBindsAndReadsEveryType) {
    Database db = Database::open_in_memory();
    db.exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n INTEGER)");
    const std::vector<std::byte> blob{std::byte{0}, std::byte{0xff}, std::byte{7}};
    db.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind_all(std::uint64_t{1} << 40, 2.5, std::string("text with\0nul", 13), std::span<const std::byte>(blob),
                  std::optional<int>{})
        .run();
    Statement& row = db.prepare("SELECT i, d, s, b, n FROM t");
    StatementReset reset(row);
    ASSERT_TRUE(row.step());
    EXPECT_EQ(row.column_int64(0), std::int64_t{1} << 40);
    EXPECT_DOUBLE_EQ(row.column_double(1), 2.5);
    EXPECT_EQ(row.column_text(2), std::string("text with\0nul", 13));
    EXPECT_EQ(row.column_blob(3), blob);
    EXPECT_TRUE(row.column_is_null(4));
    EXPECT_EQ(row.column_optional_int64(4), std::nullopt);
    EXPECT_EQ(row.column_count(), 5);
    EXPECT_FALSE(row.step());
}

TEST(StorageDatabase, UnrepresentableUnsignedIsRefused) {
    Database db = Database::open_in_memory();
    Statement& statement = db.prepare("SELECT ?1");
    EXPECT_THROW(statement.bind(1, std::uint64_t{1} << 63), StorageError);
}

TEST(StorageDatabase, SqlErrorsThrowStorageError) {
    Database db = Database::open_in_memory();
    try {
        db.prepare("SELEC nonsense");
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_EQ(e.kind(), StorageError::Kind::Sql);
        EXPECT_EQ(e.code(), ErrorCode::StorageFailure);
        EXPECT_NE(e.sqlite_code(), 0);
    }
    EXPECT_THROW(db.exec("INSERT INTO no_such_table VALUES (1)"), StorageError);
}

TEST(StorageDatabase, WriterBlockedPastTheBusyTimeoutFailsWithBusy) {
    TempDir dir;
    const auto file = dir.path() / "index.db";
    Database holder = Database::open(file);
    Database waiter = Database::open(file, DatabaseOptions{std::chrono::milliseconds(100)});
    Transaction held(holder);
    const auto start = std::chrono::steady_clock::now();
    try {
        Transaction blocked(waiter);
        FAIL() << "acquired a write lock that another connection holds";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.kind(), StorageError::Kind::Busy);
    }
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
}

TEST(StorageDatabase, FullDiskIsReportedAsDiskFull) {
    TempDir dir;
    test::TmpfsMount small(dir.path() / "small", "size=256k");
    if (!small.mounted())
        GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
    Database db = Database::open(dir.path() / "small" / "index.db");
    db.exec("CREATE TABLE filler (b BLOB)");
    try {
        for (int i = 0; i < 1000; ++i)
            db.prepare("INSERT INTO filler VALUES (zeroblob(16384))").run();
        FAIL() << "256 KiB filesystem never filled up";
    } catch (const StorageError& e) {
        EXPECT_EQ(e.kind(), StorageError::Kind::DiskFull) << e.what();
        EXPECT_EQ(e.code(), ErrorCode::OutOfResources);
    }
}

} // namespace
} // namespace radnode::storage
