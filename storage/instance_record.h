#pragma once
/// What the DICOM edge extracts from a received instance, and what the index returns.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace radnode::storage {

/// Index metadata of one received instance. Patient names are deliberately absent: they are never stored
/// in the index or written to logs.
struct InstanceRecord {
    std::string patient_id;
    std::string study_uid;
    std::string series_uid;
    std::string sop_instance_uid;
    std::string sop_class_uid;
    std::string modality;
    std::string frame_of_reference_uid;
    std::string series_description;
    std::string study_date; ///< DICOM DA, YYYYMMDD as received
    std::string study_description;
    std::string accession_number;
    std::optional<int> series_number;
    std::optional<int> instance_number;
    std::optional<std::array<double, 3>> image_position;    ///< (0020,0032), patient coordinates in mm
    std::optional<std::array<double, 6>> image_orientation; ///< (0020,0037), row then column direction cosines
    int number_of_frames = 1;
    std::string transfer_syntax_uid;
    std::string calling_ae;
    std::string calling_host;
    std::string file_path;       ///< relative to the FileStore root, from FileStore::RelativePathFor
    std::uint64_t file_size = 0; ///< bytes of the whole Part 10 file
    std::string content_hash;    ///< FileStore::HashDatasetBytes of the file

    bool operator==(const InstanceRecord&) const = default;
};

/// A row of the index: the record as stored plus what the index assigned.
struct StoredInstance : InstanceRecord {
    std::int64_t id = 0;
    std::string received_at; ///< UTC ISO-8601 with milliseconds, e.g. 2026-11-21T10:00:00.123Z
};

/// What to do when an instance arrives whose SOP Instance UID is already stored with different content.
enum class DuplicatePolicy {
    KeepFirst, ///< keep the stored file and row, discard the new one
    Replace,   ///< overwrite the stored file and row with the new one
};

/// What `InstanceIndex::Put` did.
enum class PutOutcome {
    Inserted,           ///< a new row
    IdenticalDuplicate, ///< the SOP was stored with the same content hash; nothing changed
    KeptExisting,       ///< the SOP was stored with different content; KeepFirst left it unchanged
    Replaced,           ///< the SOP was stored with different content; Replace overwrote the row
};

/// Summary of a study row; counts are maintained by triggers.
struct StudySummary {
    std::int64_t id = 0;
    std::string study_uid;
    std::string patient_id;
    std::string study_date;
    std::string study_description;
    std::string accession_number;
    std::int64_t series_count = 0;
    std::int64_t instance_count = 0;
    std::string first_received_at;
    std::string last_received_at;
};

/// Summary of a series row; counts are maintained by triggers.
struct SeriesSummary {
    std::int64_t id = 0;
    std::string study_uid;
    std::string series_uid;
    std::string modality;
    std::optional<int> series_number;
    std::string series_description;
    std::string frame_of_reference_uid;
    std::int64_t instance_count = 0;
    std::string first_received_at;
    std::string last_received_at;
};

} // namespace radnode::storage
