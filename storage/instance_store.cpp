#include "storage/instance_store.h"

#include "config/log.h"
#include "storage/file_store.h"
#include "storage/instance_index.h"
#include "storage/temp_file.h"

#include <fmt/format.h>
#include <system_error>

namespace radnode::storage {

Result<PutOutcome> InstanceStore::Store(const std::filesystem::path& temp_path, InstanceRecord record,
                                        DuplicatePolicy policy) {
    TempFile temp(temp_path); // deleted on every path that does not rename it into place
    try {
        auto relative = files_.RelativePathFor(record.study_uid, record.series_uid, record.sop_instance_uid);
        if (!relative)
            return relative.GetStatus();
        record.file_path = std::move(relative).Value();
        if (record.file_size == 0) {
            std::error_code error;
            record.file_size = std::filesystem::file_size(temp.Path(), error);
            if (error)
                return Status::Error(ErrorCode::StorageFailure,
                                     fmt::format("stat '{}': {}", temp.Path().string(), error.message()));
        }
        if (record.content_hash.empty())
            record.content_hash = FileStore::HashDatasetBytes(temp.Path());

        const auto lock = files_.LockInstance(record.sop_instance_uid);
        const auto existing = index_.Find(record.sop_instance_uid);
        bool repair = false;
        if (existing && existing->content_hash == record.content_hash) {
            std::error_code error;
            if (std::filesystem::exists(files_.Absolute(existing->file_path), error) || error)
                return PutOutcome::IdenticalDuplicate;
            repair = true; // the row outlived its file (deleted by hand?): restore it from this copy
            RADNODE_LOG_WARN(Category::Db, "stored file missing; restoring it from an identical re-send",
                             {{"study", record.study_uid}, {"sop", record.sop_instance_uid}});
        } else if (existing && policy == DuplicatePolicy::KeepFirst) {
            return PutOutcome::KeptExisting;
        }

        if (Status status = files_.Commit(temp.Path(), record.file_path); !status)
            return status;
        temp.Release();

        // From here a crash leaves a complete file that is either not indexed (new SOP) or indexed with the
        // previous row (Replace); neither was acknowledged, and a re-send repairs both.
        PutOutcome outcome = PutOutcome::Inserted;
        if (existing) {
            index_.Replace(record);
            outcome = repair ? PutOutcome::IdenticalDuplicate : PutOutcome::Replaced;
            if (existing->file_path != record.file_path) {
                if (Status status = files_.Remove(existing->file_path); !status)
                    RADNODE_LOG_WARN(
                        Category::Db, "cannot remove replaced file",
                        {{"study", existing->study_uid}, {"sop", record.sop_instance_uid}, {"error", status.message}});
            }
        } else {
            outcome = index_.Put(record, policy);
        }
        return outcome;
    } catch (const StorageError& error) {
        return error.GetStatus();
    }
}

} // namespace radnode::storage
