#pragma once
/// PyRadiomics' preprocessing of one (image, mask) pair, from the loaded volumes to the Region
/// the feature classes see: mask checks (imageoperations.checkMask, incl. correctMask),
/// normalisation, resampling or pre-cropping (featureextractor.loadImage), re-segmentation,
/// cropping to the ROI bounding box and discretisation, with the generalinfo diagnostics of
/// every step.

#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"
#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {

/// Diagnostics as PyRadiomics names and prints them ("diagnostics_Mask-original_VoxelNum", "4137").
using Diagnostics = std::vector<std::pair<std::string, std::string>>;

/// Result of Preprocess.
struct PreparedCase {
    /// Empty on success; otherwise the failed check, in PyRadiomics' words where it has some.
    std::string error;
    /// The ROI box with image values, masks and gray levels, ready for every feature class.
    Region region;
    /// Image-original, Mask-original, then -interpolated / -corrected / -resegmented entries.
    Diagnostics diagnostics;
    /// True when the preprocessing left the image as it came (no normalisation, resampling or
    /// pre-cropping): the input image is then the preprocessed one and is not copied.
    bool image_is_input = true;
};

/// Runs PyRadiomics' preprocessing for the Original image type: mask validity (getMask),
/// normalisation, resampling (or preCrop), checkMask, re-segmentation and cropping. Never
/// throws for bad input: errors are returned in PreparedCase::error.
/// With `full_image`, it receives the whole preprocessed image (after normalisation and
/// resampling or pre-cropping, before cropping to the ROI; region.box_origin indexes it): the
/// image PyRadiomics' derived image types (LoG, ...) filter. When that is the input image
/// itself (PreparedCase::image_is_input), `full_image` is left untouched.
PreparedCase Preprocess(const Volume<double>& image, const Volume<std::int32_t>& mask, const Settings& settings,
                        Volume<double>* full_image = nullptr);

// ---- building blocks, exposed for tests -------------------------------------------------

/// ITK's VerifyInputInformation as SimpleITK runs it in LabelStatisticsImageFilter: sizes must
/// match, origin and spacing within tolerance * image spacing[0], direction within tolerance.
/// Returns an empty string when the grids match, else what differs.
std::string CompareGeometry(const ImageGeometry& image, const ImageGeometry& mask, double tolerance);

/// sitk.Normalize (mean 0, sample standard deviation 1 over the whole image), then outlier
/// clipping at ±removeOutliers and multiplication by normalizeScale (imageoperations.normalizeImage).
Volume<double> NormalizeImage(const Volume<double>& image, const Settings& settings);

/// Image and mask resampled as imageoperations.resampleImage does (grid aligned to the mask,
/// covering the ROI bounding box plus padDistance). Integer-valued images are cast back to an
/// integer pixel type after interpolation (SimpleITK keeps the input pixel type).
struct ResampledCase {
    std::string error;
    Volume<double> image;
    Volume<std::int32_t> mask;
};
ResampledCase ResampleImageAndMask(const Volume<double>& image, const Volume<std::int32_t>& mask,
                                   const Settings& settings);

/// The mask resampled onto `target` with nearest-neighbour interpolation (correctMask).
Volume<std::int32_t> ResampleMaskToGrid(const Volume<std::int32_t>& mask, const ImageGeometry& target);

/// The value range of the integer pixel type `image` is stored with: `stored` as ITK names it
/// ("short", "unsigned_char", ...; Settings::image_pixel_type), or, when empty, the narrowest of
/// int16, uint16, int32 that holds an integer-valued image. nullopt for real-valued images.
std::optional<std::pair<double, double>> IntegerPixelRange(const Volume<double>& image, const std::string& stored);

/// Python's repr() of a float ("3057.0", "0.7812499999999999", "1e-05"), for diagnostics.
std::string PythonFloat(double value);

} // namespace radnode::processing::radiomics
