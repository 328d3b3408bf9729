#include "tools/phantom/phantom_study.h"

#include "tools/phantom/dicom_uid.h"

namespace radnode::tools {

PhantomStudy MakePhantomStudy(std::uint64_t seed, std::size_t slices) {
    const UidGenerator uids(seed);
    PhantomStudy study;
    study.patient_id = "PHANTOM-" + std::to_string(seed);
    study.accession_number = "PH" + std::to_string(seed);
    study.study_instance_uid = uids.Make("study");
    study.frame_of_reference_uid = uids.Make("frame-of-reference");
    study.ct_series_instance_uid = uids.Make("ct-series");
    for (std::size_t k = 0; k < slices; ++k) {
        study.ct_sop_instance_uids.push_back(uids.Make("ct-image", k));
    }
    study.rtstruct_series_instance_uid = uids.Make("rtstruct-series");
    study.rtstruct_sop_instance_uid = uids.Make("rtstruct-instance");
    study.seg_series_instance_uid = uids.Make("seg-series");
    study.seg_sop_instance_uid = uids.Make("seg-instance");
    study.seg_dimension_organization_uid = uids.Make("seg-dimension-organization");
    return study;
}

} // namespace radnode::tools
