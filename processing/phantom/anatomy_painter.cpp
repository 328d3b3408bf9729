#include "processing/phantom/anatomy_painter.h"

#include "processing/phantom/thorax_phantom.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace radnode::processing::phantom {
namespace {

using namespace anatomy;

bool InsideEllipse(const Ellipse& e, double x, double y) {
    const double u = (x - e.cx) / e.ax;
    const double v = (y - e.cy) / e.ay;
    return u * u + v * v <= 1.0;
}

} // namespace

AnatomyPainter::AnatomyPainter(const Point3& tumour_centre_mm, double tumour_radius_mm)
    : tumour_centre_mm_(tumour_centre_mm), tumour_radius_mm_(tumour_radius_mm) {
    const LungShape* lungs[2] = {&kRightLung, &kLeftLung};
    for (int side = 0; side < 2; ++side) {
        for (const Point3& end : lungs[side]->vessel_ends) {
            lung_vessels_[side].push_back({lungs[side]->hilum, end, kLungVesselRadius});
        }
    }
    for (const ArteryPath& artery : kArteries) {
        for (int s = 0; s < kArterySegments; ++s) {
            coronary_segments_.push_back({ArteryPoint(artery, static_cast<double>(s) / kArterySegments),
                                          ArteryPoint(artery, static_cast<double>(s + 1) / kArterySegments),
                                          kCoronaryRadius});
        }
    }
    const double ax = kAscendingAorta.cx, ay = kAscendingAorta.cy;
    const double dx = kDescendingAorta.cx, dy = kDescendingAorta.cy;
    arch_centre_ = {(ax + dx) / 2.0, (ay + dy) / 2.0, kArchBaseZ};
    arch_radius_ = std::hypot(dx - ax, dy - ay) / 2.0;
    arch_u_ = {(ax - arch_centre_[0]) / arch_radius_, (ay - arch_centre_[1]) / arch_radius_, 0.0};
    arch_n_ = {arch_u_[1], -arch_u_[0], 0.0};
}

TumourPaintTally AnatomyPainter::PaintSlice(SlicePainter& painter) const {
    const double z = painter.Z();
    // Painter's algorithm: later structures win where allowed to overwrite.
    painter.FillEllipse(kBodyOuter, Tissue::SubcutaneousFat);
    painter.FillEllipse(kBodyInner, Tissue::SoftTissue);
    PaintRibs(painter);
    if (z >= kSternumBottomZ && z <= kSternumTopZ) {
        painter.FillEllipse(kSternum, Tissue::Sternum);
    }
    if (z >= kMediastinumBottomZ && z <= kMediastinumTopZ) {
        painter.FillEllipse(kMediastinum, Tissue::MediastinalFat, TissueBit(Tissue::SoftTissue), &kThoracicCavity);
    }
    const LungShape* lungs[2] = {&kRightLung, &kLeftLung};
    for (int side = 0; side < 2; ++side) {
        PaintLung(painter, *lungs[side]);
        for (const Capsule& vessel : lung_vessels_[side]) {
            painter.FillCapsule(vessel, lungs[side]->vessel, TissueBit(lungs[side]->tissue));
        }
    }
    PaintAorta(painter);
    PaintAirways(painter);
    PaintSpine(painter);
    painter.FillEllipsoid(kHeartCentre, kEpicardialFatSemi, Tissue::EpicardialFat);
    painter.FillEllipsoid(kHeartCentre, kMyocardiumSemi, Tissue::Myocardium);
    painter.FillEllipsoid(kHeartCentre, kBloodPoolSemi, Tissue::BloodPool);
    for (const Capsule& segment : coronary_segments_) {
        painter.FillCapsule(segment, Tissue::CoronaryArtery, TissueBit(Tissue::EpicardialFat));
    }
    return PaintTumour(painter);
}

void AnatomyPainter::PaintRibs(SlicePainter& painter) {
    const double z = painter.Z();
    const double max_offset = kRibHalfHeight + kRibRisePerMm * kRibOuter.ay;
    for (double band_z = kRibFirstZ; band_z <= z + max_offset; band_z += kRibPeriodZ) {
        if (z - band_z > max_offset) {
            continue;
        }
        // A rib band is centred at band_z + rise * y, so this slice meets it on a strip of y.
        const double y0 = std::max(-kRibOuter.ay, (z - band_z - kRibHalfHeight) / kRibRisePerMm);
        const double y1 = std::min(kRibOuter.ay, (z - band_z + kRibHalfHeight) / kRibRisePerMm);
        std::size_t j0 = 0, j1 = 0;
        if (y0 > y1 || !painter.Rows(y0, y1, j0, j1)) {
            continue;
        }
        for (std::size_t j = j0; j <= j1; ++j) {
            const double y = painter.Y(j);
            double lo = 0.0, hi = 0.0;
            if (!SlicePainter::Span(kRibOuter, y, lo, hi)) {
                continue;
            }
            const double gap = y < 0.0 ? -y * kRibGapAnteriorTan : y * kRibGapPosteriorTan;
            std::size_t i0 = 0, i1 = 0;
            if (!painter.Columns(lo, hi, i0, i1)) {
                continue;
            }
            for (std::size_t i = i0; i <= i1; ++i) {
                const double x = painter.X(i);
                if (std::abs(x) >= gap && !InsideEllipse(kRibInner, x, y)) {
                    painter.Set(i, j, Tissue::Rib, TissueBit(Tissue::SoftTissue));
                }
            }
        }
    }
}

