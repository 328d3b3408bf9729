#include "processing/radiomics/preprocess.h"

#include "processing/parallel_for.h"

#include <itkImage.h>
#include <itkLinearInterpolateImageFunction.h>
#include <itkNearestNeighborInterpolateImageFunction.h>
#include <itkNormalizeImageFilter.h>
#include <itkInterpolateImageFunction.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace radnode::processing::radiomics {
namespace {

using Index3 = std::array<std::size_t, 3>;

// ---- formatting as Python prints it --------------------------------------------------------

std::string PythonInt(long long value) { return std::to_string(value); }

template <typename T> std::string PythonTuple(const std::vector<T>& values) {
    std::string text = "(";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0)
            text += ", ";
        if constexpr (std::is_floating_point_v<T>)
            text += PythonFloat(values[i]);
        else
            text += PythonInt(static_cast<long long>(values[i]));
    }
    return text + ")";
}

// ---- label scans ------------------------------------------------------------------------------

/// What LabelShapeStatisticsImageFilter reports for one label.
struct LabelScan {
    bool any_nonzero = false;
    std::size_t count = 0;
    Index3 lo{0, 0, 0};
    Index3 hi{0, 0, 0};
};

LabelScan ScanLabel(const Volume<std::int32_t>& mask, int label) {
    const ImageGeometry& g = mask.Geometry();
    LabelScan scan;
    Index3 lo{g.size[0], g.size[1], g.size[2]};
    Index3 hi{0, 0, 0};
    const std::int32_t* data = mask.Data().data();
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j) {
            const std::int32_t* row = data + g.size[0] * (j + g.size[1] * k);
            // Most rows are background: a branch-free OR over the row (vectorised) skips them.
            std::int32_t any = 0;
            for (std::size_t i = 0; i < g.size[0]; ++i)
                any |= row[i];
            if (any == 0)
                continue;
            scan.any_nonzero = true;
            std::size_t row_count = 0;
            std::size_t first = g.size[0];
            std::size_t last = 0;
            for (std::size_t i = 0; i < g.size[0]; ++i)
                if (row[i] == label) {
                    ++row_count;
                    first = std::min(first, i);
                    last = i;
                }
            if (row_count == 0)
                continue;
            scan.count += row_count;
            lo = {std::min(lo[0], first), std::min(lo[1], j), std::min(lo[2], k)};
            hi = {std::max(hi[0], last), std::max(hi[1], j), std::max(hi[2], k)};
        }
    if (scan.count > 0) {
        scan.lo = lo;
        scan.hi = hi;
    }
    return scan;
}

std::string LabelsPresent(const Volume<std::int32_t>& mask) {
    std::set<std::int32_t> labels(mask.Data().begin(), mask.Data().end());
    labels.erase(0);
    std::string text = "[";
    for (const std::int32_t label : labels) {
        if (text.size() > 1)
            text += ' ';
        text += std::to_string(label);
    }
    return text + "]";
}

/// Number of 26-connected components of a binary box (ConnectedComponentImageFilter, fully connected).
std::size_t CountComponents(const std::vector<std::uint8_t>& on, const Index3& size) {
    std::vector<std::uint8_t> seen(on.size(), 0);
    std::vector<std::size_t> stack;
    std::size_t components = 0;
    const auto nx = static_cast<long>(size[0]);
    const auto ny = static_cast<long>(size[1]);
    const auto nz = static_cast<long>(size[2]);
    for (std::size_t start = 0; start < on.size(); ++start) {
        if (on[start] == 0 || seen[start] != 0)
            continue;
        ++components;
        seen[start] = 1;
        stack.push_back(start);
        while (!stack.empty()) {
            const std::size_t v = stack.back();
            stack.pop_back();
            const auto i = static_cast<long>(v % size[0]);
            const auto j = static_cast<long>((v / size[0]) % size[1]);
            const auto k = static_cast<long>(v / (size[0] * size[1]));
            for (long dk = -1; dk <= 1; ++dk)
                for (long dj = -1; dj <= 1; ++dj)
                    for (long di = -1; di <= 1; ++di) {
                        const long a = i + di;
                        const long b = j + dj;
                        const long c = k + dk;
                        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz)
                            continue;
                        const auto n = static_cast<std::size_t>(a + nx * (b + ny * c));
                        if (on[n] != 0 && seen[n] == 0) {
                            seen[n] = 1;
                            stack.push_back(n);
                        }
                    }
        }
    }
    return components;
}

// ---- diagnostics (generalinfo.py) -----------------------------------------------------------

void AddImageDiagnostics(Diagnostics& out, const Volume<double>& image, const std::string& prefix) {
    const ImageGeometry& g = image.Geometry();
    const std::string base = "diagnostics_Image-" + prefix + "_";
    if (prefix == "original")
        out.emplace_back(base + "Dimensionality", "3D");
    out.emplace_back(base + "Spacing", PythonTuple(std::vector<double>(g.spacing.begin(), g.spacing.end())));
    out.emplace_back(base + "Size", PythonTuple(std::vector<std::size_t>(g.size.begin(), g.size.end())));
    // Four independent lanes so the compiler can vectorise; the lane sums are combined
    // pairwise, close to numpy's pairwise summation.
    const double* data = image.Data().data();
    const std::size_t count = image.Data().size();
    std::array<double, 4> sum{0.0, 0.0, 0.0, 0.0};
    std::array<double, 4> lo{};
    std::array<double, 4> hi{};
    lo.fill(std::numeric_limits<double>::infinity());
    hi.fill(-std::numeric_limits<double>::infinity());
    std::size_t v = 0;
    for (; v + 4 <= count; v += 4)
        for (std::size_t l = 0; l < 4; ++l) {
            const double x = data[v + l];
            sum[l] += x;
            lo[l] = x < lo[l] ? x : lo[l];
            hi[l] = x > hi[l] ? x : hi[l];
        }
    for (; v < count; ++v) {
        sum[0] += data[v];
        lo[0] = std::min(lo[0], data[v]);
        hi[0] = std::max(hi[0], data[v]);
    }
    const double total = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    const double vmin = std::min(std::min(lo[0], lo[1]), std::min(lo[2], lo[3]));
    const double vmax = std::max(std::max(hi[0], hi[1]), std::max(hi[2], hi[3]));
    const auto n = static_cast<double>(count);
    out.emplace_back(base + "Mean", PythonFloat(n > 0 ? total / n : 0.0));
    out.emplace_back(base + "Minimum", PythonFloat(vmin));
    out.emplace_back(base + "Maximum", PythonFloat(vmax));
}

