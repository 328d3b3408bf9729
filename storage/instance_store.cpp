#include "storage/instance_store.h"

#include "config/log.h"
#include "storage/file_store.h"
#include "storage/instance_index.h"
#include "storage/temp_file.h"

#include <fmt/format.h>
#include <system_error>

namespace radnode::storage {

Result<PutOutcome> InstanceStore::store(const std::filesystem::path& temp_path, InstanceRecord record,
                                        DuplicatePolicy policy) {
    TempFile temp(temp_path); // deleted on every path that does not rename it into place
    try {
        auto relative = files_.relative_path_for(record.study_uid, record.series_uid, record.sop_instance_uid);
        if (!relative)
            return relative.status();
        record.file_path = std::move(relative).value();
        if (record.file_size == 0) {
            std::error_code error;
            record.file_size = std::filesystem::file_size(temp.path(), error);
            if (error)
                return Status::error(ErrorCode::StorageFailure,
                                     fmt::format("stat '{}': {}", temp.path().string(), error.message()));
        }
        if (record.content_hash.empty())
            record.content_hash = FileStore::hash_dataset_bytes(temp.path());

        const auto lock = files_.lock_instance(record.sop_instance_uid);
        const auto existing = index_.find(record.sop_instance_uid);
        bool repair = false;
        if (existing && existing->content_hash == record.content_hash) {
            std::error_code error;
            if (std::filesystem::exists(files_.absolute(existing->file_path), error) || error)
                return PutOutcome::IdenticalDuplicate;
            repair = true; // the row outlived its file (deleted by hand?): restore it from this copy
            RADNODE_LOG_WARN(Category::Db, "stored file missing; restoring it from an identical re-send",
                             {{"study", record.study_uid}, {"sop", record.sop_instance_uid}});
        } else if (existing && policy == DuplicatePolicy::KeepFirst) {
            return PutOutcome::KeptExisting;
        }

        if (Status status = files_.commit(temp.path(), record.file_path); !status)
            return status;
        temp.release();

        // From here a crash leaves a complete file that is either not indexed (new SOP) or indexed with the
        // previous row (Replace); neither was acknowledged, and a re-send repairs both.
        PutOutcome outcome = PutOutcome::Inserted;
        if (existing) {
            index_.replace(record);
            outcome = repair ? PutOutcome::IdenticalDuplicate : PutOutcome::Replaced;
            if (existing->file_path != record.file_path) {
                if (Status status = files_.remove(existing->file_path); !status)
                    RADNODE_LOG_WARN(
                        Category::Db, "cannot remove replaced file",
                        {{"study", existing->study_uid}, {"sop", record.sop_instance_uid}, {"error", status.message}});
            }
        } else {
            outcome = index_.put(record, policy);
        }
        return outcome;
    } catch (const StorageError& error) {
        return error.status();
    }
}

} // namespace radnode::storage
