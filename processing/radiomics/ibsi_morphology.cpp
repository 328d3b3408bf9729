#include "processing/radiomics/ibsi_morphology.h"

#include "processing/radiomics/ibsi_convolution.h"

#include "processing/radiomics/shape.h"

#include <Eigen/Dense>
#include <unsupported/Eigen/FFT>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <map>
#include <numbers>
#include <set>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

using Vec3 = Eigen::Vector3d;

/// Signed volume (divergence theorem) and area of a closed triangle surface.
std::pair<double, double> VolumeAndArea(const std::vector<Vec3>& points,
                                        const std::vector<std::array<std::size_t, 3>>& triangles) {
    double volume = 0.0;
    double area = 0.0;
    for (const auto& t : triangles) {
        const Vec3& a = points[t[0]];
        const Vec3& b = points[t[1]];
        const Vec3& c = points[t[2]];
        volume += a.dot(b.cross(c)) / 6.0;
        area += 0.5 * (b - a).cross(c - a).norm();
    }
    return {std::abs(volume), area};
}

/// Convex hull of `points` as outward triangles (incremental algorithm). Points interior to
/// a column along z are dropped first: they cannot be hull vertices.
std::vector<std::array<std::size_t, 3>> ConvexHull(std::vector<Vec3>& points) {
    {
        std::map<std::pair<long long, long long>, std::pair<Vec3, Vec3>> columns;
        for (const Vec3& p : points) {
            const std::pair<long long, long long> key{std::llround(p.x() * 1024.0), std::llround(p.y() * 1024.0)};
            auto [it, fresh] = columns.try_emplace(key, p, p);
            if (!fresh) {
                if (p.z() < it->second.first.z())
                    it->second.first = p;
                if (p.z() > it->second.second.z())
                    it->second.second = p;
            }
        }
        points.clear();
        for (const auto& [key, ends] : columns) {
            points.push_back(ends.first);
            if (ends.second.z() != ends.first.z())
                points.push_back(ends.second);
        }
    }
    std::vector<std::array<std::size_t, 3>> faces;
    if (points.size() < 4)
        return faces;
    double extent = 0.0;
    for (const Vec3& p : points)
        extent = std::max(extent, p.cwiseAbs().maxCoeff());
    const double eps = 1e-9 * std::max(extent, 1.0);
    // Initial tetrahedron from four points in general position.
    const std::size_t i0 = 0;
    std::size_t i1 = 1;
    while (i1 < points.size() && (points[i1] - points[i0]).norm() <= eps)
        ++i1;
    std::size_t i2 = i1 + 1;
    while (i2 < points.size() && (points[i1] - points[i0]).cross(points[i2] - points[i0]).norm() <= eps)
        ++i2;
    std::size_t i3 = i2 + 1;
    const auto volume6 = [&](std::size_t a, std::size_t b, std::size_t c, std::size_t d) {
        return (points[b] - points[a]).cross(points[c] - points[a]).dot(points[d] - points[a]);
    };
    while (i3 < points.size() && std::abs(volume6(i0, i1, i2, i3)) <= eps)
        ++i3;
    if (i3 >= points.size())
        return faces; // flat point set: no volume
    if (volume6(i0, i1, i2, i3) > 0.0)
        std::swap(i1, i2);
    faces = {{i0, i1, i2}, {i0, i3, i1}, {i1, i3, i2}, {i2, i3, i0}};
    const auto visible = [&](const std::array<std::size_t, 3>& f, const Vec3& p) {
        const Vec3 n = (points[f[1]] - points[f[0]]).cross(points[f[2]] - points[f[0]]);
        return n.dot(p - points[f[0]]) > eps * n.norm();
    };
    std::vector<std::array<std::size_t, 3>> kept;
    std::set<std::pair<std::size_t, std::size_t>> edges;
    for (std::size_t p = 0; p < points.size(); ++p) {
        if (p == i0 || p == i1 || p == i2 || p == i3)
            continue;
        kept.clear();
        edges.clear();
        for (const auto& f : faces) {
            if (visible(f, points[p]))
                for (int e = 0; e < 3; ++e)
                    edges.insert({f[static_cast<std::size_t>(e)], f[static_cast<std::size_t>((e + 1) % 3)]});
            else
                kept.push_back(f);
        }
        if (edges.empty())
            continue;
        // Horizon: edges of visible faces whose twin belongs to a face that stays.
        for (const auto& [a, b] : edges)
            if (edges.count({b, a}) == 0)
                kept.push_back({a, b, p});
        faces.swap(kept);
    }
    return faces;
}

