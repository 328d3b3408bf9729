#include "processing/radiomics/firstorder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

/// Order statistics of the ROI values, found by selection instead of a full sort: only a
/// handful of ranks is ever needed.
class RankSelector {
public:
    explicit RankSelector(std::vector<double> values) : values_(std::move(values)) {}

    /// Values at the given ranks (ascending, unique), in the same order. Multi-selection: the
    /// middle rank splits the values, each side's ranks are selected within it, so the work
    /// grows with the logarithm of the number of ranks rather than with it.
    std::vector<double> Select(const std::vector<std::size_t>& ranks) {
        std::vector<double> out(ranks.size());
        SelectRange(ranks, 0, ranks.size(), 0, values_.size(), out);
        return out;
    }

private:
    /// Fills out[r] for ranks[r_lo, r_hi), all of which lie in values_[lo, hi).
    void SelectRange(const std::vector<std::size_t>& ranks, std::size_t r_lo, std::size_t r_hi, std::size_t lo,
                     std::size_t hi, std::vector<double>& out) {
        if (r_lo >= r_hi)
            return;
        const std::size_t middle = r_lo + (r_hi - r_lo) / 2;
        const std::size_t rank = ranks[middle];
        const auto begin = values_.begin();
        if (rank == lo) { // the smallest of the range: one pass
            const auto smallest = std::min_element(begin + static_cast<std::ptrdiff_t>(lo),
                                                   begin + static_cast<std::ptrdiff_t>(hi));
            std::iter_swap(begin + static_cast<std::ptrdiff_t>(lo), smallest);
        } else if (rank + 1 == hi) { // the largest
            const auto largest = std::max_element(begin + static_cast<std::ptrdiff_t>(lo),
                                                  begin + static_cast<std::ptrdiff_t>(hi));
            std::iter_swap(begin + static_cast<std::ptrdiff_t>(rank), largest);
        } else {
            std::nth_element(begin + static_cast<std::ptrdiff_t>(lo), begin + static_cast<std::ptrdiff_t>(rank),
                             begin + static_cast<std::ptrdiff_t>(hi));
        }
        out[middle] = values_[rank];
        SelectRange(ranks, r_lo, middle, lo, rank, out);
        SelectRange(ranks, middle + 1, r_hi, rank + 1, hi, out);
    }

    std::vector<double> values_;
};

/// numpy.percentile's default 'linear' method: virtual index q/100 * (n - 1), interpolated
/// with numpy's two-sided lerp so the result matches numpy to the last bit.
struct PercentilePlan {
    std::size_t below = 0;
    std::size_t above = 0;
    double gamma = 0.0;
};

PercentilePlan PlanPercentile(double q, std::size_t n) {
    const double fraction = q / 100.0;
    const double virtual_index = static_cast<double>(n - 1) * fraction;
    const double below = std::floor(virtual_index);
    PercentilePlan plan;
    plan.below = static_cast<std::size_t>(below);
    plan.above = std::min(plan.below + 1, n - 1);
    plan.gamma = virtual_index - below;
    return plan;
}

double Lerp(double a, double b, double t) {
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

} // namespace

