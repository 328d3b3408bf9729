#include "processing/radiomics/glcm.h"

#include "processing/radiomics/texture_grid.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <string_view>

namespace radnode::processing::radiomics {
namespace {

/// numpy.spacing(1), PyRadiomics' eps.
constexpr double kEps = std::numeric_limits<double>::epsilon();
/// First-order term of p * log2(x + eps) - p * log2(x) = p * eps / (x ln 2): lets the
/// PyRadiomics entropies HXY1/HXY2 be built from marginals instead of Ng^2 logarithms.
constexpr double kEpsOverLn2 = kEps / std::numbers::ln2;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum Index : std::size_t {
    kAutocorrelation,
    kClusterProminence,
    kClusterShade,
    kClusterTendency,
    kContrast,
    kCorrelation,
    kDifferenceAverage,
    kDifferenceEntropy,
    kDifferenceVariance,
    kDissimilarity,
    kHomogeneity1,
    kHomogeneity2,
    kId,
    kIdm,
    kIdmn,
    kIdn,
    kImc1,
    kImc2,
    kInverseVariance,
    kJointAverage,
    kJointEnergy,
    kJointEntropy,
    kMcc,
    kMaximumProbability,
    kSumAverage,
    kSumEntropy,
    kSumSquares,
    kSumVariance,
    kCount
};

struct Info {
    std::string_view name;
    std::string_view ibsi;
    bool on_request;
};

// PyRadiomics enumerates features with inspect.getmembers, i.e. sorted by method name.
constexpr std::array<Info, kCount> kInfo{{
    {"glcm_Autocorrelation", "QWB0", false},
    {"glcm_ClusterProminence", "AE86", false},
    {"glcm_ClusterShade", "7NFM", false},
    {"glcm_ClusterTendency", "DG8W", false},
    {"glcm_Contrast", "ACUI", false},
    {"glcm_Correlation", "NI2N", false},
    {"glcm_DifferenceAverage", "TF7R", false},
    {"glcm_DifferenceEntropy", "NTRS", false},
    {"glcm_DifferenceVariance", "D3YU", false},
    {"glcm_Dissimilarity", "8S9J", true},
    {"glcm_Homogeneity1", "", true},
    {"glcm_Homogeneity2", "", true},
    {"glcm_Id", "IB1Z", false},
    {"glcm_Idm", "WF0Z", false},
    {"glcm_Idmn", "1QCO", false},
    {"glcm_Idn", "NDRX", false},
    {"glcm_Imc1", "R8DG", false},
    {"glcm_Imc2", "JN9H", false},
    {"glcm_InverseVariance", "E8JP", false},
    {"glcm_JointAverage", "60VM", false},
    {"glcm_JointEnergy", "8ZQL", false},
    {"glcm_JointEntropy", "TU9B", false},
    {"glcm_MCC", "", false},
    {"glcm_MaximumProbability", "GYBY", false},
    {"glcm_SumAverage", "ZGXS", false},
    {"glcm_SumEntropy", "P6QZ", false},
    {"glcm_SumSquares", "UR99", false},
    {"glcm_SumVariance", "OEEB", true},
}};

using Plan = DirectionPlan;

/// PyRadiomics' GLCM distance weight exp(-||d||^2), d the angle scaled by the spacing.
double GlcmWeight(const Offset& a, const std::array<double, 3>& spacing, WeightingNorm norm) {
    const std::array<double, 3> d = ScaledOffset(a, spacing);
    switch (norm) {
    case WeightingNorm::Infinity: {
        const double m = std::max({d[0], d[1], d[2]});
        return std::exp(-m * m);
    }
    case WeightingNorm::Euclidean: // the square root and the square cancel
        return std::exp(-(d[2] * d[2] + d[1] * d[1] + d[0] * d[0]));
    case WeightingNorm::Manhattan: {
        const double s = d[2] + d[1] + d[0];
        return std::exp(-s * s);
    }
    case WeightingNorm::None:
    case WeightingNorm::NoWeighting:
        break;
    }
    return 1.0;
}

Plan MakePlan(const Region& region, const Settings& settings) {
    return MakeDirectionPlan(region, settings, settings.distances,
                             [&](const Offset& a) { return GlcmWeight(a, region.spacing, settings.weighting_norm); });
}

/// Asymmetric co-occurrence counts per (slice, angle), as cmatrices.c counts them: the
/// reference voxel's level is the row, its neighbour at +angle the column. One pass over
/// the ROI voxels; matrices are n x n over the present levels. The box is copied into an
/// array padded by the largest distance, holding compact level + 1 and 0 outside the ROI,
/// so a neighbour needs no bounds or mask test.
std::vector<double> CountCooccurrences(const Region& region, const Plan& plan) {
    const std::size_t n = region.gray_levels.size();
    const std::size_t na = plan.angles.size();
    std::vector<double> counts(plan.slices * na * n * n, 0.0);
    if (na == 0)
        return counts;
    const std::vector<std::int32_t> level_index = LevelIndex(region);
    int reach = 0;
    for (const Offset& o : plan.angles)
        reach = std::max({reach, std::abs(o.di), std::abs(o.dj), std::abs(o.dk)});
    const auto pad = static_cast<std::ptrdiff_t>(reach);
    const std::array<std::ptrdiff_t, 3> size{static_cast<std::ptrdiff_t>(region.size[0]),
                                             static_cast<std::ptrdiff_t>(region.size[1]),
                                             static_cast<std::ptrdiff_t>(region.size[2])};
    const std::array<std::ptrdiff_t, 3> padded{size[0] + 2 * pad, size[1] + 2 * pad, size[2] + 2 * pad};
    std::vector<std::int32_t> cell(static_cast<std::size_t>(padded[0] * padded[1] * padded[2]), 0);
    std::vector<std::ptrdiff_t> position(region.voxels.size());
    std::vector<std::uint32_t> slice_of(plan.slice_axis < 0 ? 0 : region.voxels.size());
    for (std::size_t e = 0; e < region.voxels.size(); ++e) {
        const auto v = static_cast<std::ptrdiff_t>(region.voxels[e]);
        const std::array<std::ptrdiff_t, 3> c{v % size[0], (v / size[0]) % size[1], v / (size[0] * size[1])};
        position[e] = (c[0] + pad) + padded[0] * ((c[1] + pad) + padded[1] * (c[2] + pad));
        cell[static_cast<std::size_t>(position[e])] =
            level_index[static_cast<std::size_t>(region.gray[static_cast<std::size_t>(v)])] + 1;
        if (plan.slice_axis >= 0)
            slice_of[e] = static_cast<std::uint32_t>(c[static_cast<std::size_t>(plan.slice_axis)]);
    }
    std::vector<std::ptrdiff_t> delta(na);
    for (std::size_t a = 0; a < na; ++a)
        delta[a] = plan.angles[a].di + padded[0] * (plan.angles[a].dj + padded[1] * plan.angles[a].dk);
    const std::int32_t* grid = cell.data();
    for (std::size_t e = 0; e < position.size(); ++e) {
        const std::ptrdiff_t p = position[e];
        const std::size_t slice = plan.slice_axis < 0 ? 0 : slice_of[e];
        double* base = counts.data() + slice * na * n * n + static_cast<std::size_t>(grid[p] - 1) * n;
        for (std::size_t a = 0; a < na; ++a) {
            const std::int32_t neighbour = grid[p + delta[a]];
            if (neighbour != 0)
                base[a * n * n + static_cast<std::size_t>(neighbour - 1)] += 1.0;
        }
    }
    return counts;
}

/// For each shift x[k], the number of eigenvalues below it of the symmetric tridiagonal
/// matrix with diagonal d and squared sub-diagonal e2: the sign changes of the Sturm
/// sequence p_i = (d_i - x) p_(i-1) - e2_(i-1) p_(i-2). Division-free, so the K chains run
/// in parallel instead of waiting on a division each step; rescaled to stay in range.
template <std::size_t K>
std::array<int, K> CountBelow(const double* d, const double* e2, std::size_t m, const std::array<double, K>& x) {
    constexpr double kBig = 1e150;
    constexpr double kSmall = 1e-150;
    std::array<double, K> p{}, prev{};
    std::array<int, K> count{};
    std::array<bool, K> negative{};
    for (std::size_t k = 0; k < K; ++k) {
        prev[k] = 1.0;
        p[k] = d[0] - x[k];
        negative[k] = p[k] <= 0.0; // a zero takes the sign opposite to its predecessor's
        count[k] = negative[k] ? 1 : 0;
    }
    for (std::size_t i = 1; i < m; ++i)
        for (std::size_t k = 0; k < K; ++k) {
            const double next = (d[i] - x[k]) * p[k] - e2[i - 1] * prev[k];
            const bool next_negative = next < 0.0 || (next == 0.0 && !negative[k]);
            count[k] += next_negative != negative[k] ? 1 : 0;
            negative[k] = next_negative;
            prev[k] = p[k];
            p[k] = next;
            const double magnitude = std::abs(next);
            if (magnitude > kBig) {
                p[k] *= kSmall;
                prev[k] *= kSmall;
            } else if (magnitude < kSmall && std::abs(prev[k]) < kSmall) {
                p[k] *= kBig;
                prev[k] *= kBig;
            }
        }
    return count;
}

/// Eigenvalues number `which[0]` and `which[1]` (0-based, ascending) of the symmetric
/// tridiagonal matrix (d, e), by multisection on Sturm counts to ~1e-15: cheaper than all
/// eigenvalues when only two are needed.
std::array<double, 2> TridiagonalEigenvalues(const Eigen::VectorXd& d, const Eigen::VectorXd& e,
                                             const std::array<Eigen::Index, 2>& which, std::vector<double>& e2) {
    constexpr std::size_t kShifts = 4; // per eigenvalue
    const auto m = static_cast<std::size_t>(d.size());
    e2.resize(m);
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (std::size_t i = 0; i < m; ++i) {
        const double below = i > 0 ? std::abs(e(static_cast<Eigen::Index>(i - 1))) : 0.0;
        const double above = i + 1 < m ? std::abs(e(static_cast<Eigen::Index>(i))) : 0.0;
        if (i + 1 < m)
            e2[i] = above * above;
        lo = std::min(lo, d(static_cast<Eigen::Index>(i)) - below - above);
        hi = std::max(hi, d(static_cast<Eigen::Index>(i)) + below + above);
    }
    // Gershgorin bounds are closed: widen so every eigenvalue is strictly below `hi`.
    const double scale = std::max({std::abs(lo), std::abs(hi), std::numeric_limits<double>::min()});
    hi += 4.0 * kEps * scale;
    lo -= 4.0 * kEps * scale;
    std::array<double, 2> low{lo, lo}, high{hi, hi};
    const double tolerance = 8.0 * kEps * scale;
    for (int iteration = 0; iteration < 64; ++iteration) {
        std::array<double, 2 * kShifts> x{};
        bool converged = true;
        for (std::size_t t = 0; t < 2; ++t) {
            const double width = high[t] - low[t];
            converged = converged && width <= tolerance;
            for (std::size_t j = 0; j < kShifts; ++j)
                x[t * kShifts + j] = low[t] + width * static_cast<double>(j + 1) / static_cast<double>(kShifts + 1);
        }
        if (converged)
            break;
        const std::array<int, 2 * kShifts> below = CountBelow(d.data(), e2.data(), m, x);
        for (std::size_t t = 0; t < 2; ++t)
            for (std::size_t j = 0; j < kShifts; ++j) {
                const double shift = x[t * kShifts + j];
                if (below[t * kShifts + j] <= which[t]) {
                    low[t] = std::max(low[t], shift);
                } else {
                    high[t] = std::min(high[t], shift);
                    break;
                }
            }
    }
    return {0.5 * (low[0] + high[0]), 0.5 * (low[1] + high[1])};
}

/// Computes the features of one matrix; scratch buffers live across matrices.
class Evaluator {
public:
    Evaluator(const Region& region, bool symmetric)
        : n_(region.gray_levels.size()), ng_(region.max_gray_level), symmetric_(symmetric), p_(n_ * n_), px_(n_),
          py_(n_), log_px_(n_), log_py_(n_), sum_(2 * static_cast<std::size_t>(ng_) + 1),
          diff_(static_cast<std::size_t>(ng_)) {
        levels_.reserve(n_);
        for (const std::int32_t l : region.gray_levels)
            levels_.push_back(static_cast<double>(l));
    }

