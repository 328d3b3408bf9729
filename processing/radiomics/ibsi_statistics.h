#pragma once
/// IBSI intensity-based statistics (family UHIW) that PyRadiomics' first-order class lacks
/// or defines differently, plus the descriptive statistics the IBSI intensity-histogram
/// family shares with it.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

#include <vector>

namespace radnode::processing::radiomics {

/// Descriptive statistics of a sample with the IBSI 1 definitions: population moments,
/// excess kurtosis, percentiles interpolated linearly between order statistics (numpy's
/// default, as PyRadiomics), robust MAD over [P10, P90], MAD about the median.
struct IbsiDescriptive {
    double mean = 0.0;
    double variance = 0.0;
    double skewness = 0.0;
    double excess_kurtosis = 0.0;
    double median = 0.0;
    double minimum = 0.0;
    double p10 = 0.0;
    double p25 = 0.0;
    double p75 = 0.0;
    double p90 = 0.0;
    double maximum = 0.0;
    double mean_absolute_deviation = 0.0;
    double robust_mean_absolute_deviation = 0.0;
    double median_absolute_deviation = 0.0;
    double coefficient_of_variation = 0.0;
    double quartile_coefficient_of_dispersion = 0.0;
};

/// Statistics of `values` (taken by value: it is sorted). An empty sample gives zeros.
IbsiDescriptive Describe(std::vector<double> values);

/// Linear-interpolated percentile (0..100) of an ascending, non-empty sample.
double PercentileOfSorted(const std::vector<double>& sorted, double percent);

/// "statistics_MedianAbsoluteDeviation" (N72L), "statistics_CoefficientOfVariation" (7TET),
/// "statistics_QuartileCoefficientOfDispersion" (9S40) and "statistics_ExcessKurtosis" (IPH6,
/// PyRadiomics' Kurtosis minus 3) of the raw intensities in the intensity mask.
Features ComputeIbsiStatistics(const Region& region, const Settings& settings);

} // namespace radnode::processing::radiomics