/// Mask diagnostics for a binary ROI given as a box of the full grid `g` (box_lo, box_size);
/// ROI intensity statistics when `box_image` is given (every prefix but "original").
void AddMaskDiagnostics(Diagnostics& out, const ImageGeometry& g, const Index3& box_lo, const Index3& box_size,
                        const std::vector<std::uint8_t>& box_mask, const std::vector<double>* box_image,
                        const std::string& prefix) {
    const std::string base = "diagnostics_Mask-" + prefix + "_";
    out.emplace_back(base + "Spacing", PythonTuple(std::vector<double>(g.spacing.begin(), g.spacing.end())));
    out.emplace_back(base + "Size", PythonTuple(std::vector<std::size_t>(g.size.begin(), g.size.end())));
    Index3 lo{box_size[0], box_size[1], box_size[2]};
    Index3 hi{0, 0, 0};
    std::size_t count = 0;
    double si = 0.0;
    double sj = 0.0;
    double sk = 0.0;
    double sum = 0.0;
    double vmin = std::numeric_limits<double>::infinity();
    double vmax = -vmin;
    for (std::size_t k = 0; k < box_size[2]; ++k)
        for (std::size_t j = 0; j < box_size[1]; ++j)
            for (std::size_t i = 0; i < box_size[0]; ++i) {
                const std::size_t b = i + box_size[0] * (j + box_size[1] * k);
                if (box_mask[b] == 0)
                    continue;
                ++count;
                lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
                hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
                si += static_cast<double>(i + box_lo[0]);
                sj += static_cast<double>(j + box_lo[1]);
                sk += static_cast<double>(k + box_lo[2]);
                if (box_image != nullptr) {
                    const double v = (*box_image)[b];
                    sum += v;
                    vmin = std::min(vmin, v);
                    vmax = std::max(vmax, v);
                }
            }
    if (count == 0)
        return;
    out.emplace_back(base + "BoundingBox",
                     PythonTuple(std::vector<std::size_t>{lo[0] + box_lo[0], lo[1] + box_lo[1], lo[2] + box_lo[2],
                                                          hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1}));
    out.emplace_back(base + "VoxelNum", std::to_string(count));
    out.emplace_back(base + "VolumeNum", std::to_string(CountComponents(box_mask, box_size)));
    const auto n = static_cast<double>(count);
    const std::array<double, 3> center{si / n, sj / n, sk / n};
    out.emplace_back(base + "CenterOfMassIndex", PythonTuple(std::vector<double>(center.begin(), center.end())));
    const Point3 p = g.IndexToPhysical(center[0], center[1], center[2]);
    out.emplace_back(base + "CenterOfMass", PythonTuple(std::vector<double>(p.begin(), p.end())));
    if (box_image == nullptr)
        return;
    out.emplace_back(base + "Mean", PythonFloat(sum / n));
    out.emplace_back(base + "Minimum", PythonFloat(vmin));
    out.emplace_back(base + "Maximum", PythonFloat(vmax));
}

/// Binary box of `mask == label` over [lo, hi] of the mask's grid.
std::vector<std::uint8_t> LabelBox(const Volume<std::int32_t>& mask, int label, const Index3& lo, const Index3& size) {
    std::vector<std::uint8_t> box(size[0] * size[1] * size[2]);
    std::size_t b = 0;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j) {
            const std::int32_t* row = &mask.At(lo[0], lo[1] + j, lo[2] + k);
            for (std::size_t i = 0; i < size[0]; ++i)
                box[b++] = row[i] == label ? 1 : 0;
        }
    return box;
}

std::vector<double> ImageBox(const Volume<double>& image, const Index3& lo, const Index3& size) {
    std::vector<double> box(size[0] * size[1] * size[2]);
    std::size_t b = 0;
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j) {
            const double* row = &image.At(lo[0], lo[1] + j, lo[2] + k);
            std::copy(row, row + size[0], box.begin() + static_cast<std::ptrdiff_t>(b));
            b += size[0];
        }
    return box;
}

Index3 SizeOf(const Index3& lo, const Index3& hi) { return {hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1}; }

// ---- ITK bridges ----------------------------------------------------------------------------

template <typename T> using ItkImage = itk::Image<T, 3>;

template <typename T> void SetGeometry(ItkImage<T>& image, const ImageGeometry& g) {
    typename ItkImage<T>::SizeType size;
    typename ItkImage<T>::SpacingType spacing;
    typename ItkImage<T>::PointType origin;
    typename ItkImage<T>::DirectionType direction;
    for (unsigned a = 0; a < 3; ++a) {
        size[a] = g.size[a];
        spacing[a] = g.spacing[a];
        origin[a] = g.origin[a];
        for (unsigned c = 0; c < 3; ++c)
            direction(a, c) = g.direction[a * 3 + c];
    }
    image.SetRegions(typename ItkImage<T>::RegionType(size));
    image.SetSpacing(spacing);
    image.SetOrigin(origin);
    image.SetDirection(direction);
}

template <typename T> typename ItkImage<T>::Pointer ToItk(const Volume<T>& volume) {
    const ImageGeometry& g = volume.Geometry();
    auto image = ItkImage<T>::New();
    SetGeometry(*image, g);
    image->Allocate();
    std::copy(volume.Data().begin(), volume.Data().end(), image->GetBufferPointer());
    return image;
}

template <typename T> Volume<T> FromItk(const ItkImage<T>& image, const ImageGeometry& geometry) {
    Volume<T> volume(geometry, kUninitialized);
    const T* data = image.GetBufferPointer();
    std::copy(data, data + geometry.VoxelCount(), volume.Data().begin());
    return volume;
}

