#pragma once
/// 3D shape features, as PyRadiomics' RadiomicsShape computes them (IBSI family Morphology,
/// HCUG): a marching-cubes mesh of the morphological mask with vertices halfway between
/// voxel centres, and a PCA of the voxel centres.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

#include <array>
#include <vector>

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
/// In IBSI mode (settings.ibsi_compliant) voxel volume, compactness 1/2 and spherical
/// disproportion are left to ComputeIbsiMorphology (not returned), the 2D diameters (no IBSI
/// definition) are on request, and the axis lengths use the sample (N - 1) covariance.
Features ComputeShape(const Region& region, const Settings& settings);

/// The marching-cubes surface ComputeShape measures, for the IBSI morphology features that
/// need more of it than volume and area (bounding boxes, convex hull).
struct ShapeMesh {
    double volume = 0.0; ///< mm^3 enclosed (positive)
    double area = 0.0;   ///< mm^2
    /// Every mesh vertex once, in mm as (x, y, z), with the centre of the region box's first
    /// voxel at the origin.
    std::vector<std::array<double, 3>> vertices;
};

/// The mesh of `region.shape_mask` with `region.spacing`. Throws std::invalid_argument for an
/// empty shape mask.
ShapeMesh ComputeShapeMesh(const Region& region);

} // namespace radnode::processing::radiomics
