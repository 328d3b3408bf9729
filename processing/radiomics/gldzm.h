#pragma once
/// IBSI grey level distance zone matrix (GLDZM, IBSI family VMDZ). PyRadiomics has no
/// such class; the features follow the IBSI 1 definitions.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

namespace radnode::processing::radiomics {

/// GLDZM features ("gldzm_SmallDistanceEmphasis", ...). Zones are the GLSZM zones of the
/// intensity mask (26-connected in 3D, 8-connected in-plane in 2D); a zone's distance is the
/// smallest edge distance of its voxels, taken from the morphological mask (`shape_mask`)
/// by 6- (3D) or 4-connected (2D) erosion with the edge at distance 1. Rows span grey levels
/// 1..max_gray_level. settings.ibsi_aggregation selects 2D (per slice, averaged), 2.5D
/// (slice matrices merged) or 3D; slices follow settings.force_2d_dimension.
Features ComputeGldzm(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
