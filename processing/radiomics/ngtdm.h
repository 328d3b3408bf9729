#pragma once
/// Neighbouring Gray Tone Difference Matrix (NGTDM) features, as PyRadiomics'
/// RadiomicsNGTDM computes them (IBSI family NGTDM, IPET).

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

#include <cstdint>
#include <vector>

namespace radnode::processing::radiomics {

/// An NGTDM with PyRadiomics' empty rows removed: for gray level `gray_levels[r]`,
/// `counts[r]` voxels (n_i) and the sum of their absolute differences to their
/// neighbourhood mean `sums[r]` (s_i).
struct NgtdmMatrix {
    std::vector<std::int32_t> gray_levels;
    std::vector<double> counts;
    std::vector<double> sums;
};

/// The NGTDM of the whole region. The neighbourhood is every offset within `distances`
/// (infinity norm; in-plane for force2D or an IBSI 2D/2.5D aggregation) that lands inside the
/// ROI, centre excluded. PyRadiomics counts a voxel without any such neighbour in n_i with a
/// difference of 0; IBSI mode leaves it out. For IBSI 2D this is the sum of the per-slice
/// matrices.
NgtdmMatrix ComputeNgtdmMatrix(const Region& region, const Settings& settings);

/// All NGTDM features in PyRadiomics' order (alphabetical by feature name), named
/// "ngtdm_<Feature>". In IBSI mode with a 2D aggregation the features are computed per slice
/// and averaged over the slices holding ROI voxels.
Features ComputeNgtdm(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
