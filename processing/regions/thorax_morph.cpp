// Ball dilation and erosion in millimetres for the thorax segmentation, on an exact squared
// Euclidean distance transform (separable lower envelopes, Felzenszwalb & Huttenlocher 2012).

#include "processing/regions/thorax_detail.h"

#include "processing/parallel_for.h"

#include <algorithm>
#include <limits>

namespace radnode::processing::regions::detail {
namespace {

constexpr double kFar = std::numeric_limits<double>::infinity();

/// In place along one line: d[x] = min_q f[q] + (s (x - q))^2 over the `n` values `f[i * stride]`.
void Envelope(double* f, std::size_t n, std::size_t stride, double s, std::vector<double>& g, std::vector<std::size_t>& v,
              std::vector<double>& z) {
    g.resize(n);
    v.resize(n);
    z.resize(n + 1);
    bool all_zero = true;
    for (std::size_t i = 0; i < n; ++i) {
        g[i] = f[i * stride];
        all_zero = all_zero && g[i] == 0.0;
    }
    if (all_zero)
        return; // inside the features everywhere: nothing changes
    std::size_t k = 0;
    std::size_t first = n;
    for (std::size_t q = 0; q < n; ++q)
        if (g[q] < kFar) {
            first = q;
            break;
        }
    if (first == n)
        return; // nothing finite on this line
    v[0] = first;
    z[0] = -kFar;
    z[1] = kFar;
    const double s2 = s * s;
    for (std::size_t q = first + 1; q < n; ++q) {
        if (!(g[q] < kFar))
            continue;
        double cut = 0.0;
        while (true) {
            const double pq = static_cast<double>(q), pv = static_cast<double>(v[k]);
            cut = ((g[q] + s2 * pq * pq) - (g[v[k]] + s2 * pv * pv)) / (2.0 * s2 * (pq - pv));
            if (cut <= z[k] && k > 0) {
                --k;
                continue;
            }
            break;
        }
        if (cut <= z[k]) { // k == 0: the new parabola dominates everywhere
            v[0] = q;
            z[1] = kFar;
            continue;
        }
        ++k;
        v[k] = q;
        z[k] = cut;
        z[k + 1] = kFar;
    }
    k = 0;
    for (std::size_t x = 0; x < n; ++x) {
        while (z[k + 1] < static_cast<double>(x))
            ++k;
        const double d = s * (static_cast<double>(x) - static_cast<double>(v[k]));
        f[x * stride] = g[v[k]] + d * d;
    }
}

} // namespace

std::vector<double> SquaredDistanceTo(const Work& w, const std::array<double, 3>& spacing, bool feature_value) {
    std::vector<double> d(w.Size());
    const auto& e = w.extent;
    const std::array<std::size_t, 3> stride{1, e[0], e[0] * e[1]};
    // Along x the nearest feature of each voxel is found by two sweeps; the envelopes of the
    // other axes combine those.
    ParallelFor(e[1] * e[2], 0, [&](std::size_t line) {
        const std::uint8_t* in = w.values.data() + line * e[0];
        double* out = d.data() + line * e[0];
        const auto is_feature = [&](std::size_t x) { return (in[x] != 0) == feature_value; };
        long last = -1;
        for (std::size_t x = 0; x < e[0]; ++x) {
            if (is_feature(x))
                last = static_cast<long>(x);
            out[x] = last < 0 ? kFar : spacing[0] * static_cast<double>(static_cast<long>(x) - last);
        }
        last = -1;
        for (std::size_t x = e[0]; x-- > 0;) {
            if (is_feature(x))
                last = static_cast<long>(x);
            if (last >= 0)
                out[x] = std::min(out[x], spacing[0] * static_cast<double>(last - static_cast<long>(x)));
            out[x] = out[x] * out[x];
        }
    });
    for (std::size_t axis = 1; axis < 3; ++axis) {
        const std::size_t a1 = axis == 0 ? 1 : 0;
        const std::size_t a2 = axis == 2 ? 1 : 2;
        ParallelFor(e[a2], 0, [&](std::size_t v2) {
            std::vector<double> g;
            std::vector<std::size_t> v;
            std::vector<double> z;
            for (std::size_t v1 = 0; v1 < e[a1]; ++v1)
                Envelope(d.data() + v1 * stride[a1] + v2 * stride[a2], e[axis], stride[axis], spacing[axis], g, v, z);
        });
    }
    return d;
}

void Morph(Work& work, const std::array<double, 3>& spacing, double radius_mm) {
    const double r2 = radius_mm * radius_mm;
    if (radius_mm > 0.0) {
        const std::vector<double> d = SquaredDistanceTo(work, spacing, true);
        for (std::size_t n = 0; n < d.size(); ++n)
            work.values[n] = d[n] <= r2 ? 1 : 0;
    } else if (radius_mm < 0.0) {
        // Background outside the extent is unknown, not background: edges are not eroded.
        const std::vector<double> d = SquaredDistanceTo(work, spacing, false);
        for (std::size_t n = 0; n < d.size(); ++n)
            work.values[n] = work.values[n] != 0 && d[n] > r2 ? 1 : 0;
    }
}

} // namespace radnode::processing::regions::detail
