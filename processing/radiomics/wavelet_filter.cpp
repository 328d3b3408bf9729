// PyRadiomics' wavelet image type (imageoperations._swt3 calling pywt.swtn level by level),
// computed over a box: every single-axis pass keeps only the window the later passes and the
// box need, so a small ROI in a large image costs a small fraction of the whole transform,
// with the same sums in the same order (bit-identical to transforming everything).

#include "processing/radiomics/filters.h"
#include "processing/radiomics/wavelet_table.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

/// The indices an array holds along one axis of the padded image: `len` consecutive unwrapped
/// indices from `start` (padded coordinate = index mod the padded size), or the whole axis.
struct Window {
    long start = 0;
    std::size_t len = 0;
    bool full = false;
};

/// Values over a window per axis, x fastest.
struct WindowedArray {
    std::array<Window, 3> windows;
    std::vector<double> data;
};

long Mod(long value, long n) {
    const long r = value % n;
    return r < 0 ? r + n : r;
}

/// The input window a single-axis pass with a filter of `taps` coefficients needs for `out`:
/// out[o] reads in[o + F/2 - j], j = 0..F-1.
Window Expand(const Window& out, std::size_t taps, std::size_t padded) {
    if (out.full)
        return out;
    const long reach_before = static_cast<long>(taps - 1 - taps / 2);
    Window in{out.start - reach_before, out.len + taps - 1, false};
    if (in.len >= padded)
        in = Window{0, padded, true};
    return in;
}

/// One pywt level-1 SWT pass of `in` along `axis` with `filter`, producing the `out` window:
/// out[o] = sum_j filter[j] * in[(o + F/2 - j) mod P], summed in j order as pywt does.
WindowedArray FilterAxis(const WindowedArray& in, std::size_t axis, const std::vector<double>& filter,
                         const Window& out_window, std::size_t padded) {
    WindowedArray out;
    out.windows = in.windows;
    out.windows[axis] = out_window;
    std::array<std::size_t, 3> in_size{};
    std::array<std::size_t, 3> out_size{};
    for (std::size_t a = 0; a < 3; ++a) {
        in_size[a] = in.windows[a].len;
        out_size[a] = out.windows[a].len;
    }
    const std::size_t taps = filter.size();
    const auto p = static_cast<long>(padded);
    // Position in `in` of each tap of each output index along the axis.
    std::vector<std::size_t> source(out_window.len * taps);
    const Window& iw = in.windows[axis];
    for (std::size_t o = 0; o < out_window.len; ++o) {
        const long unwrapped = out_window.start + static_cast<long>(o);
        for (std::size_t j = 0; j < taps; ++j) {
            const long t = unwrapped + static_cast<long>(taps / 2) - static_cast<long>(j);
            const long at = iw.full ? Mod(t, p) : t - iw.start;
            if (at < 0 || at >= static_cast<long>(iw.len))
                throw std::logic_error("wavelet: window too small");
            source[o * taps + j] = static_cast<std::size_t>(at);
        }
    }
    out.data.resize(out_size[0] * out_size[1] * out_size[2]);
    const std::size_t in_stride = axis == 0 ? 1 : (axis == 1 ? in_size[0] : in_size[0] * in_size[1]);
    const std::size_t out_stride = axis == 0 ? 1 : (axis == 1 ? out_size[0] : out_size[0] * out_size[1]);
    // The other two axes have the same extent in `in` and `out`.
    const std::size_t a1 = axis == 0 ? 1 : 0;
    const std::size_t a2 = axis == 2 ? 1 : 2;
    const auto stride_of = [](const std::array<std::size_t, 3>& size, std::size_t a) {
        return a == 0 ? std::size_t{1} : (a == 1 ? size[0] : size[0] * size[1]);
    };
    for (std::size_t v = 0; v < out_size[a2]; ++v)
        for (std::size_t u = 0; u < out_size[a1]; ++u) {
            const double* line = in.data.data() + u * stride_of(in_size, a1) + v * stride_of(in_size, a2);
            double* dst = out.data.data() + u * stride_of(out_size, a1) + v * stride_of(out_size, a2);
            for (std::size_t o = 0; o < out_window.len; ++o) {
                const std::size_t* at = source.data() + o * taps;
                double sum = 0.0;
                for (std::size_t j = 0; j < taps; ++j)
                    sum += filter[j] * line[at[j] * in_stride];
                dst[o * out_stride] = sum;
            }
        }
    return out;
}

/// Offset in `array` of image index `index` along each axis (inside its windows).
std::size_t OffsetOf(const WindowedArray& array, const std::array<std::size_t, 3>& index,
                     const std::array<std::size_t, 3>& padded) {
    std::size_t offset = 0;
    std::size_t stride = 1;
    for (std::size_t a = 0; a < 3; ++a) {
        const Window& w = array.windows[a];
        const long at = w.full ? static_cast<long>(index[a]) % static_cast<long>(padded[a])
                               : static_cast<long>(index[a]) - w.start;
        offset += static_cast<std::size_t>(at) * stride;
        stride *= w.len;
    }
    return offset;
}