/// The part of `volume` that resampling onto `target` can read: the box of input indices the
/// target's corners map to, widened by `margin` voxels and clipped to the grid, as an ITK image
/// whose regions start at that box's first index. The image keeps the whole volume's origin, so
/// physical points map to the same continuous indices as in the
/// whole volume and IsInsideBuffer answers as it would there wherever the box meets the
/// volume's edge; elsewhere every sampled point lies at least `margin` voxels inside.
template <typename T>
typename ItkImage<T>::Pointer ToItkForTarget(const Volume<T>& volume, const ImageGeometry& target, int margin) {
    const ImageGeometry& g = volume.Geometry();
    std::array<double, 3> lo{};
    std::array<double, 3> hi{};
    lo.fill(std::numeric_limits<double>::infinity());
    hi.fill(-std::numeric_limits<double>::infinity());
    for (int corner = 0; corner < 8; ++corner) {
        const Point3 p = target.IndexToPhysical((corner & 1) ? static_cast<double>(target.size[0]) : -1.0,
                                                (corner & 2) ? static_cast<double>(target.size[1]) : -1.0,
                                                (corner & 4) ? static_cast<double>(target.size[2]) : -1.0);
        const Point3 c = g.PhysicalToContinuousIndex(p);
        for (int a = 0; a < 3; ++a) {
            lo[a] = std::min(lo[a], c[a]);
            hi[a] = std::max(hi[a], c[a]);
        }
    }
    typename ItkImage<T>::IndexType first;
    typename ItkImage<T>::SizeType size;
    for (int a = 0; a < 3; ++a) {
        const double n = static_cast<double>(g.size[a]);
        const double from = std::clamp(std::floor(lo[a]) - margin, 0.0, n - 1.0);
        const double to = std::clamp(std::ceil(hi[a]) + margin, from, n - 1.0);
        first[a] = static_cast<itk::IndexValueType>(from);
        size[a] = static_cast<itk::SizeValueType>(to - from + 1.0);
    }
    auto image = ItkImage<T>::New();
    SetGeometry(*image, g);
    image->SetRegions(typename ItkImage<T>::RegionType(first, size));
    image->Allocate();
    T* out = image->GetBufferPointer();
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j) {
            const T* row = &volume.At(static_cast<std::size_t>(first[0]), static_cast<std::size_t>(first[1]) + j,
                                      static_cast<std::size_t>(first[2]) + k);
            out = std::copy(row, row + size[0], out);
        }
    return image;
}

/// Margin of input voxels kept around what resampling reads. The interpolators read at most two
/// voxels beyond a sampled point; the cubic B-spline's coefficients also depend on the whole
/// line through the recursive prefilter (pole z = sqrt(3) - 2), where a cut at distance d
/// changes a coefficient by at most |z|^d times the data range: at 48 voxels, 1e-27 of it, far
/// below a double's resolution, so the coefficients near the samples equal the whole volume's.
constexpr int kResampleMargin = 48;

/// The cubic B-spline coefficients of a line of `length` samples `stride` apart, in place:
/// itk::BSplineDecompositionImageFilter's DataToCoefficients1D (spline order 3, mirror
/// boundaries, tolerance 1e-10) operation for operation.
void CubicBSplineLine(double* data, std::size_t length, std::ptrdiff_t stride) {
    if (length == 1)
        return;
    const double z = std::sqrt(3.0) - 2.0;
    const auto at = [&](std::size_t n) -> double& { return data[static_cast<std::ptrdiff_t>(n) * stride]; };
    double c0 = 1.0;
    c0 = c0 * (1.0 - z) * (1.0 - 1.0 / z);
    for (std::size_t n = 0; n < length; ++n)
        at(n) *= c0;
    // SetInitialCausalCoefficient
    const auto horizon = static_cast<std::size_t>(std::ceil(std::log(1e-10) / std::log(std::fabs(z))));
    double zn = z;
    if (horizon < length) {
        double sum = at(0);
        for (std::size_t n = 1; n < horizon; ++n) {
            sum += zn * at(n);
            zn *= z;
        }
        at(0) = sum;
    } else {
        const double iz = 1.0 / z;
        double z2n = std::pow(z, static_cast<double>(length - 1));
        double sum = at(0) + z2n * at(length - 1);
        z2n *= z2n * iz;
        for (std::size_t n = 1; n <= length - 2; ++n) {
            sum += (zn + z2n) * at(n);
            zn *= z;
            z2n *= iz;
        }
        at(0) = sum / (1.0 - zn * zn);
    }
    for (std::size_t n = 1; n < length; ++n)
        at(n) += z * at(n - 1);
    // SetInitialAntiCausalCoefficient
    at(length - 1) = (z / (z * z - 1.0)) * (z * at(length - 2) + at(length - 1));
    for (std::size_t m = length - 1; m-- > 0;)
        at(m) = z * (at(m + 1) - at(m));
}

