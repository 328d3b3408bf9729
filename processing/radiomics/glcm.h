#pragma once
/// Gray Level Co-occurrence Matrix features, as PyRadiomics' RadiomicsGLCM computes them
/// (glcm.py + cmatrices.c), and IBSI's GLCM aggregation variants in IBSI mode.

#include "processing/radiomics/directions.h"
#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

#include <cstddef>
#include <vector>

namespace radnode::processing::radiomics {

/// All GLCM features, in PyRadiomics' output order (alphabetical by feature name), named
/// "glcm_<Feature>". Deprecated features (Dissimilarity, Homogeneity1, Homogeneity2,
/// SumVariance) are included with `on_request` set; PyRadiomics reports NaN for them, as
/// does PyRadiomics mode here, while IBSI mode gives the value of the feature they equal.
///
/// PyRadiomics mode (settings.ibsi_compliant false): one matrix per direction (in-plane
/// directions only with force_2d, accumulated over all slices), features averaged over the
/// non-empty directions; with a weighting_norm the weighted matrices are summed first.
/// IBSI mode: settings.ibsi_aggregation selects the IBSI 2D/2.5D/3D, averaged/merged variant.
Features ComputeGlcm(const Region& region, const Settings& settings);

/// Per-direction co-occurrence matrices as PyRadiomics holds them in RadiomicsGLCM.P_glcm
/// before weighting: rows and columns are the gray levels present in the ROI
/// (region.gray_levels), symmetrised when settings.symmetrical_glcm, each normalised to sum 1
/// (all zero for a direction without pairs). PyRadiomics-mode directions. For tests.
struct GlcmMatrices {
    std::size_t levels = 0;
    std::vector<Offset> angles;
    /// values[(a * levels + i) * levels + j]
    std::vector<double> values;
};
GlcmMatrices ComputeGlcmMatrices(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
