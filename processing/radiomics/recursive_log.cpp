// PyRadiomics' LoG image type: sitk.LaplacianRecursiveGaussianImageFilter (ITK's Deriche-style
// recursive Gaussian, normalised across scale), recomputed here so that only what the box
// depends on is filtered, eight lines at a time. For each axis d the Laplacian term is ITK's
// chain: the second-derivative recursion along d, then the smoothing recursion along the other
// two axes in increasing order, each pass computed in double from float32 input and stored as
// float32, accumulated as float32(sum + term / spacing_d^2). Every line goes through exactly
// the operations ITK's RecursiveSeparableImageFilter::FilterDataArray performs, in the same
// order, with the coefficients of ITK's own RecursiveGaussianImageFilter::SetUp, so the result
// equals ITK's bit for bit (tests compare the two).

#include "processing/radiomics/filters.h"

#include <itkImage.h>
#include <itkRecursiveGaussianImageFilter.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

/// The coefficients of one recursive Gaussian pass (RecursiveSeparableImageFilter's m_N*, m_D*,
/// m_M*, m_BN*, m_BM*).
struct Coefficients {
    double n0, n1, n2, n3;
    double d1, d2, d3, d4;
    double m1, m2, m3, m4;
    double bn1, bn2, bn3, bn4;
    double bm1, bm2, bm3, bm4;
};

/// ITK's RecursiveGaussianImageFilter, used only for its SetUp: the coefficients for an order,
/// sigma and spacing, computed by ITK itself.
class CoefficientProbe : public itk::RecursiveGaussianImageFilter<itk::Image<double, 3>, itk::Image<float, 3>> {
public:
    using Self = CoefficientProbe;
    using Superclass = itk::RecursiveGaussianImageFilter<itk::Image<double, 3>, itk::Image<float, 3>>;
    using Pointer = itk::SmartPointer<Self>;
    itkNewMacro(Self)

    Coefficients For(double spacing) {
        this->SetUp(spacing);
        return {this->m_N0,  this->m_N1,  this->m_N2,  this->m_N3,  this->m_D1,  this->m_D2,  this->m_D3,
                this->m_D4,  this->m_M1,  this->m_M2,  this->m_M3,  this->m_M4,  this->m_BN1, this->m_BN2,
                this->m_BN3, this->m_BN4, this->m_BM1, this->m_BM2, this->m_BM3, this->m_BM4};
    }

protected:
    CoefficientProbe() = default;
    ~CoefficientProbe() override = default;
};

Coefficients CoefficientsFor(itk::GaussianOrderEnum order, double sigma, double spacing) {
    auto probe = CoefficientProbe::New();
    probe->SetSigma(sigma);
    probe->SetOrder(order);
    probe->SetNormalizeAcrossScale(true); // as PyRadiomics sets it on the Laplacian filter
    return probe->For(spacing);
}

constexpr std::size_t kLanes = 32;

