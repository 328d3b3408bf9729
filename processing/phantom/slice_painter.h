#pragma once
// Rasterises analytic shapes into one axial slice of a label map by testing
// voxel centres (crisp, no partial volume). Inline because these loops are the
// generator's hot path; every shape culls to its bounding box in the slice.

#include "processing/phantom/phantom_truth.h"
#include "processing/volume.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace radnode::processing::phantom {

/// Set of tissue classes (bit n = Tissue n) a paint operation may overwrite.
using TissueSet = std::uint32_t;
inline constexpr TissueSet kAnyTissue = 0xFFFFFFFFU;
constexpr TissueSet TissueBit(Tissue tissue) {
    return 1U << static_cast<unsigned>(tissue);
}

/// Axis-aligned ellipse in the axial plane (centre and semi-axes, mm).
struct Ellipse {
    double cx = 0.0;
    double cy = 0.0;
    double ax = 0.0;
    double ay = 0.0;
};

/// Segment with radius: the set of points within `radius` of segment ab.
struct Capsule {
    Point3 a{};
    Point3 b{};
    double radius = 0.0;
};

/// Squared distance from p to the segment ab.
inline double SquaredDistanceToSegment(const Point3& p, const Point3& a, const Point3& b) {
    const double ux = b[0] - a[0], uy = b[1] - a[1], uz = b[2] - a[2];
    const double wx = p[0] - a[0], wy = p[1] - a[1], wz = p[2] - a[2];
    const double len2 = ux * ux + uy * uy + uz * uz;
    double t = len2 > 0.0 ? (wx * ux + wy * uy + wz * uz) / len2 : 0.0;
    t = std::clamp(t, 0.0, 1.0);
    const double dx = wx - t * ux, dy = wy - t * uy, dz = wz - t * uz;
    return dx * dx + dy * dy + dz * dz;
}

/// Paints into slice k of a label map with identity direction.
class SlicePainter {
public:
    SlicePainter(std::span<std::uint8_t> labels, const ImageGeometry& geometry, std::size_t k)
        : labels_(labels), nx_(geometry.size[0]), ny_(geometry.size[1]), x0_(geometry.origin[0]),
          y0_(geometry.origin[1]), dx_(geometry.spacing[0]), dy_(geometry.spacing[1]),
          z_(geometry.origin[2] + static_cast<double>(k) * geometry.spacing[2]) {}

    [[nodiscard]] double Z() const { return z_; }
    [[nodiscard]] double X(std::size_t i) const { return x0_ + static_cast<double>(i) * dx_; }
    [[nodiscard]] double Y(std::size_t j) const { return y0_ + static_cast<double>(j) * dy_; }
    [[nodiscard]] std::uint8_t& LabelAt(std::size_t i, std::size_t j) { return labels_[i + nx_ * j]; }

    /// Indices of the columns whose centre x lies in [lo, hi]; false if none.
    bool Columns(double lo, double hi, std::size_t& first, std::size_t& last) const {
        return Range(lo, hi, x0_, dx_, nx_, first, last);
    }
    /// Indices of the rows whose centre y lies in [lo, hi]; false if none.
    bool Rows(double lo, double hi, std::size_t& first, std::size_t& last) const {
        return Range(lo, hi, y0_, dy_, ny_, first, last);
    }

    /// Sets voxel (i, j) to `tissue` if its current class is in `overwrite`.
    void Set(std::size_t i, std::size_t j, Tissue tissue, TissueSet overwrite) {
        std::uint8_t& label = LabelAt(i, j);
        if ((overwrite >> label) & 1U) {
            label = static_cast<std::uint8_t>(tissue);
        }
    }

    /// Paints every voxel of the box [x0, x1] x [y0, y1] for which inside(x, y) holds.
    template <typename Inside>
    void FillWhere(double x0, double x1, double y0, double y1, Inside&& inside, Tissue tissue,
                   TissueSet overwrite = kAnyTissue) {
        std::size_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
        if (!Columns(x0, x1, i0, i1) || !Rows(y0, y1, j0, j1)) {
            return;
        }
        for (std::size_t j = j0; j <= j1; ++j) {
            const double y = Y(j);
            for (std::size_t i = i0; i <= i1; ++i) {
                if (inside(X(i), y)) {
                    Set(i, j, tissue, overwrite);
                }
            }
        }
    }