    /// Features of the (unnormalised, possibly asymmetric) count matrix `c`; false when it
    /// holds no pairs (PyRadiomics drops such directions / marks them NaN).
    bool Evaluate(const double* c, std::array<double, kCount>& f) {
        const std::size_t n = n_;
        double total = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const double v = symmetric_ ? c[i * n + j] + c[j * n + i] : c[i * n + j];
                p_[i * n + j] = v;
                total += v;
            }
        if (!(total > 0.0))
            return false;
        std::fill(px_.begin(), px_.end(), 0.0);
        std::fill(py_.begin(), py_.end(), 0.0);
        std::fill(sum_.begin(), sum_.end(), 0.0);
        std::fill(diff_.begin(), diff_.end(), 0.0);
        double autocorrelation = 0.0, energy = 0.0, max_p = 0.0, plogp = 0.0, nonzero = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double li = levels_[i];
            double row = 0.0;
            for (std::size_t j = 0; j < n; ++j) {
                double& pij = p_[i * n + j];
                pij /= total;
                const double p = pij;
                if (p == 0.0)
                    continue;
                const double lj = levels_[j];
                row += p;
                py_[j] += p;
                sum_[static_cast<std::size_t>(li + lj)] += p;
                diff_[static_cast<std::size_t>(std::abs(li - lj))] += p;
                autocorrelation += p * li * lj;
                energy += p * p;
                max_p = std::max(max_p, p);
                plogp += p * std::log2(p);
                nonzero += 1.0;
            }
            px_[i] = row;
        }
        double ux = 0.0, uy = 0.0, hx = 0.0, hy = 0.0, sx = 0.0, sy = 0.0, nx = 0.0, ny = 0.0;
        double px_log_px = 0.0, py_log_py = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            ux += px_[i] * levels_[i];
            uy += py_[i] * levels_[i];
            hx -= px_[i] * std::log2(px_[i] + kEps);
            hy -= py_[i] * std::log2(py_[i] + kEps);
            sx += px_[i];
            sy += py_[i];
            log_px_[i] = px_[i] > 0.0 ? std::log2(px_[i]) : 0.0;
            log_py_[i] = py_[i] > 0.0 ? std::log2(py_[i]) : 0.0;
            px_log_px += px_[i] * log_px_[i];
            py_log_py += py_[i] * log_py_[i];
            nx += px_[i] > 0.0 ? 1.0 : 0.0;
            ny += py_[i] > 0.0 ? 1.0 : 0.0;
        }
        double var_x = 0.0, var_y = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            var_x += px_[i] * (levels_[i] - ux) * (levels_[i] - ux);
            var_y += py_[i] * (levels_[i] - uy) * (levels_[i] - uy);
        }
        // Second pass over the pairs for the terms that need the marginals.
        double comoment = 0.0, inv_pxpy = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const double p = p_[i * n + j];
                if (p == 0.0)
                    continue;
                comoment += p * (levels_[i] - ux) * (levels_[j] - uy);
                inv_pxpy += p / (px_[i] * py_[j]);
            }

        f[kAutocorrelation] = autocorrelation;
        double t2 = 0.0, t3 = 0.0, t4 = 0.0, sum_average = 0.0, sum_entropy = 0.0;
        for (std::size_t k = 2; k < sum_.size(); ++k) {
            const double p = sum_[k];
            if (p == 0.0)
                continue;
            const double d = static_cast<double>(k) - ux - uy;
            t2 += p * d * d;
            t3 += p * d * d * d;
            t4 += p * d * d * d * d;
            sum_average += p * static_cast<double>(k);
            sum_entropy -= p * std::log2(p + kEps);
        }
        f[kClusterProminence] = t4;
        f[kClusterShade] = t3;
        f[kClusterTendency] = t2;
        double contrast = 0.0, diff_average = 0.0, diff_entropy = 0.0, id = 0.0, idm = 0.0, idmn = 0.0, idn = 0.0,
               inverse_variance = 0.0;
        const double ng = ng_;
        for (std::size_t k = 0; k < diff_.size(); ++k) {
            const double p = diff_[k];
            if (p == 0.0)
                continue;
            const auto kd = static_cast<double>(k);
            contrast += p * kd * kd;
            diff_average += p * kd;
            diff_entropy -= p * std::log2(p + kEps);
            id += p / (1.0 + kd);
            idm += p / (1.0 + kd * kd);
            idmn += p / (1.0 + kd * kd / (ng * ng));
            idn += p / (1.0 + kd / ng);
            if (k > 0)
                inverse_variance += p / (kd * kd);
        }
        double diff_variance = 0.0;
        for (std::size_t k = 0; k < diff_.size(); ++k) {
            const double d = static_cast<double>(k) - diff_average;
            diff_variance += diff_[k] * d * d;
        }
        f[kContrast] = contrast;
        const double sigma_xy = std::sqrt(var_x) * std::sqrt(var_y);
        f[kCorrelation] = sigma_xy == 0.0 ? 1.0 : comoment / (sigma_xy + kEps);
        f[kDifferenceAverage] = diff_average;
        f[kDifferenceEntropy] = diff_entropy;
        f[kDifferenceVariance] = diff_variance;
        f[kId] = id;
        f[kIdm] = idm;
        f[kIdmn] = idmn;
        f[kIdn] = idn;
        // Entropies with PyRadiomics' +eps inside the log, to first order in eps (exact to
        // ~1e-16 relative here); built the same way so a flat region gives HXY == HXY1 == HXY2.
        const double hxy = -plogp - nonzero * kEpsOverLn2;
        const double hxy1 = -(px_log_px + py_log_py) - inv_pxpy * kEpsOverLn2;
        const double hxy2 = -(sy * px_log_px + sx * py_log_py) - nx * ny * kEpsOverLn2;
        const double div = std::max(hx, hy);
        f[kImc1] = div != 0.0 ? (hxy - hxy1) / div : 0.0;
        if (hxy2 == hxy) {
            f[kImc2] = 0.0;
        } else {
            const double r = 1.0 - std::exp(-2.0 * (hxy2 - hxy));
            f[kImc2] = r < 0.0 ? kNaN : std::sqrt(r); // numpy: a negative base gives NaN, skipped by nanmean
        }
        f[kInverseVariance] = inverse_variance;
        f[kJointAverage] = ux;
        f[kJointEnergy] = energy;
        f[kJointEntropy] = hxy;
        f[kMcc] = Mcc();
        f[kMaximumProbability] = max_p;
        f[kSumAverage] = sum_average;
        f[kSumEntropy] = sum_entropy;
        f[kSumSquares] = var_x;
        f[kDissimilarity] = diff_average;
        f[kHomogeneity1] = id;
        f[kHomogeneity2] = idm;
        f[kSumVariance] = t2;
        return true;
    }

