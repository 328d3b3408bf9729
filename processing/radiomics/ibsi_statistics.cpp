#include "processing/radiomics/ibsi_statistics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace radnode::processing::radiomics {

double PercentileOfSorted(const std::vector<double>& sorted, double percent) {
    const double position = percent / 100.0 * static_cast<double>(sorted.size() - 1);
    const auto lower = static_cast<std::size_t>(std::floor(position));
    const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(lower);
    return sorted[lower] + fraction * (sorted[upper] - sorted[lower]);
}

IbsiDescriptive Describe(std::vector<double> values) {
    IbsiDescriptive d;
    if (values.empty())
        return d;
    std::sort(values.begin(), values.end());
    const auto n = static_cast<double>(values.size());
    double sum = 0.0;
    for (const double x : values)
        sum += x;
    d.mean = sum / n;
    double m2 = 0.0;
    double m3 = 0.0;
    double m4 = 0.0;
    double mad = 0.0;
    for (const double x : values) {
        const double e = x - d.mean;
        m2 += e * e;
        m3 += e * e * e;
        m4 += e * e * e * e;
        mad += std::abs(e);
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    d.variance = m2;
    // A constant sample has no defined shape; IBSI implementations report 0.
    d.skewness = m2 > 0.0 ? m3 / std::pow(m2, 1.5) : 0.0;
    d.excess_kurtosis = m2 > 0.0 ? m4 / (m2 * m2) - 3.0 : 0.0;
    d.mean_absolute_deviation = mad / n;
    d.minimum = values.front();
    d.maximum = values.back();
    d.median = PercentileOfSorted(values, 50.0);
    d.p10 = PercentileOfSorted(values, 10.0);
    d.p25 = PercentileOfSorted(values, 25.0);
    d.p75 = PercentileOfSorted(values, 75.0);
    d.p90 = PercentileOfSorted(values, 90.0);
    double robust_sum = 0.0;
    double robust_n = 0.0;
    for (const double x : values)
        if (x >= d.p10 && x <= d.p90) {
            robust_sum += x;
            robust_n += 1.0;
        }
    const double robust_mean = robust_sum / robust_n;
    double robust_mad = 0.0;
    double median_ad = 0.0;
    for (const double x : values) {
        if (x >= d.p10 && x <= d.p90)
            robust_mad += std::abs(x - robust_mean);
        median_ad += std::abs(x - d.median);
    }
    d.robust_mean_absolute_deviation = robust_mad / robust_n;
    d.median_absolute_deviation = median_ad / n;
    d.coefficient_of_variation = d.mean != 0.0 ? std::sqrt(d.variance) / d.mean : 0.0;
    const double quartile_sum = d.p75 + d.p25;
    d.quartile_coefficient_of_dispersion = quartile_sum != 0.0 ? (d.p75 - d.p25) / quartile_sum : 0.0;
    return d;
}

Features ComputeIbsiStatistics(const Region& region, const Settings& /*settings*/) {
    std::vector<double> values;
    values.reserve(region.voxels.size());
    for (const std::uint32_t v : region.voxels)
        values.push_back(region.image[v]);
    const IbsiDescriptive d = Describe(std::move(values));
    return {
        Feature{"statistics_MedianAbsoluteDeviation", d.median_absolute_deviation, "N72L", false},
        Feature{"statistics_CoefficientOfVariation", d.coefficient_of_variation, "7TET", false},
        Feature{"statistics_QuartileCoefficientOfDispersion", d.quartile_coefficient_of_dispersion, "9S40", false},
        Feature{"statistics_ExcessKurtosis", d.excess_kurtosis, "IPH6", false},
    };
}

} // namespace radnode::processing::radiomics
