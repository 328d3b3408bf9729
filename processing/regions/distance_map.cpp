#include "processing/regions/distance_map.h"

#include "processing/parallel_for.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace radnode::processing::regions {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Below this many voxels a box is transformed on the calling thread alone.
constexpr std::size_t kParallelVoxels = 1U << 16;

/// Strided lines transformed together (see SquaredDistanceMap).
constexpr std::size_t kBlock = 16;

/// Scratch of one 1D pass over a line of n voxels.
struct LineScratch {
    std::vector<double> f;             ///< input values along the line
    std::vector<std::uint32_t> f_feat; ///< input features along the line
    std::vector<std::size_t> v;        ///< positions of the envelope's parabolas
    std::vector<double> z;             ///< boundaries between them
    explicit LineScratch(std::size_t n) : f(n), f_feat(n), v(n), z(n + 1) {}
};

/// Lower envelope of the parabolas f[q] + s2 (x - q)^2 over the finite f[q]; returns how many
/// parabolas it keeps (0 when the line has no finite value).
std::size_t BuildEnvelope(LineScratch& s, std::size_t n, double s2) {
    std::size_t k = 0;
    std::size_t count = 0;
    for (std::size_t q = 0; q < n; ++q) {
        if (!(s.f[q] < kInf))
            continue;
        if (count == 0) {
            s.v[0] = q;
            s.z[0] = -kInf;
            s.z[1] = kInf;
            count = 1;
            continue;
        }
        const double dq = static_cast<double>(q);
        const double fq = s.f[q] + s2 * (dq * dq);
        double x = 0.0;
        for (;;) {
            const double dr = static_cast<double>(s.v[k]);
            x = (fq - (s.f[s.v[k]] + s2 * (dr * dr))) / (2.0 * s2 * (dq - dr));
            if (x > s.z[k] || k == 0)
                break;
            --k;
        }
        // z[0] is -infinity, so the loop above never pops the first parabola.
        ++k;
        s.v[k] = q;
        s.z[k] = x;
        s.z[k + 1] = kInf;
        count = k + 1;
    }
    return count;
}

/// Minimum of the envelope at x, starting from parabola `j` (advanced monotonically by the
/// caller's sweep). Neighbours are compared too, so a boundary z rounded to the wrong side of
/// x cannot cost more than the true minimum.
struct EnvelopeValue {
    double value = kInf;
    std::size_t at = 0;
};
inline EnvelopeValue Evaluate(const LineScratch& s, std::size_t count, double s2, double x, std::size_t& j) {
    while (j + 1 < count && s.z[j + 1] < x)
        ++j;
    EnvelopeValue best;
    const std::size_t lo = j == 0 ? 0 : j - 1;
    const std::size_t hi = std::min(count, j + 2);
    for (std::size_t c = lo; c < hi; ++c) {
        const double t = x - static_cast<double>(s.v[c]);
        const double value = s.f[s.v[c]] + s2 * (t * t);
        if (value < best.value) {
            best.value = value;
            best.at = s.v[c];
        }
    }
    return best;
}

