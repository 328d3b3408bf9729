#include "config/errors.h"

#include <array>

namespace radnode {
namespace {

// DIMSE statuses from PS3.4 Annex B (Storage Service Class) and PS3.7 Annex C.
constexpr std::array kTable{
    ErrorInfo{ErrorCode::Ok, "ok", 0x0000, 200, RetryPolicy::Never},
    ErrorInfo{ErrorCode::InvalidDataset, "invalid_dataset", 0xA900, 422, RetryPolicy::Never},
    ErrorInfo{ErrorCode::CannotUnderstand, "cannot_understand", 0xC000, 400, RetryPolicy::Never},
    ErrorInfo{ErrorCode::UnsupportedSopClass, "unsupported_sop_class", 0x0122, 415, RetryPolicy::Never},
    ErrorInfo{ErrorCode::OutOfResources, "out_of_resources", 0xA700, 507, RetryPolicy::Later},
    ErrorInfo{ErrorCode::StorageFailure, "storage_failure", 0xA700, 500, RetryPolicy::Later},
    ErrorInfo{ErrorCode::NotFound, "not_found", 0xC000, 404, RetryPolicy::Never},
    ErrorInfo{ErrorCode::InvalidRequest, "invalid_request", 0xC000, 400, RetryPolicy::Never},
    ErrorInfo{ErrorCode::Internal, "internal", 0x0110, 500, RetryPolicy::Later},
};

} // namespace

const ErrorInfo& GetErrorInfo(ErrorCode code) {
    for (const ErrorInfo& e : kTable)
        if (e.code == code)
            return e;
    return kTable.back();
}

} // namespace radnode
