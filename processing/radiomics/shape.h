#pragma once
/// 3D shape features, as PyRadiomics' RadiomicsShape computes them (IBSI family Morphology,
/// HCUG): a marching-cubes mesh of the morphological mask with vertices halfway between
/// voxel centres, and a PCA of the voxel centres.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

namespace radnode::processing::radiomics {

/// All 3D shape features in PyRadiomics' output order (alphabetical by feature name), named
/// "shape_<Feature>", computed on `region.shape_mask` with `region.spacing`. The mesh is the
/// one of PyRadiomics' cshape.c (same triangulation, normals pointing outward), so
/// MeshVolume, SurfaceArea and the four diameters reproduce it; the diameters are the
/// largest distances between mesh vertices, overall and within planes of equal z (Slice),
/// y (Column) and x (Row). Compactness1, Compactness2 and SphericalDisproportion (deprecated
/// in PyRadiomics) are returned with on_request = true. An eigenvalue below -1e-10 gives NaN
/// for the axis features that use it, as in PyRadiomics. Throws std::invalid_argument for an
/// empty shape mask.
Features ComputeShape(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
