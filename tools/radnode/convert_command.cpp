// `radnode convert`: a DICOM CT folder (and optionally its RT Structure Set) to NRRD/NIfTI
// files, through the same reader, assembly and rasteriser the node uses.
//
// Policy (see docs/user-guide.md, "radnode convert"):
//  - every regular file under --input is looked at (recursively); files that are not
//    DICOM Part 10 files ("DICM" after the 128-byte preamble) are ignored;
//  - CT instances are grouped by SeriesInstanceUID; with several CT series the one with
//    the most instances is converted and the others are listed (ties: smallest UID);
//  - the RTSTRUCT is --rtstruct, or else the one RT Structure Set found under --input
//    (with several, the one(s) on the CT's frame of reference; still ambiguous = error);
//  - without --roi, every ROI SelectTumourRois picks is rasterised and the masks are
//    combined (voxel-wise OR);
//  - exit 0 on success, 2 on unusable input (one-line reason on stderr), 1 when an
//    output file cannot be written.
#include "dicom_node/ct_series_reader.h"
#include "dicom_node/rtstruct_reader.h"
#include "processing/contour_rasterizer.h"
#include "processing/ct_assembly.h"
#include "processing/image_io.h"
#include "processing/text.h"
#include "tools/radnode/commands.h"
#include "tools/radnode/dicom_files.h"
#include "tools/radnode/seg_mask.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <dcmtk/dcmdata/dctk.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace radnode::tools {
namespace {

namespace fs = std::filesystem;


struct ConvertOptions {
    fs::path input;
    fs::path out;
    fs::path mask_out;
    fs::path rtstruct;
    fs::path seg;
    std::string roi;
    std::string non_uniform; ///< empty: import.non_uniform_spacing
    bool union_mode = false; ///< true overrides import.contour_fill
    config::Config config;   ///< import.* settings
};

using FileHeader = DicomFileHeader;

/// An expected failure of the command: the exit code and a one-line reason.
struct Failure {
    int exit_code = kExitBadInput;
    std::string reason;
};

bool IsRtStructSopClass(const std::string& uid) {
    return uid == UID_RTStructureSetStorage;
}

bool IsSegSopClass(const std::string& uid) { return uid == UID_SegmentationStorage; }

bool HasImageExtension(const fs::path& file) {
    const std::string name = processing::ToLower(file.filename().string());
    for (const char* ext : {".nrrd", ".nhdr", ".nii", ".nii.gz"})
        if (name.size() > std::string(ext).size() && name.ends_with(ext))
            return true;
    return false;
}

std::string RoiNames(const processing::StructureSet& set) {
    std::string names;
    for (const processing::Roi& roi : set.rois)
        names += (names.empty() ? "" : ", ") + fmt::format("'{}'", roi.name);
    return names.empty() ? "(none)" : names;
}

/// The CT series to convert: the one with the most instances.
std::optional<Failure> ChooseCtSeries(const std::vector<FileHeader>& headers, std::vector<FileHeader>& chosen) {
    std::map<std::string, std::vector<FileHeader>> series;
    for (const FileHeader& h : headers)
        if (IsCtSopClass(h.sop_class_uid))
            series[h.series_instance_uid].push_back(h);
    if (series.empty())
        return Failure{kExitBadInput, "no CT image found in the input folder"};
    auto best = series.begin();
    for (auto it = series.begin(); it != series.end(); ++it)
        if (it->second.size() > best->second.size())
            best = it;
    if (series.size() > 1) {
        std::cout << fmt::format("note: {} CT series found; converting {} ({} instances); ignored:", series.size(),
                                 best->first, best->second.size());
        for (const auto& [uid, files] : series)
            if (uid != best->first)
                std::cout << fmt::format(" {} ({} instances)", uid, files.size());
        std::cout << "\n";
    }
    chosen = best->second;
    return std::nullopt;
}

/// The RT Structure Set file: --rtstruct, or the unique one under the input folder.
std::optional<Failure> ChooseRtStruct(const ConvertOptions& options, const std::vector<FileHeader>& headers,
                                      const std::string& ct_frame_of_reference, fs::path& chosen) {
    if (!options.rtstruct.empty()) {
        chosen = options.rtstruct;
        return std::nullopt;
    }
    std::vector<const FileHeader*> all;
    for (const FileHeader& h : headers)
        if (IsRtStructSopClass(h.sop_class_uid))
            all.push_back(&h);
    if (all.empty())
        return Failure{kExitBadInput,
                       "no RT Structure Set or Segmentation found in the input folder; pass --rtstruct or --seg"};
    std::vector<const FileHeader*> candidates = all;
    if (all.size() > 1) {
        // The structure set's own FrameOfReferenceUID is only a hint; the referenced one is checked later.
        std::erase_if(candidates,
                      [&](const FileHeader* h) { return h->frame_of_reference_uid != ct_frame_of_reference; });
        if (candidates.size() != 1) {
            std::string list;
            for (const FileHeader* h : all)
                list += " " + h->file.string();
            return Failure{kExitBadInput,
                           fmt::format("{} RT Structure Sets found, pass --rtstruct FILE:{}", all.size(), list)};
        }
    }
    chosen = candidates.front()->file;
    return std::nullopt;
}

/// The mask of the chosen ROI(s) on `grid`, or why there is none.
std::optional<Failure> BuildMask(const ConvertOptions& options, const fs::path& rtstruct_file,
                                 const std::string& ct_frame_of_reference, const processing::ImageGeometry& grid,
                                 processing::LabelMap& mask, std::string& roi_label) {
    dicom_node::StructureSetReadResult read = dicom_node::ReadStructureSet(rtstruct_file);
    if (!read.status)
        return Failure{kExitBadInput,
                       fmt::format("cannot read RT Structure Set {}: {}", rtstruct_file.string(), read.status.message)};
    for (const std::string& warning : read.warnings)
        std::cout << "warning: " << warning << "\n";
    const processing::StructureSet& set = read.structure_set;

    std::vector<const processing::Roi*> rois;
    if (!options.roi.empty()) {
        for (const processing::Roi& roi : set.rois)
            if (processing::ToLower(roi.name) == processing::ToLower(options.roi))
                rois.push_back(&roi);
        if (rois.empty())
            return Failure{kExitBadInput, fmt::format("no ROI named '{}' in {}; ROIs: {}", options.roi,
                                                      rtstruct_file.string(), RoiNames(set))};
    } else {
        rois = processing::SelectTumourRois(set, RoiSelectionFrom(options.config));
        if (rois.empty())
            return Failure{kExitBadInput, fmt::format("no tumour ROI in {}; choose one with --roi NAME: {}",
                                                      rtstruct_file.string(), RoiNames(set))};
    }

    // The contours are only meaningful in the CT's patient coordinates if both share a frame of reference.
    const auto check_frame = [&](const std::string& uid, const std::string& what) -> std::optional<Failure> {
        if (!uid.empty() && uid != ct_frame_of_reference)
            return Failure{kExitBadInput,
                           fmt::format("frame of reference mismatch: {} is {} but the CT's FrameOfReferenceUID is {}",
                                       what, uid, ct_frame_of_reference)};
        return std::nullopt;
    };
    if (auto failure = check_frame(set.frame_of_reference_uid, "the RT Structure Set's referenced frame of reference"))
        return failure;
    bool frame_known = !set.frame_of_reference_uid.empty();
    for (const processing::Roi* roi : rois) {
        if (auto failure = check_frame(roi->frame_of_reference_uid,
                                       fmt::format("ROI '{}' ReferencedFrameOfReferenceUID", roi->name)))
            return failure;
        frame_known = frame_known || !roi->frame_of_reference_uid.empty();
    }
    if (!frame_known)
        std::cout << "warning: the RT Structure Set names no frame of reference; assuming the CT's\n";

    processing::RasterOptions raster_options;
    raster_options.mode =
        options.union_mode || options.config.contour_fill == "union" ? processing::RasterOptions::Mode::Union
                                                                      : processing::RasterOptions::Mode::EvenOdd;
    mask = processing::LabelMap(grid, 0);
    for (const processing::Roi* roi : rois) {
        processing::RasterResult raster = processing::RasterizeRoi(*roi, grid, raster_options);
        for (const std::string& warning : raster.warnings)
            std::cout << fmt::format("warning: ROI '{}': {}\n", roi->name, warning);
        if (!raster.IsOk())
            return Failure{kExitBadInput, fmt::format("ROI '{}' gives no mask ({}): {}", roi->name,
                                                      processing::RasterStatusName(raster.status), raster.reason)};
        auto& out = mask.Data();
        const auto& in = raster.mask.Data();
        for (std::size_t v = 0; v < out.size(); ++v)
            out[v] = (out[v] != 0 || in[v] != 0) ? 1 : 0;
        roi_label += (roi_label.empty() ? "" : "+") + roi->name;
    }
    return std::nullopt;
}

/// Runs the conversion; nullopt on success.
std::optional<Failure> Convert(const ConvertOptions& options) {
    if (!fs::is_directory(options.input))
        return Failure{kExitBadInput, fmt::format("input folder {} does not exist", options.input.string())};
    if (!HasImageExtension(options.out))
        return Failure{kExitBadInput, fmt::format("--out {}: use .nrrd, .nhdr, .nii or .nii.gz", options.out.string())};
    if (!options.mask_out.empty() && !HasImageExtension(options.mask_out))
        return Failure{kExitBadInput,
                       fmt::format("--mask-out {}: use .nrrd, .nhdr, .nii or .nii.gz", options.mask_out.string())};

    const std::vector<FileHeader> headers = ScanDicomFolder(options.input);
    std::vector<FileHeader> ct_files;
    if (auto failure = ChooseCtSeries(headers, ct_files))
        return failure;
    std::string ct_frame_of_reference;
    for (const FileHeader& h : ct_files)
        if (!h.frame_of_reference_uid.empty()) {
            ct_frame_of_reference = h.frame_of_reference_uid;
            break;
        }

    std::vector<fs::path> paths;
    for (const FileHeader& h : ct_files)
        paths.push_back(h.file);
    const processing::AssemblyOptions assembly_options = AssemblyOptionsFrom(options.config, options.non_uniform);
    dicom_node::CtSeriesAssembly read = dicom_node::AssembleCtSeriesFromFiles(paths, assembly_options);
    if (!read.status)
        return Failure{kExitBadInput, fmt::format("cannot read CT: {}", read.status.message)};
    processing::AssemblyResult& assembly = read.assembly;
    if (!assembly.IsOk())
        return Failure{kExitBadInput, fmt::format("CT series rejected ({}): {}",
                                                  processing::AssemblyIssueName(assembly.issue), assembly.reason)};
    for (const std::string& note : assembly.assembled.notes)
        std::cout << "note: " << note << "\n";
    const processing::CtVolume& volume = assembly.assembled.volume;
    const processing::ImageGeometry& grid = volume.Geometry();

    processing::LabelMap mask;
    std::string roi_label;
    if (!options.mask_out.empty()) {
        // Source of the mask: --rtstruct, else --seg, else an RTSTRUCT in the folder, else a SEG there.
        fs::path seg_file = options.seg;
        const bool folder_has_rtstruct = std::any_of(headers.begin(), headers.end(), [](const FileHeader& h) {
            return IsRtStructSopClass(h.sop_class_uid);
        });
        if (seg_file.empty() && options.rtstruct.empty() && !folder_has_rtstruct) {
            const auto it = std::find_if(headers.begin(), headers.end(), [&](const FileHeader& h) {
                return IsSegSopClass(h.sop_class_uid);
            });
            if (it != headers.end())
                seg_file = it->file;
        }
        if (!seg_file.empty() && options.rtstruct.empty()) {
            SegMaskResult built = BuildSegMask(seg_file, options.roi, ct_frame_of_reference, grid, options.config);
            for (const std::string& warning : built.warnings)
                std::cout << "warning: " << warning << "\n";
            if (!built.error.empty())
                return Failure{kExitBadInput, built.error};
            mask = std::move(built.mask);
            roi_label = built.label;
        } else {
            fs::path rtstruct_file;
            if (auto failure = ChooseRtStruct(options, headers, ct_frame_of_reference, rtstruct_file))
                return failure;
            if (auto failure = BuildMask(options, rtstruct_file, ct_frame_of_reference, grid, mask, roi_label))
                return failure;
        }
    }

    if (const processing::ImageIoResult written = processing::WriteImage(volume, options.out); !written.IsOk())
        return Failure{kExitWriteFailed, fmt::format("cannot write {}: {}", options.out.string(), written.error)};
    std::string mask_summary;
    if (!options.mask_out.empty()) {
        if (const processing::ImageIoResult written = processing::WriteImage(mask, options.mask_out); !written.IsOk())
            return Failure{kExitWriteFailed,
                           fmt::format("cannot write {}: {}", options.mask_out.string(), written.error)};
        const auto voxels = static_cast<std::size_t>(std::count(mask.Data().begin(), mask.Data().end(), 1));
        mask_summary =
            fmt::format("; mask {}: {} voxels, {:.3f} mL -> {}", roi_label, voxels,
                        static_cast<double>(voxels) * grid.VoxelVolume() / 1000.0, options.mask_out.string());
    }
    std::cout << fmt::format("convert: {}x{}x{} voxels, spacing {:.4g}x{:.4g}x{:.4g} mm -> {}{}\n", grid.size[0],
                             grid.size[1], grid.size[2], grid.spacing[0], grid.spacing[1], grid.spacing[2],
                             options.out.string(), mask_summary);
    return std::nullopt;
}

} // namespace

