#pragma once
/// Gray Level Dependence Matrix (GLDM) features, as PyRadiomics' RadiomicsGLDM computes them
/// (IBSI family NGLDM, REK0).

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

#include <cstdint>
#include <vector>

namespace radnode::processing::radiomics {

/// A GLDM with PyRadiomics' empty rows and columns removed: row r is gray level
/// `gray_levels[r]`, column c is dependence `dependences[c]` (1 + the number of dependent
/// neighbours), and `counts[r * dependences.size() + c]` the number of such voxels.
struct GldmMatrix {
    std::vector<std::int32_t> gray_levels;
    std::vector<std::int32_t> dependences;
    std::vector<double> counts;
};

/// The GLDM of the whole region: a neighbour (within `distances`, infinity norm, in the
/// plane normal to force_2d_dimension for force2D or an IBSI 2D/2.5D aggregation) inside the
/// ROI is dependent when its gray level differs by at most gldm_a. For IBSI 2D this is the
/// sum of the per-slice matrices.
GldmMatrix ComputeGldmMatrix(const Region& region, const Settings& settings);

/// All GLDM features in PyRadiomics' order (alphabetical by feature name), named
/// "gldm_<Feature>". The deprecated GrayLevelNonUniformityNormalized (= firstorder
/// Uniformity) and DependencePercentage (always 1), for which PyRadiomics reports no value,
/// carry their defined values and `on_request`. IBSI mode adds DependenceCountEnergy (CAS9),
/// which PyRadiomics lacks, and averages per-slice features for a 2D aggregation.
Features ComputeGldm(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
