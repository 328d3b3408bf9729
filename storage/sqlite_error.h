#pragma once
/// Internal: turning SQLite result codes into StorageError. Not part of the public API.

#include "storage/status.h"

#include <string_view>

struct sqlite3;

namespace radnode::storage::detail {

/// Maps an extended SQLite result code (and the OS errno behind an I/O error) to a StorageError kind.
StorageError::Kind MapSqliteCode(int extended_code, int system_errno);

/// Throws StorageError for `rc` with SQLite's message for `db` and `context` (e.g. the SQL text).
[[noreturn]] void ThrowSqliteError(sqlite3* db, int rc, std::string_view context);

} // namespace radnode::storage::detail