/// One pass of the transform along a line: reads values (and features) at data[start + p *
/// stride] and writes the 1D minimum convolution with the metric's kernel back in place.
void TransformLine(double* data, std::uint32_t* feat, std::size_t start, std::size_t stride, std::size_t n, double s2,
                   DistanceMetric metric, double cap, LineScratch& s) {
    bool any = false;
    bool all_zero = true;
    for (std::size_t p = 0; p < n; ++p) {
        s.f[p] = data[start + p * stride];
        if (s.f[p] > cap)
            s.f[p] = kInf; // cannot come closer than the cap
        any = any || s.f[p] < kInf;
        all_zero = all_zero && s.f[p] == 0.0;
        if (feat != nullptr)
            s.f_feat[p] = feat[start + p * stride];
    }
    if (!any || all_zero)
        return; // all infinite, or all on features: nothing changes
    const std::size_t count = BuildEnvelope(s, n, s2);
    std::size_t j_lo = 0;
    std::size_t j_hi = 0;
    for (std::size_t p = 0; p < n; ++p) {
        const double dp = static_cast<double>(p);
        EnvelopeValue best;
        if (metric == DistanceMetric::VoxelCentres) {
            best = Evaluate(s, count, s2, dp, j_lo);
        } else {
            // Kernel (s (|n| - 1/2))^2: the parabola centred half a voxel towards p from each q,
            // evaluated on either side, and the n = 0 term (the line's own value) exactly.
            best = Evaluate(s, count, s2, dp - 0.5, j_lo);
            const EnvelopeValue right = Evaluate(s, count, s2, dp + 0.5, j_hi);
            if (right.value < best.value)
                best = right;
            if (s.f[p] <= best.value) {
                best.value = s.f[p];
                best.at = p;
            }
        }
        data[start + p * stride] = best.value <= cap ? best.value : kInf;
        if (feat != nullptr)
            feat[start + p * stride] = s.f_feat[best.at];
    }
}

} // namespace

