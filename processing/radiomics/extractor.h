#pragma once
/// The radiomics extractor: image + mask + parameters in, PyRadiomics-named diagnostics and
/// features out, in PyRadiomics' order. The same entry point serves `radnode extract` and
/// the pipeline.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"
#include "processing/volume.h"

#include <cstdint>
#include <map>
#include <optional>
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
    /// The settings this image type's features are computed with when its section customises
    /// any (binWidth, force2D, ...: PyRadiomics merges the type's own dict over the global
    /// settings); nullopt = the global settings.
    std::optional<Settings> settings{};
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
/// image type. Derived image types (filters.h: LoG, Wavelet, Square, SquareRoot, Logarithm,
/// Exponential, Gradient, LBP2D, LBP3D) get the non-shape classes on each derived image, cut to
/// the same box with the same mask and discretised with its own bin edges and the image type's
/// settings, named "<image type>_<class>_<Feature>", image types in params order, shape once on
/// the original image first. Derived images run in parallel, each filtered over the ROI box
/// only. IBSI mode takes Original and the IBSI 2 filters (ibsi_filters.h).
/// With settings.ibsi_compliant the IBSI mode runs instead: IbsiPreprocess (ibsi_preprocess.h)
/// replaces the PyRadiomics preprocessing, and the IBSI classes run: firstorder, glcm, glrlm,
/// glszm, ngtdm and shape in IBSI mode, then gldzm, ngldm, intensityhistogram, ivh,
/// localintensity, statistics and morphology. Every feature carries its IBSI code and each IBSI
/// feature is reported once; a featureClass entry "gldm" means ngldm, "shape2D" is ignored.
ExtractionResult Extract(const Volume<double>& image, const Volume<std::int32_t>& mask,
                         const ExtractionParams& params);

/// Every IBSI-mode class on an already prepared region (settings.ibsi_compliant is forced on):
/// the default features (not the on-request ones), named "<class>_<Feature>", in the
/// extractor's IBSI class order. `full_image` is the
/// image the region was cut from (region.box_origin indexes it), for local intensity.
Features ComputeIbsiFeatures(const Region& region, const Volume<double>& full_image, const Settings& settings);

} // namespace radnode::processing::radiomics