/// FilterDataArray on kLanes lines at once: lane l of position p is x[p * stride + l] (a bundle
/// buffer, or the image itself when the lines lie side by side), s1 and s2 are laid out
/// [position][lane]. The causal recursion runs up to `hi`, the anti-causal one down to `lo`,
/// and s1 = causal + anti-causal on [lo, hi).
/// Cloned for AVX2 (4 lanes per instruction; AVX2 has no fused multiply-add, so every lane does
/// the same separate multiplies and adds as ITK's scalar code).
template <typename In>
__attribute__((target_clones("avx2", "default"))) void FilterBundle(const In* x, std::size_t stride, double* s1,
                                                                      double* s2, std::size_t ln, std::size_t lo,
                                                                      std::size_t hi, const Coefficients& c) {
    constexpr std::size_t L = kLanes;
    const std::size_t X = stride;
    for (std::size_t l = 0; l < L; ++l) {
        const double v = x[l];
        s1[l] = v * c.n0 + v * c.n1 + v * c.n2 + v * c.n3;
        s1[L + l] = x[X + l] * c.n0 + v * c.n1 + v * c.n2 + v * c.n3;
        s1[2 * L + l] = x[2 * X + l] * c.n0 + x[X + l] * c.n1 + v * c.n2 + v * c.n3;
        s1[3 * L + l] = x[3 * X + l] * c.n0 + x[2 * X + l] * c.n1 + x[X + l] * c.n2 + v * c.n3;
        s1[l] -= v * c.bn1 + v * c.bn2 + v * c.bn3 + v * c.bn4;
        s1[L + l] -= s1[l] * c.d1 + v * c.bn2 + v * c.bn3 + v * c.bn4;
        s1[2 * L + l] -= s1[L + l] * c.d1 + s1[l] * c.d2 + v * c.bn3 + v * c.bn4;
        s1[3 * L + l] -= s1[2 * L + l] * c.d1 + s1[L + l] * c.d2 + s1[l] * c.d3 + v * c.bn4;
    }
    for (std::size_t i = 4; i < hi; ++i) {
        const In* x0 = x + i * X;
        const In* x1 = x0 - X;
        const In* x2 = x1 - X;
        const In* x3 = x2 - X;
        double* s = s1 + i * L;
        const double* p1 = s - L;
        const double* p2 = p1 - L;
        const double* p3 = p2 - L;
        const double* p4 = p3 - L;
        for (std::size_t l = 0; l < L; ++l) {
            s[l] = x0[l] * c.n0 + x1[l] * c.n1 + x2[l] * c.n2 + x3[l] * c.n3;
            s[l] -= p1[l] * c.d1 + p2[l] * c.d2 + p3[l] * c.d3 + p4[l] * c.d4;
        }
    }
    const std::size_t e = ln - 1;
    for (std::size_t l = 0; l < L; ++l) {
        const double v = x[e * X + l];
        s2[e * L + l] = v * c.m1 + v * c.m2 + v * c.m3 + v * c.m4;
        s2[(e - 1) * L + l] = x[e * X + l] * c.m1 + v * c.m2 + v * c.m3 + v * c.m4;
        s2[(e - 2) * L + l] = x[(e - 1) * X + l] * c.m1 + x[e * X + l] * c.m2 + v * c.m3 + v * c.m4;
        s2[(e - 3) * L + l] =
            x[(e - 2) * X + l] * c.m1 + x[(e - 1) * X + l] * c.m2 + x[e * X + l] * c.m3 + v * c.m4;
        s2[e * L + l] -= v * c.bm1 + v * c.bm2 + v * c.bm3 + v * c.bm4;
        s2[(e - 1) * L + l] -= s2[e * L + l] * c.d1 + v * c.bm2 + v * c.bm3 + v * c.bm4;
        s2[(e - 2) * L + l] -= s2[(e - 1) * L + l] * c.d1 + s2[e * L + l] * c.d2 + v * c.bm3 + v * c.bm4;
        s2[(e - 3) * L + l] -=
            s2[(e - 2) * L + l] * c.d1 + s2[(e - 1) * L + l] * c.d2 + s2[e * L + l] * c.d3 + v * c.bm4;
    }
    for (std::size_t i = ln - 4; i > lo; --i) {
        const In* xi = x + i * X;
        double* so = s2 + (i - 1) * L;
        for (std::size_t l = 0; l < L; ++l) {
            so[l] = xi[l] * c.m1 + xi[l + X] * c.m2 + xi[l + 2 * X] * c.m3 + xi[l + 3 * X] * c.m4;
            so[l] -= so[l + L] * c.d1 + so[l + 2 * L] * c.d2 + so[l + 3 * L] * c.d3 + so[l + 4 * L] * c.d4;
        }
    }
    for (std::size_t i = lo; i < hi; ++i)
        for (std::size_t l = 0; l < L; ++l)
            s1[i * L + l] += s2[i * L + l];
}

std::size_t Stride(const std::array<std::size_t, 3>& size, std::size_t axis) {
    return axis == 0 ? 1 : (axis == 1 ? size[0] : size[0] * size[1]);
}

