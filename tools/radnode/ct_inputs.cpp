#include "tools/radnode/ct_inputs.h"

#include <map>
#include <optional>

#include <dcmtk/dcmdata/dctk.h>
#include <fmt/format.h>

#include "dicom_node/ct_series_reader.h"
#include "dicom_node/rtstruct_reader.h"
#include "processing/contour_rasterizer.h"
#include "processing/text.h"
#include "tools/radnode/dicom_files.h"
#include "tools/radnode/seg_mask.h"

namespace radnode::tools {

namespace fs = std::filesystem;
using DicomHeader = DicomFileHeader;

/// The CT series under `folder` with the most instances (ties: smallest UID), assembled.
CtInput LoadCtFolder(const fs::path& folder, const config::Config& config) {
    CtInput in;
    std::map<std::string, std::vector<DicomHeader>> series;
    for (DicomHeader& header : ScanDicomFolder(folder))
        if (IsCtSopClass(header.sop_class_uid))
            series[header.series_instance_uid].push_back(std::move(header));
    if (series.empty()) {
        in.error = fmt::format("no CT image found in {}", folder.string());
        return in;
    }
    auto best = series.begin();
    for (auto it = series.begin(); it != series.end(); ++it)
        if (it->second.size() > best->second.size())
            best = it;
    if (series.size() > 1)
        in.notes.push_back(fmt::format("{} CT series in {}; using {} ({} instances)", series.size(), folder.string(),
                                       best->first, best->second.size()));
    std::vector<fs::path> paths;
    for (const DicomHeader& h : best->second) {
        paths.push_back(h.file);
        if (in.frame_of_reference.empty())
            in.frame_of_reference = h.frame_of_reference_uid;
        if (!in.kvp && h.kvp)
            in.kvp = h.kvp;
    }
    dicom_node::CtSeriesAssembly read = dicom_node::AssembleCtSeriesFromFiles(paths, AssemblyOptionsFrom(config));
    if (!read.status) {
        in.error = fmt::format("cannot read CT: {}", read.status.message);
        return in;
    }
    if (!read.assembly.IsOk()) {
        in.error = fmt::format("CT series rejected ({}): {}", processing::AssemblyIssueName(read.assembly.issue),
                               read.assembly.reason);
        return in;
    }
    for (const std::string& note : read.assembly.assembled.notes)
        in.notes.push_back(note);
    in.volume = std::move(read.assembly.assembled.volume);
    in.source.slice_sop_uids = std::move(read.assembly.assembled.slice_sop_uids);
    in.source.resampled = read.assembly.assembled.resampled;
    in.source.series_instance_uid = best->first;
    in.source.sop_class_uid = best->second.front().sop_class_uid;
    DcmFileFormat format;
    constexpr Uint32 kMaxReadLength = 256; // attributes only, no pixel data
    if (format.loadFile(paths.front().c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength, ERM_fileOnly).good()) {
        DcmDataset& ds = *format.getDataset();
        const auto get = [&](const DcmTagKey& tag) {
            OFString value;
            return ds.findAndGetOFStringArray(tag, value).good() ? std::string(value.c_str()) : std::string{};
        };
        CtSourceInfo& s = in.source;
        s.patient_study.patient_name = get(DCM_PatientName);
        s.patient_study.patient_id = get(DCM_PatientID);
        s.patient_study.patient_birth_date = get(DCM_PatientBirthDate);
        s.patient_study.patient_sex = get(DCM_PatientSex);
        s.patient_study.study_instance_uid = get(DCM_StudyInstanceUID);
        s.patient_study.study_date = get(DCM_StudyDate);
        s.patient_study.study_time = get(DCM_StudyTime);
        s.patient_study.study_id = get(DCM_StudyID);
        s.patient_study.accession_number = get(DCM_AccessionNumber);
        s.patient_study.referring_physician_name = get(DCM_ReferringPhysicianName);
        s.patient_study.study_description = get(DCM_StudyDescription);
        s.body_part_examined = get(DCM_BodyPartExamined);
    }
    return in;
}

namespace {

/// The ROI(s) of an RT Structure Set rasterised on `grid` (0/1).
std::optional<std::string> RasterizeRtStruct(const fs::path& file, const std::string& roi_name,
                                             const std::string& ct_frame_of_reference,
                                             const processing::ImageGeometry& grid, const config::Config& config,
                                             TumourInput& in, processing::LabelMap& mask) {
    dicom_node::StructureSetReadResult read = dicom_node::ReadStructureSet(file);
    if (!read.status)
        return fmt::format("cannot read RT Structure Set {}: {}", file.string(), read.status.message);
    in.notes.insert(in.notes.end(), read.warnings.begin(), read.warnings.end());
    const processing::StructureSet& set = read.structure_set;
    std::string names;
    for (const processing::Roi& roi : set.rois)
        names += (names.empty() ? "'" : ", '") + roi.name + "'";

    std::vector<const processing::Roi*> rois;
    if (!roi_name.empty()) {
        for (const processing::Roi& roi : set.rois)
            if (processing::ToLower(roi.name) == processing::ToLower(roi_name))
                rois.push_back(&roi);
        if (rois.empty())
            return fmt::format("no ROI named '{}' in {}; ROIs: {}", roi_name, file.string(), names);
    } else {
        rois = processing::SelectTumourRois(set, RoiSelectionFrom(config));
        if (rois.empty())
            return fmt::format("no tumour ROI in {}; choose one with --roi NAME: {}", file.string(), names);
    }
    // Contours only mean something in the CT's coordinates on the same frame of reference.
    for (const std::string* uid : {&set.frame_of_reference_uid, &rois.front()->frame_of_reference_uid})
        if (!uid->empty() && !ct_frame_of_reference.empty() && *uid != ct_frame_of_reference)
            return fmt::format("frame of reference mismatch: {} refers to {} but the CT's is {}", file.string(), *uid,
                               ct_frame_of_reference);

    processing::RasterOptions options;
    options.mode = config.contour_fill == "union" ? processing::RasterOptions::Mode::Union
                                                  : processing::RasterOptions::Mode::EvenOdd;
    mask = processing::LabelMap(grid, 0);
    for (const processing::Roi* roi : rois) {
        if (!roi->frame_of_reference_uid.empty() && roi->frame_of_reference_uid != ct_frame_of_reference)
            return fmt::format("frame of reference mismatch: ROI '{}' is on {} but the CT's is {}", roi->name,
                               roi->frame_of_reference_uid, ct_frame_of_reference);
        processing::RasterResult raster = processing::RasterizeRoi(*roi, grid, options);
        for (const std::string& warning : raster.warnings)
            in.notes.push_back(fmt::format("ROI '{}': {}", roi->name, warning));
        if (!raster.IsOk())
            return fmt::format("ROI '{}' gives no mask ({}): {}", roi->name,
                               processing::RasterStatusName(raster.status), raster.reason);
        auto& out = mask.Data();
        const auto& add = raster.mask.Data();
        for (std::size_t v = 0; v < out.size(); ++v)
            out[v] = (out[v] != 0 || add[v] != 0) ? 1 : 0;
        in.label += (in.label.empty() ? "" : "+") + roi->name;
    }
    return std::nullopt;
}

} // namespace

TumourInput LoadTumourMask(const fs::path& file, const std::string& roi, const std::string& ct_frame_of_reference,
                           const processing::ImageGeometry& grid, const config::Config& config) {
    TumourInput in;
    const std::optional<DicomFileHeader> header = ReadDicomFileHeader(file);
    if (!header) {
        in.error = fmt::format("{} is not a DICOM file", file.string());
        return in;
    }
    if (header->sop_class_uid == UID_RTStructureSetStorage) {
        if (auto error = RasterizeRtStruct(file, roi, ct_frame_of_reference, grid, config, in, in.mask))
            in.error = *error;
        return in;
    }
    if (header->sop_class_uid == UID_SegmentationStorage) {
        SegMaskResult built = BuildSegMask(file, roi, ct_frame_of_reference, grid, config);
        in.notes.insert(in.notes.end(), built.warnings.begin(), built.warnings.end());
        in.error = built.error;
        in.mask = std::move(built.mask);
        in.label = built.label;
        return in;
    }
    in.error = fmt::format("{} is a DICOM file but neither an RT Structure Set nor a Segmentation", file.string());
    return in;
}


CaseTumour LoadCaseTumour(const fs::path& file, const std::string& roi, const CtInput& ct,
                          const config::Config& config) {
    CaseTumour out;
    TumourInput t = LoadTumourMask(file, roi, ct.frame_of_reference, ct.volume.Geometry(), config);
    if (!t.error.empty()) {
        out.error = std::move(t.error);
        return out;
    }
    out.mask = processing::regions::BoxMaskFromLabels(t.mask);
    if (out.mask.Empty()) {
        out.error = fmt::format("the tumour mask from {} has no voxel on the CT grid", file.string());
        return out;
    }
    out.notes.push_back(fmt::format("tumour: {} from {}", t.label, file.filename().string()));
    out.notes.insert(out.notes.end(), t.notes.begin(), t.notes.end());
    return out;
}

TumourFileChoice FindTumourFile(const fs::path& folder, const std::string& ct_frame_of_reference) {
    TumourFileChoice choice;
    std::vector<fs::path> rtstructs, segs;
    for (const DicomHeader& h : ScanDicomFolder(folder)) {
        if (!ct_frame_of_reference.empty() && !h.frame_of_reference_uid.empty() &&
            h.frame_of_reference_uid != ct_frame_of_reference)
            continue;
        if (h.sop_class_uid == UID_RTStructureSetStorage)
            rtstructs.push_back(h.file);
        else if (h.sop_class_uid == UID_SegmentationStorage)
            segs.push_back(h.file);
    }
    if (rtstructs.size() == 1) {
        choice.file = rtstructs.front();
        if (!segs.empty())
            choice.note = fmt::format("using the RT Structure Set {} (a Segmentation is also present; --tumour picks it)",
                                      choice.file.filename().string());
    } else if (rtstructs.empty() && segs.size() == 1) {
        choice.file = segs.front();
    } else if (rtstructs.size() > 1 || segs.size() > 1) {
        choice.error = fmt::format("{} RT Structure Sets and {} Segmentations on the CT's frame of reference under {}; "
                                   "choose one with --tumour (or --no-tumour)",
                                   rtstructs.size(), segs.size(), folder.string());
    } else {
        choice.note = "no RTSTRUCT or SEG found with the CT: analysing without a tumour";
    }
    return choice;
}

} // namespace radnode::tools
