#pragma once
/// Gray Level Size Zone Matrix (GLSZM) features, as PyRadiomics' RadiomicsGLSZM computes
/// them (IBSI family GLSZM, 9SAK).

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

#include <cstdint>
#include <vector>

namespace radnode::processing::radiomics {

/// A GLSZM with PyRadiomics' empty rows and columns removed: row r is gray level
/// `gray_levels[r]`, column c is zone size `zone_sizes[c]` (voxels), and
/// `counts[r * zone_sizes.size() + c]` the number of such zones.
struct GlszmMatrix {
    std::vector<std::int32_t> gray_levels;
    std::vector<std::int32_t> zone_sizes;
    std::vector<double> counts;
};

/// The GLSZM of the whole region: zones are 26-connected (3D) or, with force2D (PyRadiomics
/// mode) or a 2D/2.5D IBSI aggregation, 8-connected in the plane normal to
/// force_2d_dimension. For IBSI 2D this is the sum of the per-slice matrices.
GlszmMatrix ComputeGlszmMatrix(const Region& region, const Settings& settings);

/// All GLSZM features in PyRadiomics' order (alphabetical by feature name), named
/// "glszm_<Feature>". In IBSI mode with a 2D aggregation the features are computed per slice
/// and averaged over the slices holding ROI voxels.
Features ComputeGlszm(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