/// Surface area of an ellipsoid with semi-axes a >= b >= c (IBSI's Legendre series).
double EllipsoidArea(double a, double b, double c) {
    const double alpha = std::sqrt(std::max(0.0, 1.0 - b * b / (a * a)));
    const double beta = std::sqrt(std::max(0.0, 1.0 - c * c / (a * a)));
    const double ab = alpha * beta;
    if (ab < 1e-12)
        return 4.0 * std::numbers::pi * a * b;
    const double x = (alpha * alpha + beta * beta) / (2.0 * ab);
    double p_prev = 1.0;
    double p = x;
    double sum = 1.0; // nu = 0
    double power = 1.0;
    for (int nu = 1; nu <= 20; ++nu) {
        power *= ab;
        if (nu > 1) {
            const double next = ((2.0 * nu - 1.0) * x * p - (nu - 1.0) * p_prev) / nu;
            p_prev = p;
            p = next;
        }
        sum += power * p / (1.0 - 4.0 * nu * nu);
    }
    return 4.0 * std::numbers::pi * a * b * sum;
}


/// In-place 3D DFT of a (px, py, pz) box, x fastest; `inverse` includes the 1/N scaling.
void Fft3d(std::vector<std::complex<double>>& data, const std::array<std::size_t, 3>& dims, bool inverse) {
    Eigen::FFT<double> fft;
    std::vector<std::complex<double>> line;
    std::vector<std::complex<double>> out;
    const std::array<std::size_t, 3> stride{1, dims[0], dims[0] * dims[1]};
    for (std::size_t axis = 0; axis < 3; ++axis) {
        const std::size_t n = dims[axis];
        if (n == 1)
            continue;
        line.resize(n);
        const std::size_t total = dims[0] * dims[1] * dims[2];
        for (std::size_t start = 0; start < total; ++start) {
            // Lines along `axis` start where that axis' index is 0.
            if ((start / stride[axis]) % n != 0)
                continue;
            for (std::size_t t = 0; t < n; ++t)
                line[t] = data[start + t * stride[axis]];
            if (inverse)
                fft.inv(out, line);
            else
                fft.fwd(out, line);
            for (std::size_t t = 0; t < n; ++t)
                data[start + t * stride[axis]] = out[t];
        }
    }
}

/// Pair sums over the intensity-mask voxels i != j with weight w_ij = 1 / distance, both
/// orders: W = sum w, cross = sum w d_i d_j, squares = sum w (d_i - d_j)^2, d = x - mean.
struct AutocorrelationSums {
    double weight = 0.0;
    double cross = 0.0;
    double squares = 0.0;
};

