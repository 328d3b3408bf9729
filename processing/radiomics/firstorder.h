#pragma once
/// First-order statistics, as PyRadiomics' RadiomicsFirstOrder computes them (IBSI families
/// Statistics UHIW and, for Entropy and Uniformity, Intensity histogram ZVCW).

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

namespace radnode::processing::radiomics {

/// All first-order features in PyRadiomics' output order (alphabetical by feature name, the
/// order of its get*FeatureValue methods), named "firstorder_<Feature>". Intensities are
/// `region.image` over `region.voxels`; Energy, TotalEnergy and RootMeanSquared add
/// settings.voxel_array_shift; Entropy and Uniformity use the discretised `region.gray`.
/// Percentiles follow numpy's linear interpolation. StandardDeviation (deprecated in
/// PyRadiomics) is returned with on_request = true. Throws std::invalid_argument for a region
/// without voxels.
/// In IBSI mode (settings.ibsi_compliant) the shift is not applied, Kurtosis, Entropy and
/// Uniformity are not returned (ComputeIbsiStatistics gives excess kurtosis, the intensity
/// histogram gives entropy and uniformity), and StandardDeviation and TotalEnergy (no IBSI
/// definition) are on request.
Features ComputeFirstOrder(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
