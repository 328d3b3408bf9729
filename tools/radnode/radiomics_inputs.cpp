#include "tools/radnode/radiomics_inputs.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <future>
#include <optional>
#include <string_view>
#include <system_error>

#include <dcmtk/dcmdata/dctk.h>
#include <fmt/format.h>

#include "processing/image_io.h"
#include "reporting/radiomics_table.h"
#include "tools/radnode/ct_inputs.h"
#include "tools/radnode/dicom_files.h"

namespace radnode::tools {
namespace {

namespace fs = std::filesystem;

using DicomHeader = DicomFileHeader;

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
        CtInput ct = LoadCtFolder(image, config);
        in.notes.insert(in.notes.end(), ct.notes.begin(), ct.notes.end());
        if (!ct.error.empty()) {
            in.error = ct.error;
            return in;
        }
        ct_frame_of_reference = ct.frame_of_reference;
        in.image = Convert<std::int16_t, double>(ct.volume);
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
        if (header->sop_class_uid != UID_RTStructureSetStorage && header->sop_class_uid != UID_SegmentationStorage) {
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
        TumourInput tumour = LoadTumourMask(mask, roi, ct_frame_of_reference, grid, config);
        in.notes.insert(in.notes.end(), tumour.notes.begin(), tumour.notes.end());
        if (!tumour.error.empty()) {
            in.error = tumour.error;
            return in;
        }
        const processing::LabelMap& labels = tumour.mask;
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