/// One recursive pass along `axis` over every line of `in` (x fastest, extent `size`), keeping
/// positions [lo, hi) along the axis: float32 out, extent `size` with size[axis] = hi - lo.
template <typename In>
std::vector<float> FilterLines(const In* in, const std::array<std::size_t, 3>& size, std::size_t axis,
                               std::size_t lo, std::size_t hi, const Coefficients& c) {
    const std::size_t ln = size[axis];
    std::array<std::size_t, 3> out_size = size;
    out_size[axis] = hi - lo;
    std::vector<float> out(out_size[0] * out_size[1] * out_size[2]);
    // Lanes run along the fastest of the other two axes; `outer` is the remaining one.
    const std::size_t lane_axis = axis == 0 ? 1 : 0;
    const std::size_t outer_axis = 3 - axis - lane_axis;
    const std::size_t in_axis_stride = Stride(size, axis);
    const std::size_t in_lane_stride = Stride(size, lane_axis);
    const std::size_t in_outer_stride = Stride(size, outer_axis);
    const std::size_t out_axis_stride = Stride(out_size, axis);
    const std::size_t out_lane_stride = Stride(out_size, lane_axis);
    const std::size_t out_outer_stride = Stride(out_size, outer_axis);
    std::vector<double> x(ln * kLanes);
    std::vector<double> s1(ln * kLanes);
    std::vector<double> s2(ln * kLanes);
    for (std::size_t o = 0; o < size[outer_axis]; ++o)
        for (std::size_t lane0 = 0; lane0 < size[lane_axis]; lane0 += kLanes) {
            const std::size_t lanes = std::min(kLanes, size[lane_axis] - lane0);
            const In* first = in + o * in_outer_stride + lane0 * in_lane_stride;
            float* target = out.data() + o * out_outer_stride + lane0 * out_lane_stride;
            if (lanes == kLanes && in_lane_stride == 1) {
                // Lines side by side in memory: the recursion reads the input in place.
                FilterBundle(first, in_axis_stride, s1.data(), s2.data(), ln, lo, hi, c);
            } else {
                for (std::size_t l = 0; l < kLanes; ++l) {
                    // Missing lanes repeat the last line: computed and dropped.
                    const In* line = first + std::min(l, lanes - 1) * in_lane_stride;
                    for (std::size_t p = 0; p < ln; ++p)
                        x[p * kLanes + l] = static_cast<double>(line[p * in_axis_stride]);
                }
                FilterBundle(x.data(), kLanes, s1.data(), s2.data(), ln, lo, hi, c);
            }
            if (lanes == kLanes && out_lane_stride == 1) {
                for (std::size_t p = lo; p < hi; ++p) {
                    float* at = target + (p - lo) * out_axis_stride;
                    for (std::size_t l = 0; l < kLanes; ++l)
                        at[l] = static_cast<float>(s1[p * kLanes + l]);
                }
            } else {
                for (std::size_t l = 0; l < lanes; ++l) {
                    float* line = target + l * out_lane_stride;
                    for (std::size_t p = lo; p < hi; ++p)
                        line[(p - lo) * out_axis_stride] = static_cast<float>(s1[p * kLanes + l]);
                }
            }
        }
    return out;
}

} // namespace

std::vector<double> LogFilter(const Volume<double>& image, const VoxelBox& box, double sigma_mm) {
    const ImageGeometry& g = image.Geometry();
    std::vector<float> sum(box.VoxelCount(), 0.0F);
    for (std::size_t d = 0; d < 3; ++d) {
        const Coefficients second = CoefficientsFor(itk::GaussianOrderEnum::SecondOrder, sigma_mm, g.spacing[d]);
        // Pass 1 along d over the whole image, kept on the box's range along d.
        std::array<std::size_t, 3> size = g.size;
        std::vector<float> pass =
            FilterLines(image.Data().data(), size, d, box.begin[d], box.begin[d] + box.size[d], second);
        size[d] = box.size[d];
        // Smoothing along the other two axes, in increasing order, each kept on the box.
        for (std::size_t a = 0; a < 3; ++a) {
            if (a == d)
                continue;
            const Coefficients smooth = CoefficientsFor(itk::GaussianOrderEnum::ZeroOrder, sigma_mm, g.spacing[a]);
            pass = FilterLines(pass.data(), size, a, box.begin[a], box.begin[a] + box.size[a], smooth);
            size[a] = box.size[a];
        }
        // LaplacianRecursiveGaussianImageFilter's accumulation functor, in float32.
        const double spacing2 = g.spacing[d] * g.spacing[d];
        for (std::size_t b = 0; b < sum.size(); ++b)
            sum[b] = static_cast<float>(sum[b] + pass[b] * (1.0 / spacing2));
    }
    return {sum.begin(), sum.end()};
}

} // namespace radnode::processing::radiomics
