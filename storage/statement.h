#pragma once
/// A prepared SQLite statement (RAII around sqlite3_stmt*).

#include "storage/status.h"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace radnode::storage {

/// Move-only handle to one prepared statement. Parameters are 1-based as in SQLite, columns 0-based.
/// Usually obtained from `Database::Prepare`, which caches it for the lifetime of the connection.
class Statement {
public:
    /// Compiles `sql` on `db`; throws StorageError on a syntax error.
    Statement(sqlite3* db, std::string_view sql);
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Statement& Bind(int index, std::int64_t value);
    Statement& Bind(int index, double value);
    /// Text is copied by SQLite, so temporaries are safe.
    Statement& Bind(int index, std::string_view value);
    Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
    Statement& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
    Statement& Bind(int index, std::span<const std::byte> blob);
    Statement& Bind(int index, std::nullopt_t);
    template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t>) Statement& Bind(int index, T value) {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
            if (value > static_cast<T>(INT64_MAX))
                throw StorageError(StorageError::Kind::Sql, "integer parameter does not fit a SQLite INTEGER");
        }
        return Bind(index, static_cast<std::int64_t>(value));
    }
    template <typename T> Statement& Bind(int index, const std::optional<T>& value) {
        return value ? Bind(index, *value) : Bind(index, std::nullopt);
    }
    /// Binds `values` to parameters 1..N.
    template <typename... Args> Statement& BindAll(const Args&... values) {
        int index = 0;
        (Bind(++index, values), ...);
        return *this;
    }

    /// Advances; true when a row is available, false when done. Throws StorageError (code from the SQLite error).
    bool Step();
    /// Steps a statement that returns no rows (or whose rows are ignored) to completion.
    void Run();
    /// Rewinds and clears all bindings; releases the read snapshot a half-read SELECT holds.
    void Reset();

    bool ColumnIsNull(int column) const;
    std::string ColumnText(int column) const;
    std::int64_t ColumnInt64(int column) const;
    double ColumnDouble(int column) const;
    std::vector<std::byte> ColumnBlob(int column) const;
    std::optional<std::int64_t> ColumnOptionalInt64(int column) const;
    std::optional<double> ColumnOptionalDouble(int column) const;
    int ColumnCount() const;

    /// The SQL text the statement was compiled from.
    std::string_view Sql() const;

private:
    sqlite3_stmt* stmt_ = nullptr;
};

/// Resets a statement when leaving scope, so a cached SELECT never holds its snapshot open.
class StatementReset {
public:
    explicit StatementReset(Statement& statement) : statement_(statement) {}
    StatementReset(const StatementReset&) = delete;
    StatementReset& operator=(const StatementReset&) = delete;
    ~StatementReset() { statement_.Reset(); }

private:
    Statement& statement_;
};

} // namespace radnode::storage