/// Cubic B-spline interpolation computed operation for operation as
/// itk::BSplineInterpolateImageFunction (spline order 3, mirror boundaries) computes it, on
/// coefficients computed as itk::BSplineDecompositionImageFilter computes them (dimension by
/// dimension, line by line; here the lines of a dimension in parallel), so the values are the
/// same to the bit; without the interpolator's per-point index arithmetic and workspace
/// matrices, which made it the slowest step of preprocessing large regions. Thread-safe.
class CubicBSpline {
public:
    /// Turns `source`'s buffer into the coefficients (it is the resampling's own copy).
    explicit CubicBSpline(ItkImage<double>& source) : coefficients_(source.GetBufferPointer()) {
        const auto region = source.GetBufferedRegion();
        for (unsigned n = 0; n < 3; ++n) {
            start_[n] = region.GetIndex()[n];
            length_[n] = static_cast<long>(region.GetSize()[n]);
            end_[n] = start_[n] + length_[n] - 1;
            // ImageFunction::IsInsideBuffer's bounds
            inside_lo_[n] = static_cast<double>(start_[n]) - 0.5;
            inside_hi_[n] = static_cast<double>(end_[n]) + 0.5;
        }
        stride_ = {1, length_[0], length_[0] * length_[1]};
        const auto nx = static_cast<std::size_t>(length_[0]);
        const auto ny = static_cast<std::size_t>(length_[1]);
        const auto nz = static_cast<std::size_t>(length_[2]);
        double* c = coefficients_;
        // x lines, then y lines, then z lines, as the filter's passes.
        ParallelFor(nz, 0, [&](std::size_t k) {
            for (std::size_t j = 0; j < ny; ++j)
                CubicBSplineLine(c + nx * (j + ny * k), nx, 1);
        });
        ParallelFor(nz, 0, [&](std::size_t k) {
            for (std::size_t i = 0; i < nx; ++i)
                CubicBSplineLine(c + i + nx * ny * k, ny, static_cast<std::ptrdiff_t>(nx));
        });
        ParallelFor(ny, 0, [&](std::size_t j) {
            for (std::size_t i = 0; i < nx; ++i)
                CubicBSplineLine(c + i + nx * j, nz, static_cast<std::ptrdiff_t>(nx * ny));
        });
    }

    [[nodiscard]] bool IsInsideBuffer(const itk::ContinuousIndex<double, 3>& x) const {
        for (unsigned n = 0; n < 3; ++n)
            if (!(x[n] >= inside_lo_[n] && x[n] < inside_hi_[n]))
                return false;
        return true;
    }

    [[nodiscard]] double Evaluate(const itk::ContinuousIndex<double, 3>& x) const {
        std::array<std::array<long, 4>, 3> index{};
        std::array<std::array<double, 4>, 3> weights{};
        for (unsigned n = 0; n < 3; ++n) {
            // DetermineRegionOfSupport (note the float), SetInterpolationWeights, then
            // ApplyMirrorBoundaryConditions.
            const long first = static_cast<long>(std::floor(static_cast<float>(x[n]) + 0.0F)) - 1;
            const double w = x[n] - static_cast<double>(first + 1);
            std::array<double, 4>& wn = weights[n];
            wn[3] = (1.0 / 6.0) * w * w * w;
            wn[0] = (1.0 / 6.0) + 0.5 * w * (w - 1.0) - wn[3];
            wn[2] = w + wn[0] - 2.0 * wn[3];
            wn[1] = 1.0 - wn[0] - wn[2] - wn[3];
            for (long k = 0; k < 4; ++k) {
                long at = first + k;
                if (length_[n] == 1) {
                    at = start_[n]; // ITK writes index 0: the same whenever the buffer starts there
                } else {
                    if (at < start_[n])
                        at = start_[n] + (start_[n] - at);
                    if (at >= end_[n])
                        at = end_[n] - (at - end_[n]);
                }
                index[n][static_cast<std::size_t>(k)] = (at - start_[n]) * stride_[n];
            }
        }
        // The interpolation cube in ITK's point order (x fastest), weights multiplied x, y, z.
        const double* c = coefficients_;
        double interpolated = 0.0;
        for (std::size_t iz = 0; iz < 4; ++iz)
            for (std::size_t iy = 0; iy < 4; ++iy)
                for (std::size_t ix = 0; ix < 4; ++ix) {
                    double w = 1.0;
                    w *= weights[0][ix];
                    w *= weights[1][iy];
                    w *= weights[2][iz];
                    interpolated += w * c[index[0][ix] + index[1][iy] + index[2][iz]];
                }
        return interpolated;
    }

private:
    double* coefficients_;
    std::array<long, 3> start_{};
    std::array<long, 3> length_{};
    std::array<long, 3> end_{};
    std::array<long, 3> stride_{};
    std::array<double, 3> inside_lo_{};
    std::array<double, 3> inside_hi_{};
};

/// itk::ResampleImageFilter's linear-transform path with an identity transform (what
/// SimpleITK runs), without the filter itself: per scanline, the input continuous indices of
/// the line's two ends are interpolated linearly, and points outside the interpolator's
/// buffer get 0 (`sample` returns that). Slices in parallel. The filter is not used because it
/// needs ITK's transform library.
template <typename T, typename Sample>
Volume<double> SampleGrid(const ItkImage<T>& source, const ImageGeometry& target, const Sample& sample) {
    const auto grid = ItkImage<T>::New(); // geometry only, never allocated
    SetGeometry(*grid, target);
    Volume<double> out(target, kUninitialized);
    const auto nx = static_cast<itk::IndexValueType>(target.size[0]);
    ParallelFor(target.size[2], 0, [&](std::size_t k) {
        for (std::size_t j = 0; j < target.size[1]; ++j) {
            typename ItkImage<T>::IndexType index;
            index[0] = 0;
            index[1] = static_cast<itk::IndexValueType>(j);
            index[2] = static_cast<itk::IndexValueType>(k);
            typename ItkImage<T>::PointType point;
            itk::ContinuousIndex<double, 3> start;
            itk::ContinuousIndex<double, 3> end;
            grid->TransformIndexToPhysicalPoint(index, point);
            source.TransformPhysicalPointToContinuousIndex(point, start);
            index[0] = nx;
            grid->TransformIndexToPhysicalPoint(index, point);
            source.TransformPhysicalPointToContinuousIndex(point, end);
            double* row = &out.At(0, j, k);
            for (itk::IndexValueType i = 0; i < nx; ++i) {
                const double alpha = static_cast<double>(i) / static_cast<double>(nx);
                itk::ContinuousIndex<double, 3> at(start);
                for (unsigned a = 0; a < 3; ++a)
                    at[a] += alpha * (end[a] - start[a]);
                row[i] = sample(at);
            }
        }
    });
    return out;
}

