#include "reporting/sr_writer.h"

#include "reporting/dicom_values.h"

#include "reporting/feature_codes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmsr/cmr/tid1500.h>
#include <dcmtk/dcmsr/codes/dcm.h>
#include <dcmtk/dcmsr/dsrdoc.h>
#include <random>
#include <set>

namespace radnode::reporting {
namespace {

using Tid1411 = CMR_TID1411_in_TID1500;
using MeasurementValue = Tid1411::MeasurementValue;

/// Throws-free condition check: records the first failure with context.
class Checker {
public:
    bool operator()(const OFCondition& condition, const std::string& what) {
        if (condition.bad() && error_.empty()) {
            error_ = what + ": " + condition.text();
        }
        return condition.good();
    }
    [[nodiscard]] const std::string& Error() const { return error_; }

private:
    std::string error_;
};

DSRCodedEntryValue ToDsr(const CodedConcept& code) {
    return DSRCodedEntryValue(code.value.c_str(), code.scheme.c_str(), code.meaning.c_str());
}

MeasurementValue ToValue(double value, const CodedConcept& unit) {
    return MeasurementValue(FormatDs(value).c_str(), CMR_CID7181(ToDsr(unit)));
}

std::string NonFiniteText(double value) {
    return std::isnan(value) ? "not a number" : (value > 0 ? "positive infinity" : "negative infinity");
}


std::string ValidateInput(const SrInput& input) {
    const SrSource& source = input.source;
    if (source.patient_study.study_instance_uid.empty() || source.series_instance_uid.empty()) {
        return "source study and series instance UIDs are required";
    }
    if (source.sop_instance_uids.empty()) {
        return "the source series has no instances";
    }
    if (input.seg.sop_instance_uid.empty() || input.seg.series_instance_uid.empty()) {
        return "the SEG's series and SOP instance UIDs are required";
    }
    if (input.groups.empty()) {
        return "no measurement groups given";
    }
    std::set<std::string> tracking_uids;
    for (const SrMeasurementGroup& group : input.groups) {
        const std::string name = "group '" + group.tracking_identifier + "'";
        if (group.tracking_identifier.empty() || group.tracking_uid.empty()) {
            return "a measurement group needs a tracking identifier and a tracking UID";
        }
        if (!tracking_uids.insert(group.tracking_uid).second) {
            return name + " repeats tracking UID " + group.tracking_uid;
        }
        if (group.finding.value.empty()) {
            return name + " has no finding code";
        }
        if (group.segment_number == 0) {
            return name + " has no referenced segment number";
        }
        for (const SrFeature& feature : group.features) {
            if (!ParseFeatureKey(feature.key)) {
                return name + ": '" + feature.key + "' is not a PyRadiomics feature key";
            }
        }
    }
    if (input.algorithm.name.empty() || input.algorithm.version.empty()) {
        return "algorithm name and version are required";
    }
    return {};
}

/// A TEXT "Comment" in the group saying why a value is absent. Validators reject a
/// TID 1419 NUM without a value, so a missing value is never sent as a NUM.
void AddNotComputed(Tid1411& group, const std::string& text, Checker& check) {
    check(group.addQualitativeEvaluation(DSRCodedEntryValue(CODE_DCM_Comment), text.c_str()), "Comment");
}

/// Algorithm identification (TID 4019) of the measurement just added.
void SetAlgorithm(Tid1411& group, const SrAlgorithm& algorithm, Checker& check) {
    auto& measurement = group.getMeasurement();
    check(measurement.setAlgorithmIdentification(algorithm.name.c_str(), algorithm.version.c_str()),
          "Algorithm Identification");
    for (const std::string& parameter : algorithm.parameters) {
        check(measurement.getAlgorithmIdentification().addParameter(parameter.c_str()), "Algorithm Parameters");
    }
}

void AddMeasurement(Tid1411& group, const SrMeasurement& m, const SrAlgorithm& algorithm, Checker& check) {
    if (!std::isfinite(m.value)) {
        AddNotComputed(group, m.concept_name.meaning + " not computed: " + NonFiniteText(m.value), check);
        return;
    }
    if (!check(group.addMeasurement(CMR_CID7469(ToDsr(m.concept_name)), ToValue(m.value, m.unit)),
               "measurement " + m.concept_name.meaning)) {
        return;
    }
    auto& measurement = group.getMeasurement();
    if (m.method) {
        check(measurement.setMeasurementMethod(CMR_CID6147(ToDsr(*m.method))), "Measurement Method");
    }
    if (m.derivation) {
        check(measurement.setDerivation(CMR_CID7464(ToDsr(*m.derivation))), "Derivation");
    }
    SetAlgorithm(group, algorithm, check);
}

void AddFeature(Tid1411& group, const SrFeature& feature, const SrAlgorithm& algorithm, Checker& check) {
    const FeatureKey key = *ParseFeatureKey(feature.key);
    const FeatureConcept concept_name = FeatureConceptOf(key.feature_class, key.feature);
    const CodedConcept unit = FeatureUnitOf(key.feature_class, key.feature);
    if (!std::isfinite(feature.value)) {
        AddNotComputed(group, feature.key + " not computed: " + NonFiniteText(feature.value), check);
        return;
    }
    if (!check(group.addMeasurement(CMR_CID7469(ToDsr(concept_name.code)), ToValue(feature.value, unit)),
               "feature " + feature.key)) {
        return;
    }
    auto& measurement = group.getMeasurement();
    if (key.image_type != "original") {
        check(measurement.addModifier(ToDsr(ImageFilterConcept()), ToDsr(ImageFilterCode(key.image_type))),
              "image filter modifier of " + feature.key);
    }
    // The PyRadiomics key keeps the report readable and lets a reader map a value back exactly.
    check(measurement.setEquivalentMeaningOfConceptName(feature.key.c_str()), "Equivalent Meaning of " + feature.key);
    SetAlgorithm(group, algorithm, check);
}

void AddSignature(Tid1411& group, const SrSignatureScore& signature, const SrAlgorithm& algorithm, Checker& check) {
    if (!signature.score || !std::isfinite(*signature.score)) {
        const std::string reason = signature.score ? NonFiniteText(*signature.score) : signature.not_computed_reason;
        AddNotComputed(group, "Signature " + signature.name + " not computed: " + reason, check);
        return;
    }
    const MeasurementValue value = ToValue(*signature.score, {"1", "UCUM", "no units"});
    if (!check(group.addMeasurement(CMR_CID7469(ToDsr(SignatureScoreConcept(signature.name))), value),
               "signature " + signature.name)) {
        return;
    }
    auto& measurement = group.getMeasurement();
    check(measurement.setEquivalentMeaningOfConceptName(signature.name.c_str()), "signature name");
    if (!signature.risk_group.empty()) {
        const CodedConcept risk{"RG" + PrivateHash(signature.risk_group), std::string(kPrivateScheme),
                                signature.risk_group.substr(0, 64)};
        check(measurement.addModifier(ToDsr(SignatureRiskGroupConcept()), ToDsr(risk)), "signature risk group");
    }
    SetAlgorithm(group, algorithm, check);
}

void AddCalcium(Tid1411& group, const SrCalciumScore& cac, const SrAlgorithm& algorithm, Checker& check) {
    const CodedConcept agatston_concept{"450360000", "SCT", "Coronary artery calcium score"};
    const CodedConcept agatston_method{"112055", "DCM", "Agatston scoring method"};
    if (!cac.computed) {
        AddNotComputed(group, "Coronary artery calcium score not computed: " + cac.not_computed_reason, check);
        return;
    }
    const std::array<SrMeasurement, 3> scores{{
        {agatston_concept, cac.agatston, {"1", "UCUM", "no units"}, std::nullopt, agatston_method},
        {{"112197", "DCM", "Volume of Vascular Calcification"},
         cac.volume_mm3,
         {"mm3", "UCUM", "cubic millimeter"},
         std::nullopt,
         CodedConcept{"112056", "DCM", "Volume scoring method"}},
        {{"112199", "DCM", "Mass of Vascular Calcification"},
         cac.mass_mg,
         {"mg", "UCUM", "milligram"},
         std::nullopt,
         CodedConcept{"112057", "DCM", "Mass scoring method"}},
    }};
    for (const SrMeasurement& score : scores) {
        AddMeasurement(group, score, algorithm, check);
    }
    if (!cac.risk_category.empty()) {
        const CodedConcept category{"RC" + PrivateHash(cac.risk_category), std::string(kPrivateScheme),
                                    cac.risk_category.substr(0, 64)};
        check(group.addQualitativeEvaluation(ToDsr(CalciumRiskCategoryConcept()), ToDsr(category)),
              "CAC risk category");
    }
}

void AddGroup(CMR_TID1500& report, const SrInput& input, const SrMeasurementGroup& spec, Checker& check) {
    const std::string name = "group '" + spec.tracking_identifier + "': ";
    if (!check(report.addVolumetricROIMeasurements(), name + "Measurement Group")) {
        return;
    }
    Tid1411& group = report.getVolumetricROIMeasurements();
    check(group.setTrackingIdentifier(spec.tracking_identifier.c_str()), name + "Tracking Identifier");
    check(group.setTrackingUniqueIdentifier(spec.tracking_uid.c_str()), name + "Tracking Unique Identifier");
    check(group.setFinding(ToDsr(spec.finding)), name + "Finding");
    DSRImageReferenceValue segment(input.seg.sop_class_uid.c_str(), input.seg.sop_instance_uid.c_str());
    segment.getSegmentList().addItem(spec.segment_number);
    check(group.setReferencedSegment(segment), name + "Referenced Segment");
    check(group.setSourceSeriesForSegmentation(input.source.series_instance_uid.c_str()),
          name + "Source series for segmentation");
    if (spec.finding_site) {
        const CID244e_Laterality laterality(spec.laterality ? ToDsr(*spec.laterality) : DSRCodedEntryValue());
        check(group.addFindingSite(ToDsr(*spec.finding_site), laterality), name + "Finding Site");
    }
    for (const SrMeasurement& measurement : spec.measurements) {
        AddMeasurement(group, measurement, input.algorithm, check);
    }
    if (spec.calcium) {
        AddCalcium(group, *spec.calcium, input.algorithm, check);
    }
    for (const SrFeature& feature : spec.features) {
        AddFeature(group, feature, input.algorithm, check);
    }
    for (const SrSignatureScore& signature : spec.signatures) {
        AddSignature(group, signature, input.algorithm, check);
    }
}

void SetHeader(DSRDocument& doc, const SrInput& input, const std::string& date, const std::string& time,
               Checker& check) {
    const SrSource& s = input.source;
    const SrInstance& i = input.instance;
    check(doc.createNewSeriesInStudy(s.patient_study.study_instance_uid.c_str()), "StudyInstanceUID");
    check(doc.setPatientName(s.patient_study.patient_name.c_str()), "PatientName");
    check(doc.setPatientID(s.patient_study.patient_id.c_str()), "PatientID");
    check(doc.setPatientBirthDate(s.patient_study.patient_birth_date.c_str()), "PatientBirthDate");
    check(doc.setPatientSex(s.patient_study.patient_sex.c_str()), "PatientSex");
    check(doc.setStudyDate(s.patient_study.study_date.c_str()), "StudyDate");
    check(doc.setStudyTime(s.patient_study.study_time.c_str()), "StudyTime");
    check(doc.setStudyID(s.patient_study.study_id.c_str()), "StudyID");
    check(doc.setAccessionNumber(s.patient_study.accession_number.c_str()), "AccessionNumber");
    check(doc.setReferringPhysicianName(s.patient_study.referring_physician_name.c_str()), "ReferringPhysicianName");
    check(doc.setStudyDescription(s.patient_study.study_description.c_str()), "StudyDescription");
    check(doc.setSeriesNumber(i.series_number.c_str()), "SeriesNumber");
    check(doc.setInstanceNumber(i.instance_number.c_str()), "InstanceNumber");
    check(doc.setSeriesDescription(i.series_description.c_str()), "SeriesDescription");
    check(doc.setSeriesDate(date.c_str()), "SeriesDate");
    check(doc.setSeriesTime(time.c_str()), "SeriesTime");
    check(doc.setContentDate(date.c_str()), "ContentDate");
    check(doc.setContentTime(time.c_str()), "ContentTime");
    check(doc.setManufacturer(i.manufacturer.c_str()), "Manufacturer");
    check(doc.setManufacturerModelName(input.algorithm.name.c_str()), "ManufacturerModelName");
    check(doc.setSoftwareVersions(input.algorithm.version.c_str()), "SoftwareVersions");
    check(doc.setPreliminaryFlag(DSRTypes::PF_Final), "PreliminaryFlag");
    check(doc.completeDocument(), "CompletionFlag");

    // Identify the private scheme in CodingSchemeIdentificationSequence (PS3.3 C.12.1.1.2).
    DSRCodingSchemeIdentificationList& schemes = doc.getCodingSchemeIdentification();
    if (check(schemes.addItem(std::string(kPrivateScheme).c_str()), "CodingSchemeIdentificationSequence")) {
        check(schemes.setCodingSchemeName("radnode private codes"), "CodingSchemeName");
        check(schemes.setCodingSchemeResponsibleOrganization(i.manufacturer.c_str()),
              "CodingSchemeResponsibleOrganization");
    }

    DSRSOPInstanceReferenceList& evidence = doc.getCurrentRequestedProcedureEvidence();
    for (const std::string& instance : s.sop_instance_uids) {
        check(evidence.addItem(s.patient_study.study_instance_uid.c_str(), s.series_instance_uid.c_str(), s.sop_class_uid.c_str(),
                               instance.c_str()),
              "CurrentRequestedProcedureEvidenceSequence");
    }
    check(evidence.addItem(s.patient_study.study_instance_uid.c_str(), input.seg.series_instance_uid.c_str(),
                           input.seg.sop_class_uid.c_str(), input.seg.sop_instance_uid.c_str()),
          "CurrentRequestedProcedureEvidenceSequence");
    if (input.predecessor) {
        const SrPredecessor& p = *input.predecessor;
        check(doc.getPredecessorDocuments().addItem(s.patient_study.study_instance_uid.c_str(), p.series_instance_uid.c_str(),
                                                    p.sop_class_uid.c_str(), p.sop_instance_uid.c_str()),
              "PredecessorDocumentsSequence");
    }
}

} // namespace


SrWriteResult WriteMeasurementReport(const SrInput& input, const std::filesystem::path& out) {
    SrWriteResult result;
    result.error = ValidateInput(input);
    if (!result.Ok()) {
        return result;
    }
    const SrInstance& instance = input.instance;
    result.series_instance_uid = instance.series_instance_uid.empty() ? NewUuidUid() : instance.series_instance_uid;
    result.sop_instance_uid = instance.sop_instance_uid.empty() ? NewUuidUid() : instance.sop_instance_uid;
    const std::string observer_key = "radnode device observer " + instance.manufacturer;
    const std::string observer_uid = instance.device_observer_uid.empty()
                                         ? NameBasedUid(observer_key)
                                         : instance.device_observer_uid;
    const auto [date, time] = DateTimeOrNow(instance.content_date, instance.content_time);

    Checker check;
    CMR_TID1500 report(CMR_CID7021::ImagingMeasurementReport);
    check(report.setLanguage(CID5000_Languages::English), "Language of Content");
    check(report.getObservationContext().addDeviceObserver(observer_uid.c_str(), instance.device_observer_name.c_str(),
                                                           instance.manufacturer.c_str(), input.algorithm.name.c_str()),
          "Device Observer");
    check(report.addProcedureReported(CMR_CID100::CTUnspecifiedBodyRegion), "Procedure Reported");
    for (const SrMeasurementGroup& group : input.groups) {
        AddGroup(report, input, group, check);
    }
    if (!check.Error().empty()) {
        result.error = check.Error();
        return result;
    }
    if (!report.isValid()) {
        result.error = "the TID 1500 report is incomplete";
        return result;
    }

    DSRDocument doc(DSRTypes::DT_EnhancedSR);
    check(doc.setTreeFromRootTemplate(report, OFTrue /*expandTree: write() needs plain content items*/),
          "document tree");
    SetHeader(doc, input, date, time, check);
    DcmFileFormat file;
    DcmDataset& dataset = *file.getDataset();
    if (check.Error().empty()) {
        check(doc.write(dataset), "DSRDocument::write");
    }
    check(dataset.putAndInsertString(DCM_SeriesInstanceUID, result.series_instance_uid.c_str()), "SeriesInstanceUID");
    check(dataset.putAndInsertString(DCM_SOPInstanceUID, result.sop_instance_uid.c_str()), "SOPInstanceUID");
    check(dataset.putAndInsertString(DCM_InstanceCreationDate, date.c_str()), "InstanceCreationDate");
    check(dataset.putAndInsertString(DCM_InstanceCreationTime, time.c_str()), "InstanceCreationTime");
    if (check.Error().empty()) {
        check(file.saveFile(out.string().c_str(), EXS_LittleEndianExplicit), "saving " + out.string());
    }
    result.error = check.Error();
    return result;
}

} // namespace radnode::reporting
