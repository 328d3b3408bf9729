#include "processing/radiomics/glrlm.h"

#include "processing/radiomics/texture_grid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace radnode::processing::radiomics {
namespace {

/// numpy.spacing(1), PyRadiomics' eps.
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum Index : std::size_t {
    kGrayLevelNonUniformity,
    kGrayLevelNonUniformityNormalized,
    kGrayLevelVariance,
    kHighGrayLevelRunEmphasis,
    kLongRunEmphasis,
    kLongRunHighGrayLevelEmphasis,
    kLongRunLowGrayLevelEmphasis,
    kLowGrayLevelRunEmphasis,
    kRunEntropy,
    kRunLengthNonUniformity,
    kRunLengthNonUniformityNormalized,
    kRunPercentage,
    kRunVariance,
    kShortRunEmphasis,
    kShortRunHighGrayLevelEmphasis,
    kShortRunLowGrayLevelEmphasis,
    kCount
};

struct Info {
    std::string_view name;
    std::string_view ibsi;
};

// PyRadiomics enumerates features with inspect.getmembers, i.e. sorted by method name.
constexpr std::array<Info, kCount> kInfo{{
    {"glrlm_GrayLevelNonUniformity", "R5YN"},
    {"glrlm_GrayLevelNonUniformityNormalized", "OVBL"},
    {"glrlm_GrayLevelVariance", "8CE5"},
    {"glrlm_HighGrayLevelRunEmphasis", "G3QZ"},
    {"glrlm_LongRunEmphasis", "W4KF"},
    {"glrlm_LongRunHighGrayLevelEmphasis", "3KUM"},
    {"glrlm_LongRunLowGrayLevelEmphasis", "IVPO"},
    {"glrlm_LowGrayLevelRunEmphasis", "V3SW"},
    {"glrlm_RunEntropy", "HJ9O"},
    {"glrlm_RunLengthNonUniformity", "W92Y"},
    {"glrlm_RunLengthNonUniformityNormalized", "IC23"},
    {"glrlm_RunPercentage", "9ZK5"},
    {"glrlm_RunVariance", "SXLW"},
    {"glrlm_ShortRunEmphasis", "22OV"},
    {"glrlm_ShortRunHighGrayLevelEmphasis", "GD3A"},
    {"glrlm_ShortRunLowGrayLevelEmphasis", "HTZT"},
}};

/// The shared direction plan, plus whether cmatrices.c's drop of directions without
/// multi-voxel lines applies (PyRadiomics mode).
struct Plan : DirectionPlan {
    bool pyradiomics = true;
};

/// PyRadiomics' GLRLM weight: the norm of the angle scaled by the spacing (not squared,
/// not exponentiated, unlike the GLCM's).
double GlrlmWeight(const Offset& a, const std::array<double, 3>& spacing, WeightingNorm norm) {
    const std::array<double, 3> d = ScaledOffset(a, spacing);
    switch (norm) {
    case WeightingNorm::Infinity:
        return std::max({d[0], d[1], d[2]});
    case WeightingNorm::Euclidean:
        return std::sqrt(d[2] * d[2] + d[1] * d[1] + d[0] * d[0]);
    case WeightingNorm::Manhattan:
        return d[2] + d[1] + d[0];
    case WeightingNorm::None:
    case WeightingNorm::NoWeighting:
        break;
    }
    return 1.0;
}

Plan MakePlan(const Region& region, const Settings& settings) {
    // PyRadiomics builds GLRLM angles with distance 1 whatever `distances` says.
    return Plan{MakeDirectionPlan(region, settings, {1},
                                  [&](const Offset& a) { return GlrlmWeight(a, region.spacing, settings.weighting_norm); }),
                !settings.ibsi_compliant};
}

/// A stack of run-length matrices (levels x run lengths) whose length axis grows with the
/// longest run seen, so memory follows the data rather than the box size.
class RunMatrices {
public:
    RunMatrices(std::size_t matrices, std::size_t levels)
        : matrices_(matrices), levels_(levels), values_(matrices * levels * cap_, 0.0) {}