void AnatomyPainter::PaintLung(SlicePainter& painter, const LungShape& lung) {
    const double z = painter.Z();
    if (z < lung.z_base || z > lung.z_apex) {
        return;
    }
    double scale = 1.0;
    if (z > lung.z_widest) {
        const double v = (z - lung.z_widest) / (lung.z_apex - lung.z_widest);
        scale = std::sqrt(std::max(0.0, 1.0 - v * v));
    }
    const Ellipse section{lung.section.cx, lung.section.cy, lung.section.ax * scale, lung.section.ay * scale};
    painter.FillEllipse(section, lung.tissue, TissueBit(Tissue::SoftTissue) | TissueBit(Tissue::MediastinalFat),
                        &kThoracicCavity);
}

void AnatomyPainter::PaintAorta(SlicePainter& painter) const {
    const double z = painter.Z();
    if (z >= kAscendingBottomZ && z <= kArchBaseZ) {
        painter.FillEllipse(kAscendingAorta, Tissue::Aorta);
    }
    if (z <= kArchBaseZ) {
        painter.FillEllipse(kDescendingAorta, Tissue::Aorta);
    }
    const double r_max = kAscendingAorta.ax;
    if (z < kArchBaseZ || z > kArchBaseZ + arch_radius_ + r_max) {
        return;
    }
    const double wz = z - arch_centre_[2];
    auto inside = [&](double x, double y) {
        const double wx = x - arch_centre_[0], wy = y - arch_centre_[1];
        const double a = wx * arch_u_[0] + wy * arch_u_[1];
        const double c = wx * arch_n_[0] + wy * arch_n_[1];
        const double theta = std::atan2(wz, a); // 0 at the ascending, pi at the descending aorta
        const double tube = kAscendingAorta.ax + (kDescendingAorta.ax - kAscendingAorta.ax) * theta / kPi;
        const double rho = std::hypot(a, wz) - arch_radius_;
        return rho * rho + c * c <= tube * tube;
    };
    const double reach = arch_radius_ + r_max;
    painter.FillWhere(arch_centre_[0] - reach, arch_centre_[0] + reach, arch_centre_[1] - reach,
                      arch_centre_[1] + reach, inside, Tissue::Aorta);
}

void AnatomyPainter::PaintAirways(SlicePainter& painter) {
    const double z = painter.Z();
    const bool trachea = z >= kCarina[2];
    // Walls first, then lumens, so a wall never cuts another airway's lumen.
    if (trachea) {
        painter.FillEllipse({kCarina[0], kCarina[1], kTracheaWallRadius, kTracheaWallRadius}, Tissue::SoftTissue);
    }
    for (const Bronchus& bronchus : kBronchi) {
        painter.FillCapsule({kCarina, bronchus.end, bronchus.wall_radius}, Tissue::SoftTissue);
    }
    if (trachea) {
        painter.FillEllipse({kCarina[0], kCarina[1], kTracheaLumenRadius, kTracheaLumenRadius}, Tissue::Airway);
    }
    for (const Bronchus& bronchus : kBronchi) {
        painter.FillCapsule({kCarina, bronchus.end, bronchus.lumen_radius}, Tissue::Airway);
    }
}

void AnatomyPainter::PaintSpine(SlicePainter& painter) {
    auto always = [](double, double) { return true; };
    painter.FillWhere(6.0, 11.0, 70.0, 84.0, always, Tissue::CorticalBone);   // left pedicle
    painter.FillWhere(-11.0, -6.0, 70.0, 84.0, always, Tissue::CorticalBone); // right pedicle
    painter.FillEllipse(kLamina, Tissue::CorticalBone);
    painter.FillEllipse(kSpinalCanal, Tissue::SoftTissue);
    painter.FillWhere(-3.0, 3.0, 96.0, 106.0, always, Tissue::CorticalBone); // spinous process
    const double phase = std::fmod(painter.Z() - kDiscFirstZ, kDiscPeriodZ);
    const bool disc = (phase < 0.0 ? phase + kDiscPeriodZ : phase) < kDiscHeight;
    if (disc) {
        painter.FillEllipse(kVertebralBody, Tissue::SoftTissue);
    } else {
        painter.FillEllipse(kVertebralBody, Tissue::CorticalBone);
        painter.FillEllipse(kVertebralCancellous, Tissue::CancellousBone);
    }
}

TumourPaintTally AnatomyPainter::PaintTumour(SlicePainter& painter) const {
    const Point3& c = tumour_centre_mm_;
    const double r = tumour_radius_mm_;
    const double reach = r + kTumourMarginMm;
    const double dz = painter.Z() - c[2];
    TumourPaintTally tally;
    if (std::abs(dz) > reach) {
        return tally;
    }
    const TissueSet lung = TissueBit(Tissue::RightLung) | TissueBit(Tissue::RightLungVessel);
    std::size_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
    if (!painter.Columns(c[0] - reach, c[0] + reach, i0, i1) || !painter.Rows(c[1] - reach, c[1] + reach, j0, j1)) {
        return tally;
    }
    for (std::size_t j = j0; j <= j1; ++j) {
        const double dy = painter.Y(j) - c[1];
        for (std::size_t i = i0; i <= i1; ++i) {
            const double dx = painter.X(i) - c[0];
            const double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 > reach * reach) {
                continue;
            }
            std::uint8_t& label = painter.LabelAt(i, j);
            if (((lung >> label) & 1U) == 0U) {
                ++tally.margin_violations;
            }
            if (d2 <= r * r) {
                ++tally.replaced[label];
                label = static_cast<std::uint8_t>(Tissue::Tumour);
            }
        }
    }
    return tally;
}

} // namespace radnode::processing::phantom
