#pragma once
/// Scoped SQLite transaction: commit explicitly, roll back on scope exit otherwise.

#include <string>

namespace radnode::storage {

class Database;

enum class TransactionMode {
    Deferred,  ///< BEGIN: takes locks lazily (read-only work)
    Immediate, ///< BEGIN IMMEDIATE: takes the write lock up front, so it never fails half-way with Busy
    Exclusive, ///< BEGIN EXCLUSIVE
};

/// Begins a transaction on construction and rolls it back in the destructor unless `Commit()` succeeded,
/// so an exception anywhere in the scope leaves the database unchanged. When the connection is already
/// inside a transaction, it nests as a SAVEPOINT (the mode then does not apply).
class Transaction {
public:
    explicit Transaction(Database& db, TransactionMode mode = TransactionMode::Immediate);
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    /// Commits (or releases the savepoint). Throws StorageError; the transaction then stays open and the
    /// destructor rolls it back.
    void Commit();
    /// Rolls back now instead of at scope exit.
    void Rollback();
    bool IsActive() const { return active_; }

private:
    Database& db_;
    std::string savepoint_; ///< empty for a top-level transaction
    bool active_ = false;
};

} // namespace radnode::storage
