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

/// What the file said about its voxels, for callers that must reproduce the stored values
/// (e.g. PyRadiomics' image hash over the native pixel buffer).
struct ImageFileInfo {
    std::string component_type; ///< ITK's name: "short", "unsigned_short", "int", "float", "double", ...
    std::size_t component_size = 0; ///< bytes per value
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
/// Reads any scalar image exactly as double (radiomics input), optionally reporting the
/// stored component type.
ImageIoResult ReadImage(const std::filesystem::path& file, Volume<double>& volume, ImageFileInfo* info = nullptr);
/// Reads a label image as 32-bit integers (radiomics masks with any label values).
ImageIoResult ReadImage(const std::filesystem::path& file, Volume<std::int32_t>& volume);
/// Float images (filter responses) keep their values.
ImageIoResult WriteImage(const Volume<float>& volume, const std::filesystem::path& file);
ImageIoResult WriteImage(const Volume<double>& volume, const std::filesystem::path& file);

} // namespace radnode::processing
