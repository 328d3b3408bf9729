#pragma once
/// The numpy / scipy / trimesh operations PyRadiomics' LBP image types go through, each
/// reproduced operation by operation (same formulas, same evaluation and summation order), so
/// that the LBP filters (lbp_filters.h) give the libraries' numbers, not just close ones.
/// Versions followed: numpy 1.24, scipy 1.10.1, trimesh 4.x (Debian 12 for numpy/scipy).
///
/// Exactness needs IEEE double arithmetic without contraction into fused multiply-adds: true
/// for the ISO C++ mode radnode builds in (GCC's -ffp-contract=off) on x86-64 without -march.

#include "processing/volume.h"

#include <array>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {

/// An integer numpy dtype identified by its value range (int8, uint8, int16, uint16, int32).
struct IntegerDtype {
    int bits = 16;
    bool is_signed = true;
    double min = -32768.0;
    double max = 32767.0;
};

/// The dtype whose value range is exactly `range`; throws std::invalid_argument for any other
/// range (uint32, int64, ... are not supported: numpy's casts into them differ on x86-64).
IntegerDtype IntegerDtypeForRange(const std::pair<double, double>& range);

/// numpy's float64 -> integer assignment cast (`int_array[...] = float_array`, casting 'unsafe')
/// on x86-64: truncation toward zero; NaN and values outside int32 become INT32_MIN (cvttsd2si),
/// then 8- and 16-bit types keep the low bits (40000.7 -> -25536 in int16, NaN -> 0).
double NumpyCastToInteger(double value, const IntegerDtype& dtype);

/// scipy.ndimage's store of an interpolated value into an integer output array: round half away
/// from zero (unsigned: negative -> 0), clamp to the dtype's range, then the C cast.
double ScipyInterpolationToInteger(double value, const IntegerDtype& dtype);

/// numpy's pairwise summation of a contiguous float64 reduction (np.sum / np.mean along the
/// last axis): blocks of 8 partial sums up to 128 values, halving (multiple of 8) above.
double NumpyPairwiseSum(std::span<const double> values);

/// scipy.stats.kurtosis(samples, fisher=True, bias=True) of one row: moments from numpy's
/// pairwise means; NaN when the second moment is <= (1e-15 * mean)^2 (constant samples).
double ScipyKurtosis(std::span<const double> samples, std::vector<double>& scratch);

/// scipy.special.sph_harm(m, n, theta, phi) (scipy 1.10.1): theta is the azimuthal angle and phi
/// the polar one, P_n^|m| from specfun's LPMV, cephes' poch for the normalisation.
std::complex<double> ScipySphHarm(int m, int n, double theta, double phi);

/// trimesh.creation.icosphere(subdivision, radius).vertices: trimesh's icosahedron, then per
/// subdivision remesh.subdivide (edge midpoints ordered by grouping.unique_rows) and the
/// re-projection v += v / |v| * (radius - |v|); without subdivision only the re-projection.
std::vector<std::array<double, 3>> IcosphereVertices(int subdivision, double radius);

/// Spline coefficients of scipy.ndimage.spline_filter(image, order=3, mode='mirror'), which
/// map_coordinates(order=3, mode='constant') prefilters the whole image with (mode 'constant'
/// uses the mirror initialisation in scipy 1.10): one pass per numpy axis z, y, x, each line
/// filtered over its full length. Only the coefficients of `begin` .. `begin + size` (x, y, z)
/// are returned (x fastest); they equal the whole-image filter's bit for bit, since every line
/// the box depends on is filtered whole.
std::vector<double> CubicSplineCoefficients(const Volume<double>& image, const std::array<std::size_t, 3>& begin,
                                            const std::array<std::size_t, 3>& size);

/// Where scipy's order-3 map_coordinates samples along one axis: the 4 coefficient indices
/// (mirrored into the axis) and their B-spline weights; `inside` false when the coordinate lies
/// outside [0, length - 1] (mode 'constant': the whole sample is then cval = 0).
struct SplineTaps {
    bool inside = false;
    std::array<std::ptrdiff_t, 4> index{};
    std::array<double, 4> weight{};
};
SplineTaps CubicSplineTaps(double coordinate, std::size_t length);

} // namespace radnode::processing::radiomics
