#include "storage/statement.h"

#include "storage/sqlite_error.h"

#include <cstring>
#include <sqlite3.h>
#include <utility>

namespace radnode::storage {

Statement::Statement(sqlite3* db, std::string_view sql) {
    const int rc =
        sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
    if (rc != SQLITE_OK)
        detail::ThrowSqliteError(db, rc, sql);
    if (stmt_ == nullptr)
        throw StorageError(StorageError::Kind::Sql, "empty SQL statement");
}

Statement::Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(stmt_);
        stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

namespace {

void CheckBind(sqlite3_stmt* stmt, int rc, int index) {
    if (rc != SQLITE_OK)
        detail::ThrowSqliteError(sqlite3_db_handle(stmt), rc, "bind parameter " + std::to_string(index));
}

} // namespace

Statement& Statement::Bind(int index, std::int64_t value) {
    CheckBind(stmt_, sqlite3_bind_int64(stmt_, index, value), index);
    return *this;
}

Statement& Statement::Bind(int index, double value) {
    CheckBind(stmt_, sqlite3_bind_double(stmt_, index, value), index);
    return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
    CheckBind(stmt_, sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
              index);
    return *this;
}

Statement& Statement::Bind(int index, std::span<const std::byte> blob) {
    // A null data pointer would bind NULL; an empty blob must stay an empty blob.
    static constexpr std::byte empty{};
    const void* data = blob.empty() ? &empty : blob.data();
    CheckBind(stmt_, sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT), index);
    return *this;
}

Statement& Statement::Bind(int index, std::nullopt_t) {
    CheckBind(stmt_, sqlite3_bind_null(stmt_, index), index);
    return *this;
}

bool Statement::Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // Reset so the statement is reusable; sqlite3_reset returns the same error, which we already have.
    sqlite3_reset(stmt_);
    detail::ThrowSqliteError(sqlite3_db_handle(stmt_), rc, Sql());
}

void Statement::Run() {
    while (Step()) {
    }
}

void Statement::Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::ColumnIsNull(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string Statement::ColumnText(int column) const {
    const auto* text = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)) : std::string{};
}

std::int64_t Statement::ColumnInt64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

double Statement::ColumnDouble(int column) const {
    return sqlite3_column_double(stmt_, column);
}

std::vector<std::byte> Statement::ColumnBlob(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    std::vector<std::byte> out(static_cast<std::size_t>(size));
    if (size > 0)
        std::memcpy(out.data(), data, out.size());
    return out;
}

std::optional<std::int64_t> Statement::ColumnOptionalInt64(int column) const {
    if (ColumnIsNull(column))
        return std::nullopt;
    return ColumnInt64(column);
}

std::optional<double> Statement::ColumnOptionalDouble(int column) const {
    if (ColumnIsNull(column))
        return std::nullopt;
    return ColumnDouble(column);
}

int Statement::ColumnCount() const {
    return sqlite3_column_count(stmt_);
}

std::string_view Statement::Sql() const {
    const char* text = sqlite3_sql(stmt_);
    return text ? std::string_view(text) : std::string_view{};
}

} // namespace radnode::storage