/// Resampling onto `target` with an ITK interpolator (nearest neighbour, linear: stateless,
/// so shared by the threads). Only the part of the input the target reads is handed to it
/// (ToItkForTarget).
template <typename T>
Volume<double> ResampleToGrid(const Volume<T>& input, const ImageGeometry& target,
                              typename itk::InterpolateImageFunction<ItkImage<T>, double>::Pointer interpolator) {
    const typename ItkImage<T>::Pointer source = ToItkForTarget(input, target, kResampleMargin);
    interpolator->SetInputImage(source);
    return SampleGrid(*source, target, [&](const itk::ContinuousIndex<double, 3>& at) {
        return interpolator->IsInsideBuffer(at) ? interpolator->EvaluateAtContinuousIndex(at) : 0.0;
    });
}

/// Resampling onto `target` with the cubic B-spline.
Volume<double> ResampleBSpline(const Volume<double>& input, const ImageGeometry& target) {
    const ItkImage<double>::Pointer source = ToItkForTarget(input, target, kResampleMargin);
    const CubicBSpline spline(*source);
    return SampleGrid(*source, target, [&](const itk::ContinuousIndex<double, 3>& at) {
        return spline.IsInsideBuffer(at) ? spline.Evaluate(at) : 0.0;
    });
}

/// Nearest-neighbour resampling of a label volume.
Volume<std::int32_t> ResampleLabels(const Volume<std::int32_t>& mask, const ImageGeometry& target) {
    const Volume<double> labels = ResampleToGrid<std::int32_t>(
        mask, target, itk::NearestNeighborInterpolateImageFunction<ItkImage<std::int32_t>, double>::New().GetPointer());
    Volume<std::int32_t> out(target, kUninitialized);
    std::transform(labels.Data().begin(), labels.Data().end(), out.Data().begin(),
                   [](double v) { return static_cast<std::int32_t>(v); });
    return out;
}

// ---- checks (imageoperations.checkMask, _checkROI) ------------------------------------------

/// _checkROI: the label's bounding box, transformed by its two corners into the image's index
/// space, must lie within the image (tolerance 1e-3 voxel). Returns the label scan or an error.
std::string CheckRoi(const ImageGeometry& image, const Volume<std::int32_t>& mask, int label, LabelScan& scan) {
    scan = ScanLabel(mask, label);
    if (scan.count == 0)
        return "Label (" + std::to_string(label) + ") not present in mask";
    const ImageGeometry& m = mask.Geometry();
    const Point3 p0 = m.IndexToPhysical(static_cast<double>(scan.lo[0]) - 0.5, static_cast<double>(scan.lo[1]) - 0.5,
                                        static_cast<double>(scan.lo[2]) - 0.5);
    const Point3 p1 = m.IndexToPhysical(static_cast<double>(scan.hi[0]) + 0.5, static_cast<double>(scan.hi[1]) + 0.5,
                                        static_cast<double>(scan.hi[2]) + 0.5);
    const Point3 c0 = image.PhysicalToContinuousIndex(p0);
    const Point3 c1 = image.PhysicalToContinuousIndex(p1);
    constexpr double kTolerance = 1e-3;
    for (int a = 0; a < 3; ++a) {
        if (std::min(c0[a], c1[a]) < -0.5 - kTolerance ||
            std::max(c0[a], c1[a]) > static_cast<double>(image.size[a]) - 0.5 + kTolerance) {
            std::ostringstream text;
            text << "Bounding box of ROI is larger than image space: ROI bounds (image index space) (" << c0[0] << ", "
                 << c0[1] << ", " << c0[2] << ") - (" << c1[0] << ", " << c1[1] << ", " << c1[2] << "), image size ("
                 << image.size[0] << ", " << image.size[1] << ", " << image.size[2] << ")";
            return text.str();
        }
    }
    return {};
}

/// The ROI size checks of checkMask on a label bounding box and voxel count.
std::string CheckRoiSize(const Index3& size, std::size_t count, const Settings& settings) {
    const int ndims = (size[0] > 1 ? 1 : 0) + (size[1] > 1 ? 1 : 0) + (size[2] > 1 ? 1 : 0);
    if (ndims == 0)
        return "minimumROIDimensions: mask only contains 1 segmented voxel! Cannot extract features for a single voxel.";
    if (ndims < settings.minimum_roi_dimensions)
        return "minimumROIDimensions: mask has too few dimensions (number of dimensions " + std::to_string(ndims) +
               ", minimum required " + std::to_string(settings.minimum_roi_dimensions) + ")";
    if (settings.minimum_roi_size && static_cast<long long>(count) <= *settings.minimum_roi_size)
        return "minimumROISize: Size of the ROI is too small (minimum size: " +
               std::to_string(*settings.minimum_roi_size) + ", ROI size: " + std::to_string(count) + ")";
    return {};
}

struct MaskCheck {
    std::string error;
    std::optional<Volume<std::int32_t>> corrected;
    LabelScan scan;
};

/// checkMask: geometry against the image (correcting the mask onto the image grid when
/// correctMask allows), label present, minimumROIDimensions, minimumROISize.
/// `known` is the label scan of `mask` when the caller already has it.
MaskCheck CheckMask(const Volume<double>& image, const Volume<std::int32_t>& mask, const Settings& settings,
                    const LabelScan* known = nullptr) {
    MaskCheck check;
    const Volume<std::int32_t>* used = &mask;
    if (const std::string mismatch = CompareGeometry(image.Geometry(), mask.Geometry(), settings.geometry_tolerance);
        !mismatch.empty()) {
        if (!settings.correct_mask) {
            check.error = "geometry: Image/Mask geometry mismatch (" + mismatch +
                          "). Potential fix: increase geometryTolerance or enable correctMask";
            return check;
        }
        LabelScan roi;
        if (std::string error = CheckRoi(image.Geometry(), mask, settings.label, roi); !error.empty()) {
            check.error = "correctMask: " + error;
            return check;
        }
        check.corrected = ResampleMaskToGrid(mask, image.Geometry());
        used = &*check.corrected;
    }
    check.scan = used == &mask && known != nullptr ? *known : ScanLabel(*used, settings.label);
    if (check.scan.count == 0) {
        check.error = "label: Label (" + std::to_string(settings.label) + ") not present in mask";
        return check;
    }
    check.error = CheckRoiSize(SizeOf(check.scan.lo, check.scan.hi), check.scan.count, settings);
    return check;
}

