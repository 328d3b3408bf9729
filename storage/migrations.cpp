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

bool migrations_table_exists(Database& db) {
    Statement& statement =
        db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
    StatementReset reset(statement);
    return statement.step();
}

void refuse_if_too_new(int current, int latest) {
    if (current > latest)
        throw StorageError(StorageError::Kind::SchemaTooNew,
                           fmt::format("database schema version {} is newer than this radnode supports ({}); "
                                       "upgrade radnode or point it at another database",
                                       current, latest));
}

} // namespace

void apply_migrations(Database& db) {
    const auto migrations = embedded_migrations();
    const int latest = Database::latest_schema_version();

    // Fast path without the write lock: every association thread opens a connection.
    if (migrations_table_exists(db)) {
        const int current = db.schema_version();
        refuse_if_too_new(current, latest);
        if (current == latest)
            return;
    }

    for (;;) {
        // The write lock makes "read version, apply next, record it" atomic across connections and processes.
        Transaction transaction(db, TransactionMode::Immediate);
        db.exec(kCreateMigrationsTable);
        const int current = db.schema_version();
        refuse_if_too_new(current, latest);
        if (current == latest) {
            transaction.commit();
            return;
        }
        const Migration& next = migrations[static_cast<std::size_t>(current)]; // versions are 1..N, no gaps
        db.exec(next.sql);
        db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)")
            .bind_all(next.version, next.name)
            .run();
        transaction.commit();
        RADNODE_LOG_INFO(Category::Db, "schema migration applied", {{"version", next.version}, {"name", next.name}});
    }
}

} // namespace radnode::storage
