#include "processing/radiomics/intensity_histogram.h"

#include "processing/radiomics/ibsi_statistics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace radnode::processing::radiomics {

Features ComputeIntensityHistogram(const Region& region, const Settings& /*settings*/) {
    std::vector<double> levels;
    levels.reserve(region.voxels.size());
    const auto ng = static_cast<std::size_t>(std::max<std::int32_t>(region.max_gray_level, 1));
    std::vector<double> histogram(ng, 0.0);
    for (const std::uint32_t v : region.voxels) {
        levels.push_back(region.gray[v]);
        histogram[static_cast<std::size_t>(region.gray[v] - 1)] += 1.0;
    }
    const auto n = static_cast<double>(levels.size());
    const IbsiDescriptive d = Describe(std::move(levels));

    // Mode: the most frequent level; ties go to the lowest level.
    std::size_t mode = 0;
    double entropy = 0.0;
    double uniformity = 0.0;
    for (std::size_t i = 0; i < ng; ++i) {
        if (histogram[i] > histogram[mode])
            mode = i;
        if (histogram[i] > 0.0 && n > 0.0) {
            const double p = histogram[i] / n;
            entropy -= p * std::log2(p);
            uniformity += p * p;
        }
    }
    // Histogram gradient: one-sided at the ends, central differences inside.
    std::vector<double> gradient(ng, 0.0);
    if (ng > 1)
        for (std::size_t i = 0; i < ng; ++i) {
            if (i == 0)
                gradient[i] = histogram[1] - histogram[0];
            else if (i == ng - 1)
                gradient[i] = histogram[i] - histogram[i - 1];
            else
                gradient[i] = (histogram[i + 1] - histogram[i - 1]) / 2.0;
        }
    const auto max_it = std::max_element(gradient.begin(), gradient.end());
    const auto min_it = std::min_element(gradient.begin(), gradient.end());

    return {
        Feature{"intensityhistogram_Mean", d.mean, "X6K6", false},
        Feature{"intensityhistogram_Variance", d.variance, "CH89", false},
        Feature{"intensityhistogram_Skewness", d.skewness, "88K1", false},
        Feature{"intensityhistogram_ExcessKurtosis", d.excess_kurtosis, "C3I7", false},
        Feature{"intensityhistogram_Median", d.median, "WIFQ", false},
        Feature{"intensityhistogram_Minimum", d.minimum, "1PR8", false},
        Feature{"intensityhistogram_10Percentile", d.p10, "GPMT", false},
        Feature{"intensityhistogram_90Percentile", d.p90, "OZ0C", false},
        Feature{"intensityhistogram_Maximum", d.maximum, "3NCY", false},
        Feature{"intensityhistogram_Mode", static_cast<double>(mode + 1), "AMMC", false},
        Feature{"intensityhistogram_InterquartileRange", d.p75 - d.p25, "WR0O", false},
        Feature{"intensityhistogram_Range", d.maximum - d.minimum, "5Z3W", false},
        Feature{"intensityhistogram_MeanAbsoluteDeviation", d.mean_absolute_deviation, "D2ZX", false},
        Feature{"intensityhistogram_RobustMeanAbsoluteDeviation", d.robust_mean_absolute_deviation, "WRZB", false},
        Feature{"intensityhistogram_MedianAbsoluteDeviation", d.median_absolute_deviation, "4RNL", false},
        Feature{"intensityhistogram_CoefficientOfVariation", d.coefficient_of_variation, "CWYJ", false},
        Feature{"intensityhistogram_QuartileCoefficientOfDispersion", d.quartile_coefficient_of_dispersion, "SLWD",
                false},
        Feature{"intensityhistogram_Entropy", entropy, "TLU2", false},
        Feature{"intensityhistogram_Uniformity", uniformity, "BJ5W", false},
        Feature{"intensityhistogram_MaximumHistogramGradient", *max_it, "12CE", false},
        Feature{"intensityhistogram_MaximumHistogramGradientIntensity",
                static_cast<double>(max_it - gradient.begin() + 1), "8E6O", false},
        Feature{"intensityhistogram_MinimumHistogramGradient", *min_it, "VQB3", false},
        Feature{"intensityhistogram_MinimumHistogramGradientIntensity",
                static_cast<double>(min_it - gradient.begin() + 1), "RHQZ", false},
    };
}