/// cropToTumorMask with padding: the box [lo - pad, hi + pad] clipped to the grid.
template <typename T> Volume<T> Crop(const Volume<T>& input, const Index3& lo, const Index3& hi, int pad) {
    const ImageGeometry& g = input.Geometry();
    Index3 first{};
    Index3 size{};
    for (int a = 0; a < 3; ++a) {
        const auto p = static_cast<std::size_t>(std::max(pad, 0));
        first[a] = lo[a] > p ? lo[a] - p : 0;
        const std::size_t last = std::min(hi[a] + p, g.size[a] - 1);
        size[a] = last - first[a] + 1;
    }
    ImageGeometry out = g;
    out.size = size;
    out.origin = g.IndexToPhysical(static_cast<double>(first[0]), static_cast<double>(first[1]),
                                   static_cast<double>(first[2]));
    Volume<T> cropped(out, kUninitialized);
    for (std::size_t k = 0; k < size[2]; ++k)
        for (std::size_t j = 0; j < size[1]; ++j) {
            const T* row = &input.At(first[0], first[1] + j, first[2] + k);
            std::copy(row, row + size[0], &cropped.At(0, j, k));
        }
    return cropped;
}

} // namespace

std::optional<std::pair<double, double>> IntegerPixelRange(const Volume<double>& image, const std::string& stored) {
    if (!stored.empty()) { // the caller knows how the file stored its values
        static const std::map<std::string, std::pair<double, double>> kRanges{
            {"char", {-128.0, 127.0}},
            {"unsigned_char", {0.0, 255.0}},
            {"short", {-32768.0, 32767.0}},
            {"unsigned_short", {0.0, 65535.0}},
            {"int", {-2147483648.0, 2147483647.0}},
            {"unsigned_int", {0.0, 4294967295.0}},
        };
        const auto it = kRanges.find(stored);
        if (it == kRanges.end())
            return std::nullopt; // real-valued (or 64-bit) storage: no cast
        return it->second;
    }
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const double v : image.Data()) {
        if (v != std::trunc(v))
            return std::nullopt;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    // Signed 16 bit first: CT and MR data are mostly `short`; an unsigned image whose values
    // fit in short cannot be told apart, and only a BSpline undershoot below 0 would differ.
    if (lo >= -32768.0 && hi <= 32767.0)
        return std::pair{-32768.0, 32767.0};
    if (lo >= 0.0 && hi <= 65535.0)
        return std::pair{0.0, 65535.0};
    if (lo >= -2147483648.0 && hi <= 2147483647.0)
        return std::pair{-2147483648.0, 2147483647.0};
    return std::nullopt;
}


// ---- public building blocks -------------------------------------------------------------------

std::string PythonFloat(double value) {
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    if (value == 0.0)
        return std::signbit(value) ? "-0.0" : "0.0";
    // Shortest round-trip digits, then Python's repr layout: positional for 1e-4 <= |x| < 1e16.
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const std::string sci(buffer, result.ptr);
    const std::size_t e = sci.find('e');
    const int exponent = std::stoi(sci.substr(e + 1));
    std::string mantissa = sci.substr(0, e);
    const bool negative = mantissa[0] == '-';
    if (negative)
        mantissa.erase(0, 1);
    std::string digits;
    for (const char c : mantissa)
        if (c != '.')
            digits += c;
    std::string text;
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            text = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
        } else if (static_cast<std::size_t>(exponent) + 1 >= digits.size()) {
            text = digits + std::string(static_cast<std::size_t>(exponent) + 1 - digits.size(), '0') + ".0";
        } else {
            text = digits.substr(0, static_cast<std::size_t>(exponent) + 1) + "." +
                   digits.substr(static_cast<std::size_t>(exponent) + 1);
        }
    } else {
        text = digits.substr(0, 1);
        if (digits.size() > 1)
            text += "." + digits.substr(1);
        char exp_text[16];
        std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        text += exp_text;
    }
    return negative ? "-" + text : text;
}

std::string CompareGeometry(const ImageGeometry& image, const ImageGeometry& mask, double tolerance) {
    if (image.size != mask.size) {
        std::ostringstream text;
        text << "size (" << image.size[0] << ", " << image.size[1] << ", " << image.size[2] << ") vs ("
             << mask.size[0] << ", " << mask.size[1] << ", " << mask.size[2] << ")";
        return text.str();
    }
    const double coordinate_tolerance = std::abs(tolerance * image.spacing[0]);
    for (int a = 0; a < 3; ++a) {
        if (std::abs(image.origin[a] - mask.origin[a]) > coordinate_tolerance)
            return "origin differs by " + PythonFloat(std::abs(image.origin[a] - mask.origin[a])) + " mm along axis " +
                   std::to_string(a);
        if (std::abs(image.spacing[a] - mask.spacing[a]) > coordinate_tolerance)
            return "spacing differs by " + PythonFloat(std::abs(image.spacing[a] - mask.spacing[a])) +
                   " mm along axis " + std::to_string(a);
    }
    for (int e = 0; e < 9; ++e)
        if (std::abs(image.direction[e] - mask.direction[e]) > tolerance)
            return "direction differs";
    return {};
}

Volume<double> NormalizeImage(const Volume<double>& image, const Settings& settings) {
    using Filter = itk::NormalizeImageFilter<ItkImage<double>, ItkImage<double>>;
    auto filter = Filter::New();
    filter->SetInput(ToItk(image));
    filter->Update();
    Volume<double> out = FromItk<double>(*filter->GetOutput(), image.Geometry());
    for (double& v : out.Data()) {
        if (settings.remove_outliers) {
            const double limit = *settings.remove_outliers;
            v = v > limit ? limit : (v < -limit ? -limit : v);
        }
        v *= settings.normalize_scale;
    }
    return out;
}

Volume<std::int32_t> ResampleMaskToGrid(const Volume<std::int32_t>& mask, const ImageGeometry& target) {
    return ResampleLabels(mask, target);
}

