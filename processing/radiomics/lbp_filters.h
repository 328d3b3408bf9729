#pragma once
/// PyRadiomics' Local Binary Pattern image types (imageoperations.getLBP2DImage and
/// getLBP3DImage) as the libraries they call compute them: skimage 0.19's
/// feature.local_binary_pattern per slice, and the spherical LBP built from scipy 1.10's
/// ndimage.map_coordinates, special.sph_harm and stats.kurtosis on trimesh's icosphere.
/// The numerics are reproduced operation by operation (lbp_numerics.h); see each function for
/// what is bit-identical and what can differ in the last bits.

#include "processing/radiomics/filters.h"
#include "processing/volume.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {

/// Settings of getLBP2DImage.
struct Lbp2dOptions {
    /// lbp2DRadius; skimage takes it as a C float, so it is rounded to float32 first.
    double radius = 1.0;
    /// lbp2DSamples (P): 1..127 ('default' and 'ror': 1..31, their codes are 32-bit ints).
    int samples = 8;
    /// lbp2DMethod: "default", "ror", "uniform", "nri_uniform" or "var" (case-insensitive).
    std::string method = "uniform";
    /// force2Ddimension, a numpy axis: 0 = z (slices k, rows y, columns x), 1 = y (rows z,
    /// columns x), 2 = x (rows y, columns z).
    int axis = 0;
};

/// getLBP2DImage's values over `box` (x fastest), equal to the whole-image result cropped; reads
/// only the box plus the sampling radius in-plane.
///
/// Per slice along `axis`, as skimage's _local_binary_pattern: P points at row offset
/// round(-R sin(2 pi p / P), 5) and column offset round(R cos(2 pi p / P), 5), bilinear
/// interpolation with 0 outside the slice, a point is set when value - centre >= 0. 'uniform'
/// counts 0/1 changes between consecutive points without the wrap-around pair (as skimage does);
/// 'var' is (sum x^2 - (sum x)^2 / P) / P, NaN when exactly 0 (it can come out slightly
/// negative). PyRadiomics assigns the float result into the image's own array, so with
/// `integer_range` (the value range of the integer dtype the image is stored with) each value
/// goes through numpy's float -> integer cast: truncation toward zero, NaN -> 0 for 8/16-bit
/// types, values past the type wrap around (NumpyCastToInteger). nullopt: a float64 image.
/// Bit-identical to skimage for every method.
///
/// Throws std::invalid_argument for an unknown method, samples out of range, a radius not finite or
/// above 1e6, an axis other than 0..2, a box outside the image or an unsupported integer range.
std::vector<double> Lbp2dFilter(const Volume<double>& image, const VoxelBox& box, const Lbp2dOptions& options,
                                const std::optional<std::pair<double, double>>& integer_range);

/// Settings of getLBP3DImage.
struct Lbp3dOptions {
    /// lbp3DLevels: spherical-harmonic degrees 0 .. levels - 1 (>= 2: with fewer, sph_harm's
    /// result stays 1-D and getLBP3DImage raises an IndexError).
    int levels = 2;
    /// lbp3DIcosphereRadius, in voxels (the image spacing is ignored, as in PyRadiomics).
    double icosphere_radius = 1.0;
    /// lbp3DIcosphereSubdivision (0..6): 12, 42, 162, 642, ... sample points.
    int subdivision = 1;
};

/// getLBP3DImage: levels + 1 box images (lbp-3D-m1 .. m<levels>, then lbp-3D-k), each over `box`
/// (x fastest); values at ROI voxels (roi[b] != 0, roi over the box, x fastest), 0 elsewhere
/// (PyRadiomics leaves those uninitialised).
///
/// For each ROI voxel (k, j, i) the image is sampled at numpy coordinates (k + v0, j + v1,
/// i + v2) for every icosphere vertex v (vertex x/y/z added to numpy z/y/x) with
/// map_coordinates(order=3, mode='constant'): cubic B-spline of the whole image (mirror
/// boundary), 0 for a point outside [0, n - 1] along any axis; with `integer_range` the samples
/// are rounded half away from zero and clamped to the type, as map_coordinates stores into the
/// input's integer dtype. lbp-3D-k is scipy.stats.kurtosis of the samples (Fisher, biased),
/// NaN for constant samples. The samples are thresholded at the voxel's value (>=), projected
/// on sph_harm(m, n, theta = arccos(v2 / R), phi = atan2(v1, v0)) -- scipy's argument order, so
/// theta is taken as the azimuth -- and lbp-3D-m<n+1> is the real part of the complex
/// sqrt(sum over vertices of (sum_m c_mn Y_mn)^2).
///
/// Samples and kurtosis are bit-identical to scipy. The m-images agree to a few ulp: numpy's
/// arccos/arctan2 (SVML on AVX-512 machines) and glibc's differ in the last bit for some
/// vertices, so the harmonics, hence the m values, can differ at ~1e-16 relative.
///
/// Cost: scipy prefilters the whole image; here the z pass runs over every image line, the y pass
/// over the ROI's slices, the x pass over its rows (memory: nx * ny * ROI slices doubles).
///
/// Throws std::invalid_argument for fewer than 2 levels, a subdivision outside 0..6, a
/// non-finite radius, a roi not of box size, a box outside the image or an unsupported range.
std::vector<std::vector<double>> Lbp3dFilter(const Volume<double>& image, const VoxelBox& box,
                                             const std::vector<std::uint8_t>& roi, const Lbp3dOptions& options,
                                             const std::optional<std::pair<double, double>>& integer_range);

} // namespace radnode::processing::radiomics
