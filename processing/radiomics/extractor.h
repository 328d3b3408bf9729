#pragma once
/// The radiomics extractor: image + mask + parameters in, PyRadiomics-named diagnostics and
/// features out, in PyRadiomics' order. The same entry point serves `radnode extract` and
/// the pipeline.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/settings.h"
#include "processing/volume.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {

/// One enabled image type ("Original", "LoG", "Wavelet", "Square", ...) with its own
/// settings (PyRadiomics' imageType section: e.g. LoG sigma, wavelet name). Values are kept
/// as text lists here and interpreted by the filter that owns them.
struct ImageTypeSpec {
    std::string name;
    std::map<std::string, std::vector<std::string>> options;
};

/// A PyRadiomics parameter file, parsed (config/radiomics_params.h does the YAML).
struct ExtractionParams {
    Settings settings;
    std::vector<ImageTypeSpec> image_types{ImageTypeSpec{"Original", {}}};
    /// Enabled feature classes in file order; an empty list enables the class's default
    /// features, a list enables exactly those (including ones computed only on request).
    std::vector<std::pair<std::string, std::vector<std::string>>> feature_classes;
};

/// Outcome of one case.
struct ExtractionResult {
    /// Empty on success; otherwise why the case was refused (empty mask, label absent,
    /// geometry mismatch, ROI too small, ...), naming the check.
    std::string error;
    /// "diagnostics_Configuration_Settings", "diagnostics_Mask-original_VoxelNum", ... as text.
    std::vector<std::pair<std::string, std::string>> diagnostics;
    /// Full names, e.g. "original_glcm_Contrast", in PyRadiomics' output order.
    Features features;
};

/// Runs the whole PyRadiomics flow on one case: mask checks, resampling, normalisation,
/// re-segmentation, cropping, discretisation, then every enabled class of every enabled
/// image type (feature classes in parallel).
ExtractionResult Extract(const Volume<double>& image, const Volume<std::int32_t>& mask,
                         const ExtractionParams& params);

} // namespace radnode::processing::radiomics
