#include "processing/radiomics/ibsi_convolution.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <numbers>
#include <optional>
#include <unsupported/Eigen/FFT>

namespace radnode::processing::radiomics::ibsi {

std::ptrdiff_t PaddedIndex(std::ptrdiff_t t, std::size_t n, IbsiPadding padding) {
    const auto size = static_cast<std::ptrdiff_t>(n);
    if (t >= 0 && t < size)
        return t;
    switch (padding) {
    case IbsiPadding::Constant:
        return -1;
    case IbsiPadding::Nearest:
        return std::clamp<std::ptrdiff_t>(t, 0, size - 1);
    case IbsiPadding::Periodic:
        return ((t % size) + size) % size;
    case IbsiPadding::Mirror: {
        // Symmetric extension repeats the edge voxel, so it has period 2n.
        const std::ptrdiff_t m = ((t % (2 * size)) + 2 * size) % (2 * size);
        return m < size ? m : 2 * size - 1 - m;
    }
    }
    return -1;
}

void ConvolveAxis(std::vector<double>& data, const Dims& dims, std::size_t axis, const std::vector<double>& kernel,
                  IbsiPadding padding) {
    assert(kernel.size() % 2 == 1);
    const std::size_t n = dims[axis];
    const auto half = static_cast<std::ptrdiff_t>(kernel.size() / 2);
    const std::array<std::size_t, 3> stride{1, dims[0], dims[0] * dims[1]};
    const std::size_t a = axis == 0 ? 1 : 0;
    const std::size_t b = axis == 2 ? 1 : 2;
    // Where each position of the padded line reads from (-1 = zero), shared by all lines.
    std::vector<std::ptrdiff_t> source(n + 2 * static_cast<std::size_t>(half));
    for (std::size_t t = 0; t < source.size(); ++t)
        source[t] = PaddedIndex(static_cast<std::ptrdiff_t>(t) - half, n, padding);
    std::vector<double> line(source.size());
    for (std::size_t ib = 0; ib < dims[b]; ++ib)
        for (std::size_t ia = 0; ia < dims[a]; ++ia) {
            const std::size_t start = ia * stride[a] + ib * stride[b];
            for (std::size_t t = 0; t < line.size(); ++t)
                line[t] = source[t] < 0 ? 0.0 : data[start + static_cast<std::size_t>(source[t]) * stride[axis]];
            for (std::size_t o = 0; o < n; ++o) {
                // out[o] = sum_t k[t] in[o + half - t], in[q] = line[q + half].
                double sum = 0.0;
                const std::size_t last = o + 2 * static_cast<std::size_t>(half);
                for (std::size_t t = 0; t < kernel.size(); ++t)
                    sum += kernel[t] * line[last - t];
                data[start + o * stride[axis]] = sum;
            }
        }
}

std::vector<AxisRotation> RightAngleRotations(bool two_d) {
    std::vector<AxisRotation> rotations;
    const std::size_t axes = two_d ? 2 : 3;
    std::array<std::size_t, 3> source{0, 1, 2};
    do {
        // Parity of the permutation: a rotation flips an even number of axes for an even
        // permutation and an odd number for an odd one (determinant +1).
        int inversions = 0;
        for (std::size_t a = 0; a < axes; ++a)
            for (std::size_t b = a + 1; b < axes; ++b)
                inversions += source[a] > source[b] ? 1 : 0;
        for (unsigned mask = 0; mask < (1U << axes); ++mask) {
            const int flips = std::popcount(mask);
            if ((flips + inversions) % 2 != 0)
                continue;
            AxisRotation rotation;
            rotation.source = source;
            for (std::size_t a = 0; a < axes; ++a)
                rotation.flip[a] = ((mask >> a) & 1U) != 0;
            rotations.push_back(rotation);
        }
    } while (std::next_permutation(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(axes)));
    return rotations;
}

void Pool(std::vector<double>& pooled, const std::vector<double>& response, IbsiPooling pooling) {
    if (pooled.empty()) {
        pooled = response;
        return;
    }
    for (std::size_t v = 0; v < pooled.size(); ++v) {
        switch (pooling) {
        case IbsiPooling::Max:
            pooled[v] = std::max(pooled[v], response[v]);
            break;
        case IbsiPooling::Min:
            pooled[v] = std::min(pooled[v], response[v]);
            break;
        case IbsiPooling::Mean:
            pooled[v] += response[v];
            break;
        }
    }
}

void FinishPooling(std::vector<double>& pooled, IbsiPooling pooling, std::size_t count) {
    if (pooling != IbsiPooling::Mean || count == 0)
        return;
    for (double& value : pooled)
        value /= static_cast<double>(count);
}

std::vector<double> Voxels(const Volume<double>& image) {
    return {image.Data().begin(), image.Data().end()};
}

Volume<double> ToVolume(const ImageGeometry& geometry, const std::vector<double>& values) {
    Volume<double> out(geometry, kUninitialized);
    std::copy(values.begin(), values.end(), out.Data().begin());
    return out;
}

std::size_t FftLength(std::size_t minimum) {
    for (std::size_t n = std::max<std::size_t>(minimum, 1);; ++n) {
        std::size_t m = n;
        for (const std::size_t p : {2U, 3U, 5U})
            while (m % p == 0)
                m /= p;
        if (m == 1)
            return n;
    }
}

namespace {

/// Largest prime factor of n (n >= 1; 1 for n = 1).
std::size_t LargestPrimeFactor(std::size_t n) {
    std::size_t largest = 1;
    for (std::size_t p = 2; p * p <= n; ++p)
        while (n % p == 0) {
            largest = p;
            n /= p;
        }
    return std::max(largest, n);
}

/// The n-point DFT as a convolution (Bluestein's chirp z-transform), computed with FFTs of a
/// 5-smooth length >= 2n - 1. Eigen's FFT (kissfft) takes O(n p) per line for a prime factor
/// p, which for a prime length such as 197 (the 1 mm grid of the IBSI CT phantom) is the
/// quadratic DFT; this is O(n log n) for every n, and the same transform to rounding.
class Bluestein {
public:
    Bluestein(std::size_t n, bool inverse) : n_(n), m_(FftLength(2 * n - 1)), chirp_(n), a_(m_), b_(m_) {
        // chirp[j] = exp(-+ i pi j^2 / n), with j^2 reduced mod 2n to keep the angle small.
        const double sign = inverse ? 1.0 : -1.0;
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t q = (j * j) % (2 * n);
            chirp_[j] = std::polar(1.0, sign * std::numbers::pi * static_cast<double>(q) / static_cast<double>(n));
        }
        std::vector<Complex> kernel(m_, Complex(0.0, 0.0));
        kernel[0] = std::conj(chirp_[0]);
        for (std::size_t j = 1; j < n; ++j)
            kernel[j] = kernel[m_ - j] = std::conj(chirp_[j]);
        fft_.fwd(kernel_spectrum_, kernel);
        scale_ = inverse ? 1.0 / static_cast<double>(n) : 1.0;
    }

