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
/// (getLoGImage). Other types are refused with an error.
DerivedImageList ExpandImageType(const ImageTypeSpec& spec, const ImageGeometry& geometry);

/// Python's str() of a sigma value as the params file gives it: "1" (an int) stays "1",
/// "1.0" / "1.50" become "1.0" / "1.5" (a float). Returns an empty string when not a number.
std::string PythonNumberText(const std::string& text);

} // namespace radnode::processing::radiomics
