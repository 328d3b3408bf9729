#include "processing/radiomics/filters.h"

#include "processing/radiomics/lbp_filters.h"
#include "processing/radiomics/preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <itkGradientMagnitudeImageFilter.h>
#include <itkImage.h>
#include <itkLaplacianRecursiveGaussianImageFilter.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

using InputImage = itk::Image<double, 3>;
using OutputImage = itk::Image<float, 3>;

/// An ITK view of the volume's voxels (no copy: the filters only read their input).
InputImage::Pointer ItkView(const Volume<double>& volume) {
    const ImageGeometry& g = volume.Geometry();
    InputImage::SizeType size;
    InputImage::SpacingType spacing;
    InputImage::PointType origin;
    InputImage::DirectionType direction;
    for (unsigned a = 0; a < 3; ++a) {
        size[a] = g.size[a];
        spacing[a] = g.spacing[a];
        origin[a] = g.origin[a];
        for (unsigned c = 0; c < 3; ++c)
            direction(a, c) = g.direction[a * 3 + c];
    }
    auto image = InputImage::New();
    image->SetRegions(InputImage::RegionType(size));
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->SetDirection(direction);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): read-only use, the container does not own it
    image->GetPixelContainer()->SetImportPointer(const_cast<double*>(volume.Data().data()), g.VoxelCount(), false);
    return image;
}

/// Runs `filter` for the box only (ITK enlarges the request to what the box depends on) and
/// returns the box's values, x fastest.
template <typename Filter> std::vector<double> RunForBox(Filter& filter, const VoxelBox& box) {
    OutputImage::IndexType index;
    OutputImage::SizeType size;
    for (unsigned a = 0; a < 3; ++a) {
        index[a] = static_cast<itk::IndexValueType>(box.begin[a]);
        size[a] = box.size[a];
    }
    // One work unit: the extractor runs derived images on every core already.
    filter.SetNumberOfWorkUnits(1);
    filter.UpdateOutputInformation();
    OutputImage* output = filter.GetOutput();
    output->SetRequestedRegion(OutputImage::RegionType(index, size));
    output->Update();
    std::vector<double> out(box.VoxelCount());
    std::size_t b = 0;
    OutputImage::IndexType at;
    for (std::size_t k = 0; k < box.size[2]; ++k)
        for (std::size_t j = 0; j < box.size[1]; ++j)
            for (std::size_t i = 0; i < box.size[0]; ++i) {
                at[0] = static_cast<itk::IndexValueType>(box.begin[0] + i);
                at[1] = static_cast<itk::IndexValueType>(box.begin[1] + j);
                at[2] = static_cast<itk::IndexValueType>(box.begin[2] + k);
                out[b++] = output->GetPixel(at);
            }
    return out;
}

int OptionInt(const ImageTypeSpec& spec, const std::string& key, int fallback, bool& ok) {
    const auto it = spec.options.find(key);
    if (it == spec.options.end() || it->second.empty())
        return fallback;
    char* end = nullptr;
    const long value = std::strtol(it->second.front().c_str(), &end, 10);
    if (it->second.front().empty() || *end != '\0' || value < 0 || value > 64) {
        ok = false;
        return fallback;
    }
    return static_cast<int>(value);
}

bool OptionBool(const ImageTypeSpec& spec, const std::string& key, bool fallback) {
    const auto it = spec.options.find(key);
    if (it == spec.options.end() || it->second.empty())
        return fallback;
    const std::string& v = it->second.front();
    return v == "true" || v == "True" || v == "1";
}

