#include "storage/transaction.h"

#include "config/log.h"
#include "storage/database.h"

#include <atomic>
#include <exception>
#include <fmt/format.h>

namespace radnode::storage {

namespace {

std::string_view BeginSql(TransactionMode mode) {
    switch (mode) {
    case TransactionMode::Deferred:
        return "BEGIN DEFERRED";
    case TransactionMode::Immediate:
        return "BEGIN IMMEDIATE";
    case TransactionMode::Exclusive:
        return "BEGIN EXCLUSIVE";
    }
    return "BEGIN IMMEDIATE";
}

std::atomic<unsigned> g_savepoint_counter{0};

} // namespace

Transaction::Transaction(Database& db, TransactionMode mode) : db_(db) {
    if (db_.InTransaction()) {
        savepoint_ = fmt::format("radnode_sp_{}", g_savepoint_counter.fetch_add(1, std::memory_order_relaxed));
        db_.Exec("SAVEPOINT " + savepoint_);
    } else {
        db_.Exec(BeginSql(mode));
    }
    active_ = true;
}

Transaction::~Transaction() {
    if (!active_)
        return;
    try {
        Rollback();
    } catch (const std::exception& e) {
        // Cannot throw from a destructor; SQLite rolls back anyway when the connection closes.
        RADNODE_LOG_ERROR(Category::Db, "transaction rollback failed", {{"error", e.what()}});
    }
}

void Transaction::Commit() {
    if (!active_)
        return;
    if (savepoint_.empty())
        db_.Exec("COMMIT");
    else
        db_.Exec("RELEASE " + savepoint_);
    active_ = false;
}

void Transaction::Rollback() {
    if (!active_)
        return;
    active_ = false;
    if (savepoint_.empty()) {
        // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL); ROLLBACK would then fail.
        if (db_.InTransaction())
            db_.Exec("ROLLBACK");
    } else if (db_.InTransaction()) {
        db_.Exec("ROLLBACK TO " + savepoint_ + "; RELEASE " + savepoint_);
    }
}

} // namespace radnode::storage