    void Add(std::size_t m, std::size_t level, std::size_t length, double weight) {
        if (length > cap_)
            Grow(length);
        values_[(m * levels_ + level) * cap_ + length - 1] += weight;
        max_length_ = std::max(max_length_, length);
    }
    void Clear(std::size_t m) {
        std::fill_n(values_.begin() + static_cast<std::ptrdiff_t>(m * levels_ * cap_), levels_ * cap_, 0.0);
    }
    [[nodiscard]] const double* Matrix(std::size_t m) const { return values_.data() + m * levels_ * cap_; }
    [[nodiscard]] double* Matrix(std::size_t m) { return values_.data() + m * levels_ * cap_; }
    [[nodiscard]] std::size_t Stride() const { return cap_; }
    [[nodiscard]] std::size_t MaxLength() const { return max_length_; }

private:
    void Grow(std::size_t length) {
        std::size_t cap = cap_;
        while (cap < length)
            cap *= 2;
        std::vector<double> grown(matrices_ * levels_ * cap, 0.0);
        for (std::size_t row = 0; row < matrices_ * levels_; ++row)
            std::copy_n(values_.begin() + static_cast<std::ptrdiff_t>(row * cap_), max_length_,
                        grown.begin() + static_cast<std::ptrdiff_t>(row * cap));
        values_.swap(grown);
        cap_ = cap;
    }

    std::size_t matrices_;
    std::size_t levels_;
    std::size_t cap_ = 16;
    std::size_t max_length_ = 0;
    std::vector<double> values_;
};

/// Run-length tallies of one angle and slice group before they become a RunMatrices entry:
/// integer counts, levels x lengths, the length axis grown with the longest run.
struct RunTally {
    std::size_t levels = 0;
    std::size_t cap = 16;
    std::size_t max_length = 0;
    std::vector<std::uint32_t> counts;

