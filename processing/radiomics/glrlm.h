#pragma once
/// Gray Level Run Length Matrix features, as PyRadiomics' RadiomicsGLRLM computes them
/// (glrlm.py + cmatrices.c), and IBSI's GLRLM aggregation variants in IBSI mode.

#include "processing/radiomics/directions.h"
#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

#include <cstddef>
#include <vector>

namespace radnode::processing::radiomics {

/// All GLRLM features, in PyRadiomics' output order (alphabetical by feature name), named
/// "glrlm_<Feature>".
///
/// PyRadiomics mode (settings.ibsi_compliant false): one matrix per direction (distance 1;
/// in-plane directions only with force_2d), features averaged over the non-empty directions;
/// with a weighting_norm the matrices are summed with weight |d| first. A direction along
/// which no line holds two ROI voxels is dropped, as cmatrices.c does. IBSI mode:
/// settings.ibsi_aggregation selects the IBSI 2D/2.5D/3D, averaged/merged variant.
Features ComputeGlrlm(const Region& region, const Settings& settings);

/// Per-direction run-length counts as PyRadiomics' calculate_glrlm returns them after empty
/// gray levels are deleted: rows are the gray levels present (region.gray_levels), column c
/// counts runs of length c + 1. PyRadiomics-mode directions, no weighting. For tests.
struct GlrlmMatrices {
    std::size_t levels = 0;
    std::size_t max_run_length = 0; ///< number of columns
    std::vector<Offset> angles;
    /// values[(a * levels + i) * max_run_length + c]
    std::vector<double> values;
};
GlrlmMatrices ComputeGlrlmMatrices(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
