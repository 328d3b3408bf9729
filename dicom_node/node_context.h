#pragma once
/// State shared by every association of one running listener.

#include <atomic>
#include <cstdint>
#include <filesystem>

#include "config/config.h"
#include "dicom_node/association_policy.h"
#include "storage/file_store.h"
#include "storage/instance_index.h"

namespace radnode::dicom_node {

/// Counters since start, read by status reporting; all relaxed atomics.
struct ListenerCounters {
    std::atomic<std::uint64_t> associations{0};
    std::atomic<std::uint64_t> associations_rejected{0};
    std::atomic<std::uint64_t> instances_stored{0};
    std::atomic<std::uint64_t> instances_duplicate{0};
    std::atomic<std::uint64_t> instances_rejected{0};
    std::atomic<std::uint64_t> bytes_stored{0};
};

struct NodeContext {
    config::Config config;
    AssociationPolicy policy;
    storage::FileStore& files;
    std::filesystem::path database_file;
    storage::DuplicatePolicy duplicate_policy;
    std::uint64_t min_free_bytes;
    ListenerCounters counters;
};

} // namespace radnode::dicom_node
