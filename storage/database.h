#pragma once
/// One SQLite connection with radnode's settings and schema (RAII around sqlite3*).

#include "storage/statement.h"
#include "storage/status.h" // StorageError

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace radnode::storage {

/// Connection settings; the defaults are what the node uses.
struct DatabaseOptions {
    /// How long a writer waits for another connection's write transaction before failing with Busy.
    std::chrono::milliseconds busy_timeout{10'000};
};

/// Move-only connection. Not thread-safe: use one `Database` per thread (SQLite's WAL mode lets them read
/// concurrently and serialises writers).
class Database {
public:
    /// Opens (creating if needed) `file` with journal_mode=WAL, synchronous=FULL, foreign_keys=ON and a busy
    /// timeout, then applies pending migrations, each in its own transaction. Throws StorageError, with
    /// StorageError::Kind::SchemaTooNew when the file was migrated by a newer radnode.
    static Database Open(const std::filesystem::path& file, const DatabaseOptions& options = {});
    /// A private in-memory database with all migrations applied (for tests and tools).
    static Database OpenInMemory();

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    /// The cached statement for `sql` (compiled on first use), reset and with bindings cleared. The reference
    /// stays valid for the connection's lifetime; do not hold it across another Prepare() of the same SQL.
    Statement& Prepare(std::string_view sql);
    /// Runs one or more statements that return no rows (DDL, PRAGMA, BEGIN/COMMIT).
    void Exec(std::string_view sql);

    /// Highest migration version recorded in `schema_migrations`.
    int SchemaVersion() const;
    /// Highest migration version this build knows (embedded in the library).
    static int LatestSchemaVersion();

    std::int64_t LastInsertRowid() const;
    /// Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
    int Changes() const;
    /// True while a transaction is open on this connection.
    bool InTransaction() const;

    /// The raw handle, for `Statement` and `Transaction`; not for general use.
    sqlite3* Handle() const;

private:
    struct Impl;
    explicit Database(std::unique_ptr<Impl> impl);
    static std::unique_ptr<Impl> Connect(const std::string& name, const DatabaseOptions& options);

    std::unique_ptr<Impl> impl_;
};

} // namespace radnode::storage