private:
    /// Maximal correlation coefficient: sqrt of the second largest eigenvalue of
    /// Q = Dx^-1 P Dy^-1 P^T. Q is similar to the symmetric S = M M^T with
    /// M = Dx^-1/2 P Dy^-1/2 (rows with px = 0 only add zero eigenvalues), so a symmetric
    /// eigenvalue problem suffices; PyRadiomics' +eps in the denominator changes Q by < 1e-6
    /// relative. For a symmetric P, M itself is symmetric and S = M^2: the eigenvalues of M
    /// are enough (the largest is 1, the second largest of S is the larger square of M's
    /// second largest and smallest).
    double Mcc() {
        const std::size_t n = n_;
        if (n < 2)
            return 1.0;
        rows_.clear();
        cols_.clear();
        for (std::size_t i = 0; i < n; ++i) {
            if (px_[i] > 0.0)
                rows_.push_back(i);
            if (py_[i] > 0.0)
                cols_.push_back(i);
        }
        const auto m = static_cast<Eigen::Index>(rows_.size());
        if (m < 2)
            return 0.0; // one non-zero eigenvalue (1), the rest 0
        const bool square = symmetric_ && rows_ == cols_;
        m_.resize(m, static_cast<Eigen::Index>(cols_.size()));
        for (Eigen::Index r = 0; r < m; ++r) {
            const std::size_t i = rows_[static_cast<std::size_t>(r)];
            const double si = 1.0 / std::sqrt(px_[i]);
            for (std::size_t c = 0; c < cols_.size(); ++c) {
                const std::size_t j = cols_[c];
                m_(r, static_cast<Eigen::Index>(c)) = p_[i * n + j] * si / std::sqrt(py_[j]);
            }
        }
        double second = 0.0;
        if (square) {
            tridiagonal_.compute(m_);
            diagonal_ = tridiagonal_.diagonal();
            sub_diagonal_ = tridiagonal_.subDiagonal();
            const auto [mu_min, mu_second] = TridiagonalEigenvalues(diagonal_, sub_diagonal_, {0, m - 2}, e2_);
            second = std::max(mu_second * mu_second, m > 2 ? mu_min * mu_min : 0.0);
        } else {
            s_.resize(m, m);
            s_.noalias() = m_ * m_.transpose();
            tridiagonal_.compute(s_);
            diagonal_ = tridiagonal_.diagonal();
            sub_diagonal_ = tridiagonal_.subDiagonal();
            second = TridiagonalEigenvalues(diagonal_, sub_diagonal_, {m - 2, m - 2}, e2_)[0];
        }
        return std::sqrt(std::max(second, 0.0));
    }

    std::size_t n_;
    std::int32_t ng_;
    bool symmetric_;
    std::vector<double> levels_;
    std::vector<double> p_, px_, py_, log_px_, log_py_, sum_, diff_;
    std::vector<std::size_t> rows_, cols_;
    Eigen::MatrixXd m_, s_;
    Eigen::Tridiagonalization<Eigen::MatrixXd> tridiagonal_;
    Eigen::VectorXd diagonal_, sub_diagonal_;
    std::vector<double> e2_;
};

