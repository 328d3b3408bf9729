#pragma once
// Identifiers and fixed descriptive values of one generated phantom study,
// shared by the CT, RTSTRUCT, SEG and truth writers.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace radnode::tools {

/// Everything that identifies the generated study; deterministic for a seed.
struct PhantomStudy {
    std::string patient_name = "PHANTOM^THORAX";
    std::string patient_id; ///< "PHANTOM-<seed>"
    std::string patient_birth_date = "19650412";
    std::string patient_sex = "M";
    std::string study_instance_uid;
    std::string study_date = "20240115";
    std::string study_time = "093000";
    std::string study_id = "1";
    std::string accession_number; ///< "PH<seed>"
    std::string study_description = "CT THORAX PHANTOM";
    std::string referring_physician_name;
    std::string frame_of_reference_uid;
    std::string ct_series_instance_uid;
    std::vector<std::string> ct_sop_instance_uids; ///< by slice index k (z ascending)
    std::string rtstruct_series_instance_uid;
    std::string rtstruct_sop_instance_uid;
    std::string seg_series_instance_uid;
    std::string seg_sop_instance_uid;
    std::string seg_dimension_organization_uid;
    std::string manufacturer = "radnode";
    std::string model_name = "radnode thorax phantom";
    std::string software_version = "0.1.0";
    std::string device_serial_number = "PHANTOM-1";
    std::string institution_name = "radnode test site";
};

/// Builds the identifiers of a phantom study with `slices` CT images.
[[nodiscard]] PhantomStudy MakePhantomStudy(std::uint64_t seed, std::size_t slices);

/// InstanceNumber of slice k: numbered from the most superior slice (1)
/// downwards, as a head-first scanner would.
[[nodiscard]] inline std::size_t InstanceNumberOfSlice(std::size_t k, std::size_t slices) {
    return slices - k;
}

} // namespace radnode::tools
