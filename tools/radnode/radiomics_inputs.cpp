#include "tools/radnode/radiomics_inputs.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <string_view>
#include <system_error>

#include <dcmtk/dcmdata/dctk.h>
#include <fmt/format.h>

#include "dicom_node/ct_series_reader.h"
#include "dicom_node/rtstruct_reader.h"
#include "processing/contour_rasterizer.h"
#include "processing/image_io.h"
#include "processing/text.h"
#include "reporting/radiomics_table.h"
#include "tools/radnode/dicom_files.h"
#include "tools/radnode/seg_mask.h"

namespace radnode::tools {
namespace {

namespace fs = std::filesystem;

using DicomHeader = DicomFileHeader;

/// The CT series under `folder` with the most instances (ties: smallest UID), assembled.
std::optional<std::string> LoadCtFolder(const fs::path& folder, const config::Config& config, RadiomicsInput& in,
                                        processing::CtVolume& ct, std::string& frame_of_reference) {
    std::map<std::string, std::vector<DicomHeader>> series;
    for (DicomHeader& header : ScanDicomFolder(folder))
        if (IsCtSopClass(header.sop_class_uid))
            series[header.series_instance_uid].push_back(std::move(header));
    if (series.empty())
        return fmt::format("no CT image found in {}", folder.string());
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
        if (frame_of_reference.empty())
            frame_of_reference = h.frame_of_reference_uid;
    }
    dicom_node::CtSeriesAssembly read = dicom_node::AssembleCtSeriesFromFiles(paths, AssemblyOptionsFrom(config));
    if (!read.status)
        return fmt::format("cannot read CT: {}", read.status.message);
    if (!read.assembly.IsOk())
        return fmt::format("CT series rejected ({}): {}", processing::AssemblyIssueName(read.assembly.issue),
                           read.assembly.reason);
    for (const std::string& note : read.assembly.assembled.notes)
        in.notes.push_back(note);
    ct = std::move(read.assembly.assembled.volume);
    return std::nullopt;
}

/// The ROI(s) of an RT Structure Set rasterised on `grid` (0/1).
std::optional<std::string> RasterizeRtStruct(const fs::path& file, const std::string& roi_name,
                                             const std::string& ct_frame_of_reference,
                                             const processing::ImageGeometry& grid, const config::Config& config,
                                             RadiomicsInput& in, processing::LabelMap& mask) {
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
    }
    return std::nullopt;
}

template <typename From, typename To> processing::Volume<To> Convert(const processing::Volume<From>& from) {
    processing::Volume<To> to(from.Geometry(), processing::kUninitialized);
    std::transform(from.Data().begin(), from.Data().end(), to.Data().begin(),
                   [](From v) { return static_cast<To>(v); });
    return to;
}

} // namespace

RadiomicsInput LoadRadiomicsInput(const fs::path& image, const fs::path& mask, const std::string& roi,
                                  const config::Config& config) {
    RadiomicsInput in;
    std::error_code ec;
    std::string ct_frame_of_reference;
    const bool dicom_image = fs::is_directory(image, ec);
    // An image-file mask is read on a second thread while the image is read (both are mostly
    // decompression): it roughly halves the I/O part of a small case.
    struct MaskRead {
        processing::Volume<std::int32_t> mask;
        processing::ImageIoResult result;
    };
    std::future<MaskRead> early_mask;
    if (!dicom_image && fs::is_regular_file(mask, ec) && !ReadDicomFileHeader(mask))
        early_mask = std::async(std::launch::async, [mask] {
            MaskRead read;
            read.result = processing::ReadImage(mask, read.mask);
            return read;
        });
    if (dicom_image) {
        processing::CtVolume ct;
        if (auto error = LoadCtFolder(image, config, in, ct, ct_frame_of_reference)) {
            in.error = *error;
            return in;
        }
        in.image = Convert<std::int16_t, double>(ct);
        in.image_hash = reporting::PyRadiomicsImageHash(in.image, "short");
        in.image_pixel_type = "short";
    } else {
        if (!fs::is_regular_file(image, ec)) {
            in.error = fmt::format("image {} does not exist", image.string());
            return in;
        }
        processing::ImageFileInfo info;
        if (const processing::ImageIoResult read = processing::ReadImage(image, in.image, &info); !read.IsOk()) {
            in.error = fmt::format("cannot read image {}: {}", image.string(), read.error);
            return in;
        }
        in.image_hash = reporting::PyRadiomicsImageHash(in.image, info.component_type);
        in.image_pixel_type = info.component_type;
    }

    if (!fs::is_regular_file(mask, ec)) {
        in.error = fmt::format("mask {} does not exist", mask.string());
        return in;
    }
    if (const std::optional<DicomHeader> header = ReadDicomFileHeader(mask)) {
        const bool is_rtstruct = header->sop_class_uid == UID_RTStructureSetStorage;
        const bool is_seg = header->sop_class_uid == UID_SegmentationStorage;
        if (!is_rtstruct && !is_seg) {
            in.error = fmt::format("mask {} is a DICOM file but neither an RT Structure Set nor a Segmentation",
                                   mask.string());
            return in;
        }
        if (!dicom_image) {
            // The contours need the CT's grid and frame of reference.
            in.error = fmt::format("mask {} is DICOM: the image must then be a DICOM CT folder", mask.string());
            return in;
        }
        const processing::ImageGeometry& grid = in.image.Geometry();
        processing::LabelMap labels;
        if (is_rtstruct) {
            if (auto error = RasterizeRtStruct(mask, roi, ct_frame_of_reference, grid, config, in, labels)) {
                in.error = *error;
                return in;
            }
        } else {
            SegMaskResult built = BuildSegMask(mask, roi, ct_frame_of_reference, grid, config);
            in.notes.insert(in.notes.end(), built.warnings.begin(), built.warnings.end());
            if (!built.error.empty()) {
                in.error = built.error;
                return in;
            }
            labels = std::move(built.mask);
        }
        in.mask = Convert<std::uint8_t, std::int32_t>(labels);
    } else {
        if (!roi.empty()) {
            in.error = "--roi / ROI applies to an RTSTRUCT or SEG mask only";
            return in;
        }
        MaskRead read;
        if (early_mask.valid())
            read = early_mask.get();
        else
            read.result = processing::ReadImage(mask, read.mask);
        if (!read.result.IsOk()) {
            in.error = fmt::format("cannot read mask {}: {}", mask.string(), read.result.error);
            return in;
        }
        in.mask = std::move(read.mask);
    }
    in.mask_hash = reporting::PyRadiomicsMaskHash(in.mask);
    return in;
}

} // namespace radnode::tools
