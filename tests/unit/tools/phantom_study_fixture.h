#pragma once
// Shared fixture of the tools/phantom tests: a small phantom study written by
// the real `radnode phantom` command into a temporary directory (signed and
// `--unsigned` variants), the same phantom generated in-process for
// comparison, and helpers that read the DICOM back with plain DCMTK.

#include "processing/phantom/thorax_phantom.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace radnode::tools::test {

/// Geometry of the test study: 96 x 96 pixels of 3 mm, 30 slices of 4 mm
/// (z = -58 ... +58), tumour radius 14 mm so that the slices at z = 26 and 54
/// (|dz| = r exactly) touch the sphere without cutting it.
inline constexpr std::size_t kColumns = 96;
inline constexpr std::size_t kRows = 96;
inline constexpr std::size_t kSlices = 30;
inline constexpr double kPixelSpacingMm = 3.0;
inline constexpr double kSliceThicknessMm = 4.0;
inline constexpr double kTumourRadiusMm = 14.0;
inline constexpr std::uint64_t kSeed = 7;

/// The tumour centre documented in docs/phantom.md.
inline constexpr double kTumourCentreMm[3] = {-75.0, -5.0, 40.0};

/// Voxel-centre coordinate of index n along an axis with `count` voxels,
/// per the documented convention (centres symmetric about 0).
[[nodiscard]] double CentreMm(std::size_t n, std::size_t count, double spacing);

/// A phantom study written by the command, plus the same phantom generated in-process.
struct GeneratedStudy {
    std::filesystem::path dir; ///< holds ct/, rtstruct.dcm, seg.dcm, truth.json
    processing::phantom::PhantomOptions options;
    processing::phantom::ThoraxPhantom phantom;
    bool unsigned_storage = false;
};

/// Runs `radnode phantom --out <out> <args>` in-process; lets CLI11's
/// ParseError (bad arguments) and RuntimeError (the command failed) through.
void RunPhantomCommand(const std::filesystem::path& out, const std::vector<std::string>& args);

/// The signed (default) study, written once per test process.
[[nodiscard]] const GeneratedStudy& SignedStudy();
/// The same study written with `--unsigned`, once per test process.
[[nodiscard]] const GeneratedStudy& UnsignedStudy();

/// Loads a Part 10 file; throws std::runtime_error when DCMTK cannot read it.
[[nodiscard]] std::unique_ptr<DcmFileFormat> LoadDicom(const std::filesystem::path& file);

/// String value `pos` of `tag` in `item` ("" when absent).
[[nodiscard]] std::string GetString(DcmItem& item, const DcmTagKey& tag, unsigned long pos = 0);
/// Numeric value `pos` of a DS/IS/US/... element; throws when absent.
[[nodiscard]] double GetNumber(DcmItem& item, const DcmTagKey& tag, unsigned long pos = 0);
/// Number of items of sequence `tag` in `item` (0 when absent).
[[nodiscard]] unsigned long CountItems(DcmItem& item, const DcmTagKey& tag);
/// Item `index` of sequence `tag`; throws when absent.
[[nodiscard]] DcmItem& GetItem(DcmItem& item, const DcmTagKey& tag, unsigned long index);

/// One CT file of the series as read back.
struct CtFile {
    std::filesystem::path path;
    std::unique_ptr<DcmFileFormat> file;
    std::string sop_instance_uid;
    double z_mm = 0.0; ///< ImagePositionPatient[2]
};

/// Every file in `dir`/ct, sorted by z ascending.
[[nodiscard]] std::vector<CtFile> ReadCtSeries(const std::filesystem::path& dir);

/// SOP Instance UID -> ImagePositionPatient z of every CT file in `dir`/ct.
[[nodiscard]] std::map<std::string, double> CtPositionsByUid(const std::filesystem::path& dir);

/// Stored pixel values x RescaleSlope + RescaleIntercept, honouring
/// PixelRepresentation (two's complement when 1), row by row.
[[nodiscard]] std::vector<double> ModalityValues(DcmItem& dataset);

} // namespace radnode::tools::test