namespace {

/// IBSI discretises the IVH on its own, apart from texture and intensity histogram: a bin
/// width from the discretisation minimum (re-segmentation lower bound, else the ROI minimum),
/// reported as bin centres; a bin count, reported as bin numbers; or neither, the intensities
/// rounded to integers (e.g. HU) as levels. gray_levels then only give the IVH's lowest and
/// highest level.
Region IvhRegion(const Region& region, const Settings& settings) {
    Region ivh;
    ivh.size = region.size;
    ivh.spacing = region.spacing;
    ivh.image = region.image;
    ivh.voxels = region.voxels;
    if (!settings.ivh_bin_width && !settings.ivh_bin_count) {
        ivh.gray.assign(region.BoxVoxelCount(), 0);
        for (const std::uint32_t v : ivh.voxels) {
            ivh.gray[v] = static_cast<std::int32_t>(std::lround(ivh.image[v]));
            ivh.gray_levels.push_back(ivh.gray[v]);
        }
        std::sort(ivh.gray_levels.begin(), ivh.gray_levels.end());
        ivh.gray_levels.erase(std::unique(ivh.gray_levels.begin(), ivh.gray_levels.end()), ivh.gray_levels.end());
        ivh.max_gray_level = ivh.gray_levels.empty() ? 0 : ivh.gray_levels.back();
        return ivh;
    }
    Settings s = settings;
    s.bin_count = settings.ivh_bin_count;
    if (settings.ivh_bin_width)
        s.bin_width = *settings.ivh_bin_width;
    if (!s.ibsi_discretisation_minimum && settings.resegment_range && !settings.resegment_range->empty())
        s.ibsi_discretisation_minimum =
            *std::min_element(settings.resegment_range->begin(), settings.resegment_range->end());
    Discretise(ivh, s);
    if (settings.ivh_bin_count) {
        ivh.bin_edges.clear();
    } else if (settings.resegment_range && settings.resegment_range->size() == 2 && !ivh.bin_edges.empty()) {
        // With a bin width the intensity fractions span the re-segmentation range, not the
        // ROI's: its bounds' bins are the lowest and highest level (IBSI config C).
        const double width = *settings.ivh_bin_width;
        const double origin = ivh.bin_edges.front();
        const auto [lower, upper] =
            std::minmax((*settings.resegment_range)[0], (*settings.resegment_range)[1]);
        for (const double bound : {lower, upper})
            ivh.gray_levels.push_back(static_cast<std::int32_t>(std::floor((bound - origin) / width)) + 1);
        std::sort(ivh.gray_levels.begin(), ivh.gray_levels.end());
        ivh.gray_levels.erase(std::unique(ivh.gray_levels.begin(), ivh.gray_levels.end()), ivh.gray_levels.end());
    }
    return ivh;
}

} // namespace

Features ComputeIntensityVolumeHistogram(const Region& given, const Settings& settings) {
    // Outside IBSI mode the region's levels are used as given (a region prepared for the IVH).
    const Region ivh = settings.ibsi_compliant ? IvhRegion(given, settings) : Region{};
    const Region& region = settings.ibsi_compliant ? ivh : given;
    std::int32_t lowest = 0;
    std::int32_t highest = 0;
    if (!region.gray_levels.empty()) {
        lowest = region.gray_levels.front();
        highest = region.gray_levels.back();
    }
    const auto span = static_cast<std::size_t>(highest - lowest + 1);
    // at_least[i]: fraction of ROI voxels whose level is >= lowest + i (the IVH nu).
    std::vector<double> at_least(span + 1, 0.0);
    for (const std::uint32_t v : region.voxels)
        at_least[static_cast<std::size_t>(region.gray[v] - lowest)] += 1.0;
    const auto n = static_cast<double>(region.voxels.size());
    for (std::size_t i = span; i-- > 0;)
        at_least[i] += at_least[i + 1];
    if (n > 0.0)
        for (double& f : at_least)
            f /= n;

    const auto intensity_of = [&](std::size_t i) {
        const double level = static_cast<double>(lowest) + static_cast<double>(i);
        if (region.bin_edges.size() >= 2) {
            const double width = region.bin_edges[1] - region.bin_edges[0];
            return region.bin_edges[0] + (level - 1.0) * width + width / 2.0;
        }
        return level;
    };
    const auto volume_at = [&](double fraction) {
        // Smallest level whose intensity fraction reaches `fraction`.
        if (span == 1)
            return at_least[0];
        for (std::size_t i = 0; i < span; ++i)
            if (static_cast<double>(i) / static_cast<double>(span - 1) >= fraction - 1e-12)
                return at_least[i];
        return 0.0;
    };
    const auto intensity_at = [&](double fraction) {
        // Lowest intensity whose volume fraction does not exceed `fraction`; one level above
        // the highest when even the highest level holds more.
        for (std::size_t i = 0; i <= span; ++i)
            if (at_least[i] <= fraction + 1e-12)
                return intensity_of(i);
        return intensity_of(span);
    };
    const double v10 = volume_at(0.10);
    const double v90 = volume_at(0.90);
    const double i10 = intensity_at(0.10);
    const double i90 = intensity_at(0.90);
    return {
        Feature{"ivh_VolumeAtIntensityFraction10", v10, "BC2M", false},
        Feature{"ivh_VolumeAtIntensityFraction90", v90, "BC2M", false},
        Feature{"ivh_IntensityAtVolumeFraction10", i10, "GBPN", false},
        Feature{"ivh_IntensityAtVolumeFraction90", i90, "GBPN", false},
        Feature{"ivh_VolumeFractionDifference10To90", v10 - v90, "DDTU", false},
        Feature{"ivh_IntensityDifference10To90", i10 - i90, "CNV2", false},
    };
}

} // namespace radnode::processing::radiomics