    explicit RunTally(std::size_t n) : levels(n), counts(n * cap, 0) {}
    void Add(std::size_t level, std::size_t length) {
        if (length > cap) {
            std::size_t grown_cap = cap;
            while (grown_cap < length)
                grown_cap *= 2;
            std::vector<std::uint32_t> grown(levels * grown_cap, 0);
            for (std::size_t row = 0; row < levels; ++row)
                std::copy_n(counts.begin() + static_cast<std::ptrdiff_t>(row * cap), cap,
                            grown.begin() + static_cast<std::ptrdiff_t>(row * grown_cap));
            counts.swap(grown);
            cap = grown_cap;
        }
        ++counts[level * cap + length - 1];
        max_length = std::max(max_length, length);
    }
};

/// The runs of every angle: angle by angle, over the ROI voxels in box order. `Cell` holds a
/// compact level + 1 (0 outside the ROI) in a one-voxel-padded copy of the box, so a run
/// continues while the next cell holds the same value, with no bounds or mask test; the
/// narrowest type that holds the levels keeps the walks in cache.
template <typename Cell>
void TallyRuns(const std::vector<Cell>& cell, const std::vector<std::ptrdiff_t>& position,
               const std::vector<std::uint32_t>& slice_of, const std::vector<std::ptrdiff_t>& padded_delta,
               std::vector<RunTally>& tallies, std::vector<char>& multi_element) {
    const std::size_t na = padded_delta.size();
    const Cell* grid = cell.data();
    for (std::size_t a = 0; a < na; ++a) {
        const std::ptrdiff_t step = padded_delta[a];
        std::size_t longest = 1;
        for (std::size_t e = 0; e < position.size(); ++e) {
            const std::ptrdiff_t p = position[e];
            const Cell g = grid[p];
            if (grid[p - step] == g)
                continue; // not the first voxel of its run
            std::size_t length = 1;
            for (std::ptrdiff_t w = p + step; grid[w] == g; w += step)
                ++length;
            const std::size_t slice = slice_of.empty() ? 0 : slice_of[e];
            tallies[slice * na + a].Add(static_cast<std::size_t>(g) - 1, length);
            longest = std::max(longest, length);
        }
        multi_element[a] = longest > 1 ? 1 : 0;
    }
}

/// The runs of every angle by walking each from its first voxel (any plan).
void TallyRunsWalking(const Region& region, const std::vector<std::int32_t>& level_index,
                      const std::vector<std::ptrdiff_t>& position, const std::vector<std::uint32_t>& slice_of,
                      const std::vector<std::ptrdiff_t>& padded_delta, std::size_t slices, std::size_t n,
                      std::size_t cells, RunMatrices& runs, std::vector<char>& multi_element) {
    const std::size_t na = padded_delta.size();
    std::vector<RunTally> tallies(slices * na, RunTally(n));
    const auto tally = [&](auto zero) {
        using Cell = decltype(zero);
        std::vector<Cell> cell(cells, 0);
        for (std::size_t e = 0; e < region.voxels.size(); ++e)
            cell[static_cast<std::size_t>(position[e])] = static_cast<Cell>(
                level_index[static_cast<std::size_t>(region.gray[region.voxels[e]])] + 1);
        TallyRuns(cell, position, slice_of, padded_delta, tallies, multi_element);
    };
    if (n < 0xFFFF)
        tally(std::uint16_t{0});
    else
        tally(std::int32_t{0});
    for (std::size_t m = 0; m < tallies.size(); ++m) {
        const RunTally& t = tallies[m];
        for (std::size_t level = 0; level < n; ++level)
            for (std::size_t length = 1; length <= t.max_length; ++length)
                if (const std::uint32_t count = t.counts[level * t.cap + length - 1]; count != 0)
                    runs.Add(m, level, length, static_cast<double>(count));
    }
}

/// The runs of every angle in one pass over the ROI voxels in box order, without walking and
/// without data-dependent branches: each angle is oriented so that the predecessor comes
/// earlier in box order, a voxel's position in its run is its predecessor's + 1 (or 1), kept
/// in a rolling window of the last plane and row, and a run is counted at its last voxel.
/// Counts per angle, level (compact index) and length (1 .. `longest`).
std::vector<std::uint32_t> TallyRunsAtTheirEnds(const Region& region, const std::vector<std::int32_t>& level_index,
                                                const std::vector<std::ptrdiff_t>& position,
                                                const std::array<std::ptrdiff_t, 3>& padded,
                                                const std::vector<std::ptrdiff_t>& padded_delta, std::size_t longest) {
    const std::size_t na = padded_delta.size();
    const std::size_t n = region.gray_levels.size();
    std::vector<std::uint16_t> cell(static_cast<std::size_t>(padded[0] * padded[1] * padded[2]), 0);
    for (std::size_t e = 0; e < region.voxels.size(); ++e)
        cell[static_cast<std::size_t>(position[e])] = static_cast<std::uint16_t>(
            level_index[static_cast<std::size_t>(region.gray[region.voxels[e]])] + 1);
    std::vector<std::ptrdiff_t> back(na);
    std::size_t window = 1;
    for (std::size_t a = 0; a < na; ++a) {
        back[a] = padded_delta[a] < 0 ? -padded_delta[a] : padded_delta[a];
        while (window <= static_cast<std::size_t>(back[a]))
            window *= 2;
    }
    const std::size_t mask = window - 1;
    std::vector<std::uint16_t> run_position(na * window, 0);
    std::vector<std::uint32_t> counts(na * n * longest, 0);
    const std::uint16_t* grid = cell.data();
    for (const std::ptrdiff_t p : position) {
        const std::uint16_t g = grid[p];
        const std::size_t row = (static_cast<std::size_t>(g) - 1) * longest;
        const auto here = static_cast<std::size_t>(p) & mask;
        for (std::size_t a = 0; a < na; ++a) {
            const std::ptrdiff_t s = back[a];
            std::uint16_t* positions = run_position.data() + a * window;
            const std::uint16_t before = positions[static_cast<std::size_t>(p - s) & mask];
            const std::uint16_t at = grid[p - s] == g ? static_cast<std::uint16_t>(before + 1) : std::uint16_t{1};
            positions[here] = at;
            counts[a * n * longest + row + at - 1] += grid[p + s] != g ? 1U : 0U;
        }
    }
    return counts;
}

/// Run counts per (slice, angle) over the present gray levels. A run starts at an ROI voxel
/// whose predecessor along the angle is outside the box, outside the ROI or of another
/// level, and extends while the next voxel is in the box, in the ROI and of the same level.
RunMatrices CountRuns(const Region& region, const Plan& plan) {
    const std::size_t n = region.gray_levels.size();
    const std::size_t na = plan.angles.size();
    RunMatrices runs(plan.slices * na, n);
    if (na == 0)
        return runs;
    const std::vector<std::int32_t> level_index = LevelIndex(region);
    const std::array<std::ptrdiff_t, 3> size{static_cast<std::ptrdiff_t>(region.size[0]),
                                             static_cast<std::ptrdiff_t>(region.size[1]),
                                             static_cast<std::ptrdiff_t>(region.size[2])};
    const std::array<std::ptrdiff_t, 3> padded{size[0] + 2, size[1] + 2, size[2] + 2};
    const auto cells = static_cast<std::size_t>(padded[0] * padded[1] * padded[2]);
    std::vector<std::ptrdiff_t> position(region.voxels.size());
    std::vector<std::uint32_t> slice_of(plan.slice_axis < 0 ? 0 : region.voxels.size());
    for (std::size_t e = 0; e < region.voxels.size(); ++e) {
        const auto v = static_cast<std::ptrdiff_t>(region.voxels[e]);
        const std::array<std::ptrdiff_t, 3> c{v % size[0], (v / size[0]) % size[1], v / (size[0] * size[1])};
        position[e] = (c[0] + 1) + padded[0] * ((c[1] + 1) + padded[1] * (c[2] + 1));
        if (plan.slice_axis >= 0)
            slice_of[e] = static_cast<std::uint32_t>(c[static_cast<std::size_t>(plan.slice_axis)]);
    }
    std::vector<std::ptrdiff_t> delta(na), padded_delta(na);
    for (std::size_t a = 0; a < na; ++a) {
        const Offset& o = plan.angles[a];
        delta[a] = o.di + size[0] * (o.dj + size[1] * o.dk);
        padded_delta[a] = o.di + padded[0] * (o.dj + padded[1] * o.dk);
    }
    std::vector<char> multi_element(na, 0);
    // 3D with a modest levels x longest-line tally: every angle in one branch-free pass.
    const auto longest_line = static_cast<std::size_t>(std::max({size[0], size[1], size[2]}));
    if (plan.slice_axis < 0 && n < 0xFFFF && longest_line < 0xFFFF && n * longest_line <= (std::size_t{1} << 22)) {
        const std::vector<std::uint32_t> counts =
            TallyRunsAtTheirEnds(region, level_index, position, padded, padded_delta, longest_line);
        for (std::size_t a = 0; a < na; ++a)
            for (std::size_t level = 0; level < n; ++level)
                for (std::size_t length = 1; length <= longest_line; ++length)
                    if (const std::uint32_t count = counts[(a * n + level) * longest_line + length - 1]; count != 0) {
                        runs.Add(a, level, length, static_cast<double>(count));
                        if (length > 1)
                            multi_element[a] = 1;
                    }
    } else {
        TallyRunsWalking(region, level_index, position, slice_of, padded_delta, plan.slices, n, cells, runs,
                         multi_element);
    }
    if (!plan.pyradiomics)
        return runs;
    // cmatrices.c clears a direction in which no line through the box holds two ROI voxels
    // (it assumes the segmentation is 2D for it). Only directions without any run longer
    // than 1 need the line check. Lines are identified by their first voxel in the box.
    std::vector<std::uint32_t> seen;
    for (std::size_t a = 0; a < na; ++a) {
        if (multi_element[a] != 0)
            continue;
        if (seen.empty())
            seen.assign(region.BoxVoxelCount(), 0);
        const Offset& o = plan.angles[a];
        const std::array<int, 3> step{o.di, o.dj, o.dk};
        const auto marker = static_cast<std::uint32_t>(a + 1);
        for (const std::uint32_t v : region.voxels) {
            const auto vi = static_cast<std::ptrdiff_t>(v);
            const std::array<std::ptrdiff_t, 3> c{vi % size[0], (vi / size[0]) % size[1], vi / (size[0] * size[1])};
            std::ptrdiff_t back = std::numeric_limits<std::ptrdiff_t>::max();
            for (std::size_t d = 0; d < 3; ++d) {
                if (step[d] > 0)
                    back = std::min(back, c[d] / step[d]);
                else if (step[d] < 0)
                    back = std::min(back, (size[d] - 1 - c[d]) / -step[d]);
            }
            const auto start = static_cast<std::size_t>(vi - back * delta[a]);
            if (seen[start] == marker) {
                multi_element[a] = 1;
                break;
            }
            seen[start] = marker;
        }
        if (multi_element[a] == 0)
            for (std::size_t s = 0; s < plan.slices; ++s)
                runs.Clear(s * na + a);
    }
    return runs;
}

/// Features of one run-length matrix (levels x lengths, row stride `stride`); false when it
/// holds no runs (PyRadiomics drops such directions / marks them NaN).
bool Evaluate(const double* m, std::size_t stride, std::size_t lengths, const std::vector<double>& levels,
              std::vector<double>& pr, std::vector<double>& pg, std::array<double, kCount>& f) {
    const std::size_t n = levels.size();
    std::fill(pr.begin(), pr.end(), 0.0);
    double nr = 0.0, srlgle = 0.0, srhgle = 0.0, lrlgle = 0.0, lrhgle = 0.0, plogp = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double* row = m + i * stride;
        const double i2 = levels[i] * levels[i];
        double row_sum = 0.0, short_sum = 0.0, long_sum = 0.0;
        for (std::size_t c = 0; c < lengths; ++c) {
            const double p = row[c];
            if (p == 0.0)
                continue;
            const auto len = static_cast<double>(c + 1);
            const double j2 = len * len;
            row_sum += p;
            pr[c] += p;
            short_sum += p / j2;
            long_sum += p * j2;
        }
        pg[i] = row_sum;
        nr += row_sum;
        srlgle += short_sum / i2;
        srhgle += short_sum * i2;
        lrlgle += long_sum / i2;
        lrhgle += long_sum * i2;
    }
    if (!(nr > 0.0))
        return false;
    for (std::size_t i = 0; i < n; ++i) {
        const double* row = m + i * stride;
        for (std::size_t c = 0; c < lengths; ++c)
            if (row[c] != 0.0) {
                const double p = row[c] / nr;
                plogp += p * std::log2(p + kEps);
            }
    }
    double gln = 0.0, lglre = 0.0, hglre = 0.0, ui = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const double i2 = levels[i] * levels[i];
        gln += pg[i] * pg[i];
        lglre += pg[i] / i2;
        hglre += pg[i] * i2;
        ui += pg[i] / nr * levels[i];
    }
    double glv = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        glv += pg[i] / nr * (levels[i] - ui) * (levels[i] - ui);
    double rln = 0.0, sre = 0.0, lre = 0.0, np = 0.0, uj = 0.0;
    for (std::size_t c = 0; c < lengths; ++c) {
        const auto len = static_cast<double>(c + 1);
        rln += pr[c] * pr[c];
        sre += pr[c] / (len * len);
        lre += pr[c] * len * len;
        np += pr[c] * len;
        uj += pr[c] / nr * len;
    }
    double rv = 0.0;
    for (std::size_t c = 0; c < lengths; ++c) {
        const double d = static_cast<double>(c + 1) - uj;
        rv += pr[c] / nr * d * d;
    }
    f[kGrayLevelNonUniformity] = gln / nr;
    f[kGrayLevelNonUniformityNormalized] = gln / (nr * nr);
    f[kGrayLevelVariance] = glv;
    f[kHighGrayLevelRunEmphasis] = hglre / nr;
    f[kLongRunEmphasis] = lre / nr;
    f[kLongRunHighGrayLevelEmphasis] = lrhgle / nr;
    f[kLongRunLowGrayLevelEmphasis] = lrlgle / nr;
    f[kLowGrayLevelRunEmphasis] = lglre / nr;
    f[kRunEntropy] = -plogp;
    f[kRunLengthNonUniformity] = rln / nr;
    f[kRunLengthNonUniformityNormalized] = rln / (nr * nr);
    f[kRunPercentage] = nr / np;
    f[kRunVariance] = rv;
    f[kShortRunEmphasis] = sre / nr;
    f[kShortRunHighGrayLevelEmphasis] = srhgle / nr;
    f[kShortRunLowGrayLevelEmphasis] = srlgle / nr;
    return true;
}

