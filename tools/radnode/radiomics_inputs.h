#pragma once
/// Image and mask of one `radnode extract` case: NRRD/NIfTI files as PyRadiomics reads
/// them, or a DICOM CT series folder with an RTSTRUCT or SEG file, through the reader,
/// assembly and rasteriser `radnode convert` uses.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "processing/volume.h"

namespace radnode::tools {

struct RadiomicsInput {
    std::string error; ///< empty on success; otherwise why the case cannot run
    processing::Volume<double> image;
    processing::Volume<std::int32_t> mask;
    std::string image_hash; ///< PyRadiomics' diagnostics_Image-original_Hash
    std::string mask_hash;  ///< PyRadiomics' diagnostics_Mask-original_Hash
    std::string image_pixel_type; ///< the file's stored component type (ITK's name), "short" for DICOM
    std::vector<std::string> notes; ///< assembly notes and warnings, for stderr
};

/// Loads a case. `image` is an image file or a folder searched recursively for a CT
/// series (the one with the most instances); `mask` is an image file, or, with a DICOM
/// image, an RT Structure Set (ROI `roi`, else the tumour ROIs by import.roi_*) or a
/// Segmentation (segment `roi`, else as `radnode convert` picks) rasterised on the CT grid
/// as label 1. Hashes: the file's native pixel buffer; a DICOM CT is hashed as the
/// assembled int16 HU volume, a DICOM mask as its 0/1 label map (both cast as PyRadiomics
/// casts a mask, to UInt32).
RadiomicsInput LoadRadiomicsInput(const std::filesystem::path& image, const std::filesystem::path& mask,
                                  const std::string& roi, const config::Config& config);

} // namespace radnode::tools
