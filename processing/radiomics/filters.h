#pragma once
/// PyRadiomics' derived image types (imageoperations.get<Type>Image): the filters that turn
/// the preprocessed image into the images the non-shape feature classes also run on, and the
/// expansion of an enabled image type into its named derived images.
///
/// Every filter produces the values of one box of voxels (the ROI's bounding box), equal to
/// filtering the whole image and cropping, as PyRadiomics does, but without filtering what
/// the features never see: local filters read only a margin around the box, ITK's recursive
/// filters run only the lines the box depends on.

#include "processing/radiomics/extractor.h"
#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {

/// A box of voxels of an image: its first index and its extent along x, y, z.
struct VoxelBox {
    std::array<std::size_t, 3> begin{0, 0, 0};
    std::array<std::size_t, 3> size{0, 0, 0};

    [[nodiscard]] std::size_t VoxelCount() const { return size[0] * size[1] * size[2]; }
    /// The whole grid.
    static VoxelBox Whole(const ImageGeometry& geometry) { return {{0, 0, 0}, geometry.size}; }
};

/// What a derived image's filter reads.
struct FilterInput {
    /// The preprocessed image (after normalisation and resampling or pre-cropping).
    const Volume<double>& image;
    /// The voxels whose filtered values are wanted.
    VoxelBox box;
    /// ROI voxels of the box (non-zero inside, x fastest), for filters computed on the ROI
    /// only (LBP3D); nullptr = every voxel of the box.
    const std::vector<std::uint8_t>* roi = nullptr;
    /// Value range of the integer pixel type the image is stored with (e.g. int16), nullopt for
    /// a real-valued image: some PyRadiomics filters write their output into the input's
    /// numpy dtype (LBP2D, LBP3D's interpolated samples).
    std::optional<std::pair<double, double>> integer_range;
};

/// One derived image of an enabled image type: its PyRadiomics name (the feature prefix,
/// e.g. "log-sigma-1-0-mm-3D") and the filter producing its values over FilterInput::box
/// (x fastest). Filters run on demand, so derived images can be computed in parallel and
/// only box-sized results are kept.
struct DerivedImage {
    std::string name;
    std::function<std::vector<double>(const FilterInput&)> filter;
};

/// Result of ExpandImageType.
struct DerivedImageList {
    /// Empty on success; otherwise why the image type is refused.
    std::string error;
    /// Derived images in PyRadiomics' yield order; may be empty (e.g. image too small: PyRadiomics
    /// only warns and skips).
    std::vector<DerivedImage> images;
};

/// The derived images of a non-Original image type for an image of `geometry` (the
/// preprocessed image), with `settings` the image type's settings (global ones merged with its
/// own, as PyRadiomics passes them to get<Type>Image).
/// "LoG": one image per value of option "sigma", named "log-sigma-<str(sigma) with . -> ->-mm-3D";
/// no image at all when any image dimension is below 4 voxels, and a sigma is skipped when the
/// image is smaller than ceil(sigma / spacing) + 1 voxels along some axis, or sigma <= 0
/// (getLoGImage).
/// "Wavelet" (getWaveletImage): options "wavelet" (default coif1; every discrete PyWavelets
/// wavelet), "level" (default 1), "start_level" (default 0); over axes x, y, z, or the two
/// in-plane axes with force2D; per level n (1-based) the details "wavelet-LLH", "-LHL", ...,
/// "-HHH" ("wavelet<n>-..." for n > 1; start_level does not change names), then the last
/// approximation "wavelet-LLL" ("wavelet<level>-LLL" when level > 1); with force2D two letters.
/// "Square", "SquareRoot", "Logarithm", "Exponential" (named "square", "squareroot",
/// "logarithm", "exponential"), "Gradient" (option gradientUseSpacing, default true; "gradient"),
/// "LBP2D" ("lbp-2D") and "LBP3D" ("lbp-3D-m1".. "lbp-3D-m<levels>", "lbp-3D-k").
DerivedImageList ExpandImageType(const ImageTypeSpec& spec, const ImageGeometry& geometry, const Settings& settings);

/// Laplacian of Gaussian as PyRadiomics computes it (sitk.LaplacianRecursiveGaussianImageFilter,
/// normalizeAcrossScale on, sigma in mm, image spacing used): ITK's recursive Gaussian
/// derivatives, the result rounded to float32 (SimpleITK's output pixel type). Recomputed in
/// recursive_log.cpp with ITK's coefficients and operation order on only the lines the box
/// depends on, eight lines at a time: equal to ITK's filter bit for bit.
std::vector<double> LogFilter(const Volume<double>& image, const VoxelBox& box, double sigma_mm);

/// The same through ITK's own LaplacianRecursiveGaussianImageFilter pipeline (restricted to the
/// box by ITK's requested region): the reference LogFilter is tested and benchmarked against.
std::vector<double> LogFilterItk(const Volume<double>& image, const VoxelBox& box, double sigma_mm);

/// sitk.GradientMagnitudeImageFilter (float32 output): central differences, divided by the
/// spacing when `use_spacing`, zero-flux Neumann boundary.
std::vector<double> GradientFilter(const Volume<double>& image, const VoxelBox& box, bool use_spacing);

/// The point-wise image types of PyRadiomics, each scaled by the image's max |x| over the
/// whole image (getSquareImage, getSquareRootImage, getLogarithmImage, getExponentialImage).
enum class IntensityTransform { Square, SquareRoot, Logarithm, Exponential };
std::vector<double> IntensityFilter(const Volume<double>& image, const VoxelBox& box, IntensityTransform transform);

/// Decomposition filters of a PyWavelets wavelet (pywt.Wavelet(name).dec_lo / dec_hi).
struct WaveletFilters {
    std::vector<double> low;
    std::vector<double> high;
};

/// The decomposition filters of `name` (any of pywt.wavelist(kind='discrete')); false when
/// PyWavelets has no such discrete wavelet.
bool WaveletFiltersFor(const std::string& name, WaveletFilters& filters);

/// One decomposition of PyRadiomics' wavelet image type (imageoperations._swt3): the image,
/// padded by one voxel (numpy "wrap") along every odd axis, goes through `start_level` +
/// `level_index` + 1 single-level pywt.swtn passes over `axes` (each pass on the previous
/// approximation), and decomposition `letters` of the last pass is cropped back. `letters` has
/// one 'L'/'H' per entry of `axes` (axis numbers 0 = x, 1 = y, 2 = z, in pywt's order: the
/// first letter belongs to the first axis). Each 1-D pass is pywt's level-1 SWT: periodic
/// convolution out[o] = sum_j f[j] * in[(o + F/2 - j) mod N]. float64 throughout, as PyWavelets
/// gives and SimpleITK keeps. Only the box plus the filters' reach is computed.
std::vector<double> WaveletFilter(const Volume<double>& image, const VoxelBox& box, const WaveletFilters& filters,
                                  int start_level, int level_index, const std::vector<std::size_t>& axes,
                                  const std::string& letters);

/// Python's str() of a sigma value as the params file gives it: "1" (an int) stays "1",
/// "1.0" / "1.50" become "1.0" / "1.5" (a float). Returns an empty string when not a number.
std::string PythonNumberText(const std::string& text);

} // namespace radnode::processing::radiomics