std::vector<double> CropToBox(const WindowedArray& array, const VoxelBox& box,
                              const std::array<std::size_t, 3>& padded) {
    std::vector<double> out(box.VoxelCount());
    std::size_t b = 0;
    for (std::size_t k = 0; k < box.size[2]; ++k)
        for (std::size_t j = 0; j < box.size[1]; ++j)
            for (std::size_t i = 0; i < box.size[0]; ++i)
                out[b++] = array.data[OffsetOf(array, {box.begin[0] + i, box.begin[1] + j, box.begin[2] + k}, padded)];
    return out;
}

} // namespace

bool WaveletFiltersFor(const std::string& name, WaveletFilters& filters) {
    for (const WaveletTableEntry& entry : WaveletTable()) {
        if (entry.name != name)
            continue;
        filters.low = entry.dec_lo;
        if (!entry.dec_hi.empty()) {
            filters.high = entry.dec_hi;
        } else {
            // PyWavelets' quadrature mirror of an orthogonal filter (exact: sign and order only).
            const std::size_t n = entry.dec_lo.size();
            filters.high.resize(n);
            for (std::size_t i = 0; i < n; ++i)
                filters.high[i] = (i % 2 == 0 ? -1.0 : 1.0) * entry.dec_lo[n - 1 - i];
        }
        return true;
    }
    return false;
}

std::vector<double> WaveletFilter(const Volume<double>& image, const VoxelBox& box, const WaveletFilters& filters,
                                  int start_level, int level_index, const std::vector<std::size_t>& axes,
                                  const std::string& letters) {
    if (letters.size() != axes.size() || filters.low.size() != filters.high.size() || filters.low.empty())
        throw std::invalid_argument("wavelet: one letter per axis and equal-length filters are needed");
    const ImageGeometry& g = image.Geometry();
    std::array<std::size_t, 3> padded{};
    std::array<bool, 3> transformed{false, false, false};
    for (std::size_t a = 0; a < 3; ++a)
        padded[a] = g.size[a] + g.size[a] % 2; // np.pad(..., (0, 1), "wrap") on odd axes
    for (const std::size_t a : axes)
        transformed[a] = true;
    const std::size_t taps = filters.low.size();
    const int passes = start_level + level_index + 1;

    // Windows, from the box backwards: before each single-axis pass, the window it reads.
    // stage_windows[s] is the window set the array has after stage s (stage 0 = the input).
    const std::size_t stages = static_cast<std::size_t>(passes) * axes.size();
    std::vector<std::array<Window, 3>> stage_windows(stages + 1);
    for (std::size_t a = 0; a < 3; ++a)
        stage_windows[stages][a] = Window{static_cast<long>(box.begin[a]), box.size[a], false};
    for (std::size_t s = stages; s > 0; --s) {
        stage_windows[s - 1] = stage_windows[s];
        const std::size_t axis = axes[(s - 1) % axes.size()];
        stage_windows[s - 1][axis] = Expand(stage_windows[s][axis], taps, padded[axis]);
    }

    // The padded image over the first windows: padded coordinate c reads voxel c mod size.
    WindowedArray current;
    current.windows = stage_windows[0];
    std::array<std::vector<std::size_t>, 3> source;
    for (std::size_t a = 0; a < 3; ++a) {
        const Window& w = current.windows[a];
        source[a].resize(w.len);
        for (std::size_t t = 0; t < w.len; ++t) {
            const long unwrapped = w.full ? static_cast<long>(t) : w.start + static_cast<long>(t);
            source[a][t] = transformed[a]
                               ? static_cast<std::size_t>(Mod(unwrapped, static_cast<long>(padded[a]))) % g.size[a]
                               : static_cast<std::size_t>(unwrapped);
        }
    }
    current.data.resize(source[0].size() * source[1].size() * source[2].size());
    std::size_t p = 0;
    for (const std::size_t k : source[2])
        for (const std::size_t j : source[1])
            for (const std::size_t i : source[0])
                current.data[p++] = image.Data()[g.LinearIndex(i, j, k)];

    // Passes before the wanted one keep only the approximation (all 'L').
    std::size_t stage = 0;
    for (int pass = 0; pass < passes; ++pass)
        for (std::size_t n = 0; n < axes.size(); ++n, ++stage) {
            const bool last_pass = pass == passes - 1;
            const std::vector<double>& filter = !last_pass || letters[n] == 'L' ? filters.low : filters.high;
            const std::size_t axis = axes[n];
            current = FilterAxis(current, axis, filter, stage_windows[stage + 1][axis], padded[axis]);
        }
    return CropToBox(current, box, padded);
}

} // namespace radnode::processing::radiomics