/// The exact sums by correlation in Fourier space: w depends only on the offset between two
/// voxels, so each sum is sum_o w(o) C(o) with C a correlation of masked images. Returns false
/// (nothing computed) when the zero-padded box would exceed `max_points`.
bool FourierAutocorrelation(const Region& region, double mean, std::size_t max_points, AutocorrelationSums& sums) {
    std::array<std::size_t, 3> dims{};
    std::size_t total = 1;
    for (std::size_t a = 0; a < 3; ++a) {
        dims[a] = ibsi::FftLength(2 * region.size[a] - 1); // no wrap-around of offsets
        total *= dims[a];
    }
    if (total > max_points)
        return false;
    using Complex = std::complex<double>;
    // mask + i * deviation, transformed together; split by Hermitian symmetry afterwards.
    std::vector<Complex> md(total, Complex(0.0, 0.0));
    std::vector<Complex> qq(total, Complex(0.0, 0.0)); // squared deviation
    for (const std::uint32_t v : region.voxels) {
        const std::size_t i = v % region.size[0];
        const std::size_t j = (v / region.size[0]) % region.size[1];
        const std::size_t k = v / (region.size[0] * region.size[1]);
        const std::size_t p = i + dims[0] * (j + dims[1] * k);
        const double d = region.image[v] - mean;
        md[p] = Complex(1.0, d);
        qq[p] = Complex(d * d, 0.0);
    }
    Fft3d(md, dims, false);
    Fft3d(qq, dims, false);
    // With Z = FFT(m + i d): M(f) = (Z(f) + conj Z(-f)) / 2, D(f) = (Z(f) - conj Z(-f)) / 2i.
    // Correlations C_fg(o) = sum_p f(p) g(p + o) = IFFT(conj F * G); the three needed ones are
    // packed as C_mm + i C_dd (both real) and C_qm.
    // In place, a frequency and its mirror together (each reads both).
    for (std::size_t z = 0; z < dims[2]; ++z)
        for (std::size_t y = 0; y < dims[1]; ++y)
            for (std::size_t x = 0; x < dims[0]; ++x) {
                const std::size_t f = x + dims[0] * (y + dims[1] * z);
                const std::size_t g = (dims[0] - x) % dims[0] +
                                      dims[0] * ((dims[1] - y) % dims[1] + dims[1] * ((dims[2] - z) % dims[2]));
                if (g < f)
                    continue;
                const Complex zf = md[f];
                const Complex zg = md[g];
                const auto split = [](Complex here, Complex mirror) {
                    const Complex m = (here + std::conj(mirror)) * 0.5;
                    const Complex d = (here - std::conj(mirror)) * Complex(0.0, -0.5);
                    return std::pair<Complex, Complex>{m, std::norm(m) + Complex(0.0, 1.0) * std::norm(d)};
                };
                const auto [mf, packed_f] = split(zf, zg);
                const auto [mg, packed_g] = split(zg, zf);
                md[f] = packed_f;
                md[g] = packed_g;
                qq[f] = std::conj(qq[f]) * mf;
                if (g != f)
                    qq[g] = std::conj(qq[g]) * mg;
            }
    std::vector<Complex>& packed = md;
    std::vector<Complex>& qm = qq;
    Fft3d(packed, dims, true);
    Fft3d(qm, dims, true);
    const auto offset = [&](std::size_t index, std::size_t a) {
        const std::size_t n = dims[a];
        return index < region.size[a] ? static_cast<double>(index) : static_cast<double>(index) - static_cast<double>(n);
    };
    sums = {};
    for (std::size_t z = 0; z < dims[2]; ++z)
        for (std::size_t y = 0; y < dims[1]; ++y)
            for (std::size_t x = 0; x < dims[0]; ++x) {
                if (x == 0 && y == 0 && z == 0)
                    continue; // i != j
                const double ox = offset(x, 0) * region.spacing[0];
                const double oy = offset(y, 1) * region.spacing[1];
                const double oz = offset(z, 2) * region.spacing[2];
                const double w = 1.0 / std::sqrt(ox * ox + oy * oy + oz * oz);
                const std::size_t f = x + dims[0] * (y + dims[1] * z);
                sums.weight += w * packed[f].real();
                sums.cross += w * packed[f].imag();
                sums.squares += w * 2.0 * (qm[f].real() - packed[f].imag());
            }
    return true;
}

Vec3 Centre(const Region& region, std::size_t v) {
    const std::size_t i = v % region.size[0];
    const std::size_t j = (v / region.size[0]) % region.size[1];
    const std::size_t k = v / (region.size[0] * region.size[1]);
    return {static_cast<double>(i) * region.spacing[0], static_cast<double>(j) * region.spacing[1],
            static_cast<double>(k) * region.spacing[2]};
}

} // namespace

