#pragma once
/// IBSI 1 image processing for IBSI mode (settings.ibsi_compliant): interpolation on a grid
/// centred on the original one, intensity rounding, mask interpolation with a partial-volume
/// threshold, range re-segmentation and outlier filtering, then the Region with IBSI
/// discretisation. PyRadiomics mode uses preprocess.h instead.

#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"
#include "processing/volume.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {

/// Runs the IBSI chain on `image` and the label `settings.label` of `mask` and builds the
/// Region (mask = re-segmented intensity mask, shape_mask = interpolated morphological mask).
/// Returns an error text (empty on success). When `diagnostics` is given, appends IBSI's
/// diagnostic quantities (interpolated image size/spacing, intensity mean/min/max, ROI voxel
/// counts and bounding boxes after interpolation and re-segmentation) as name/value text.
/// The names are the tags of IBSI's diagnostic table (e.g. "img_dim_x_interp_img",
/// "int_mask_vox_count_reseg_roi"), for the steps init_img, interp_img, init_roi, interp_roi
/// and reseg_roi; dimensions count voxels along x, y, z.
/// When `interpolated_image` is given, it receives the whole interpolated (and rounded) image,
/// the grid region.box_origin indexes, for local intensity features (ComputeLocalIntensity);
/// without interpolation it is a copy of `image`.
///
/// Interpolation runs when settings.resampled_pixel_spacing differs from the image spacing
/// (a 0 component keeps that axis): image with settings.interpolator (Linear = trilinear,
/// BSpline = cubic B-spline, Nearest), morphological mask always trilinear, both with
/// nearest-edge extrapolation, on a grid of ceil(extent / spacing) voxels centred on the
/// original grid. settings.resegment_range (with resegment_mode) and ibsi_outlier_sigma
/// (mean ± k SD of the interpolated ROI, population SD) are intersected. Fixed-bin-size
/// discretisation is anchored at the range's lower bound unless
/// settings.ibsi_discretisation_minimum is set.
std::string IbsiPreprocess(const Volume<double>& image, const Volume<std::int32_t>& mask, const Settings& settings,
                           Region& region, std::vector<std::pair<std::string, std::string>>* diagnostics = nullptr,
                           Volume<double>* interpolated_image = nullptr);

} // namespace radnode::processing::radiomics
