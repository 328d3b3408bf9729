#pragma once
/// 2D shape features of a single-slice ROI, as PyRadiomics' RadiomicsShape2D computes them
/// (no IBSI counterpart): a marching-squares outline through the pixel-edge midpoints and a
/// PCA of the pixel centres.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

namespace radnode::processing::radiomics {

/// All 2D shape features in PyRadiomics' output order (alphabetical by feature name), named
/// "shape2D_<Feature>", computed on `region.shape_mask` in the plane normal to
/// settings.force_2d_dimension (0: z, 1: y, 2: x, numpy axis order). SphericalDisproportion
/// (deprecated in PyRadiomics) is returned with on_request = true.
/// Throws std::invalid_argument, as PyRadiomics raises ValueError, when settings.force_2d is
/// false, force_2d_dimension is not 0, 1 or 2, or the mask spans more than one slice along
/// that dimension; also for an empty shape mask.
Features ComputeShape2D(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