Features ComputeIbsiMorphology(const Region& region, const Settings& /*settings*/) {
    std::vector<std::size_t> shape_voxels;
    for (std::size_t v = 0; v < region.shape_mask.size(); ++v)
        if (region.shape_mask[v] != 0)
            shape_voxels.push_back(v);
    if (shape_voxels.empty())
        return {};
    const double voxel_volume = region.spacing[0] * region.spacing[1] * region.spacing[2];
    const double volume_voxels = static_cast<double>(shape_voxels.size()) * voxel_volume;

    // The one marching-cubes mesh of the engine (shape.cpp), so mesh volume and area agree
    // with shape_MeshVolume and shape_SurfaceArea to the last bit.
    const ShapeMesh shape_mesh = ComputeShapeMesh(region);
    const double volume = shape_mesh.volume;
    const double area = shape_mesh.area;
    std::vector<Vec3> mesh_points;
    mesh_points.reserve(shape_mesh.vertices.size());
    for (const auto& p : shape_mesh.vertices)
        mesh_points.emplace_back(p[0], p[1], p[2]);
    const double pi = std::numbers::pi;
    const double compactness1 = volume / (std::sqrt(pi) * std::pow(area, 1.5));
    const double compactness2 = 36.0 * pi * volume * volume / (area * area * area);
    const double spherical_disproportion = area / std::cbrt(36.0 * pi * volume * volume);
    const double asphericity = std::cbrt(area * area * area / (36.0 * pi * volume * volume)) - 1.0;

    // Axis-aligned bounding box of the mesh.
    Vec3 lo = mesh_points.front();
    Vec3 hi = lo;
    for (const Vec3& p : mesh_points) {
        lo = lo.cwiseMin(p);
        hi = hi.cwiseMax(p);
    }
    const Vec3 extent = hi - lo;
    const double aabb_volume = extent.prod();
    const double aabb_area = 2.0 * (extent.x() * extent.y() + extent.y() * extent.z() + extent.x() * extent.z());

    // Approximate enclosing ellipsoid from the PCA of voxel centres (sample covariance).
    Vec3 mean = Vec3::Zero();
    for (const std::size_t v : shape_voxels)
        mean += Centre(region, v);
    mean /= static_cast<double>(shape_voxels.size());
    Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();
    for (const std::size_t v : shape_voxels) {
        const Vec3 d = Centre(region, v) - mean;
        covariance += d * d.transpose();
    }
    covariance /= std::max<double>(1.0, static_cast<double>(shape_voxels.size()) - 1.0);
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> eigen(covariance);
    const Vec3 lambda = eigen.eigenvalues().cwiseMax(0.0); // ascending
    const double a = 2.0 * std::sqrt(lambda[2]);
    const double b = 2.0 * std::sqrt(lambda[1]);
    const double c = 2.0 * std::sqrt(lambda[0]);
    const double aee_volume = 4.0 * pi * a * b * c / 3.0;
    const double aee_area = a > 0.0 ? EllipsoidArea(a, b, c) : 0.0;

    std::vector<Vec3> hull_points = mesh_points;
    const auto hull_faces = ConvexHull(hull_points);
    const auto [hull_volume, hull_area] = VolumeAndArea(hull_points, hull_faces);

    // Intensity features over the intensity mask.
    const auto n = static_cast<double>(region.voxels.size());
    double intensity_sum = 0.0;
    Vec3 weighted = Vec3::Zero();
    for (const std::uint32_t v : region.voxels) {
        intensity_sum += region.image[v];
        weighted += region.image[v] * Centre(region, v);
    }
    const double mean_intensity = n > 0.0 ? intensity_sum / n : 0.0;
    const double centre_shift = intensity_sum != 0.0 ? (mean - weighted / intensity_sum).norm() : 0.0;

    // Moran's I and Geary's C with weights 1 / distance: pair by pair for small ROIs, by
    // correlation in Fourier space (exact as well) for larger ones; only a ROI whose box is
    // too large for that uses an evenly strided subset of voxels, as IBSI permits.
    constexpr std::size_t kDirectVoxels = 4000;
    constexpr std::size_t kMaxFourierPoints = std::size_t{1} << 23; // two complex buffers: 256 MB
    constexpr std::size_t kMaxAutocorrelationVoxels = 10000;
    double morans_i = 0.0;
    double gearys_c = 0.0;
    AutocorrelationSums sums;
    double deviation = 0.0;
    double m = n;
    bool have_sums = false;
    if (region.voxels.size() > kDirectVoxels) {
        for (const std::uint32_t v : region.voxels)
            deviation += (region.image[v] - mean_intensity) * (region.image[v] - mean_intensity);
        have_sums = FourierAutocorrelation(region, mean_intensity, kMaxFourierPoints, sums);
    }
    std::vector<std::uint32_t> sample;
    if (!have_sums) {
        sample = region.voxels;
        deviation = 0.0;
    }
    if (sample.size() > kMaxAutocorrelationVoxels) {
        const std::size_t stride = (sample.size() + kMaxAutocorrelationVoxels - 1) / kMaxAutocorrelationVoxels;
        std::vector<std::uint32_t> strided;
        for (std::size_t i = 0; i < sample.size(); i += stride)
            strided.push_back(sample[i]);
        sample.swap(strided);
    }
    if (!have_sums && sample.size() > 1) {
        std::vector<Vec3> centres;
        std::vector<double> values;
        double sample_mean = 0.0;
        for (const std::uint32_t v : sample) {
            centres.push_back(Centre(region, v));
            values.push_back(region.image[v]);
            sample_mean += region.image[v];
        }
        m = static_cast<double>(sample.size());
        sample_mean /= m;
        for (std::size_t i = 0; i < sample.size(); ++i) {
            const double di = values[i] - sample_mean;
            deviation += di * di;
            for (std::size_t j = i + 1; j < sample.size(); ++j) {
                const double w = 1.0 / (centres[i] - centres[j]).norm();
                sums.weight += 2.0 * w; // pairs (i, j) and (j, i)
                sums.cross += 2.0 * w * di * (values[j] - sample_mean);
                sums.squares += 2.0 * w * (values[i] - values[j]) * (values[i] - values[j]);
            }
        }
        have_sums = true;
    }
    if (have_sums) {
        const double weight_sum = sums.weight;
        const double cross = sums.cross;
        const double squared_differences = sums.squares;
        if (deviation > 0.0) {
            morans_i = m / weight_sum * cross / deviation;
            gearys_c = (m - 1.0) / (2.0 * weight_sum) * squared_differences / deviation;
        } else {
            morans_i = 1.0; // a constant ROI is perfectly autocorrelated
        }
    }

    return {
        Feature{"morphology_VolumeVoxelCounting", volume_voxels, "YEKZ", false},
        Feature{"morphology_Compactness1", compactness1, "SKGS", false},
        Feature{"morphology_Compactness2", compactness2, "BQWJ", false},
        Feature{"morphology_SphericalDisproportion", spherical_disproportion, "KRCK", false},
        Feature{"morphology_Asphericity", asphericity, "25C7", false},
        Feature{"morphology_CentreOfMassShift", centre_shift, "KLMA", false},
        Feature{"morphology_VolumeDensityAABB", volume / aabb_volume, "PBX1", false},
        Feature{"morphology_AreaDensityAABB", area / aabb_area, "R59B", false},
        Feature{"morphology_VolumeDensityAEE", aee_volume > 0.0 ? volume / aee_volume : 0.0, "6BDE", false},
        Feature{"morphology_AreaDensityAEE", aee_area > 0.0 ? area / aee_area : 0.0, "RDD2", false},
        Feature{"morphology_VolumeDensityConvexHull", hull_volume > 0.0 ? volume / hull_volume : 0.0, "R3ER", false},
        Feature{"morphology_AreaDensityConvexHull", hull_area > 0.0 ? area / hull_area : 0.0, "7T7F", false},
        Feature{"morphology_IntegratedIntensity", volume * mean_intensity, "99N0", false},
        Feature{"morphology_MoransI", morans_i, "N365", false},
        Feature{"morphology_GearysC", gearys_c, "NPT7", false},
    };
}

} // namespace radnode::processing::radiomics
