#include "storage/status.h"

#include "storage/sqlite_error.h"

#include <cerrno>
#include <fmt/format.h>
#include <sqlite3.h>

namespace radnode::storage {

std::string_view KindName(StorageError::Kind kind) {
    using Kind = StorageError::Kind;
    switch (kind) {
    case Kind::DiskFull:
        return "disk_full";
    case Kind::Io:
        return "io";
    case Kind::Busy:
        return "busy";
    case Kind::Duplicate:
        return "duplicate";
    case Kind::Corrupt:
        return "corrupt";
    case Kind::SchemaTooNew:
        return "schema_too_new";
    case Kind::Sql:
        return "sql";
    }
    return "unknown";
}

namespace detail {

StorageError::Kind MapSqliteCode(int extended_code, int system_errno) {
    using Kind = StorageError::Kind;
    switch (extended_code & 0xff) {
    case SQLITE_FULL:
        return Kind::DiskFull;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        // SQLite reports some failed writes as SQLITE_IOERR_WRITE with errno ENOSPC.
        return (system_errno == ENOSPC || system_errno == EDQUOT) ? Kind::DiskFull : Kind::Io;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return Kind::Busy;
    case SQLITE_CONSTRAINT:
        return (extended_code == SQLITE_CONSTRAINT_UNIQUE || extended_code == SQLITE_CONSTRAINT_PRIMARYKEY)
                   ? Kind::Duplicate
                   : Kind::Sql;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return Kind::Corrupt;
    default:
        return Kind::Sql;
    }
}

void ThrowSqliteError(sqlite3* db, int rc, std::string_view context) {
    const int extended = db ? sqlite3_extended_errcode(db) : rc;
    // The connection's last error may belong to an earlier call when rc came from elsewhere; prefer rc then.
    const int code = (db && (extended & 0xff) == (rc & 0xff)) ? extended : rc;
    const int system_errno = db ? sqlite3_system_errno(db) : 0;
    const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw StorageError(MapSqliteCode(code, system_errno),
                       fmt::format("sqlite error {} ({}): {} [{}]", code, sqlite3_errstr(code), message, context),
                       code);
}

} // namespace detail
} // namespace radnode::storage
