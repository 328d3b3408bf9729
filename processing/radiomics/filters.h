#pragma once
/// PyRadiomics' derived image types (imageoperations.get<Type>Image): the filters that turn
/// the preprocessed image into the images the non-shape feature classes also run on, and the
/// expansion of an enabled image type into its named derived images.

#include "processing/radiomics/extractor.h"
#include "processing/volume.h"

#include <functional>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {

/// Laplacian of Gaussian as PyRadiomics computes it (sitk.LaplacianRecursiveGaussianImageFilter,
/// normalizeAcrossScale on, sigma in mm, image spacing used): ITK's recursive Gaussian
/// derivatives accumulated in float, the result rounded to float32 (SimpleITK's output pixel
/// type) and returned as double. Same geometry as `image`.
Volume<double> LogFilter(const Volume<double>& image, double sigma_mm);

/// Decomposition filters of a PyWavelets wavelet (pywt.Wavelet(name).dec_lo / dec_hi).
struct WaveletFilters {
    std::vector<double> low;
    std::vector<double> high;
};

/// The decomposition filters of `name` ("haar", "db1", "coif1"); false when not supported.
bool WaveletFiltersFor(const std::string& name, WaveletFilters& filters);

/// One decomposition of PyRadiomics' wavelet image type (imageoperations._swt3): the image,
/// padded by one voxel (numpy "wrap") along every odd axis, goes through `start_level` + `level`
/// single-level pywt.swtn passes (axes x, y, z; each pass on the previous approximation), and
/// decomposition `letters` ("LLH": x low, y low, z high) of pass `start_level + level_index`
/// (0-based `level_index`) is cropped back. Each 1-D pass is pywt's level-1 SWT: periodic
/// convolution out[o] = sum_j f[j] * in[(o + F/2 - j) mod N]. float64 throughout, as PyWavelets
/// gives for integer input and SimpleITK keeps (sitkFloat64). Same geometry as `image`.
Volume<double> WaveletFilter(const Volume<double>& image, const WaveletFilters& filters, int start_level,
                             int level_index, const std::string& letters);

/// One derived image of an enabled image type: its PyRadiomics name (the feature prefix,
/// e.g. "log-sigma-1-0-mm-3D") and the filter producing it from the preprocessed image.
/// Filters run on demand so only one full-size derived image needs to exist at a time.
struct DerivedImage {
    std::string name;
    std::function<Volume<double>(const Volume<double>&)> filter;
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
/// preprocessed image: after normalisation and resampling or pre-cropping).
/// "LoG": one image per value of option "sigma", named "log-sigma-<str(sigma) with . -> ->-mm-3D";
/// no image at all when any image dimension is below 4 voxels, and a sigma is skipped when the
/// image is smaller than ceil(sigma / spacing) + 1 voxels along some axis, or sigma <= 0
/// (getLoGImage).
/// "Wavelet" (getWaveletImage): options "wavelet" (default coif1; haar, db1 and coif1 are
/// supported), "level" (default 1), "start_level" (default 0); per level n (1-based) the seven
/// details "wavelet-LLH", "-LHL", "-LHH", "-HLL", "-HLH", "-HHL", "-HHH" ("wavelet<n>-..." for
/// n > 1; start_level does not change names), then the last approximation "wavelet-LLL"
/// ("wavelet<level>-LLL" when level > 1). Other types are refused with an error.
DerivedImageList ExpandImageType(const ImageTypeSpec& spec, const ImageGeometry& geometry);

/// Python's str() of a sigma value as the params file gives it: "1" (an int) stays "1",
/// "1.0" / "1.50" become "1.0" / "1.5" (a float). Returns an empty string when not a number.
std::string PythonNumberText(const std::string& text);

} // namespace radnode::processing::radiomics