void AddConvertCommand(CLI::App& app, CommonOptions& common) {
    auto options = std::make_shared<ConvertOptions>();
    CLI::App* cmd = app.add_subcommand(
        "convert", "Convert a DICOM CT series (and an RTSTRUCT ROI) to NRRD/NIfTI; exit 2 on unusable input");
    cmd->add_option("--input", options->input, "Folder searched recursively for the CT series (and RTSTRUCT)")
        ->required();
    cmd->add_option("--out", options->out, "CT volume file (.nrrd, .nhdr, .nii, .nii.gz), int16 HU")->required();
    CLI::Option* mask_out =
        cmd->add_option("--mask-out", options->mask_out, "Binary mask file (uint8 0/1) of the ROI on the CT grid");
    cmd->add_option("--roi", options->roi,
                    "ROI name or SEG segment label (exact, case-insensitive); default: the tumour ROIs/segments")
        ->needs(mask_out);
    cmd->add_option("--rtstruct", options->rtstruct, "RT Structure Set file; default: the one in --input")
        ->check(CLI::ExistingFile)
        ->needs(mask_out);
    common.AddTo(*cmd);
    cmd->add_option("--seg", options->seg, "Segmentation file for the mask instead of an RTSTRUCT")
        ->check(CLI::ExistingFile)
        ->needs(mask_out);
    cmd->add_option("--non-uniform", options->non_uniform,
                    "Complete but non-uniformly spaced series: resample|reject (default: import.non_uniform_spacing)")
        ->check(CLI::IsMember({"resample", "reject"}));
    cmd->add_flag("--union", options->union_mode,
                  "Union of contours instead of the even-odd (holes) rule (default: import.contour_fill)")
        ->needs(mask_out);
    cmd->callback([options, &common] {
        options->config = common.Load();
        if (const std::optional<Failure> failure = Convert(*options)) {
            std::cerr << "radnode convert: " << failure->reason << "\n";
            SetExitCode(failure->exit_code);
            return;
        }
        SetExitCode(kExitOk);
    });
}

} // namespace radnode::tools
