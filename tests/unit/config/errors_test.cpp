#include <gtest/gtest.h>

#include "config/errors.h"

namespace radnode {
namespace {

TEST(ErrorTable, MapsStoreFailuresToTheirDimseStatus) {
    EXPECT_EQ(GetErrorInfo(ErrorCode::Ok).dimse_status, 0x0000);
    EXPECT_EQ(GetErrorInfo(ErrorCode::InvalidDataset).dimse_status, 0xA900);
    EXPECT_EQ(GetErrorInfo(ErrorCode::CannotUnderstand).dimse_status, 0xC000);
    EXPECT_EQ(GetErrorInfo(ErrorCode::OutOfResources).dimse_status, 0xA700);
    EXPECT_EQ(GetErrorInfo(ErrorCode::UnsupportedSopClass).dimse_status, 0x0122);
}

TEST(ErrorTable, TransientFailuresAreRetryable) {
    EXPECT_EQ(GetErrorInfo(ErrorCode::OutOfResources).retry, RetryPolicy::Later);
    EXPECT_EQ(GetErrorInfo(ErrorCode::InvalidDataset).retry, RetryPolicy::Never);
    EXPECT_EQ(GetErrorInfo(ErrorCode::NotFound).http_status, 404);
}

TEST(StatusValue, OkAndError) {
    EXPECT_TRUE(Status::Ok());
    const Status s = Status::Error(ErrorCode::InvalidDataset, "why");
    EXPECT_FALSE(s);
    EXPECT_EQ(s.message, "why");
}

} // namespace
} // namespace radnode