Features MakeFeatures(const std::array<double, kCount>& values, bool ibsi) {
    Features out;
    out.reserve(kCount);
    for (std::size_t f = 0; f < kCount; ++f) {
        // IBSI mode reports every IBSI feature by default (Dissimilarity and Sum variance are
        // IBSI features that PyRadiomics deprecated as duplicates) and the ones IBSI does not
        // define (Homogeneity1/2, MCC) only on request.
        const bool on_request = ibsi ? kInfo[f].ibsi.empty() : kInfo[f].on_request;
        out.push_back(Feature{std::string(kInfo[f].name), values[f], kInfo[f].ibsi, on_request});
    }
    return out;
}

} // namespace

Features ComputeGlcm(const Region& region, const Settings& settings) {
    std::array<double, kCount> result;
    result.fill(kNaN);
    if (region.gray_levels.empty())
        return MakeFeatures(result, settings.ibsi_compliant);
    const Plan plan = MakePlan(region, settings);
    const std::size_t n = region.gray_levels.size();
    const std::size_t nn = n * n;
    const std::size_t na = plan.angles.size();
    std::vector<double> counts = CountCooccurrences(region, plan);
    // Merging: weighted sum of a slice's direction matrices (symmetrising commutes with it).
    std::size_t groups = plan.slices * na;
    if (plan.merge && na > 0) {
        std::vector<double> merged(plan.slices * nn, 0.0);
        for (std::size_t s = 0; s < plan.slices; ++s)
            for (std::size_t a = 0; a < na; ++a) {
                const double w = plan.weights[a];
                const double* src = counts.data() + (s * na + a) * nn;
                double* dst = merged.data() + s * nn;
                for (std::size_t e = 0; e < nn; ++e)
                    dst[e] += src[e] * w;
            }
        counts.swap(merged);
        groups = plan.slices;
    }
    // Per-matrix features, then nanmean over the non-empty matrices.
    Evaluator evaluator(region, settings.symmetrical_glcm);
    std::array<double, kCount> sum{}, count{}, f{};
    for (std::size_t g = 0; g < groups; ++g) {
        if (!evaluator.Evaluate(counts.data() + g * nn, f))
            continue;
        for (std::size_t k = 0; k < kCount; ++k)
            if (!std::isnan(f[k])) {
                sum[k] += f[k];
                count[k] += 1.0;
            }
    }
    for (std::size_t k = 0; k < kCount; ++k)
        result[k] = count[k] > 0.0 ? sum[k] / count[k] : kNaN;
    if (n < 2)
        result[kMcc] = 1.0;       // PyRadiomics returns 1 for a single-level ROI whatever the matrices
    if (!settings.ibsi_compliant) // PyRadiomics raises DeprecationWarning for these: NaN
        for (const std::size_t k : {kDissimilarity, kHomogeneity1, kHomogeneity2, kSumVariance})
            result[k] = kNaN;
    return MakeFeatures(result, settings.ibsi_compliant);
}

GlcmMatrices ComputeGlcmMatrices(const Region& region, const Settings& settings) {
    Settings per_angle = settings;
    per_angle.ibsi_compliant = false;
    per_angle.weighting_norm = WeightingNorm::None;
    const Plan plan = MakePlan(region, per_angle);
    GlcmMatrices out;
    out.levels = region.gray_levels.size();
    out.angles = plan.angles;
    const std::vector<double> counts = CountCooccurrences(region, plan);
    const std::size_t n = out.levels;
    out.values.assign(counts.size(), 0.0);
    for (std::size_t a = 0; a < plan.angles.size(); ++a) {
        const double* c = counts.data() + a * n * n;
        double* p = out.values.data() + a * n * n;
        double total = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                p[i * n + j] = settings.symmetrical_glcm ? c[i * n + j] + c[j * n + i] : c[i * n + j];
                total += p[i * n + j];
            }
        if (total > 0.0)
            for (std::size_t e = 0; e < n * n; ++e)
                p[e] /= total;
    }
    return out;
}

} // namespace radnode::processing::radiomics