DistanceMap SquaredDistanceMap(std::span<const std::uint8_t> mask, const std::array<std::size_t, 3>& size,
                               const std::array<double, 3>& spacing, const DistanceMapOptions& options) {
    const std::size_t voxels = size[0] * size[1] * size[2];
    if (mask.size() != voxels)
        throw std::invalid_argument("SquaredDistanceMap: mask size does not match the box");
    for (const double s : spacing)
        if (!(s > 0.0) || !std::isfinite(s))
            throw std::invalid_argument("SquaredDistanceMap: spacing must be positive and finite");
    if (options.feature_transform && voxels >= kNoFeature)
        throw std::length_error("SquaredDistanceMap: box too large for a feature transform");

    DistanceMap out;
    out.size = size;
    out.squared_mm2.resize(voxels);
    if (options.feature_transform)
        out.nearest.resize(voxels);
    for (std::size_t n = 0; n < voxels; ++n) {
        const bool feature = (mask[n] != 0) != options.features_are_zero;
        out.squared_mm2[n] = feature ? 0.0 : kInf;
        if (options.feature_transform)
            out.nearest[n] = feature ? static_cast<std::uint32_t>(n) : kNoFeature;
    }
    if (voxels == 0)
        return out;

    const unsigned threads = voxels < kParallelVoxels ? 1U : options.threads;
    if (!(options.max_distance_mm >= 0.0))
        throw std::invalid_argument("SquaredDistanceMap: max_distance_mm must not be negative");
    const double cap = std::isfinite(options.max_distance_mm)
                           ? options.max_distance_mm * options.max_distance_mm * (1.0 + 1e-12)
                           : kInf;
    double* data = out.squared_mm2.data();
    std::uint32_t* feat = options.feature_transform ? out.nearest.data() : nullptr;
    const std::size_t nx = size[0];
    const std::size_t nxy = size[0] * size[1];
    // x lines are contiguous. y and z lines are strided, so they are processed in blocks of
    // kBlock neighbouring lines (adjacent in memory): gathered into a contiguous buffer,
    // transformed, scattered back, which keeps the passes cache- and TLB-friendly.
    {
        const std::size_t n = size[0];
        const std::size_t lines = voxels / n;
        const double s2 = spacing[0] * spacing[0];
        const std::size_t chunk = std::max<std::size_t>(64, lines / 64);
        // The input is 0 on features and infinite elsewhere, so along x the transform is the
        // nearest feature on the line: one sweep each way.
        const bool boxes = options.metric == DistanceMetric::VoxelBoxes;
        auto term = [&](std::size_t steps) {
            const double t = boxes ? static_cast<double>(steps) - 0.5 : static_cast<double>(steps);
            return steps == 0 ? 0.0 : s2 * (t * t);
        };
        ParallelFor((lines + chunk - 1) / chunk, threads, [&](std::size_t c) {
            std::vector<std::size_t> previous(n);
            const std::size_t end = std::min(lines, (c + 1) * chunk);
            for (std::size_t line = c * chunk; line < end; ++line) {
                double* d = data + line * nx;
                std::uint32_t* f = feat != nullptr ? feat + line * nx : nullptr;
                constexpr std::size_t kNone = static_cast<std::size_t>(-1);
                std::size_t last = kNone;
                for (std::size_t p = 0; p < n; ++p) {
                    if (d[p] == 0.0)
                        last = p;
                    previous[p] = last;
                }
                last = kNone;
                for (std::size_t p = n; p-- > 0;) {
                    if (d[p] == 0.0)
                        last = p;
                    const std::size_t before = previous[p];
                    std::size_t best = kNone;
                    if (before != kNone && (last == kNone || p - before <= last - p))
                        best = before;
                    else if (last != kNone)
                        best = last;
                    if (best == kNone)
                        continue; // no feature on the line: stays infinite
                    const std::size_t steps = best > p ? best - p : p - best;
                    const double value = term(steps);
                    if (value > cap)
                        continue;
                    if (f != nullptr)
                        f[p] = f[best];
                    d[p] = value;
                }
            }
        });
    }
    for (std::size_t axis = 1; axis < 3; ++axis) {
        const std::size_t n = size[axis];
        const std::size_t stride = axis == 1 ? nx : nxy;
        const double s2 = spacing[axis] * spacing[axis];
        // Blocks: runs of up to kBlock adjacent line starts. y lines start at (i, k): blocks of
        // i within each k; z lines start at every (i, j) of the first slice.
        const std::size_t row = axis == 1 ? nx : nxy;  // adjacent starts per run
        const std::size_t runs = axis == 1 ? size[2] : 1;
        const std::size_t blocks_per_run = (row + kBlock - 1) / kBlock;
        const std::size_t blocks = runs * blocks_per_run;
        const std::size_t chunk = std::max<std::size_t>(1, blocks / 64);
        ParallelFor((blocks + chunk - 1) / chunk, threads, [&](std::size_t c) {
            LineScratch scratch(n);
            std::vector<double> values(kBlock * n);
            std::vector<std::uint32_t> feats(feat != nullptr ? kBlock * n : 0);
            const std::size_t end = std::min(blocks, (c + 1) * chunk);
            for (std::size_t b = c * chunk; b < end; ++b) {
                const std::size_t run = b / blocks_per_run;
                const std::size_t first = (b % blocks_per_run) * kBlock;
                const std::size_t count = std::min(kBlock, row - first);
                const std::size_t start = first + run * nxy;
                for (std::size_t p = 0; p < n; ++p) {
                    const std::size_t at = start + p * stride;
                    for (std::size_t l = 0; l < count; ++l)
                        values[l * n + p] = data[at + l];
                    if (feat != nullptr)
                        for (std::size_t l = 0; l < count; ++l)
                            feats[l * n + p] = feat[at + l];
                }
                for (std::size_t l = 0; l < count; ++l)
                    TransformLine(values.data(), feat != nullptr ? feats.data() : nullptr, l * n, 1, n, s2,
                                  options.metric, cap, scratch);
                for (std::size_t p = 0; p < n; ++p) {
                    const std::size_t at = start + p * stride;
                    for (std::size_t l = 0; l < count; ++l)
                        data[at + l] = values[l * n + p];
                    if (feat != nullptr)
                        for (std::size_t l = 0; l < count; ++l)
                            feat[at + l] = feats[l * n + p];
                }
            }
        });
    }
    return out;
}

} // namespace radnode::processing::regions

