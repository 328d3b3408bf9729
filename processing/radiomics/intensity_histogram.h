#pragma once
/// IBSI intensity histogram (family ZVCW) and intensity-volume histogram (family P88C),
/// both computed on the discretised grey levels of the intensity mask.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

namespace radnode::processing::radiomics {

/// The 23 IBSI intensity-histogram features ("intensityhistogram_Mean", ...,
/// "intensityhistogram_MinimumHistogramGradientIntensity") of `region.gray` inside the
/// intensity mask; the histogram spans levels 1..max_gray_level. Kurtosis is excess kurtosis.
Features ComputeIntensityHistogram(const Region& region, const Settings& settings);

/// IBSI intensity-volume histogram features at 10 % and 90 % ("ivh_VolumeAtIntensityFraction10",
/// "ivh_IntensityAtVolumeFraction90", the two differences). Intensities are the discretised
/// levels, from the lowest to the highest ROI level including empty ones; the intensity
/// fraction is (level - lowest) / (highest - lowest). Intensities are reported as levels,
/// or as bin centres when `region.bin_edges` holds the edges.
/// In IBSI mode (settings.ibsi_compliant) the IVH has its own discretisation of the ROI
/// intensities, as IBSI defines it: settings.ivh_bin_width (bin centres from
/// ibsi_discretisation_minimum, else the re-segmentation lower bound, else the ROI minimum),
/// settings.ivh_bin_count (bin numbers), or neither (intensities rounded to integers);
/// region.gray is then not used.
Features ComputeIntensityVolumeHistogram(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
