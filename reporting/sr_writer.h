#pragma once
// Writes a DICOM Enhanced SR "Imaging Measurement Report" (TID 1500) from plain
// structs: one TID 1411 measurement group per region with its measurements,
// PyRadiomics features (IBSI codes, see feature_codes.h), signature scores and
// calcium scores. No analysis happens here and no DCMTK type crosses this
// interface. The document structure and every code are described in docs/sr.md.

#include "reporting/dicom_values.h" // NewUuidUid
#include "reporting/seg_writer.h" // CodedConcept

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace radnode::reporting {

inline constexpr const char* kCtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
inline constexpr const char* kSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.4";
inline constexpr const char* kEnhancedSrStorage = "1.2.840.10008.5.1.4.1.1.88.22";

/// The analysed CT series: patient/study attributes copied into the SR and its instances for the evidence.
struct SrSource {
    PatientStudy patient_study;
    std::string series_instance_uid;
    std::string sop_class_uid = kCtImageStorage; ///< of every instance of the series
    std::vector<std::string> sop_instance_uids;
};

/// The SEG whose segments the measurement groups reference (same study as the CT).
struct SrSegReference {
    std::string sop_class_uid = kSegmentationStorage;
    std::string sop_instance_uid;
    std::string series_instance_uid;
};

/// A numeric measurement of a region (TID 1419), e.g. volume (SCT 118565006, UCUM mm3).
struct SrMeasurement {
    CodedConcept concept_name;
    double value = 0.0; ///< NaN / infinities are sent as a CID 42 numeric value qualifier
    CodedConcept unit;  ///< UCUM
    std::optional<CodedConcept> derivation; ///< CID 7464, e.g. SCT 373098007 Mean
    std::optional<CodedConcept> method;     ///< Measurement Method (SCT 370129005)
};

/// One PyRadiomics feature: its key ("original_glcm_Contrast") and value.
struct SrFeature {
    std::string key;
    double value = 0.0;
};

/// A signature (e.g. a LASSO-Cox Rad-score) applied to the region's features.
struct SrSignatureScore {
    std::string name;
    std::optional<double> score;     ///< empty: not computable
    std::string risk_group;          ///< e.g. "high"; optional
    std::string not_computed_reason; ///< why `score` is empty
};

/// Coronary artery calcium scores (Agatston method at 130 HU) or why there are none.
struct SrCalciumScore {
    bool computed = false;
    std::string not_computed_reason;
    double agatston = 0.0;
    double volume_mm3 = 0.0;
    double mass_mg = 0.0;
    std::string risk_category; ///< e.g. "I (minimal, 1-10)"; optional
};

/// One region: a TID 1411 Volumetric ROI Measurements group.
struct SrMeasurementGroup {
    std::string tracking_identifier; ///< human-readable, e.g. "Tumour GTV-1"
    std::string tracking_uid;        ///< stable across re-analyses of the same region
    CodedConcept finding;            ///< e.g. SCT 372087000 Neoplasm, Primary; SCT 39607008 Lung
    std::optional<CodedConcept> finding_site;
    std::optional<CodedConcept> laterality; ///< CID 244, applies to the finding site
    std::uint16_t segment_number = 0;       ///< ReferencedSegmentNumber in the SEG (1..n)
    std::vector<SrMeasurement> measurements;
    std::vector<SrFeature> features;
    std::vector<SrSignatureScore> signatures;
    std::optional<SrCalciumScore> calcium;
};

/// The algorithm that produced every measurement (TID 4019).
struct SrAlgorithm {
    std::string name = "radnode";
    std::string version;
    std::vector<std::string> parameters; ///< free text, e.g. the params file and settings hash
};

/// An earlier SR of the same analysis that this one replaces (PredecessorDocumentsSequence).
struct SrPredecessor {
    std::string series_instance_uid;
    std::string sop_instance_uid;
    std::string sop_class_uid = kEnhancedSrStorage;
};

/// Identity and descriptive attributes of the SR instance; empty UIDs are generated ("2.25." UUID UIDs).
struct SrInstance {
    std::string series_instance_uid;
    std::string sop_instance_uid;
    std::string series_number = "301";
    std::string instance_number = "1";
    std::string series_description = "radnode measurements";
    std::string content_date; ///< YYYYMMDD; empty: now
    std::string content_time; ///< HHMMSS; empty: now
    std::string manufacturer = "radnode";
    std::string device_observer_uid; ///< empty: a fixed UID derived from the manufacturer name
    std::string device_observer_name = "radnode";
};

struct SrInput {
    SrSource source;
    SrSegReference seg;
    std::vector<SrMeasurementGroup> groups;
    SrAlgorithm algorithm;
    SrInstance instance;
    std::optional<SrPredecessor> predecessor;
};

/// Outcome of writing an SR file: `error` is empty on success; the UIDs are those written.
struct SrWriteResult {
    std::string error;
    std::string series_instance_uid;
    std::string sop_instance_uid;
    [[nodiscard]] bool Ok() const { return error.empty(); }
};

/// Writes the TID 1500 Enhanced SR as a Part 10 file (explicit VR little endian),
/// completion flag COMPLETE, verification flag UNVERIFIED. Invalid input (no
/// groups, a group without tracking identifier/UID, finding or segment number,
/// missing study/series UIDs) is an error, never a partial file.
[[nodiscard]] SrWriteResult WriteMeasurementReport(const SrInput& input, const std::filesystem::path& out);


} // namespace radnode::reporting