namespace radnode::processing::regions {
namespace {

/// One axis of the fine lattice: per fine point, its interpolation cell and weight and its
/// position in mm; the voxel centres' positions in mm.
struct FineAxis {
    std::size_t count = 0;           ///< fine points
    std::vector<std::size_t> c0, c1; ///< the two voxels interpolated between
    std::vector<double> t;           ///< weight of c1
    std::vector<double> fine_mm;     ///< positions of the fine points
    std::vector<double> coarse_mm;   ///< positions of the voxel centres
};

FineAxis MakeFineAxis(std::size_t n, std::size_t factor, double spacing) {
    FineAxis a;
    a.count = n > 1 ? (n - 1) * factor : 1;
    for (std::size_t r = 0; r < a.count; ++r) {
        const double x = n > 1 ? (static_cast<double>(r) + 0.5) / static_cast<double>(factor) : 0.0;
        const std::size_t c = n > 1 ? std::min(static_cast<std::size_t>(x), n - 2) : 0;
        a.c0.push_back(c);
        a.c1.push_back(n > 1 ? c + 1 : c);
        a.t.push_back(x - static_cast<double>(c));
        a.fine_mm.push_back(x * spacing);
    }
    for (std::size_t i = 0; i < n; ++i)
        a.coarse_mm.push_back(static_cast<double>(i) * spacing);
    return a;
}

/// Lower envelope of parabolas f[q] + (x - p[q])^2 at arbitrary increasing positions p, over
/// the finite f[q], evaluated at increasing query positions.
class Envelope {
public:
    explicit Envelope(std::size_t n) : v_(n), z_(n + 1) {}

    /// Builds over n values; returns false when none is finite.
    bool Build(const double* f, std::size_t stride, const double* p, std::size_t n) {
        f_ = f;
        stride_ = stride;
        p_ = p;
        count_ = 0;
        std::size_t k = 0;
        for (std::size_t q = 0; q < n; ++q) {
            const double fq = f[q * stride];
            if (!(fq < kInf))
                continue;
            if (count_ == 0) {
                v_[0] = q;
                z_[0] = -kInf;
                z_[1] = kInf;
                count_ = 1;
                continue;
            }
            const double hq = fq + p[q] * p[q];
            double x = 0.0;
            for (;;) {
                const std::size_t r = v_[k];
                x = (hq - (f[r * stride] + p[r] * p[r])) / (2.0 * (p[q] - p[r]));
                if (x > z_[k] || k == 0)
                    break;
                --k;
            }
            ++k;
            v_[k] = q;
            z_[k] = x;
            z_[k + 1] = kInf;
            count_ = k + 1;
        }
        j_ = 0;
        return count_ > 0;
    }

