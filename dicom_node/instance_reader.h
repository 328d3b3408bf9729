#pragma once
/// Turns a received Part 10 file into the index record, after checking that the
/// dataset is what the C-STORE request said it is and is usable (the DCMTK edge:
/// no DCMTK type leaves this module).

#include <filesystem>
#include <string>

#include "config/errors.h"
#include "storage/instance_index.h"

namespace radnode::dicom_node {

struct StoreRequestInfo {
    std::string affected_sop_class_uid;
    std::string affected_sop_instance_uid;
    std::string calling_ae;
    std::string calling_host;
};

struct ReadResult {
    Status status;
    storage::InstanceRecord record;
};

/// Reads attributes (not pixel values) from `file` and validates them against `request`.
ReadResult ReadReceivedInstance(const std::filesystem::path& file, const StoreRequestInfo& request);

} // namespace radnode::dicom_node
