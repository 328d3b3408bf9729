#pragma once
/// Radiomics results as PyRadiomics' batch mode writes them (`pyradiomics cases.csv
/// --format csv|json`): one row (or JSON object) per case, the case's input columns first,
/// then diagnostics, then features, so scripts written for PyRadiomics' output read ours.
/// Also the provenance entries radnode adds to the extractor's diagnostics: versions and
/// PyRadiomics' image and mask hashes.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "processing/radiomics/feature.h"
#include "processing/volume.h"

namespace radnode::reporting {

using TextPairs = std::vector<std::pair<std::string, std::string>>;

/// One case: a CSV row or a JSON object.
struct RadiomicsCase {
    /// The batch input columns in input order ("Image", "Mask", "Label", any others).
    TextPairs inputs;
    /// Empty on success; otherwise why the case failed (its row then holds only the inputs
    /// and this message, in the "Error" column).
    std::string error;
    /// "diagnostics_..." entries, values already formatted as PyRadiomics prints them.
    TextPairs diagnostics;
    /// Full feature names ("original_glcm_Contrast") with their values.
    processing::radiomics::Features features;
};

/// The column every failed case fills; present only when some case failed (PyRadiomics
/// only logs failures, so its layout has no such column).
inline constexpr std::string_view kErrorColumn = "Error";

/// Column order of the table: input columns (first appearance), then "Error" if any case
/// failed, then the diagnostics and features of the first successful case in its order,
/// then names only later cases have, sorted, as PyRadiomics appends them.
std::vector<std::string> RadiomicsColumns(const std::vector<RadiomicsCase>& cases);

/// PyRadiomics' batch CSV: header row, then one row per case; fields quoted as Python's csv
/// module quotes them (QUOTE_MINIMAL, "\n" line ends), numbers as Python's repr(float).
std::string RadiomicsCsv(const std::vector<RadiomicsCase>& cases);

/// PyRadiomics' `--format json`: an array with one object per case, keys in case order.
/// Diagnostics stay text; feature values are numbers (NaN and infinities as null, since
/// JSON has no such numbers).
std::string RadiomicsJson(const std::vector<RadiomicsCase>& cases);

/// `value` as Python's repr(float) writes it: shortest round-trip digits, fixed notation for
/// decimal exponents -4..15 with at least one decimal ("632.0"), else "1e-05"/"1.5e+16";
/// "nan", "inf", "-inf".
std::string PythonFloatText(double value);

/// Lower-case hex SHA-1 of `bytes`.
std::string Sha1Hex(std::span<const unsigned char> bytes);

/// PyRadiomics' diagnostics_Image-original_Hash: sitk.Hash(image), the SHA-1 of the pixel
/// buffer in the file's component type. `component_type` is ITK's name as
/// processing::ImageFileInfo reports it ("short", "unsigned_char", "float", ...); voxels are
/// converted back to it exactly (they were read from it). Throws std::invalid_argument for
/// an unknown component type.
std::string PyRadiomicsImageHash(const processing::Volume<double>& image, std::string_view component_type);

/// PyRadiomics' diagnostics_Mask-original_Hash: the mask cast to UInt32 (getMask) and hashed.
std::string PyRadiomicsMaskHash(const processing::Volume<std::int32_t>& mask);

/// Inserts radnode's provenance where PyRadiomics' GeneralInfo puts it: `versions`
/// (diagnostics_Versions_*) first, Image-original_Hash before the first other
/// Image-original entry, Mask-original_Hash before the first other Mask-original entry
/// (each at the end when there is none). Existing entries of the same name are replaced.
void AddProvenanceDiagnostics(TextPairs& diagnostics, const TextPairs& versions, const std::string& image_hash,
                              const std::string& mask_hash);

} // namespace radnode::reporting
