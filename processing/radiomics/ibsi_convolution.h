#pragma once
/// Building blocks of the IBSI 2 filters (ibsi_filters.h): boundary padding, separable
/// convolution along one axis, the right-angle rotations used for rotation invariance, and
/// Fourier-domain filtering of a padded block. Internal to processing/radiomics.

#include "processing/radiomics/ibsi_filters.h"

#include <array>
#include <complex>
#include <cstddef>
#include <vector>

namespace radnode::processing::radiomics::ibsi {

using Dims = std::array<std::size_t, 3>;
using Complex = std::complex<double>;

[[nodiscard]] inline std::size_t Count(const Dims& dims) {
    return dims[0] * dims[1] * dims[2];
}

/// The voxel of a line of `n` voxels that position `t` (possibly outside [0, n)) reads under
/// `padding`, or -1 for a constant (zero) value.
[[nodiscard]] std::ptrdiff_t PaddedIndex(std::ptrdiff_t t, std::size_t n, IbsiPadding padding);

/// True convolution along `axis` (0 = x fastest): out[n] = sum_t kernel[t] * in[n + c - t],
/// c = (size - 1) / 2, so the kernel as written is the impulse response. `kernel` has an
/// odd length; voxels outside the image come from `padding`.
void ConvolveAxis(std::vector<double>& data, const Dims& dims, std::size_t axis, const std::vector<double>& kernel,
                  IbsiPadding padding);

/// One proper right-angle rotation of a separable kernel g_0(x) g_1(y) g_2(z): output axis a
/// carries base kernel `source[a]`, reversed when `flip[a]`.
struct AxisRotation {
    std::array<std::size_t, 3> source{0, 1, 2};
    std::array<bool, 3> flip{false, false, false};
};

/// The 24 rotations of the cube (determinant +1 signed permutations), identity first; with
/// `two_d` the 4 rotations in the x-y plane (z untouched).
[[nodiscard]] std::vector<AxisRotation> RightAngleRotations(bool two_d);

/// Combines `response` into `pooled` (empty = first response) by `pooling`; Mean sums, the
/// caller divides once by FinishPooling.
void Pool(std::vector<double>& pooled, const std::vector<double>& response, IbsiPooling pooling);
void FinishPooling(std::vector<double>& pooled, IbsiPooling pooling, std::size_t count);

/// The voxels of `image` as a plain vector (x fastest), and back into a volume of `geometry`.
[[nodiscard]] std::vector<double> Voxels(const Volume<double>& image);
[[nodiscard]] Volume<double> ToVolume(const ImageGeometry& geometry, const std::vector<double>& values);

/// Smallest length >= minimum with no prime factor above 5.
[[nodiscard]] std::size_t FftLength(std::size_t minimum);

/// In-place DFT along the axes with `axes[a]` set; the inverse includes the 1/N scaling.
void Fft(std::vector<Complex>& data, const Dims& dims, const std::array<bool, 3>& axes, bool inverse);

/// A padded copy of an image for Fourier-domain filtering: `dims` = FFT grid, voxel t of the
/// grid holds the image voxel t - offset (padding resolves the rest).
struct PaddedBlock {
    Dims dims{};
    Dims offset{};
    std::vector<Complex> data;
};

/// Pads `image` (size `image_dims`) by `margin[a]` voxels before and at least as many after
/// along every axis `fft_axes` selects, on a grid of FftLength(n + 2 margin) voxels there (n
/// along the other axes, whose margin must be 0). `exact_length` keeps n + 2 margin instead,
/// for filters whose wrap-around is the intended (periodic) boundary.
[[nodiscard]] PaddedBlock PadForFft(const std::vector<double>& image, const Dims& image_dims, const Dims& margin,
                                    const std::array<bool, 3>& fft_axes, IbsiPadding padding,
                                    bool exact_length = false);

/// Signed frequency of DFT bin k of an n-point transform, in units of the Nyquist frequency
/// (pi rad/voxel): 2k/n for k < n/2, 2(k - n)/n above.
[[nodiscard]] double NyquistFrequency(std::size_t k, std::size_t n);

/// Frequency of DFT bin k on the grid the IBSI 2 reference Simoncelli maps were computed on:
/// n points spanning [-1, 1] (units of Nyquist), centred index c = (n - 1) / 2, moved to DFT
/// order by numpy's ifftshift, i.e. (((k + n/2) mod n) - c) / c. For odd n these are the DFT
/// frequencies scaled by n / (n - 1); for even n they are also offset by half a bin, so the
/// filter is not Hermitian and only the real part of the response is kept.
[[nodiscard]] double ReferenceGridFrequency(std::size_t k, std::size_t n);

/// The Riesz multiplier (-i)^L sqrt(L! / prod l_a!) prod w_a^l_a / |w|^L (L = sum of `order`)
/// at frequency `w`; 0 at w = 0. `order` has one entry per axis (x, y, z).
[[nodiscard]] Complex RieszMultiplier(const std::array<double, 3>& w, const std::array<int, 3>& order);

/// Real part of the cropped block: voxel v of the image is block voxel v + `crop`.
[[nodiscard]] std::vector<double> CropReal(const PaddedBlock& block, const Dims& image_dims, const Dims& crop);

} // namespace radnode::processing::radiomics::ibsi