    /// Paints voxels whose centre lies inside the ellipse and inside `clip`.
    void FillEllipse(const Ellipse& e, Tissue tissue, TissueSet overwrite = kAnyTissue, const Ellipse* clip = nullptr) {
        if (e.ax <= 0.0 || e.ay <= 0.0) {
            return;
        }
        std::size_t j0 = 0, j1 = 0;
        if (!Rows(e.cy - e.ay, e.cy + e.ay, j0, j1)) {
            return;
        }
        for (std::size_t j = j0; j <= j1; ++j) {
            double lo = 0.0, hi = 0.0;
            if (!Span(e, Y(j), lo, hi) || (clip != nullptr && !Clip(*clip, Y(j), lo, hi))) {
                continue;
            }
            std::size_t i0 = 0, i1 = 0;
            if (!Columns(lo, hi, i0, i1)) {
                continue;
            }
            for (std::size_t i = i0; i <= i1; ++i) {
                Set(i, j, tissue, overwrite);
            }
        }
    }

    /// Paints the cross-section of an axis-aligned ellipsoid with this slice.
    void FillEllipsoid(const Point3& centre, const Point3& semi, Tissue tissue, TissueSet overwrite = kAnyTissue) {
        const double q = 1.0 - ((z_ - centre[2]) / semi[2]) * ((z_ - centre[2]) / semi[2]);
        if (q <= 0.0) {
            return;
        }
        const double s = std::sqrt(q);
        FillEllipse({centre[0], centre[1], semi[0] * s, semi[1] * s}, tissue, overwrite);
    }

    /// Paints the cross-section of a capsule with this slice.
    void FillCapsule(const Capsule& c, Tissue tissue, TissueSet overwrite = kAnyTissue) {
        // Clip the segment to the part within `radius` of this plane, then box it.
        const double za = c.a[2], zb = c.b[2];
        double t0 = 0.0, t1 = 1.0;
        if (std::abs(zb - za) < 1e-12) {
            if (std::abs(z_ - za) > c.radius) {
                return;
            }
        } else {
            const double ta = (z_ - c.radius - za) / (zb - za);
            const double tb = (z_ + c.radius - za) / (zb - za);
            t0 = std::max(0.0, std::min(ta, tb));
            t1 = std::min(1.0, std::max(ta, tb));
            if (t0 > t1) {
                return;
            }
        }
        const double xa = c.a[0] + t0 * (c.b[0] - c.a[0]), xb = c.a[0] + t1 * (c.b[0] - c.a[0]);
        const double ya = c.a[1] + t0 * (c.b[1] - c.a[1]), yb = c.a[1] + t1 * (c.b[1] - c.a[1]);
        const double r2 = c.radius * c.radius;
        FillWhere(
            std::min(xa, xb) - c.radius, std::max(xa, xb) + c.radius, std::min(ya, yb) - c.radius,
            std::max(ya, yb) + c.radius,
            [&](double x, double y) {
                return SquaredDistanceToSegment({x, y, z_}, c.a, c.b) <= r2;
            },
            tissue, overwrite);
    }

    /// Closed x-span [lo, hi] of the ellipse on the row at y; false if the row misses it.
    static bool Span(const Ellipse& e, double y, double& lo, double& hi) {
        const double v = (y - e.cy) / e.ay;
        const double q = 1.0 - v * v;
        if (q < 0.0) {
            return false;
        }
        const double w = e.ax * std::sqrt(q);
        lo = e.cx - w;
        hi = e.cx + w;
        return true;
    }

private:
    static bool Clip(const Ellipse& e, double y, double& lo, double& hi) {
        double clo = 0.0, chi = 0.0;
        if (!Span(e, y, clo, chi)) {
            return false;
        }
        lo = std::max(lo, clo);
        hi = std::min(hi, chi);
        return lo <= hi;
    }

    static bool Range(double lo, double hi, double origin, double spacing, std::size_t n, std::size_t& first,
                      std::size_t& last) {
        const double a = std::ceil((lo - origin) / spacing);
        const double b = std::floor((hi - origin) / spacing);
        const double max_index = static_cast<double>(n) - 1.0;
        if (b < 0.0 || a > max_index || a > b) {
            return false;
        }
        first = static_cast<std::size_t>(std::max(a, 0.0));
        last = static_cast<std::size_t>(std::min(b, max_index));
        return true;
    }

    std::span<std::uint8_t> labels_;
    std::size_t nx_;
    std::size_t ny_;
    double x0_;
    double y0_;
    double dx_;
    double dy_;
    double z_;
};

} // namespace radnode::processing::phantom
