#include "processing/radiomics/filters.h"

#include "processing/radiomics/preprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <itkImage.h>
#include <itkLaplacianRecursiveGaussianImageFilter.h>
#include <string>
#include <vector>

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

/// One single-level pywt SWT pass along `axis` of an x-fastest array of `size`:
/// out[o] = sum_j f[j] * in[(o + F/2 - j) mod N] (pywt's downsampling_convolution_periodization
/// with step 1, which swt_ calls for level 1).
std::vector<double> SwtAxis(const std::vector<double>& in, const std::array<std::size_t, 3>& size, std::size_t axis,
                            const std::vector<double>& filter) {
    const std::size_t n = size[axis];
    const std::size_t stride = axis == 0 ? 1 : (axis == 1 ? size[0] : size[0] * size[1]);
    const std::size_t f = filter.size();
    std::vector<double> out(in.size());
    std::vector<double> line(n);
    const std::size_t lines = in.size() / n;
    for (std::size_t l = 0; l < lines; ++l) {
        // Start of line l: the index with coordinate 0 along `axis`.
        const std::size_t inner = l % stride;
        const std::size_t outer = l / stride;
        const std::size_t start = outer * stride * n + inner;
        for (std::size_t t = 0; t < n; ++t)
            line[t] = in[start + t * stride];
        for (std::size_t o = 0; o < n; ++o) {
            double sum = 0.0;
            for (std::size_t j = 0; j < f; ++j) {
                // (o + F/2 - j) mod n, kept non-negative.
                const std::size_t idx = (o + f / 2 + n * f - j) % n;
                sum += filter[j] * line[idx];
            }
            out[start + o * stride] = sum;
        }
    }
    return out;
}

/// pywt.swtn(level=1, axes=(x, y, z)) subband `letters` ('L'/'H' per axis x, y, z).
std::vector<double> SwtSubband(const std::vector<double>& data, const std::array<std::size_t, 3>& size,
                               const WaveletFilters& filters, const std::string& letters) {
    std::vector<double> current = data;
    for (std::size_t axis = 0; axis < 3; ++axis)
        current = SwtAxis(current, size, axis, letters[axis] == 'L' ? filters.low : filters.high);
    return current;
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

DerivedImageList ExpandWavelet(const ImageTypeSpec& spec) {
    DerivedImageList out;
    std::string wavelet = "coif1";
    if (const auto it = spec.options.find("wavelet"); it != spec.options.end() && !it->second.empty())
        wavelet = it->second.front();
    WaveletFilters filters;
    if (!WaveletFiltersFor(wavelet, filters)) {
        out.error = "imageType: Wavelet wavelet '" + wavelet + "' is not supported (only haar, db1 and coif1)";
        return out;
    }
    bool ok = true;
    const int level = OptionInt(spec, "level", 1, ok);
    const int start_level = OptionInt(spec, "start_level", 0, ok);
    if (!ok || level < 1) {
        out.error = "imageType: Wavelet level must be an integer >= 1 and start_level an integer >= 0";
        return out;
    }
    for (int idx = 1; idx <= level; ++idx) {
        const std::string prefix = idx == 1 ? "wavelet-" : "wavelet" + std::to_string(idx) + "-";
        for (const char* letters : {"LLH", "LHL", "LHH", "HLL", "HLH", "HHL", "HHH"}) {
            const std::string subband = letters;
            out.images.push_back(DerivedImage{
                prefix + subband, [filters, start_level, idx, subband](const Volume<double>& image) {
                    return WaveletFilter(image, filters, start_level, idx - 1, subband);
                }});
        }
    }
    const std::string name = level == 1 ? "wavelet-LLL" : "wavelet" + std::to_string(level) + "-LLL";
    out.images.push_back(DerivedImage{name, [filters, start_level, level](const Volume<double>& image) {
                                          return WaveletFilter(image, filters, start_level, level - 1, "LLL");
                                      }});
    return out;
}

} // namespace

bool WaveletFiltersFor(const std::string& name, WaveletFilters& filters) {
    // pywt.Wavelet(name).dec_lo / dec_hi (PyWavelets 1.1, the version of the peer run), as listed
    // by the PyWavelets wavelet browser (wavelets.pybytes.com/wavelet/haar, /coif1) and
    // reproduced in public ports of the PyWavelets tables (COIF_1_LOW / COIF_1_HIGH).
    if (name == "haar" || name == "db1") {
        const double h = 0.7071067811865476;
        filters = {{h, h}, {-h, h}};
        return true;
    }
    if (name == "coif1") {
        filters = {{-0.01565572813546454, -0.0727326195128539, 0.38486484686420286, 0.8525720202122554,
                    0.3378976624578092, -0.0727326195128539},
                   {0.0727326195128539, 0.3378976624578092, -0.8525720202122554, 0.38486484686420286,
                    0.0727326195128539, -0.01565572813546454}};
        return true;
    }
    return false;
}

Volume<double> WaveletFilter(const Volume<double>& image, const WaveletFilters& filters, int start_level,
                             int level_index, const std::string& letters) {
    const ImageGeometry& g = image.Geometry();
    std::array<std::size_t, 3> padded{};
    for (std::size_t a = 0; a < 3; ++a)
        padded[a] = g.size[a] + g.size[a] % 2; // np.pad(..., (0, 1), "wrap") on odd axes
    std::vector<double> data(padded[0] * padded[1] * padded[2]);
    std::size_t p = 0;
    for (std::size_t k = 0; k < padded[2]; ++k)
        for (std::size_t j = 0; j < padded[1]; ++j)
            for (std::size_t i = 0; i < padded[0]; ++i)
                data[p++] = image.Data()[g.LinearIndex(i % g.size[0], j % g.size[1], k % g.size[2])];
    // Passes before the wanted one keep only the approximation (aaa).
    for (int pass = 0; pass < start_level + level_index; ++pass)
        data = SwtSubband(data, padded, filters, "LLL");
    data = SwtSubband(data, padded, filters, letters);
    Volume<double> out(g, kUninitialized);
    p = 0;
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
                out.Data()[p++] = data[(k * padded[1] + j) * padded[0] + i];
    return out;
}

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
    if (spec.name == "Wavelet")
        return ExpandWavelet(spec);
    if (spec.name != "LoG") {
        out.error = "imageType: image type '" + spec.name + "' is not supported (only Original, LoG and Wavelet)";
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