    /// line <- its DFT (forward: exp(-2 pi i jk / n); inverse: exp(+...) / n, as Eigen's).
    void Transform(std::vector<Complex>& line) {
        std::fill(a_.begin(), a_.end(), Complex(0.0, 0.0));
        for (std::size_t j = 0; j < n_; ++j)
            a_[j] = line[j] * chirp_[j];
        fft_.fwd(b_, a_);
        for (std::size_t k = 0; k < m_; ++k)
            b_[k] *= kernel_spectrum_[k];
        fft_.inv(a_, b_);
        for (std::size_t k = 0; k < n_; ++k)
            line[k] = a_[k] * chirp_[k] * scale_;
    }

private:
    std::size_t n_;
    std::size_t m_;
    std::vector<Complex> chirp_;
    std::vector<Complex> kernel_spectrum_;
    std::vector<Complex> a_;
    std::vector<Complex> b_;
    double scale_ = 1.0;
    Eigen::FFT<double> fft_;
};

} // namespace

void Fft(std::vector<Complex>& data, const Dims& dims, const std::array<bool, 3>& axes, bool inverse) {
    Eigen::FFT<double> fft;
    std::vector<Complex> line;
    std::vector<Complex> out;
    const std::array<std::size_t, 3> stride{1, dims[0], dims[0] * dims[1]};
    for (std::size_t axis = 0; axis < 3; ++axis) {
        const std::size_t n = dims[axis];
        if (!axes[axis] || n == 1)
            continue;
        // Lengths with a prime factor above 7 (exact-length periodic grids) go through Bluestein.
        std::optional<Bluestein> chirp;
        if (LargestPrimeFactor(n) > 7)
            chirp.emplace(n, inverse);
        // The lines along `axis` start at every index of the two other axes.
        const std::size_t a = axis == 0 ? 1 : 0;
        const std::size_t b = axis == 2 ? 1 : 2;
        line.resize(n);
        for (std::size_t ib = 0; ib < dims[b]; ++ib)
            for (std::size_t ia = 0; ia < dims[a]; ++ia) {
                const std::size_t start = ia * stride[a] + ib * stride[b];
                for (std::size_t t = 0; t < n; ++t)
                    line[t] = data[start + t * stride[axis]];
                if (chirp) {
                    chirp->Transform(line);
                    out = line;
                } else if (inverse) {
                    fft.inv(out, line);
                } else {
                    fft.fwd(out, line);
                }
                for (std::size_t t = 0; t < n; ++t)
                    data[start + t * stride[axis]] = out[t];
            }
    }
}

