#pragma once
/// The whole analysis of one CT case, as `radnode analyze` and the node's workers run it:
/// automatic regions and CAC (processing/regions/region_analysis.h), radiomics of the chosen
/// regions with one parameter file (processing/radiomics/extractor.h), then the configured
/// signatures (processing/signatures/signature.h). Results are plain values; writing them is
/// the caller's (JSON/CSV here, SR/SEG in reporting/).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "processing/radiomics/extractor.h"
#include "processing/regions/region_analysis.h"
#include "processing/signatures/signature.h"
#include "processing/volume.h"

namespace radnode::tools {

/// The parameter file the analysis uses when none is configured: the seed studies' setting
/// (original + LoG sigma 1-5 mm + coif1 wavelet, binWidth 25, 1 mm isotropic B-spline
/// resampling), as YAML text (docs/analysis.md).
[[nodiscard]] const std::string& DefaultAnalysisParamsYaml();

/// Which regions get radiomics: names ("tumour", "lung_right", ...), "ring_*" style prefixes
/// ending in '*', or "all" (every region found except body, airways and the aorta).
[[nodiscard]] std::vector<std::string> DefaultRadiomicsRegions();

struct CaseAnalysisOptions {
    processing::regions::RegionAnalysisSettings regions;
    processing::radiomics::ExtractionParams params;
    std::vector<std::string> radiomics_regions = DefaultRadiomicsRegions();
    std::vector<processing::signatures::Signature> signatures;
};

/// Radiomics of one region: features, or why it has none.
struct RegionRadiomics {
    std::string region;
    std::string error; ///< empty on success
    std::size_t voxels = 0;
    processing::radiomics::Features features;
    double seconds = 0.0;
};

struct SignatureOutcome {
    std::string name;
    std::string version;
    bool example = false;
    processing::signatures::SignatureResult result;
};

struct CaseAnalysis {
    processing::regions::RegionAnalysis regions;
    std::vector<RegionRadiomics> radiomics; ///< in the order of the regions' listing
    std::vector<SignatureOutcome> signatures;
    double seconds = 0.0;
};

/// Analysis options from files, as `radnode analyze` and the node's workers read them: the
/// segmentation/peritumoral/CAC settings of `config`, the parameter file `params` (empty: the
/// built-in default), the signature files or folders, and the radiomics regions (empty: the
/// default list). `params_text` and `fingerprint` are kept for the results. Throws
/// config::ConfigError for an unreadable or invalid parameter or signature file.
struct LoadedAnalysisOptions {
    CaseAnalysisOptions options;
    std::string params_text;
    std::string fingerprint;
};
[[nodiscard]] LoadedAnalysisOptions LoadAnalysisOptions(const config::Config& config,
                                                        const std::filesystem::path& params,
                                                        const std::vector<std::filesystem::path>& signatures,
                                                        const std::vector<std::string>& radiomics_regions);

/// A stable fingerprint ("fnv1a64:<16 hex>") of everything that decides the results: the
/// parameter file's text, the effective configuration, the region list and the signatures.
[[nodiscard]] std::string SettingsFingerprint(const std::string& params_text, const config::Config& config,
                                              const CaseAnalysisOptions& options);

/// Runs it. Never throws for unusual input: every part that cannot be computed says why.
[[nodiscard]] CaseAnalysis RunCaseAnalysis(const processing::CtVolume& ct, std::optional<double> kvp,
                                           const processing::regions::BoxMask& tumour,
                                           const CaseAnalysisOptions& options);

/// results.json: regions (as regions.json), CAC (as cac.json), radiomics per region, signatures,
/// and `software` (name, version) with `settings_hash` (of the parameters and settings used).
[[nodiscard]] std::string CaseAnalysisJson(const CaseAnalysis& analysis, const processing::ImageGeometry& grid,
                                           const std::string& settings_hash);

/// features.csv: one row per region and feature (region,feature,value; radiomics, region
/// volumes, CAC scores and signature scores), the long format statistics packages read.
[[nodiscard]] std::string CaseAnalysisCsv(const CaseAnalysis& analysis);

} // namespace radnode::tools
