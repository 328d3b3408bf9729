#include "processing/image_io.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <type_traits>

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>

namespace radnode::processing {
namespace {

/// ITK's IO factories are registered explicitly (no generated registration headers).
void RegisterFactories() {
    static std::once_flag once;
    std::call_once(once, [] {
        itk::NrrdImageIOFactory::RegisterOneFactory();
        itk::NiftiImageIOFactory::RegisterOneFactory();
    });
}

template <typename T> typename itk::Image<T, 3>::Pointer ToItk(const Volume<T>& volume) {
    using ImageType = itk::Image<T, 3>;
    const ImageGeometry& g = volume.Geometry();
    auto image = ImageType::New();
    typename ImageType::RegionType region;
    typename ImageType::SpacingType spacing;
    typename ImageType::PointType origin;
    typename ImageType::DirectionType direction;
    for (unsigned a = 0; a < 3; ++a) {
        region.SetSize(a, g.size[a]);
        spacing[a] = g.spacing[a];
        origin[a] = g.origin[a];
        for (unsigned b = 0; b < 3; ++b)
            direction[a][b] = g.direction[a * 3 + b];
    }
    image->SetRegions(region);
    image->SetSpacing(spacing);
    image->SetOrigin(origin);
    image->SetDirection(direction);
    image->Allocate();
    std::copy(volume.Data().begin(), volume.Data().end(), image->GetBufferPointer());
    return image;
}

template <typename T> ImageIoResult Write(const Volume<T>& volume, const std::filesystem::path& file) {
    RegisterFactories();
    // Checked here because ITK's NRRD writer leaks its header structures on this error path.
    const std::filesystem::path folder = file.parent_path().empty() ? "." : file.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        return {"cannot write " + file.string() + ": folder " + folder.string() + " does not exist"};
    try {
        auto writer = itk::ImageFileWriter<itk::Image<T, 3>>::New();
        writer->SetFileName(file.string());
        writer->SetInput(ToItk(volume));
        writer->SetUseCompression(true);
        writer->Update();
    } catch (const itk::ExceptionObject& e) {
        return {std::string{"cannot write "} + file.string() + ": " + e.GetDescription()};
    }
    return {};
}

template <typename T>
ImageIoResult Read(const std::filesystem::path& file, Volume<T>& volume, ImageFileInfo* info = nullptr) {
    RegisterFactories();
    using ReadType = itk::Image<double, 3>;
    try {
        auto reader = itk::ImageFileReader<ReadType>::New();
        reader->SetFileName(file.string());
        reader->Update();
        const ReadType* image = reader->GetOutput();
        if (reader->GetImageIO()->GetNumberOfComponents() != 1)
            return {file.string() + ": only single-component images are supported"};
        ImageGeometry g;
        const auto size = image->GetLargestPossibleRegion().GetSize();
        for (unsigned a = 0; a < 3; ++a) {
            g.size[a] = size[a];
            g.spacing[a] = image->GetSpacing()[a];
            g.origin[a] = image->GetOrigin()[a];
            for (unsigned b = 0; b < 3; ++b)
                g.direction[a * 3 + b] = image->GetDirection()[a][b];
        }
        Volume<T> out(g, kUninitialized);
        const double* in = image->GetBufferPointer();
        if constexpr (std::is_floating_point_v<T>) {
            std::transform(in, in + g.VoxelCount(), out.Data().begin(), [](double v) { return static_cast<T>(v); });
        } else {
            constexpr double lo = std::numeric_limits<T>::lowest();
            constexpr double hi = std::numeric_limits<T>::max();
            std::transform(in, in + g.VoxelCount(), out.Data().begin(),
                           [lo, hi](double v) { return static_cast<T>(std::clamp(std::round(v), lo, hi)); });
        }
        if (info != nullptr) {
            const itk::ImageIOBase* io = reader->GetImageIO();
            info->component_type = itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType());
            info->component_size = io->GetComponentSize();
        }
        volume = std::move(out);
    } catch (const itk::ExceptionObject& e) {
        return {std::string{"cannot read "} + file.string() + ": " + e.GetDescription()};
    }
    return {};
}

} // namespace

ImageIoResult WriteImage(const CtVolume& volume, const std::filesystem::path& file) { return Write(volume, file); }
ImageIoResult WriteImage(const LabelMap& volume, const std::filesystem::path& file) { return Write(volume, file); }
ImageIoResult ReadImage(const std::filesystem::path& file, CtVolume& volume) { return Read(file, volume); }
ImageIoResult ReadImage(const std::filesystem::path& file, LabelMap& volume) { return Read(file, volume); }
ImageIoResult ReadImage(const std::filesystem::path& file, Volume<double>& volume, ImageFileInfo* info) {
    return Read(file, volume, info);
}
ImageIoResult ReadImage(const std::filesystem::path& file, Volume<std::int32_t>& volume) { return Read(file, volume); }
ImageIoResult WriteImage(const Volume<float>& volume, const std::filesystem::path& file) { return Write(volume, file); }
ImageIoResult WriteImage(const Volume<double>& volume, const std::filesystem::path& file) { return Write(volume, file); }

} // namespace radnode::processing
