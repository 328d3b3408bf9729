#pragma once
/// IBSI neighbouring grey level dependence matrix (NGLDM, IBSI family REK0). PyRadiomics'
/// GLDM is the same matrix; this class follows the IBSI feature set and definitions.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

namespace radnode::processing::radiomics {

/// NGLDM features ("ngldm_LowDependenceEmphasis", ...): for each ROI voxel, the number of
/// ROI neighbours at Chebyshev distance 1 whose grey level differs by at most
/// settings.gldm_a (IBSI alpha), plus one for the centre voxel. Neighbours are 26 in 3D and
/// 8 in-plane in 2D. Rows span grey levels 1..max_gray_level. settings.ibsi_aggregation
/// selects 2D (per slice, averaged), 2.5D (merged) or 3D.
Features ComputeNgldm(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
