#pragma once
// Writes a CtVolume as a CT Image Storage series (one Part 10 file per slice).

#include "processing/volume.h"
#include "reporting/seg_writer.h"
#include "tools/phantom/phantom_study.h"

#include <filesystem>

namespace radnode::tools {

/// How the CT pixels are stored.
struct CtWriteOptions {
    /// false: signed 16-bit HU (PixelRepresentation 1, intercept 0);
    /// true: unsigned 12-bit HU + 1024 (PixelRepresentation 0, intercept -1024).
    bool unsigned_storage = false;
    unsigned threads = 0; ///< 0 = hardware concurrency
};

/// Writes slice k of `ct` to `directory`/CT<instance number, 4 digits>.dcm in
/// explicit VR little endian. The volume must have identity direction.
/// Throws std::runtime_error when a file cannot be written.
void WriteCtSeries(const std::filesystem::path& directory, const processing::CtVolume& ct, const PhantomStudy& study,
                   const CtWriteOptions& options);

/// The written series as a SEG source description (images by slice index k).
[[nodiscard]] reporting::SegSourceSeries DescribeCtSeries(const processing::ImageGeometry& geometry,
                                                          const PhantomStudy& study);

/// File name of slice k, e.g. "CT0001.dcm" for the most superior slice.
[[nodiscard]] std::string CtFileName(std::size_t k, std::size_t slices);

} // namespace radnode::tools