PaddedBlock PadForFft(const std::vector<double>& image, const Dims& image_dims, const Dims& margin,
                      const std::array<bool, 3>& fft_axes, IbsiPadding padding, bool exact_length) {
    PaddedBlock block;
    for (std::size_t a = 0; a < 3; ++a) {
        assert(fft_axes[a] || margin[a] == 0);
        block.offset[a] = margin[a];
        const std::size_t length = image_dims[a] + 2 * margin[a];
        block.dims[a] = !fft_axes[a] ? image_dims[a] : exact_length ? length : FftLength(length);
    }
    block.data.assign(Count(block.dims), Complex(0.0, 0.0));
    // Grid voxels past n + 2 margin only feed outputs that are cropped away, so the padding
    // simply continues there.
    std::array<std::vector<std::ptrdiff_t>, 3> source;
    for (std::size_t a = 0; a < 3; ++a) {
        source[a].resize(block.dims[a]);
        for (std::size_t t = 0; t < block.dims[a]; ++t)
            source[a][t] = PaddedIndex(static_cast<std::ptrdiff_t>(t) - static_cast<std::ptrdiff_t>(margin[a]),
                                       image_dims[a], padding);
    }
    std::size_t p = 0;
    for (std::size_t k = 0; k < block.dims[2]; ++k)
        for (std::size_t j = 0; j < block.dims[1]; ++j)
            for (std::size_t i = 0; i < block.dims[0]; ++i, ++p) {
                if (source[0][i] < 0 || source[1][j] < 0 || source[2][k] < 0)
                    continue;
                const auto si = static_cast<std::size_t>(source[0][i]);
                const auto sj = static_cast<std::size_t>(source[1][j]);
                const auto sk = static_cast<std::size_t>(source[2][k]);
                block.data[p] = Complex(image[si + image_dims[0] * (sj + image_dims[1] * sk)], 0.0);
            }
    return block;
}

double NyquistFrequency(std::size_t k, std::size_t n) {
    const auto kk = static_cast<double>(k);
    const auto nn = static_cast<double>(n);
    return 2.0 * (2 * k < n ? kk : kk - nn) / nn;
}

double ReferenceGridFrequency(std::size_t k, std::size_t n) {
    if (n < 2)
        return 0.0;
    const double centre = (static_cast<double>(n) - 1.0) / 2.0;
    return (static_cast<double>((k + n / 2) % n) - centre) / centre;
}

Complex RieszMultiplier(const std::array<double, 3>& w, const std::array<int, 3>& order) {
    const int total = order[0] + order[1] + order[2];
    if (total == 0)
        return {1.0, 0.0};
    const double norm = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    if (norm == 0.0)
        return {0.0, 0.0};
    double value = std::sqrt(std::tgamma(total + 1.0) /
                             (std::tgamma(order[0] + 1.0) * std::tgamma(order[1] + 1.0) * std::tgamma(order[2] + 1.0)));
    for (std::size_t a = 0; a < 3; ++a)
        value *= std::pow(w[a] / norm, order[a]);
    // (-i)^L cycles through 1, -i, -1, i.
    static constexpr std::array<Complex, 4> kPhase{Complex(1, 0), Complex(0, -1), Complex(-1, 0), Complex(0, 1)};
    return kPhase[static_cast<std::size_t>(total % 4)] * value;
}

std::vector<double> CropReal(const PaddedBlock& block, const Dims& image_dims, const Dims& crop) {
    std::vector<double> out(Count(image_dims));
    std::size_t p = 0;
    for (std::size_t k = 0; k < image_dims[2]; ++k)
        for (std::size_t j = 0; j < image_dims[1]; ++j)
            for (std::size_t i = 0; i < image_dims[0]; ++i, ++p)
                out[p] =
                    block.data[(i + crop[0]) + block.dims[0] * ((j + crop[1]) + block.dims[1] * (k + crop[2]))].real();
    return out;
}

} // namespace radnode::processing::radiomics::ibsi
