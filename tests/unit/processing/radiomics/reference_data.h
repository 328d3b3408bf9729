#pragma once
/// Access to the PyRadiomics reference data copied into tests/data/pyradiomics (see its
/// README for source and licence): images, masks, baseline CSV columns and .npy matrices.

#include "processing/volume.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace radnode::test {

std::filesystem::path PyRadiomicsDataDir();

/// brain1 / brain2 / breast1 image (as double) and label (as int32) from their NRRD files.
struct ReferenceCase {
    processing::Volume<double> image;
    processing::Volume<std::int32_t> mask;
};
const ReferenceCase& LoadReferenceCase(const std::string& name);

/// The names of the reference cases: brain1, brain2, breast1.
const std::vector<std::string>& ReferenceCaseNames();

/// One column of baseline/baseline_<cls>.csv ("brain1", "brain1_2d", ...): row name -> cell
/// text (empty cells omitted).
std::map<std::string, std::string> BaselineColumn(const std::string& cls, const std::string& column);

/// The column headers (test cases) of baseline/baseline_<cls>.csv, without "featureName".
std::vector<std::string> BaselineColumns(const std::string& cls);

/// A peer or notebook CSV with (featureName, value) rows: name -> value text.
std::map<std::string, std::string> TwoColumnCsv(const std::filesystem::path& file);

/// The live PyRadiomics run of a reference case (peer_outputs/<case>_full_original_log_wavelet.csv),
/// printed at full precision: feature name -> value text.
std::map<std::string, std::string> PeerOutputs(const std::string& case_name);

/// A float64 .npy array (C or Fortran order) with its shape; values returned in C order,
/// a leading batch axis of length 1 dropped.
struct NpyArray {
    std::vector<std::size_t> shape;
    std::vector<double> values;
    [[nodiscard]] double At(std::size_t a, std::size_t b, std::size_t c = 0) const;
};
NpyArray LoadNpy(const std::filesystem::path& file);

/// True when `actual` matches `expected` within a relative 1e-6 (absolute 1e-9 near zero),
/// the parity bar of issue 4.
bool WithinParity(double actual, double expected, double relative = 1e-6, double absolute = 1e-9);

} // namespace radnode::test
