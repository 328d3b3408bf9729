#pragma once
/// IBSI morphology features (family HCUG) that PyRadiomics' shape class lacks. The mesh is
/// shape.h's marching-cubes surface of the morphological mask (ComputeShapeMesh), the same
/// one shape_MeshVolume and shape_SurfaceArea are measured on.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

namespace radnode::processing::radiomics {

/// "morphology_VolumeVoxelCounting" (YEKZ), "morphology_Compactness1" (SKGS),
/// "morphology_Compactness2" (BQWJ), "morphology_SphericalDisproportion" (KRCK),
/// "morphology_Asphericity" (25C7), "morphology_CentreOfMassShift" (KLMA),
/// "morphology_VolumeDensityAABB" (PBX1), "morphology_AreaDensityAABB" (R59B),
/// "morphology_VolumeDensityAEE" (6BDE), "morphology_AreaDensityAEE" (RDD2),
/// "morphology_VolumeDensityConvexHull" (R3ER), "morphology_AreaDensityConvexHull" (7T7F),
/// "morphology_IntegratedIntensity" (99N0), "morphology_MoransI" (N365) and
/// "morphology_GearysC" (NPT7). Shape features use `shape_mask`, intensity features `mask`.
/// The enclosing ellipsoid's semi-axes are 2 sqrt(lambda) of the voxel-centre covariance
/// (N - 1 normalisation). Moran's I and Geary's C are exact: summed pair by pair up to 4,000
/// ROI voxels, by correlation in Fourier space above (the weight depends only on the offset).
/// Only a ROI whose zero-padded box exceeds 2^23 voxels falls back to an evenly strided
/// subset of about 10,000 voxels, as IBSI permits.
/// OMBB and MVEE densities are not computed (IBSI gives no reference for them).
/// Returns an empty list for an empty shape mask.
Features ComputeIbsiMorphology(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