ResampledCase ResampleImageAndMask(const Volume<double>& image, const Volume<std::int32_t>& mask,
                                   const Settings& settings) {
    ResampledCase out;
    const ImageGeometry& m = mask.Geometry();
    std::array<double, 3> spacing = *settings.resampled_pixel_spacing;
    for (int a = 0; a < 3; ++a)
        if (spacing[a] == 0.0)
            spacing[a] = m.spacing[a];
    LabelScan roi;
    if (std::string error = CheckRoi(image.Geometry(), mask, settings.label, roi); !error.empty()) {
        out.error = "resampling: " + error;
        return out;
    }
    const Index3 roi_size = SizeOf(roi.lo, roi.hi);
    // Do not resample along axes where the ROI spans a single slice.
    for (int a = 0; a < 3; ++a)
        if (roi_size[a] == 1)
            spacing[a] = m.spacing[a];

    bool same_spacing = true; // numpy.allclose(imageSpacing, resampledPixelSpacing)
    for (int a = 0; a < 3; ++a)
        same_spacing &= std::abs(image.Geometry().spacing[a] - spacing[a]) <= 1e-8 + 1e-5 * std::abs(spacing[a]);
    if (same_spacing) {
        Volume<std::int32_t> on_image = ResampleMaskToGrid(mask, image.Geometry());
        const LabelScan scan = ScanLabel(on_image, settings.label);
        if (scan.count == 0) {
            out.error = "resampling: Label (" + std::to_string(settings.label) + ") not present in resampled mask";
            return out;
        }
        out.image = Crop(image, scan.lo, scan.hi, settings.pad_distance);
        out.mask = Crop(on_image, scan.lo, scan.hi, settings.pad_distance);
        return out;
    }

    ImageGeometry grid;
    grid.spacing = spacing;
    grid.direction = m.direction;
    std::array<double, 3> origin_index{};
    for (int a = 0; a < 3; ++a) {
        const double ratio = m.spacing[a] / spacing[a];
        const double pad = settings.pad_distance;
        double lower = std::floor((static_cast<double>(roi.lo[a]) - 0.5) * ratio - pad);
        double upper = std::ceil((static_cast<double>(roi.lo[a] + roi_size[a]) - 0.5) * ratio + pad);
        const double max_upper = std::ceil(static_cast<double>(m.size[a]) * ratio) - 1.0;
        lower = std::max(lower, 0.0);
        upper = std::min(upper, max_upper);
        grid.size[a] = static_cast<std::size_t>(upper - lower + 1.0);
        origin_index[a] = 0.5 * (spacing[a] - m.spacing[a]) / m.spacing[a] + lower / ratio;
    }
    grid.origin = m.IndexToPhysical(origin_index[0], origin_index[1], origin_index[2]);

    switch (settings.interpolator) {
    case Interpolator::Nearest:
        out.image = ResampleToGrid<double>(
            image, grid, itk::NearestNeighborInterpolateImageFunction<ItkImage<double>, double>::New().GetPointer());
        break;
    case Interpolator::Linear:
        out.image = ResampleToGrid<double>(
            image, grid, itk::LinearInterpolateImageFunction<ItkImage<double>, double>::New().GetPointer());
        break;
    case Interpolator::BSpline:
        out.image = ResampleBSpline(image, grid);
        break;
    }
    // SimpleITK resamples into the input pixel type: values clamped to its range and
    // truncated toward zero (ResampleImageFilter::CastPixelWithBoundsChecking).
    if (const auto range = IntegerPixelRange(image, settings.image_pixel_type))
        for (double& v : out.image.Data())
            v = v < range->first ? range->first : (v > range->second ? range->second : std::trunc(v));
    out.mask = ResampleLabels(mask, grid);
    return out;
}

// ---- the whole flow ---------------------------------------------------------------------------

