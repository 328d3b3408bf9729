#include "processing/radiomics/filters.h"

#include "processing/radiomics/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <itkImage.h>
#include <itkLaplacianRecursiveGaussianImageFilter.h>
#include <string>

namespace radnode::processing::radiomics {
namespace {

using InputImage = itk::Image<double, 3>;
using OutputImage = itk::Image<float, 3>;

InputImage::Pointer ToItkImage(const Volume<double>& volume) {
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
    image->Allocate();
    std::copy(volume.Data().begin(), volume.Data().end(), image->GetBufferPointer());
    return image;
}

} // namespace

Volume<double> LogFilter(const Volume<double>& image, double sigma_mm) {
    using Filter = itk::LaplacianRecursiveGaussianImageFilter<InputImage, OutputImage>;
    auto filter = Filter::New();
    filter->SetInput(ToItkImage(image));
    filter->SetNormalizeAcrossScale(true);
    filter->SetSigma(sigma_mm);
    filter->Update();
    const float* data = filter->GetOutput()->GetBufferPointer();
    Volume<double> out(image.Geometry(), kUninitialized);
    std::copy(data, data + image.Geometry().VoxelCount(), out.Data().begin());
    return out;
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

DerivedImageList ExpandImageType(const ImageTypeSpec& spec, const ImageGeometry& geometry) {
    DerivedImageList out;
    if (spec.name != "LoG") {
        out.error = "imageType: image type '" + spec.name + "' is not supported (only Original and LoG)";
        return out;
    }
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
        out.images.push_back(
            DerivedImage{std::move(name), [sigma](const Volume<double>& image) { return LogFilter(image, sigma); }});
    }
    return out;
}

} // namespace radnode::processing::radiomics