Features MakeFeatures(const std::array<double, kCount>& values) {
    Features out;
    out.reserve(kCount);
    for (std::size_t f = 0; f < kCount; ++f)
        out.push_back(Feature{std::string(kInfo[f].name), values[f], kInfo[f].ibsi, false});
    return out;
}

} // namespace

Features ComputeGlrlm(const Region& region, const Settings& settings) {
    std::array<double, kCount> result;
    result.fill(kNaN);
    if (region.gray_levels.empty())
        return MakeFeatures(result);
    const Plan plan = MakePlan(region, settings);
    const std::size_t n = region.gray_levels.size();
    const std::size_t na = plan.angles.size();
    RunMatrices runs = CountRuns(region, plan);
    const std::size_t lengths = runs.MaxLength();
    const std::size_t stride = runs.Stride();
    std::size_t groups = plan.slices * na;
    if (plan.merge && na > 0) {
        // Weighted sum of each slice's direction matrices into its first one.
        for (std::size_t s = 0; s < plan.slices; ++s) {
            double* dst = runs.Matrix(s * na);
            const double w0 = plan.weights[0];
            for (std::size_t e = 0; e < n * stride; ++e)
                dst[e] *= w0;
            for (std::size_t a = 1; a < na; ++a) {
                const double w = plan.weights[a];
                const double* src = runs.Matrix(s * na + a);
                for (std::size_t e = 0; e < n * stride; ++e)
                    dst[e] += src[e] * w;
            }
        }
        groups = plan.slices;
    }
    std::vector<double> levels(region.gray_levels.begin(), region.gray_levels.end());
    std::vector<double> pr(std::max<std::size_t>(lengths, 1)), pg(n);
    std::array<double, kCount> sum{}, count{}, f{};
    for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t m = plan.merge ? g * na : g;
        if (!Evaluate(runs.Matrix(m), stride, lengths, levels, pr, pg, f))
            continue;
        for (std::size_t k = 0; k < kCount; ++k)
            if (!std::isnan(f[k])) {
                sum[k] += f[k];
                count[k] += 1.0;
            }
    }
    for (std::size_t k = 0; k < kCount; ++k)
        result[k] = count[k] > 0.0 ? sum[k] / count[k] : kNaN;
    return MakeFeatures(result);
}

GlrlmMatrices ComputeGlrlmMatrices(const Region& region, const Settings& settings) {
    Settings per_angle = settings;
    per_angle.ibsi_compliant = false;
    per_angle.weighting_norm = WeightingNorm::None;
    const Plan plan = MakePlan(region, per_angle);
    const RunMatrices runs = CountRuns(region, plan);
    GlrlmMatrices out;
    out.levels = region.gray_levels.size();
    out.max_run_length = runs.MaxLength();
    out.angles = plan.angles;
    out.values.assign(plan.angles.size() * out.levels * out.max_run_length, 0.0);
    for (std::size_t a = 0; a < plan.angles.size(); ++a)
        for (std::size_t i = 0; i < out.levels; ++i)
            for (std::size_t c = 0; c < out.max_run_length; ++c)
                out.values[(a * out.levels + i) * out.max_run_length + c] = runs.Matrix(a)[i * runs.Stride() + c];
    return out;
}

} // namespace radnode::processing::radiomics
