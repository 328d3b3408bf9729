#pragma once
/// IBSI local intensity features (family 9ST6): the mean intensity in a 1 cm^3 sphere
/// around ROI voxels. PyRadiomics has no such class.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"
#include "processing/volume.h"

namespace radnode::processing::radiomics {

/// "localintensity_LocalPeak" (VJGA) and "localintensity_GlobalPeak" (0F91). The sphere has a
/// volume of 1 cm^3 (radius 6.2035 mm) and takes every voxel of `full_image` whose centre lies
/// within it, inside the ROI or not. The local peak is taken around the ROI voxel(s) of highest
/// intensity (the largest mean when several tie), the global peak is the largest mean over all
/// ROI voxels. `full_image` is the image the region was cut from (region.box_origin indexes it)
/// with region.spacing.
Features ComputeLocalIntensity(const Region& region, const Volume<double>& full_image, const Settings& settings);

} // namespace radnode::processing::radiomics