PreparedCase Preprocess(const Volume<double>& image, const Volume<std::int32_t>& mask, const Settings& settings,
                        Volume<double>* full_image) {
    PreparedCase out;
    try {
        const int label = settings.label;
        // getMask: something segmented, and the label among it.
        const LabelScan original = ScanLabel(mask, label);
        if (!original.any_nonzero) {
            out.error = "label: No labels found in this mask (i.e. nothing is segmented)!";
            return out;
        }
        if (original.count == 0) {
            out.error = "label: Label (" + std::to_string(label) + ") not present in mask. Choose from " +
                        LabelsPresent(mask);
            return out;
        }
        if (settings.additional_info) {
            AddImageDiagnostics(out.diagnostics, image, "original");
            const Index3 size = SizeOf(original.lo, original.hi);
            AddMaskDiagnostics(out.diagnostics, mask.Geometry(), original.lo, size,
                               LabelBox(mask, label, original.lo, size), nullptr, "original");
        }

        // loadImage: normalisation before resampling, as PyRadiomics does.
        const Volume<double>* current_image = &image;
        const Volume<std::int32_t>* current_mask = &mask;
        Volume<double> image_store;
        Volume<std::int32_t> mask_store;
        if (settings.normalize) {
            image_store = NormalizeImage(*current_image, settings);
            current_image = &image_store;
        }
        if (settings.resampled_pixel_spacing) {
            ResampledCase resampled = ResampleImageAndMask(*current_image, *current_mask, settings);
            if (!resampled.error.empty()) {
                out.error = resampled.error;
                return out;
            }
            image_store = std::move(resampled.image);
            mask_store = std::move(resampled.mask);
            current_image = &image_store;
            current_mask = &mask_store;
            if (settings.additional_info) {
                AddImageDiagnostics(out.diagnostics, *current_image, "interpolated");
                const LabelScan scan = ScanLabel(*current_mask, label);
                if (scan.count > 0) {
                    const Index3 size = SizeOf(scan.lo, scan.hi);
                    const auto box = ImageBox(*current_image, scan.lo, size);
                    AddMaskDiagnostics(out.diagnostics, current_mask->Geometry(), scan.lo, size,
                                       LabelBox(*current_mask, label, scan.lo, size), &box, "interpolated");
                }
            }
        } else if (settings.pre_crop) {
            MaskCheck check = CheckMask(*current_image, *current_mask, settings);
            if (!check.error.empty()) {
                out.error = check.error;
                return out;
            }
            if (check.corrected) {
                mask_store = std::move(*check.corrected);
                current_mask = &mask_store;
            }
            Volume<double> cropped_image = Crop(*current_image, check.scan.lo, check.scan.hi, settings.pad_distance);
            mask_store = Crop(*current_mask, check.scan.lo, check.scan.hi, settings.pad_distance);
            image_store = std::move(cropped_image);
            current_image = &image_store;
            current_mask = &mask_store;
        }

        // checkMask on the (resampled) pair.
        MaskCheck check =
            CheckMask(*current_image, *current_mask, settings, current_mask == &mask ? &original : nullptr);
        if (!check.error.empty()) {
            out.error = check.error;
            return out;
        }
        if (check.corrected) {
            mask_store = std::move(*check.corrected);
            current_mask = &mask_store;
        }
        Index3 lo = check.scan.lo;
        Index3 size = SizeOf(check.scan.lo, check.scan.hi);
        std::vector<double> box_image = ImageBox(*current_image, lo, size);
        std::vector<std::uint8_t> box_label = LabelBox(*current_mask, label, lo, size);
        if (check.corrected && settings.additional_info)
            AddMaskDiagnostics(out.diagnostics, current_mask->Geometry(), lo, size, box_label, &box_image, "corrected");

        // resegmentMask, then checkMask again on the re-segmented ROI.
        std::vector<std::uint8_t> box_roi = box_label;
        if (settings.resegment_range) {
            std::vector<double> range = *settings.resegment_range;
            if (range.empty() || range.size() > 2) {
                out.error = "resegmentRange: Length " + std::to_string(range.size()) + " is not allowed";
                return out;
            }
            std::sort(range.begin(), range.end());
            std::vector<double> values;
            for (std::size_t b = 0; b < box_label.size(); ++b)
                if (box_label[b] != 0)
                    values.push_back(box_image[b]);
            std::vector<double> thresholds = range;
            if (settings.resegment_mode == ResegmentMode::Relative) {
                const double max_gl = *std::max_element(values.begin(), values.end());
                for (double& t : thresholds)
                    t *= max_gl;
            } else if (settings.resegment_mode == ResegmentMode::Sigma) {
                double sum = 0.0;
                for (const double v : values)
                    sum += v;
                const double mean = sum / static_cast<double>(values.size());
                double squares = 0.0;
                for (const double v : values)
                    squares += (v - mean) * (v - mean);
                const double sd = std::sqrt(squares / static_cast<double>(values.size()));
                for (double& t : thresholds)
                    t = mean + sd * t;
            }
            std::size_t kept = 0;
            for (std::size_t b = 0; b < box_roi.size(); ++b) {
                if (box_roi[b] == 0)
                    continue;
                const double v = box_image[b];
                const bool in = v >= thresholds[0] && (thresholds.size() < 2 || v <= thresholds[1]);
                box_roi[b] = in ? 1 : 0;
                kept += in ? 1 : 0;
            }
            if (kept <= 1) {
                out.error = "resegmentRange: Resegmentation excluded too many voxels with label " +
                            std::to_string(label) + " (retained " + std::to_string(kept) +
                            " voxel(s))! Cannot extract features";
                return out;
            }
            Index3 rlo{size[0], size[1], size[2]};
            Index3 rhi{0, 0, 0};
            for (std::size_t k = 0; k < size[2]; ++k)
                for (std::size_t j = 0; j < size[1]; ++j)
                    for (std::size_t i = 0; i < size[0]; ++i)
                        if (box_roi[i + size[0] * (j + size[1] * k)] != 0) {
                            rlo = {std::min(rlo[0], i), std::min(rlo[1], j), std::min(rlo[2], k)};
                            rhi = {std::max(rhi[0], i), std::max(rhi[1], j), std::max(rhi[2], k)};
                        }
            if (std::string error = CheckRoiSize(SizeOf(rlo, rhi), kept, settings); !error.empty()) {
                out.error = error + " (after re-segmentation)";
                return out;
            }
            if (settings.additional_info)
                AddMaskDiagnostics(out.diagnostics, current_mask->Geometry(), lo, size, box_roi, &box_image,
                                   "resegmented");
            // The features' box is the re-segmented ROI's bounding box (PyRadiomics reuses it
            // for shape too, even when shape keeps the original mask).
            const Index3 new_size = SizeOf(rlo, rhi);
            auto sub = [&](const auto& source) {
                std::remove_cvref_t<decltype(source)> cut(new_size[0] * new_size[1] * new_size[2]);
                std::size_t b = 0;
                for (std::size_t k = 0; k < new_size[2]; ++k)
                    for (std::size_t j = 0; j < new_size[1]; ++j)
                        for (std::size_t i = 0; i < new_size[0]; ++i)
                            cut[b++] = source[(rlo[0] + i) + size[0] * ((rlo[1] + j) + size[1] * (rlo[2] + k))];
                return cut;
            };
            box_image = sub(box_image);
            box_label = sub(box_label);
            box_roi = sub(box_roi);
            lo = {lo[0] + rlo[0], lo[1] + rlo[1], lo[2] + rlo[2]};
            size = new_size;
        }

        Region& region = out.region;
        region.size = size;
        region.box_origin = lo;
        region.spacing = current_image->Geometry().spacing;
        region.image = std::move(box_image);
        region.shape_mask = settings.resegment_shape ? box_roi : box_label;
        region.mask = std::move(box_roi);
        for (std::size_t b = 0; b < region.mask.size(); ++b)
            if (region.mask[b] != 0)
                region.voxels.push_back(static_cast<std::uint32_t>(b));
        Discretise(region, settings);
        out.image_is_input = current_image == &image;
        if (full_image != nullptr && !out.image_is_input)
            *full_image = std::move(image_store);
    } catch (const std::exception& e) {
        // ITK throws on grids it cannot handle; bad input must not escape as an exception.
        out.error = std::string("preprocessing failed: ") + e.what();
    }
    return out;
}

} // namespace radnode::processing::radiomics