Features ComputeFirstOrder(const Region& region, const Settings& settings) {
    const std::size_t n = region.voxels.size();
    if (n == 0)
        throw std::invalid_argument("first order features need at least one ROI voxel");
    // IBSI energy and RMS are of the intensities themselves: voxelArrayShift is PyRadiomics'.
    const double shift = settings.ibsi_compliant ? 0.0 : settings.voxel_array_shift;
    const auto count = static_cast<double>(n);

    std::vector<double> values(n);
    double sum = 0.0;
    double energy = 0.0;
    double minimum = std::numeric_limits<double>::infinity();
    double maximum = -minimum;
    std::vector<std::uint32_t> level_counts(static_cast<std::size_t>(std::max(region.max_gray_level, 0)) + 1, 0);
    for (std::size_t v = 0; v < n; ++v) {
        const std::uint32_t b = region.voxels[v];
        const double x = region.image[b];
        values[v] = x;
        sum += x;
        const double shifted = x + shift;
        energy += shifted * shifted;
        minimum = std::min(minimum, x);
        maximum = std::max(maximum, x);
        const auto level = static_cast<std::size_t>(std::max(region.gray[b], 0));
        if (level >= level_counts.size())
            level_counts.resize(level + 1, 0);
        ++level_counts[level];
    }
    const double mean = sum / count;

    // Central moments about the mean, as PyRadiomics' _moment (mean of (x - mean)^k).
    double m2 = 0.0;
    double m3 = 0.0;
    double m4 = 0.0;
    double absolute_deviation = 0.0;
    for (const double x : values) {
        const double d = x - mean;
        const double d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
        absolute_deviation += std::abs(d);
    }
    m2 /= count;
    m3 /= count;
    m4 /= count;
    absolute_deviation /= count;

    // Histogram of the discretised levels (numpy.unique counts: only present levels).
    double entropy = 0.0;
    double uniformity = 0.0;
    constexpr double kEps = std::numeric_limits<double>::epsilon(); // numpy.spacing(1)
    for (const std::uint32_t c : level_counts) {
        if (c == 0)
            continue;
        const double p = static_cast<double>(c) / count;
        entropy -= p * std::log2(p + kEps);
        uniformity += p * p;
    }

    // Order statistics: percentiles 10, 25, 75, 90 and the median.
    const std::array<double, 4> quantiles{10.0, 25.0, 75.0, 90.0};
    std::array<PercentilePlan, 4> plans{};
    std::vector<std::size_t> ranks;
    for (std::size_t i = 0; i < quantiles.size(); ++i) {
        plans[i] = PlanPercentile(quantiles[i], n);
        ranks.push_back(plans[i].below);
        ranks.push_back(plans[i].above);
    }
    const std::size_t median_high = n / 2;
    const std::size_t median_low = n % 2 == 0 ? median_high - 1 : median_high;
    ranks.push_back(median_low);
    ranks.push_back(median_high);
    std::sort(ranks.begin(), ranks.end());
    ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
    std::vector<double> scratch = values;
    RankSelector selector(std::move(scratch));
    const std::vector<double> ranked = selector.Select(ranks);
    const auto at_rank = [&](std::size_t rank) {
        return ranked[static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), rank) - ranks.begin())];
    };
    std::array<double, 4> percentile{};
    for (std::size_t i = 0; i < plans.size(); ++i)
        percentile[i] = Lerp(at_rank(plans[i].below), at_rank(plans[i].above), plans[i].gamma);
    const double median = (at_rank(median_low) + at_rank(median_high)) / 2.0;
    const double p10 = percentile[0];
    const double p90 = percentile[3];

    // Robust MAD over the closed interval [P10, P90].
    double robust_sum = 0.0;
    std::size_t robust_count = 0;
    for (const double x : values)
        if (!(x < p10) && !(x > p90)) {
            robust_sum += x;
            ++robust_count;
        }
    double robust_deviation = std::numeric_limits<double>::quiet_NaN();
    if (robust_count > 0) {
        const double robust_mean = robust_sum / static_cast<double>(robust_count);
        double acc = 0.0;
        for (const double x : values)
            if (!(x < p10) && !(x > p90))
                acc += std::abs(x - robust_mean);
        robust_deviation = acc / static_cast<double>(robust_count);
    }

    const double voxel_volume = region.spacing[0] * region.spacing[1] * region.spacing[2];
    const double standard_deviation = std::sqrt(m2);
    // A flat region has m2 = 0; PyRadiomics then divides by 1 instead, giving 0.
    const double moment_scale = m2 == 0.0 ? 1.0 : m2;

    if (settings.ibsi_compliant) {
        // IBSI statistics (UHIW), each reported once: excess kurtosis comes from
        // ibsi_statistics (IPH6), histogram entropy and uniformity from intensity_histogram
        // (TLU2, BJ5W, on the IBSI discretisation and without eps). StandardDeviation and
        // TotalEnergy have no IBSI definition: on request only, without code.
        return {
            {"firstorder_10Percentile", p10, "QG58", false},
            {"firstorder_90Percentile", p90, "8DWT", false},
            {"firstorder_Energy", energy, "N8CA", false},
            {"firstorder_InterquartileRange", percentile[2] - percentile[1], "SALO", false},
            {"firstorder_Maximum", maximum, "84IY", false},
            {"firstorder_MeanAbsoluteDeviation", absolute_deviation, "4FUA", false},
            {"firstorder_Mean", mean, "Q4LE", false},
            {"firstorder_Median", median, "Y12H", false},
            {"firstorder_Minimum", minimum, "1GSF", false},
            {"firstorder_Range", maximum - minimum, "2OJQ", false},
            {"firstorder_RobustMeanAbsoluteDeviation", robust_deviation, "1128", false},
            {"firstorder_RootMeanSquared", std::sqrt(energy / count), "5ZWQ", false},
            {"firstorder_Skewness", m3 / std::pow(moment_scale, 1.5), "KE2A", false},
            {"firstorder_StandardDeviation", standard_deviation, "", true},
            {"firstorder_TotalEnergy", energy * voxel_volume, "", true},
            {"firstorder_Variance", standard_deviation * standard_deviation, "ECT3", false},
        };
    }
    return {
        {"firstorder_10Percentile", p10, "QG58", false},
        {"firstorder_90Percentile", p90, "8DWT", false},
        {"firstorder_Energy", energy, "N8CA", false},
        {"firstorder_Entropy", entropy, "TLU2", false},
        {"firstorder_InterquartileRange", percentile[2] - percentile[1], "SALO", false},
        {"firstorder_Kurtosis", m4 / (moment_scale * moment_scale), "IPH6", false},
        {"firstorder_Maximum", maximum, "84IY", false},
        {"firstorder_MeanAbsoluteDeviation", absolute_deviation, "4FUA", false},
        {"firstorder_Mean", mean, "Q4LE", false},
        {"firstorder_Median", median, "Y12H", false},
        {"firstorder_Minimum", minimum, "1GSF", false},
        {"firstorder_Range", maximum - minimum, "2OJQ", false},
        {"firstorder_RobustMeanAbsoluteDeviation", robust_deviation, "1128", false},
        {"firstorder_RootMeanSquared", std::sqrt(energy / count), "5ZWQ", false},
        {"firstorder_Skewness", m3 / std::pow(moment_scale, 1.5), "KE2A", false},
        {"firstorder_StandardDeviation", standard_deviation, "", true},
        {"firstorder_TotalEnergy", energy * voxel_volume, "", false},
        {"firstorder_Uniformity", uniformity, "BJ5W", false},
        {"firstorder_Variance", standard_deviation * standard_deviation, "ECT3", false},
    };
}

} // namespace radnode::processing::radiomics
