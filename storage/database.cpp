#include "storage/database.h"

#include "storage/migrations.h"
#include "storage/sqlite_error.h"

#include <fmt/format.h>
#include <random>
#include <sqlite3.h>
#include <string>
#include <thread>
#include <unordered_map>

namespace radnode::storage {

namespace {

/// Lets the statement cache be searched with a string_view without building a std::string.
struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

} // namespace

struct Database::Impl {
    sqlite3* db = nullptr;
    DatabaseOptions options;
    std::chrono::steady_clock::time_point busy_since;
    std::minstd_rand jitter{std::random_device{}()};
    std::unordered_map<std::string, std::unique_ptr<Statement>, TransparentHash, std::equal_to<>> statements;

    ~Impl() {
        statements.clear(); // finalize before closing
        sqlite3_close_v2(db);
    }

    /// SQLite's default busy handler sleeps 1, 2, 5, 10 … 100 ms; a radnode write transaction holds the
    /// lock for about a millisecond (one instance), so short jittered pauses keep concurrent associations
    /// from convoying behind long sleeps. Gives up after `options.busy_timeout`.
    static int BusyHandler(void* arg, int count) {
        auto* self = static_cast<Impl*>(arg);
        const auto now = std::chrono::steady_clock::now();
        if (count == 0)
            self->busy_since = now;
        if (now - self->busy_since >= self->options.busy_timeout)
            return 0;
        const int ceiling_us = count < 20 ? 200 : (count < 200 ? 1'000 : 5'000);
        std::uniform_int_distribution<int> pause_us(ceiling_us / 4, ceiling_us);
        std::this_thread::sleep_for(std::chrono::microseconds(pause_us(self->jitter)));
        return 1;
    }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

std::unique_ptr<Database::Impl> Database::Connect(const std::string& name, const DatabaseOptions& options) {
    auto impl = std::make_unique<Database::Impl>();
    impl->options = options;
    // NOMUTEX: a connection belongs to one thread at a time, so SQLite's per-connection mutex is wasted work.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(name.c_str(), &impl->db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = impl->db ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc);
        const int system_errno = impl->db ? sqlite3_system_errno(impl->db) : 0;
        throw StorageError(detail::MapSqliteCode(rc, system_errno),
                           fmt::format("cannot open database '{}': {}", name, message), rc);
    }
    sqlite3_extended_result_codes(impl->db, 1);
    sqlite3_busy_handler(impl->db, &Database::Impl::BusyHandler, impl.get());
    return impl;
}

Database Database::Open(const std::filesystem::path& file, const DatabaseOptions& options) {
    Database db(Connect(file.string(), options));
    {
        // Switching a new file to WAL needs the file to itself; SQLite answers SQLITE_BUSY at once (the busy
        // handler is not used for it) while another connection's first open holds it, so wait here instead.
        const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
        std::string journal;
        for (;;) {
            try {
                Statement& mode = db.Prepare("PRAGMA journal_mode=WAL");
                StatementReset reset(mode);
                journal = mode.Step() ? mode.ColumnText(0) : std::string{};
                break;
            } catch (const StorageError& e) {
                if (e.GetKind() != StorageError::Kind::Busy || std::chrono::steady_clock::now() >= deadline)
                    throw;
                std::this_thread::sleep_for(std::chrono::milliseconds{5});
            }
        }
        if (journal != "wal")
            throw StorageError(StorageError::Kind::Sql,
                               fmt::format("cannot switch '{}' to WAL (journal_mode is '{}')", file.string(), journal));
    }
    // FULL: in WAL mode every commit fsyncs the WAL, so an acknowledged instance survives power loss, not
    // only a process crash (NORMAL would only survive the latter).
    db.Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    ApplyMigrations(db);
    return db;
}

Database Database::OpenInMemory() {
    Database db(Connect(":memory:", {}));
    db.Exec("PRAGMA foreign_keys=ON;");
    ApplyMigrations(db);
    return db;
}

Statement& Database::Prepare(std::string_view sql) {
    auto it = impl_->statements.find(sql);
    if (it == impl_->statements.end())
        it = impl_->statements.emplace(std::string(sql), std::make_unique<Statement>(impl_->db, sql)).first;
    it->second->Reset();
    return *it->second;
}

void Database::Exec(std::string_view sql) {
    const std::string text(sql); // sqlite3_exec needs a NUL-terminated string
    char* error = nullptr;
    const int rc = sqlite3_exec(impl_->db, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        sqlite3_free(error); // the same text is still available from sqlite3_errmsg
        detail::ThrowSqliteError(impl_->db, rc, sql.substr(0, 200));
    }
}

int Database::SchemaVersion() const {
    Statement& statement =
        const_cast<Database*>(this)->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    StatementReset reset(statement);
    return statement.Step() ? static_cast<int>(statement.ColumnInt64(0)) : 0;
}

int Database::LatestSchemaVersion() {
    const auto migrations = EmbeddedMigrations();
    return migrations.empty() ? 0 : migrations.back().version;
}

std::int64_t Database::LastInsertRowid() const {
    return sqlite3_last_insert_rowid(impl_->db);
}

int Database::Changes() const {
    return sqlite3_changes(impl_->db);
}

bool Database::InTransaction() const {
    return sqlite3_get_autocommit(impl_->db) == 0;
}

sqlite3* Database::Handle() const {
    return impl_->db;
}

} // namespace radnode::storage