    /// The envelope at x; queries must come in increasing order after Build.
    double At(double x) {
        while (j_ + 1 < count_ && z_[j_ + 1] < x)
            ++j_;
        double best = kInf;
        const std::size_t lo = j_ == 0 ? 0 : j_ - 1;
        const std::size_t hi = std::min(count_, j_ + 2);
        for (std::size_t c = lo; c < hi; ++c) {
            const double d = x - p_[v_[c]];
            best = std::min(best, f_[v_[c] * stride_] + d * d);
        }
        return best;
    }

private:
    std::vector<std::size_t> v_;
    std::vector<double> z_;
    const double* f_ = nullptr;
    std::size_t stride_ = 1;
    const double* p_ = nullptr;
    std::size_t count_ = 0;
    std::size_t j_ = 0;
};

/// Runs body(line) for lines [0, lines) in chunks on `threads` threads.
template <typename Body> void ForLines(std::size_t lines, std::size_t work, unsigned threads, Body&& body) {
    const unsigned use = work < kParallelVoxels ? 1U : threads;
    const std::size_t chunk = std::max<std::size_t>(16, lines / 64);
    const std::size_t chunks = (lines + chunk - 1) / chunk;
    ParallelFor(chunks, use, [&](std::size_t c) {
        const std::size_t end = std::min(lines, (c + 1) * chunk);
        for (std::size_t line = c * chunk; line < end; ++line)
            body(line);
    });
}

} // namespace

std::vector<double> SquaredDistanceToInterpolatedZeroSet(std::span<const double> field,
                                                         const std::array<std::size_t, 3>& size,
                                                         const std::array<double, 3>& spacing,
                                                         const std::array<std::size_t, 3>& factors,
                                                         unsigned threads) {
    const std::size_t nx = size[0], ny = size[1], nz = size[2];
    if (field.size() != nx * ny * nz)
        throw std::invalid_argument("SquaredDistanceToInterpolatedZeroSet: field size does not match the box");
    for (std::size_t a = 0; a < 3; ++a) {
        if (!(spacing[a] > 0.0) || !std::isfinite(spacing[a]))
            throw std::invalid_argument("SquaredDistanceToInterpolatedZeroSet: spacing must be positive and finite");
        if (factors[a] == 0)
            throw std::invalid_argument("SquaredDistanceToInterpolatedZeroSet: a refinement factor is 0");
    }
    std::vector<double> out(field.size(), kInf);
    if (out.empty())
        return out;
    const FineAxis ax = MakeFineAxis(nx, factors[0], spacing[0]);
    const FineAxis ay = MakeFineAxis(ny, factors[1], spacing[1]);
    const FineAxis az = MakeFineAxis(nz, factors[2], spacing[2]);
    const std::size_t fx = ax.count, fy = ay.count;
    const std::size_t fine_points = fx * fy * az.count;

    // Pass z: per fine (x, y) column, the interpolated field along fine z and, for every slice,
    // the squared distance along z to the nearest qualifying point. g1[I + fx (J + fy k)].
    std::vector<double> g1(fx * fy * nz, kInf);
    ForLines(fx * fy, fine_points, threads, [&](std::size_t line) {
        const std::size_t I = line % fx, J = line / fx;
        const double tx = ax.t[I], ty = ay.t[J];
        const std::size_t x0 = ax.c0[I], x1 = ax.c1[I], y0 = ay.c0[J], y1 = ay.c1[J];
        std::vector<double> column(nz);
        std::vector<double> hits;
        for (std::size_t k = 0; k < nz; ++k) {
            const std::size_t s = nx * ny * k;
            const double low = (1.0 - tx) * field[s + x0 + nx * y0] + tx * field[s + x1 + nx * y0];
            const double high = (1.0 - tx) * field[s + x0 + nx * y1] + tx * field[s + x1 + nx * y1];
            column[k] = (1.0 - ty) * low + ty * high;
        }
        hits.clear();
        for (std::size_t K = 0; K < az.count; ++K)
            if ((1.0 - az.t[K]) * column[az.c0[K]] + az.t[K] * column[az.c1[K]] <= 0.0)
                hits.push_back(az.fine_mm[K]);
        if (hits.empty())
            return;
        std::size_t h = 0;
        for (std::size_t k = 0; k < nz; ++k) {
            const double q = az.coarse_mm[k];
            while (h + 1 < hits.size() && hits[h + 1] <= q)
                ++h;
            double best = (q - hits[h]) * (q - hits[h]);
            if (h + 1 < hits.size())
                best = std::min(best, (hits[h + 1] - q) * (hits[h + 1] - q));
            g1[I + fx * (J + fy * k)] = best;
        }
    });

    // Pass y: per (fine x, slice) line over fine y, evaluated at the voxel rows. g2[I + fx (j + ny k)].
    std::vector<double> g2(fx * ny * nz, kInf);
    ForLines(fx * nz, fine_points / std::max<std::size_t>(1, factors[2]), threads, [&](std::size_t line) {
        const std::size_t I = line % fx, k = line / fx;
        Envelope envelope(fy);
        if (!envelope.Build(&g1[I + fx * fy * k], fx, ay.fine_mm.data(), fy))
            return;
        for (std::size_t j = 0; j < ny; ++j)
            g2[I + fx * (j + ny * k)] = envelope.At(ay.coarse_mm[j]);
    });

    // Pass x: per (row, slice) line over fine x, evaluated at the voxel centres.
    ForLines(ny * nz, fx * ny * nz, threads, [&](std::size_t line) {
        const std::size_t j = line % ny, k = line / ny;
        Envelope envelope(fx);
        if (!envelope.Build(&g2[fx * (j + ny * k)], 1, ax.fine_mm.data(), fx))
            return;
        for (std::size_t i = 0; i < nx; ++i)
            out[i + nx * (j + ny * k)] = envelope.At(ax.coarse_mm[i]);
    });
    return out;
}

} // namespace radnode::processing::regions
