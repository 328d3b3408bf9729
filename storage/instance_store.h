#pragma once
/// The whole "received file → durable, indexed instance" protocol in one call.

#include "storage/instance_record.h"
#include "storage/status.h"

#include <filesystem>

namespace radnode::storage {

class FileStore;
class InstanceIndex;

/// Runs the storage side of a C-STORE: duplicate decision, durable file commit, index row. When `Store()`
/// returns a value the instance may be acknowledged with Success; on an error it must not be.
/// One per association thread (it uses that thread's InstanceIndex); the FileStore is shared.
class InstanceStore {
public:
    InstanceStore(FileStore& files, InstanceIndex& index) : files_(files), index_(index) {}

    /// Takes ownership of `temp` (a complete Part 10 file in FileStore's tmp directory): it ends up either
    /// renamed into place or deleted. `record` is what the edge parsed; `file_path`, `file_size` and
    /// `content_hash` are filled in here when empty/zero. Holding FileStore::LockInstance for the SOP:
    ///   - same SOP and same content hash stored → IdenticalDuplicate (temp deleted, nothing rewritten;
    ///     a stored file that has gone missing is restored from the re-sent copy);
    ///   - same SOP, different content, KeepFirst → KeptExisting (temp deleted);
    ///   - same SOP, different content, Replace → file replaced, row updated → Replaced;
    ///   - new SOP → file committed, row inserted → Inserted.
    /// Errors are values, database failures included: InvalidDataset (unsafe UID), OutOfResources (disk
    /// full), StorageFailure (I/O, database busy past the timeout, other SQLite errors).
    Result<PutOutcome> Store(const std::filesystem::path& temp, InstanceRecord record, DuplicatePolicy policy);

private:
    FileStore& files_;
    InstanceIndex& index_;
};

} // namespace radnode::storage
