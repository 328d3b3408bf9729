// ResampleImageAndMask against ITK's own interpolators run on the whole image: radnode hands the
// interpolation only the part of the image the target grid reads, and evaluates the cubic
// B-spline itself; neither may change a value.
#include "processing/radiomics/preprocess.h"

#include <gtest/gtest.h>
#include <itkBSplineInterpolateImageFunction.h>
#include <itkImage.h>
#include <itkLinearInterpolateImageFunction.h>

#include <cmath>
#include <cstdint>
#include <tuple>

namespace radnode::processing::radiomics {
namespace {

using ItkDouble = itk::Image<double, 3>;

/// A smooth field plus a deterministic high-frequency pattern, in a short's range.
Volume<double> TestImage(const std::array<std::size_t, 3>& size) {
    ImageGeometry g;
    g.size = size;
    g.spacing = {0.7, 0.75, 2.5};
    g.origin = {-40.0, 12.5, 100.0};
    Volume<double> image(g, 0.0);
    std::uint32_t state = 12345;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j)
            for (std::size_t i = 0; i < size[0]; ++i) {
                state = state * 1664525U + 1013904223U;
                const double noise = static_cast<double>(state >> 20) - 2048.0;
                image.At(i, j, k) = std::round(600.0 * std::sin(0.11 * static_cast<double>(i)) *
                                                   std::cos(0.07 * static_cast<double>(j + 2 * k)) +
                                               0.2 * noise);
            }
    return image;
}

Volume<std::int32_t> BoxMask(const ImageGeometry& g, const std::array<std::size_t, 3>& lo,
                             const std::array<std::size_t, 3>& hi) {
    Volume<std::int32_t> mask(g, 0);
    for (std::size_t k = lo[2]; k <= hi[2]; ++k)
        for (std::size_t j = lo[1]; j <= hi[1]; ++j)
            for (std::size_t i = lo[0]; i <= hi[0]; ++i)
                mask.At(i, j, k) = 1;
    return mask;
}

ItkDouble::Pointer WholeImage(const Volume<double>& image) {
    const ImageGeometry& g = image.Geometry();
    auto out = ItkDouble::New();
    ItkDouble::SizeType size;
    ItkDouble::SpacingType spacing;
    ItkDouble::PointType origin;
    for (unsigned a = 0; a < 3; ++a) {
        size[a] = g.size[a];
        spacing[a] = g.spacing[a];
        origin[a] = g.origin[a];
    }
    out->SetRegions(ItkDouble::RegionType(size));
    out->SetSpacing(spacing);
    out->SetOrigin(origin);
    out->Allocate();
    std::copy(image.Data().begin(), image.Data().end(), out->GetBufferPointer());
    return out;
}

/// What SimpleITK's Resample with an identity transform computes at output voxel (i, j, k):
/// ResampleImageFilter's linear-transform path interpolates the input continuous index along
/// each output row between the row's start and its end one voxel past the last.
template <typename Interpolator>
double Expected(const Interpolator& interpolator, const ItkDouble& source, const ImageGeometry& target, std::size_t i,
                std::size_t j, std::size_t k) {
    const auto at_index = [&](std::size_t x) {
        const Point3 p = target.IndexToPhysical(static_cast<double>(x), static_cast<double>(j), static_cast<double>(k));
        ItkDouble::PointType point;
        for (unsigned a = 0; a < 3; ++a)
            point[a] = p[a];
        itk::ContinuousIndex<double, 3> c;
        source.TransformPhysicalPointToContinuousIndex(point, c);
        return c;
    };
    const itk::ContinuousIndex<double, 3> start = at_index(0);
    const itk::ContinuousIndex<double, 3> end = at_index(target.size[0]);
    const double alpha = static_cast<double>(i) / static_cast<double>(target.size[0]);
    itk::ContinuousIndex<double, 3> at(start);
    for (unsigned a = 0; a < 3; ++a)
        at[a] += alpha * (end[a] - start[a]);
    return interpolator.IsInsideBuffer(at) ? interpolator.EvaluateAtContinuousIndex(at) : 0.0;
}

class ResamplingAgainstItk
    : public ::testing::TestWithParam<std::tuple<Interpolator, std::array<std::size_t, 3>, std::array<std::size_t, 3>>> {};

TEST_P(ResamplingAgainstItk, EveryValueEqualsTheWholeImageInterpolation) {
    const auto& [interpolator_kind, lo, hi] = GetParam();
    const Volume<double> image = TestImage({170, 150, 40});
    const Volume<std::int32_t> mask = BoxMask(image.Geometry(), lo, hi);
    Settings settings;
    settings.resampled_pixel_spacing = std::array<double, 3>{1.0, 1.0, 1.0};
    settings.interpolator = interpolator_kind;
    settings.image_pixel_type = "double"; // no integer cast: compare raw interpolated values
    const ResampledCase out = ResampleImageAndMask(image, mask, settings);
    ASSERT_EQ(out.error, "");

    const ItkDouble::Pointer whole = WholeImage(image);
    itk::InterpolateImageFunction<ItkDouble, double>::Pointer interpolator;
    if (interpolator_kind == Interpolator::BSpline) {
        auto bspline = itk::BSplineInterpolateImageFunction<ItkDouble, double, double>::New();
        bspline->SetSplineOrder(3);
        interpolator = bspline.GetPointer();
    } else {
        interpolator = itk::LinearInterpolateImageFunction<ItkDouble, double>::New().GetPointer();
    }
    interpolator->SetInputImage(whole);
    const ImageGeometry& target = out.image.Geometry();
    ASSERT_GT(target.VoxelCount(), 1000U);
    std::size_t differing = 0;
    for (std::size_t k = 0; k < target.size[2]; ++k)
        for (std::size_t j = 0; j < target.size[1]; ++j)
            for (std::size_t i = 0; i < target.size[0]; ++i) {
                const double expected = Expected(*interpolator, *whole, target, i, j, k);
                if (out.image.At(i, j, k) != expected && ++differing <= 5)
                    ADD_FAILURE() << "voxel (" << i << ", " << j << ", " << k << "): " << out.image.At(i, j, k)
                                  << " != " << expected;
            }
    EXPECT_EQ(differing, 0U) << "of " << target.VoxelCount();
}

INSTANTIATE_TEST_SUITE_P(
    Regions, ResamplingAgainstItk,
    ::testing::Values(
        // deep inside: the interpolation sees a cut of the image on every side
        std::make_tuple(Interpolator::BSpline, std::array<std::size_t, 3>{75, 60, 18},
                        std::array<std::size_t, 3>{95, 85, 22}),
        // at a corner and an edge: the cut meets the image's own border (mirror boundary)
        std::make_tuple(Interpolator::BSpline, std::array<std::size_t, 3>{0, 0, 0},
                        std::array<std::size_t, 3>{12, 20, 5}),
        std::make_tuple(Interpolator::BSpline, std::array<std::size_t, 3>{150, 70, 30},
                        std::array<std::size_t, 3>{169, 149, 39}),
        std::make_tuple(Interpolator::Linear, std::array<std::size_t, 3>{75, 60, 18},
                        std::array<std::size_t, 3>{95, 85, 22})));

} // namespace
} // namespace radnode::processing::radiomics
