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
std::string IbsiPreprocess(const Volume<double>& image, const Volume<std::int32_t>& mask, const Settings& settings,
                           Region& region, std::vector<std::pair<std::string, std::string>>* diagnostics = nullptr);

} // namespace radnode::processing::radiomics
