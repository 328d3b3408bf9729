#include "storage/migrations.h"

#include "config/log.h"
#include "storage/database.h"
#include "storage/transaction.h"

#include <fmt/format.h>

namespace radnode::storage {

namespace {

constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
))sql";

bool MigrationsTableExists(Database& db) {
    Statement& statement =
        db.Prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
    StatementReset reset(statement);
    return statement.Step();
}

void RefuseIfTooNew(int current, int latest) {
    if (current > latest)
        throw StorageError(StorageError::Kind::SchemaTooNew,
                           fmt::format("database schema version {} is newer than this radnode supports ({}); "
                                       "upgrade radnode or point it at another database",
                                       current, latest));
}

} // namespace

void ApplyMigrations(Database& db) {
    const auto migrations = EmbeddedMigrations();
    const int latest = Database::LatestSchemaVersion();

    // Fast path without the write lock: every association thread opens a connection.
    if (MigrationsTableExists(db)) {
        const int current = db.SchemaVersion();
        RefuseIfTooNew(current, latest);
        if (current == latest)
            return;
    }

    for (;;) {
        // The write lock makes "read version, apply next, record it" atomic across connections and processes.
        Transaction transaction(db, TransactionMode::Immediate);
        db.Exec(kCreateMigrationsTable);
        const int current = db.SchemaVersion();
        RefuseIfTooNew(current, latest);
        if (current == latest) {
            transaction.Commit();
            return;
        }
        const Migration& next = migrations[static_cast<std::size_t>(current)]; // versions are 1..N, no gaps
        db.Exec(next.sql);
        db.Prepare("INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)")
            .BindAll(next.version, next.name)
            .Run();
        transaction.Commit();
        RADNODE_LOG_INFO(Category::Db, "schema migration applied", {{"version", next.version}, {"name", next.name}});
    }
}

} // namespace radnode::storage
