#pragma once
/// NRRD and NIfTI reading and writing of radnode volumes (ITK's image IO behind a
/// header without ITK, so including it stays cheap). The format follows the file
/// extension: .nrrd / .nhdr, or .nii / .nii.gz.

#include <filesystem>
#include <string>

#include "processing/volume.h"

namespace radnode::processing {

/// Outcome of an image file operation: empty `error` on success.
struct ImageIoResult {
    std::string error;
    [[nodiscard]] bool IsOk() const { return error.empty(); }
};

/// Writes the volume with its full geometry (origin, spacing, direction). NRRD is
/// written gzip-compressed. CT volumes are written as signed 16-bit HU, label maps as
/// unsigned 8-bit.
ImageIoResult WriteImage(const CtVolume& volume, const std::filesystem::path& file);
ImageIoResult WriteImage(const LabelMap& volume, const std::filesystem::path& file);

/// Reads any scalar NRRD/NIfTI file, converting voxels to the target type with
/// rounding and saturation; fails on multi-component or non-3D images.
ImageIoResult ReadImage(const std::filesystem::path& file, CtVolume& volume);
ImageIoResult ReadImage(const std::filesystem::path& file, LabelMap& volume);

} // namespace radnode::processing