DerivedImageList ExpandWavelet(const ImageTypeSpec& spec, const Settings& settings) {
    DerivedImageList out;
    std::string wavelet = "coif1";
    if (const auto it = spec.options.find("wavelet"); it != spec.options.end() && !it->second.empty())
        wavelet = it->second.front();
    WaveletFilters filters;
    if (!WaveletFiltersFor(wavelet, filters)) {
        out.error = "imageType: Wavelet wavelet '" + wavelet + "' is not a discrete PyWavelets wavelet";
        return out;
    }
    bool ok = true;
    const int level = OptionInt(spec, "level", 1, ok);
    const int start_level = OptionInt(spec, "start_level", 0, ok);
    if (!ok || level < 1) {
        out.error = "imageType: Wavelet level must be an integer >= 1 and start_level an integer >= 0";
        return out;
    }
    // getWaveletImage: numpy axes (z, y, x) reversed, i.e. x, y, z; force2D drops the axis of
    // numpy number force2Ddimension.
    std::vector<std::size_t> axes{0, 1, 2};
    if (settings.force_2d) {
        const auto dropped = static_cast<std::size_t>(2 - std::clamp(settings.force_2d_dimension, 0, 2));
        axes.erase(std::find(axes.begin(), axes.end(), dropped));
    }
    // pywt.swtn's subband keys in its order: every combination of a/d over the axes, 'a' first
    // on the first axis (LLH, LHL, LHH, HLL, ... in 3D; LH, HL, HH in 2D).
    std::vector<std::string> details;
    const std::size_t combinations = std::size_t{1} << axes.size();
    for (std::size_t c = 1; c < combinations; ++c) {
        std::string letters;
        for (std::size_t n = 0; n < axes.size(); ++n)
            letters += (c >> (axes.size() - 1 - n)) & 1U ? 'H' : 'L';
        details.push_back(letters);
    }
    const std::string approximation(axes.size(), 'L');
    for (int idx = 1; idx <= level; ++idx) {
        const std::string prefix = idx == 1 ? "wavelet-" : "wavelet" + std::to_string(idx) + "-";
        for (const std::string& letters : details)
            out.images.push_back(DerivedImage{
                prefix + letters, [filters, start_level, idx, axes, letters](const FilterInput& in) {
                    return WaveletFilter(in.image, in.box, filters, start_level, idx - 1, axes, letters);
                }});
    }
    const std::string name = level == 1 ? "wavelet-" + approximation
                                         : "wavelet" + std::to_string(level) + "-" + approximation;
    out.images.push_back(
        DerivedImage{name, [filters, start_level, level, axes, approximation](const FilterInput& in) {
                         return WaveletFilter(in.image, in.box, filters, start_level, level - 1, axes, approximation);
                     }});
    return out;
}

DerivedImageList ExpandLog(const ImageTypeSpec& spec, const ImageGeometry& geometry) {
    DerivedImageList out;
    const auto smallest = *std::min_element(geometry.size.begin(), geometry.size.end());
    if (smallest < 4)
        return out; // PyRadiomics: "Image too small to apply LoG filter"
    const auto option = spec.options.find("sigma");
    if (option == spec.options.end())
        return out; // no sigma: no LoG image (PyRadiomics warns)
    for (const std::string& text : option->second) {
        const std::string python = PythonNumberText(text);
        if (python.empty()) {
            out.error = "imageType: LoG sigma '" + text + "' is not a number";
            out.images.clear();
            return out;
        }
        const double sigma = std::strtod(text.c_str(), nullptr);
        if (!(sigma > 0.0))
            continue; // PyRadiomics: "invalid sigma value", skipped
        bool fits = true;
        for (std::size_t a = 0; a < 3; ++a)
            fits = fits && static_cast<double>(geometry.size[a]) >= std::ceil(sigma / geometry.spacing[a]) + 1.0;
        if (!fits)
            continue; // PyRadiomics: "image too small for sigma", skipped
        std::string name = "log-sigma-" + python + "-mm-3D";
        std::replace(name.begin(), name.end(), '.', '-');
        out.images.push_back(DerivedImage{
            std::move(name), [sigma](const FilterInput& in) { return LogFilter(in.image, in.box, sigma); }});
    }
    return out;
}

double OptionDouble(const ImageTypeSpec& spec, const std::string& key, double fallback, bool& ok) {
    const auto it = spec.options.find(key);
    if (it == spec.options.end() || it->second.empty())
        return fallback;
    char* end = nullptr;
    const double value = std::strtod(it->second.front().c_str(), &end);
    if (it->second.front().empty() || *end != '\0' || !std::isfinite(value)) {
        ok = false;
        return fallback;
    }
    return value;
}

