#pragma once
/// radnode's error codes and the one table that maps each to its DIMSE status,
/// HTTP status and retry policy. Each boundary (C-STORE handler, job loop, REST)
/// translates through this table, so the same failure reads the same everywhere.

#include <cstdint>
#include <string>
#include <string_view>

namespace radnode {

enum class ErrorCode {
    Ok,
    InvalidDataset,    ///< the dataset does not match its SOP class (missing/invalid attributes, truncated pixels)
    CannotUnderstand,  ///< the bytes cannot be parsed as DICOM
    UnsupportedSopClass,
    OutOfResources,    ///< disk full or below the configured free-space floor
    StorageFailure,    ///< I/O or database failure while persisting
    NotFound,
    InvalidRequest,
    Internal,
};

enum class RetryPolicy { Never, Later };

struct ErrorInfo {
    ErrorCode code;
    std::string_view name;       ///< stable identifier used in logs and JSON
    std::uint16_t dimse_status;  ///< C-STORE response status
    int http_status;
    RetryPolicy retry;
};

const ErrorInfo& GetErrorInfo(ErrorCode code);

/// An expected failure as a value: a code and a human-readable reason.
struct Status {
    ErrorCode code = ErrorCode::Ok;
    std::string message;

    static Status Ok() { return {}; }
    static Status Error(ErrorCode c, std::string m) { return {c, std::move(m)}; }
    bool IsOk() const { return code == ErrorCode::Ok; }
    explicit operator bool() const { return IsOk(); }
};

} // namespace radnode
