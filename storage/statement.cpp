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
        detail::throw_sqlite_error(db, rc, sql);
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

void check_bind(sqlite3_stmt* stmt, int rc, int index) {
    if (rc != SQLITE_OK)
        detail::throw_sqlite_error(sqlite3_db_handle(stmt), rc, "bind parameter " + std::to_string(index));
}

} // namespace

Statement& Statement::bind(int index, std::int64_t value) {
    check_bind(stmt_, sqlite3_bind_int64(stmt_, index, value), index);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    check_bind(stmt_, sqlite3_bind_double(stmt_, index, value), index);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    check_bind(stmt_, sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
               index);
    return *this;
}

Statement& Statement::bind(int index, std::span<const std::byte> blob) {
    // A null data pointer would bind NULL; an empty blob must stay an empty blob.
    static constexpr std::byte empty{};
    const void* data = blob.empty() ? &empty : blob.data();
    check_bind(stmt_, sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT), index);
    return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
    check_bind(stmt_, sqlite3_bind_null(stmt_, index), index);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // Reset so the statement is reusable; sqlite3_reset returns the same error, which we already have.
    sqlite3_reset(stmt_);
    detail::throw_sqlite_error(sqlite3_db_handle(stmt_), rc, sql());
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::column_is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string Statement::column_text(int column) const {
    const auto* text = sqlite3_column_text(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)) : std::string{};
}

std::int64_t Statement::column_int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
    return sqlite3_column_double(stmt_, column);
}

std::vector<std::byte> Statement::column_blob(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    std::vector<std::byte> out(static_cast<std::size_t>(size));
    if (size > 0)
        std::memcpy(out.data(), data, out.size());
    return out;
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
    if (column_is_null(column))
        return std::nullopt;
    return column_int64(column);
}

std::optional<double> Statement::column_optional_double(int column) const {
    if (column_is_null(column))
        return std::nullopt;
    return column_double(column);
}

int Statement::column_count() const {
    return sqlite3_column_count(stmt_);
}

std::string_view Statement::sql() const {
    const char* text = sqlite3_sql(stmt_);
    return text ? std::string_view(text) : std::string_view{};
}

} // namespace radnode::storage