DerivedImageList ExpandLbp2d(const ImageTypeSpec& spec, const Settings& settings) {
    DerivedImageList out;
    bool ok = true;
    Lbp2dOptions options;
    options.radius = OptionDouble(spec, "lbp2DRadius", 1.0, ok);
    options.samples = OptionInt(spec, "lbp2DSamples", 8, ok);
    if (const auto it = spec.options.find("lbp2DMethod"); it != spec.options.end() && !it->second.empty())
        options.method = it->second.front();
    options.axis = settings.force_2d_dimension;
    if (!ok) {
        out.error = "imageType: LBP2D lbp2DRadius must be a number and lbp2DSamples an integer";
        return out;
    }
    // getLBP2DImage works slice by slice whether or not force2D is set (PyRadiomics only warns).
    out.images.push_back(DerivedImage{"lbp-2D", [options](const FilterInput& in) {
                                          return Lbp2dFilter(in.image, in.box, options, in.integer_range);
                                      }});
    return out;
}

DerivedImageList ExpandLbp3d(const ImageTypeSpec& spec) {
    DerivedImageList out;
    bool ok = true;
    Lbp3dOptions options;
    options.levels = OptionInt(spec, "lbp3DLevels", 2, ok);
    options.icosphere_radius = OptionDouble(spec, "lbp3DIcosphereRadius", 1.0, ok);
    options.subdivision = OptionInt(spec, "lbp3DIcosphereSubdivision", 1, ok);
    if (!ok || options.levels < 2) {
        out.error = "imageType: LBP3D lbp3DLevels must be an integer >= 2 (PyRadiomics fails with fewer), "
                    "lbp3DIcosphereRadius a number and lbp3DIcosphereSubdivision an integer";
        return out;
    }
    // One computation gives every level and the kurtosis: the images share it, computed by
    // whichever is filtered first (all get the same FilterInput).
    struct Shared {
        std::once_flag once;
        std::vector<std::vector<double>> images;
    };
    auto shared = std::make_shared<Shared>();
    const auto image_of = [options, shared](std::size_t index) {
        return [options, shared, index](const FilterInput& in) {
            std::call_once(shared->once, [&] {
                std::vector<std::uint8_t> all;
                if (in.roi == nullptr)
                    all.assign(in.box.VoxelCount(), 1);
                shared->images = Lbp3dFilter(in.image, in.box, in.roi != nullptr ? *in.roi : all, options,
                                             in.integer_range);
            });
            return shared->images.at(index);
        };
    };
    for (int level = 1; level <= options.levels; ++level)
        out.images.push_back(DerivedImage{"lbp-3D-m" + std::to_string(level),
                                          image_of(static_cast<std::size_t>(level - 1))});
    out.images.push_back(DerivedImage{"lbp-3D-k", image_of(static_cast<std::size_t>(options.levels))});
    return out;
}

/// max(|x|) over the whole image, as the point-wise image types scale by it.
double MaxAbs(const Volume<double>& image) {
    double max_abs = 0.0;
    for (const double v : image.Data())
        max_abs = std::max(max_abs, std::abs(v));
    return max_abs;
}

std::vector<double> BoxValues(const Volume<double>& image, const VoxelBox& box) {
    const ImageGeometry& g = image.Geometry();
    std::vector<double> out(box.VoxelCount());
    std::size_t b = 0;
    for (std::size_t k = 0; k < box.size[2]; ++k)
        for (std::size_t j = 0; j < box.size[1]; ++j) {
            const double* row = image.Data().data() + g.LinearIndex(box.begin[0], box.begin[1] + j, box.begin[2] + k);
            for (std::size_t i = 0; i < box.size[0]; ++i)
                out[b++] = row[i];
        }
    return out;
}

} // namespace

