#pragma once
/// PyRadiomics parameter files (YAML): the `setting`, `imageType`, `featureClass` and
/// `voxelSetting` sections of PyRadiomics' schema (radiomics/schemas/paramSchema.yaml),
/// validated as strictly as PyRadiomics validates them, turned into the extractor's
/// ExtractionParams. Problems throw config::ConfigError naming the file and the key.
///
/// Mapping rules (see docs/user-guide.md, "Radiomics extraction"):
///  - every `setting:` key maps to a Settings field; a null value means PyRadiomics' None:
///    optional settings (binCount, resampledPixelSpacing, removeOutliers, resegmentRange,
///    minimumROISize, label_channel) become unset, the others keep their default;
///    `interpolator: null` disables resampling, as PyRadiomics only resamples with an
///    interpolator;
///  - filter settings (sigma, wavelet, level, start_level, gradientUseSpacing, lbp*) given
///    under `setting:` are copied into the options of every enabled image type that does
///    not set them itself (PyRadiomics merges global settings into each image type's);
///  - image type entries keep their own options in file order, values as text (booleans as
///    "true"/"false", a null value as an empty list = None);
///  - a missing or empty `imageType` enables Original only; a missing or empty
///    `featureClass` enables every PyRadiomics class in PyRadiomics' order (shape2D
///    included: PyRadiomics computes it only with force2D);
///  - `voxelSetting` is validated and otherwise ignored: radnode extracts per segment only.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "processing/radiomics/extractor.h"

namespace radnode::config {

/// Reads and parses a PyRadiomics parameter file. Throws ConfigError.
processing::radiomics::ExtractionParams LoadRadiomicsParams(const std::filesystem::path& file);

/// Parses parameter-file YAML text; `source` names it in error messages. Throws ConfigError.
processing::radiomics::ExtractionParams ParseRadiomicsParams(const std::string& yaml_text,
                                                             std::string_view source = "<params>");

/// PyRadiomics' extraction with default settings and no parameter file: Original image,
/// every feature class except shape2D (what `RadiomicsFeatureExtractor()` enables).
processing::radiomics::ExtractionParams DefaultRadiomicsParams();

/// The feature classes PyRadiomics knows, in its (alphabetical module) order.
std::span<const std::string_view> RadiomicsFeatureClassNames();

/// The image types PyRadiomics knows ("Original", "LoG", "Wavelet", ...).
std::span<const std::string_view> RadiomicsImageTypeNames();

} // namespace radnode::config
