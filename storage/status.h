#pragma once
/// Error values and the one storage exception type.
///
/// Expected failures (an invalid UID, a full disk, an I/O error on a file) come back as a `radnode::Status`
/// (config/errors.h, the project-wide code table that maps to DIMSE/HTTP statuses) or a `Result<T>`:
/// OutOfResources for ENOSPC/EDQUOT, StorageFailure for other I/O errors, InvalidDataset for a UID that is
/// unsafe as a path. Failures of the database itself are thrown as `StorageError`, which carries both a
/// storage-specific `Kind` and the project-wide `ErrorCode`.

#include "config/errors.h"

#include <cassert>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace radnode::storage {

/// A value or a non-Ok `Status` (a minimal `std::expected`).
template <typename T> class [[nodiscard]] Result {
public:
    // Implicit on purpose, like std::expected: `return value;` and `return Status::Error(...);` both work.
    Result(T value) : state_(std::move(value)) {}     // NOLINT(google-explicit-constructor)
    Result(Status error) : state_(std::move(error)) { // NOLINT(google-explicit-constructor)
        assert(!std::get<Status>(state_).IsOk());
    }

    bool IsOk() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return IsOk(); }

    /// The value; calling this on an error is a programmer error.
    T& Value() & {
        assert(IsOk());
        return std::get<T>(state_);
    }
    const T& Value() const& {
        assert(IsOk());
        return std::get<T>(state_);
    }
    T&& Value() && {
        assert(IsOk());
        return std::get<T>(std::move(state_));
    }
    T& operator*() & { return Value(); }
    const T& operator*() const& { return Value(); }
    T* operator->() { return &Value(); }
    const T* operator->() const { return &Value(); }

    /// Ok when a value is held, else the error.
    Status GetStatus() const { return IsOk() ? Status::Ok() : std::get<Status>(state_); }

private:
    std::variant<T, Status> state_;
};

/// Thrown for database failures and other exceptional conditions in storage/.
class StorageError : public std::runtime_error {
public:
    /// What failed, finer than ErrorCode.
    enum class Kind {
        DiskFull,     ///< SQLITE_FULL, ENOSPC, EDQUOT: retry after space is freed
        Io,           ///< other I/O failure (SQLITE_IOERR, SQLITE_CANTOPEN, a failed read)
        Busy,         ///< the database stayed locked past the busy timeout
        Duplicate,    ///< a UNIQUE/PRIMARY KEY constraint fired
        Corrupt,      ///< a malformed database file or stored file
        SchemaTooNew, ///< the database was migrated by a newer radnode
        Sql,          ///< any other SQLite error (syntax, misuse, other constraints)
    };

    StorageError(Kind kind, const std::string& message, int sqlite_code = 0)
        : std::runtime_error(message), kind_(kind), sqlite_code_(sqlite_code) {}

    Kind GetKind() const { return kind_; }
    /// OutOfResources for DiskFull, StorageFailure otherwise.
    ErrorCode Code() const { return kind_ == Kind::DiskFull ? ErrorCode::OutOfResources : ErrorCode::StorageFailure; }
    /// The extended SQLite result code, 0 when the error did not come from SQLite.
    int SqliteCode() const { return sqlite_code_; }
    Status GetStatus() const { return Status::Error(Code(), what()); }

private:
    Kind kind_;
    int sqlite_code_;
};

/// Stable lower-case name of a kind, for logs.
std::string_view KindName(StorageError::Kind kind);

} // namespace radnode::storage