std::vector<double> IntensityFilter(const Volume<double>& image, const VoxelBox& box, IntensityTransform transform) {
    const double max_abs = MaxAbs(image);
    std::vector<double> values = BoxValues(image, box);
    switch (transform) {
    case IntensityTransform::Square: {
        const double coeff = 1.0 / std::sqrt(max_abs);
        for (double& v : values) {
            const double scaled = coeff * v;
            v = scaled * scaled;
        }
        break;
    }
    case IntensityTransform::SquareRoot:
        for (double& v : values)
            v = v > 0.0 ? std::sqrt(v * max_abs) : (v < 0.0 ? -std::sqrt(-v * max_abs) : v);
        break;
    case IntensityTransform::Logarithm: {
        // numpy rescales by max|log image| over the whole image, which is log(max|x| + 1)
        // (log is monotone, and the negative branch computes log(1 - x) = log(|x| + 1)).
        const double log_max = std::log(max_abs + 1.0);
        const double scale = max_abs / log_max;
        for (double& v : values) {
            if (v > 0.0)
                v = std::log(v + 1.0);
            else if (v < 0.0)
                v = -std::log(-(v - 1.0));
            v = v * scale;
        }
        break;
    }
    case IntensityTransform::Exponential: {
        const double coeff = std::log(max_abs) / max_abs;
        for (double& v : values)
            v = std::exp(coeff * v);
        break;
    }
    }
    return values;
}

std::vector<double> LogFilterItk(const Volume<double>& image, const VoxelBox& box, double sigma_mm) {
    using Filter = itk::LaplacianRecursiveGaussianImageFilter<InputImage, OutputImage>;
    auto filter = Filter::New();
    filter->SetInput(ItkView(image));
    filter->SetNormalizeAcrossScale(true);
    filter->SetSigma(sigma_mm);
    return RunForBox(*filter, box);
}

std::vector<double> GradientFilter(const Volume<double>& image, const VoxelBox& box, bool use_spacing) {
    using Filter = itk::GradientMagnitudeImageFilter<InputImage, OutputImage>;
    auto filter = Filter::New();
    filter->SetInput(ItkView(image));
    filter->SetUseImageSpacing(use_spacing);
    return RunForBox(*filter, box);
}

std::string PythonNumberText(const std::string& text) {
    const std::size_t digits = text.find_first_not_of("+-") == 1 ? 1 : 0; // an optional sign
    if (text.size() > digits && text.find_first_not_of("0123456789", digits) == std::string::npos)
        return std::to_string(std::strtoll(text.c_str(), nullptr, 10)); // Python int: "2" stays "2"
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size())
        return {};
    return PythonFloat(value);
}

DerivedImageList ExpandImageType(const ImageTypeSpec& spec, const ImageGeometry& geometry, const Settings& settings) {
    if (spec.name == "Wavelet")
        return ExpandWavelet(spec, settings);
    if (spec.name == "LoG")
        return ExpandLog(spec, geometry);
    const auto intensity = [](std::string name, IntensityTransform transform) {
        DerivedImageList out;
        out.images.push_back(DerivedImage{std::move(name), [transform](const FilterInput& in) {
                                              return IntensityFilter(in.image, in.box, transform);
                                          }});
        return out;
    };
    if (spec.name == "Square")
        return intensity("square", IntensityTransform::Square);
    if (spec.name == "SquareRoot")
        return intensity("squareroot", IntensityTransform::SquareRoot);
    if (spec.name == "Logarithm")
        return intensity("logarithm", IntensityTransform::Logarithm);
    if (spec.name == "Exponential")
        return intensity("exponential", IntensityTransform::Exponential);
    if (spec.name == "Gradient") {
        const bool use_spacing = OptionBool(spec, "gradientUseSpacing", true);
        DerivedImageList out;
        out.images.push_back(DerivedImage{"gradient", [use_spacing](const FilterInput& in) {
                                              return GradientFilter(in.image, in.box, use_spacing);
                                          }});
        return out;
    }
    if (spec.name == "LBP2D")
        return ExpandLbp2d(spec, settings);
    if (spec.name == "LBP3D")
        return ExpandLbp3d(spec);
    DerivedImageList out;
    out.error = "imageType: image type '" + spec.name + "' is not supported";
    return out;
}

} // namespace radnode::processing::radiomics
