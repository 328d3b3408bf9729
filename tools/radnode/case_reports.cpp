#include "tools/radnode/case_reports.h"

#include <fmt/format.h>

#include "processing/parallel_for.h"
#include "processing/regions/box_mask.h"
#include "reporting/dicom_values.h"
#include "reporting/feature_codes.h"
#include "reporting/seg_writer.h"
#include "reporting/sr_writer.h"

namespace radnode::tools {
namespace {

namespace rg = processing::regions;
using reporting::CodedConcept;

/// How a region is coded in the SEG (CID 7150 category, CID 7151 type) and the SR (finding and
/// finding site, laterality). The peritumoral regions have no PS3.16 concept: private code.
struct RegionCoding {
    std::string label;
    CodedConcept category;
    CodedConcept type;
    CodedConcept finding;
    std::optional<CodedConcept> site;
    std::optional<CodedConcept> laterality;
    std::array<std::uint8_t, 3> rgb{255, 0, 0};
};

const CodedConcept kAnatomicalStructure{"91723000", "SCT", "Anatomical Structure"};
const CodedConcept kAbnormalStructure{"49755003", "SCT", "Morphologically Abnormal Structure"};
const CodedConcept kLung{"39607008", "SCT", "Lung"};

RegionCoding CodingOf(const std::string& name) {
    if (name == "tumour")
        return {"Tumour", kAbnormalStructure, {"372087000", "SCT", "Neoplasm, Primary"},
                {"372087000", "SCT", "Neoplasm, Primary"}, kLung, std::nullopt, {255, 64, 64}};
    if (name == "body")
        return {"Body", kAnatomicalStructure, {"38266002", "SCT", "Entire body"},
                {"38266002", "SCT", "Entire body"}, std::nullopt, std::nullopt, {200, 200, 160}};
    if (name == "airways")
        return {"Airways", kAnatomicalStructure, {"44567001", "SCT", "Trachea"}, {"44567001", "SCT", "Trachea"},
                std::nullopt, std::nullopt, {160, 220, 255}};
    if (name == "lung_right")
        return {"Right lung", kAnatomicalStructure, kLung, kLung, std::nullopt,
                CodedConcept{"24028007", "SCT", "Right"}, {128, 174, 128}};
    if (name == "lung_left")
        return {"Left lung", kAnatomicalStructure, kLung, kLung, std::nullopt, CodedConcept{"7771000", "SCT", "Left"},
                {100, 150, 200}};
    if (name == "lungs")
        return {"Lungs", kAnatomicalStructure, kLung, kLung, std::nullopt,
                CodedConcept{"51440002", "SCT", "Bilateral"}, {110, 160, 160}};
    if (name == "heart")
        return {"Heart region", kAnatomicalStructure, {"80891009", "SCT", "Heart"}, {"80891009", "SCT", "Heart"},
                std::nullopt, std::nullopt, {206, 110, 84}};
    if (name == "aorta")
        return {"Aorta", kAnatomicalStructure, {"15825003", "SCT", "Aorta"}, {"15825003", "SCT", "Aorta"},
                std::nullopt, std::nullopt, {224, 97, 76}};
    if (name == "coronary_candidates")
        return {"Coronary candidate region", kAnatomicalStructure, {"41801008", "SCT", "Coronary artery"},
                {"41801008", "SCT", "Coronary artery"}, std::nullopt, std::nullopt, {255, 200, 0}};
    // Peritumoral regions: private code, the region name as label.
    const CodedConcept ring = reporting::PeritumoralRingCode();
    return {name, kAbnormalStructure, ring, ring, kLung, std::nullopt, {255, 160, 64}};
}

/// A UID that is a function of seed and purpose (reporting::NameBasedUid).
std::string DerivedUid(const std::string& seed, const std::string& what) {
    return reporting::NameBasedUid(seed + "\x1f" + what);
}

} // namespace

CaseReports WriteCaseReports(const CtInput& ct, const CaseAnalysis& analysis, const std::filesystem::path& out,
                             const CaseReportOptions& options) {
    CaseReports result;
    const CtSourceInfo& src = ct.source;
    const processing::ImageGeometry& g = ct.volume.Geometry();
    if (src.resampled) {
        result.error = "the CT volume was resampled from irregular slices: no SEG or SR can reference it";
        return result;
    }
    if (src.slice_sop_uids.size() != g.size[2]) {
        result.error = "the CT slices' SOP Instance UIDs are not known";
        return result;
    }

    reporting::SegSourceSeries seg_source;
    seg_source.patient_study = src.patient_study;
    seg_source.series_instance_uid = src.series_instance_uid;
    seg_source.frame_of_reference_uid = ct.frame_of_reference;
    seg_source.body_part_examined = src.body_part_examined.empty() ? "CHEST" : src.body_part_examined;
    reporting::SetImagePlanes(seg_source, g, src.sop_class_uid, src.slice_sop_uids);

    const std::vector<rg::NamedMask> regions = analysis.regions.Masks();
    if (regions.empty()) {
        result.error = "no region was found: nothing to report";
        return result;
    }
    const auto uid = [&](const std::string& what) {
        return options.uid_seed.empty() ? reporting::NewUuidUid() : DerivedUid(options.uid_seed, what);
    };
    // One tracking identifier and UID per region, shared by its SEG segment and its SR group.
    std::vector<std::string> tracking_identifiers;
    std::vector<std::string> tracking_uids;
    for (const rg::NamedMask& r : regions) {
        const RegionCoding c = CodingOf(r.name);
        tracking_identifiers.push_back(c.label == r.name ? r.name : c.label + " (" + r.name + ")");
        tracking_uids.push_back(uid("tracking " + r.name));
    }
    std::vector<processing::LabelMap> masks;
    masks.reserve(regions.size());
    std::vector<reporting::SegSegment> segments;
    for (std::size_t n = 0; n < regions.size(); ++n) {
        const rg::NamedMask& r = regions[n];
        masks.push_back(rg::ToLabelMap(*r.mask, g));
        const RegionCoding c = CodingOf(r.name);
        reporting::SegSegment s;
        s.label = c.label;
        s.description = r.name;
        s.tracking_id = tracking_identifiers[n];
        s.tracking_uid = tracking_uids[n];
        s.category = c.category;
        s.type = c.type;
        s.algorithm_type = r.name == "tumour" ? reporting::SegAlgorithmType::Manual : reporting::SegAlgorithmType::Automatic;
        s.algorithm_name = r.name == "tumour" ? "" : "radnode";
        s.display_rgb = c.rgb;
        segments.push_back(s);
    }
    for (std::size_t n = 0; n < segments.size(); ++n)
        segments[n].mask = &masks[n];

    reporting::SegInstance seg_instance;
    const auto series_uid = [&](const std::string& what) {
        return options.series_seed.empty() ? uid(what) : DerivedUid(options.series_seed, what);
    };
    seg_instance.series_instance_uid = series_uid("seg series");
    seg_instance.sop_instance_uid = uid("seg instance");
    seg_instance.dimension_organization_uid = uid("seg dimension organization");
    seg_instance.series_description = "radnode regions";
    seg_instance.content_label = "RADNODE_REGIONS";
    seg_instance.content_description = "Tumour and automatic regions";
    seg_instance.content_creator_name = "radnode";
    seg_instance.software_versions = options.software_version;
    reporting::SrInput sr;
    sr.source.patient_study = src.patient_study;
    sr.source.series_instance_uid = src.series_instance_uid;
    sr.source.sop_class_uid = src.sop_class_uid;
    sr.source.sop_instance_uids = src.slice_sop_uids;
    sr.seg.sop_instance_uid = seg_instance.sop_instance_uid;
    sr.seg.series_instance_uid = seg_instance.series_instance_uid;
    sr.algorithm.name = "radnode";
    sr.algorithm.version = options.software_version;
    sr.algorithm.parameters = options.parameters;
    for (std::size_t n = 0; n < regions.size(); ++n) {
        const rg::NamedMask& r = regions[n];
        const RegionCoding c = CodingOf(r.name);
        reporting::SrMeasurementGroup group;
        group.tracking_identifier = tracking_identifiers[n];
        group.tracking_uid = tracking_uids[n];
        group.finding = c.finding;
        group.finding_site = c.site;
        group.laterality = c.laterality;
        group.segment_number = static_cast<std::uint16_t>(n + 1);
        group.measurements.push_back({{"118565006", "SCT", "Volume"}, r.volume_ml * 1000.0, {"mm3", "UCUM", "mm3"},
                                      std::nullopt, std::nullopt});
        for (const RegionRadiomics& rad : analysis.radiomics)
            if (rad.region == r.name)
                for (const processing::radiomics::Feature& f : rad.features)
                    group.features.push_back({f.name, f.value});
        if (r.name == "tumour")
            for (const SignatureOutcome& s : analysis.signatures)
                group.signatures.push_back({s.name,
                                            s.result.computable ? std::optional<double>(s.result.score) : std::nullopt,
                                            s.result.group, s.result.computable ? "" : s.result.reason});
        if (r.name == "coronary_candidates") {
            const processing::cac::CalciumScore& cac = analysis.regions.cac;
            reporting::SrCalciumScore score;
            score.computed = cac.computed;
            score.not_computed_reason = cac.reason;
            score.agatston = cac.agatston_scaled;
            score.volume_mm3 = cac.volume_mm3;
            score.mass_mg = cac.mass_mg;
            score.risk_category = cac.risk_category;
            group.calcium = score;
        }
        sr.groups.push_back(std::move(group));
    }
    if (!options.uid_seed.empty() || !options.series_seed.empty()) {
        sr.instance.series_instance_uid = series_uid("sr series");
        sr.instance.sop_instance_uid = uid("sr instance");
    }
    if (!options.predecessor_sr_sop_uid.empty())
        sr.predecessor = reporting::SrPredecessor{sr.instance.series_instance_uid, options.predecessor_sr_sop_uid};
    // The SEG and the SR are independent files (the SR knows the SEG's UIDs and segment
    // numbers beforehand): written side by side.
    result.seg_file = out / "seg.dcm";
    result.sr_file = out / "sr.dcm";
    reporting::SegWriteResult seg;
    reporting::SrWriteResult written;
    processing::ParallelFor(2, 2, [&](std::size_t which) {
        if (which == 0)
            seg = reporting::WriteBinarySegmentation(result.seg_file, seg_source, segments, seg_instance);
        else
            written = reporting::WriteMeasurementReport(sr, result.sr_file);
    });
    if (!seg.Ok()) {
        result.error = "SEG not written: " + seg.error;
        return result;
    }
    result.seg_sop_instance_uid = seg_instance.sop_instance_uid;
    result.segments = segments.size();
    if (!written.Ok()) {
        result.error = "SR not written: " + written.error;
        return result;
    }
    result.sr_sop_instance_uid = written.sop_instance_uid;
    result.sr_series_instance_uid = written.series_instance_uid;
    return result;
}

} // namespace radnode::tools
