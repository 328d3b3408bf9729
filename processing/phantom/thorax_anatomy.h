#pragma once
// Anatomy of the thoracic phantom in patient millimetres (DICOM LPS: +x patient
// left, +y posterior, +z head), independent of any sampling. docs/phantom.md
// tabulates the same numbers; keep both in step.

#include "processing/phantom/phantom_truth.h"
#include "processing/phantom/slice_painter.h"

#include <array>
#include <cmath>
#include <cstdint>

namespace radnode::processing::phantom::anatomy {

constexpr double kPi = 3.14159265358979323846;
constexpr double Radians(double degrees) {
    return degrees * kPi / 180.0;
}

constexpr Ellipse kBodyOuter{0.0, 0.0, 170.0, 120.0};
constexpr Ellipse kBodyInner{0.0, 0.0, 158.0, 108.0};     // inner edge of the subcutaneous fat
constexpr Ellipse kThoracicCavity{0.0, 0.0, 140.0, 90.0}; // the lungs stay inside
constexpr Ellipse kRibInner{0.0, 0.0, 145.0, 95.0};
constexpr Ellipse kRibOuter{0.0, 0.0, 152.0, 102.0};
constexpr double kRibFirstZ = -150.0;
constexpr double kRibPeriodZ = 24.0;
constexpr double kRibHalfHeight = 4.5;
constexpr double kRibRisePerMm = 0.1;                   // ribs climb 1 mm per 10 mm towards the back
constexpr double kRibGapAnteriorTan = 0.577;            // no rib within 30 degrees of the anterior midline
constexpr double kRibGapPosteriorTan = 0.364;           // nor within 20 degrees of the posterior midline
constexpr Ellipse kMediastinum{5.0, -20.0, 45.0, 70.0}; // fat region between the lungs
constexpr double kMediastinumBottomZ = -115.0;
constexpr double kMediastinumTopZ = 135.0;
constexpr Ellipse kSternum{0.0, -97.0, 16.0, 6.0};
constexpr double kSternumBottomZ = -100.0;
constexpr double kSternumTopZ = 110.0;

struct LungShape {
    Ellipse section; // widest cross-section
    double z_base;   // flat base
    double z_widest; // full section from the base up to here, then an ellipsoidal dome
    double z_apex;
    Tissue tissue;
    Tissue vessel;
    Point3 hilum;
    std::array<Point3, 4> vessel_ends;
};
constexpr LungShape kRightLung{
    {-78.0, 5.0, 62.0, 80.0},
    -125.0,
    -30.0,
    135.0,
    Tissue::RightLung,
    Tissue::RightLungVessel,
    {-52.0, 12.0, 0.0},
    {{{-115.0, 55.0, 60.0}, {-120.0, -40.0, -50.0}, {-105.0, 50.0, -80.0}, {-130.0, 5.0, 10.0}}}};
constexpr LungShape kLeftLung{
    {78.0, 5.0, 62.0, 80.0},
    -130.0,
    -30.0,
    135.0,
    Tissue::LeftLung,
    Tissue::LeftLungVessel,
    {50.0, 10.0, -5.0},
    {{{115.0, -40.0, 60.0}, {120.0, 50.0, 40.0}, {118.0, -30.0, -60.0}, {110.0, 55.0, -85.0}}}};
constexpr double kLungVesselRadius = 2.0;

constexpr Point3 kCarina{-2.0, 22.0, 30.0};
constexpr double kTracheaLumenRadius = 9.0;
constexpr double kTracheaWallRadius = 11.0;
struct Bronchus {
    Point3 end;
    double lumen_radius;
    double wall_radius;
};
constexpr std::array<Bronchus, 2> kBronchi{{{{-48.0, 18.0, 6.0}, 6.0, 7.5}, {{44.0, 16.0, 2.0}, 5.5, 7.0}}};

constexpr Ellipse kVertebralBody{0.0, 60.0, 17.0, 17.0};
constexpr Ellipse kVertebralCancellous{0.0, 60.0, 15.0, 15.0};
constexpr double kDiscFirstZ = -150.0;
constexpr double kDiscPeriodZ = 30.0;
constexpr double kDiscHeight = 5.0;
constexpr Ellipse kLamina{0.0, 88.0, 12.0, 12.0};
constexpr Ellipse kSpinalCanal{0.0, 88.0, 8.0, 8.0};

constexpr Ellipse kAscendingAorta{10.0, -25.0, 14.0, 14.0};
constexpr double kAscendingBottomZ = -35.0;
constexpr Ellipse kDescendingAorta{32.0, 45.0, 12.0, 12.0};
constexpr double kArchBaseZ = 55.0;

constexpr Point3 kHeartCentre{20.0, -35.0, -50.0};
constexpr Point3 kEpicardialFatSemi{58.0, 50.0, 56.0};
constexpr Point3 kMyocardiumSemi{50.0, 42.0, 48.0};
constexpr Point3 kBloodPoolSemi{38.0, 30.0, 36.0};
constexpr Point3 kCoronarySurfaceSemi{54.0, 46.0, 52.0}; // mid-depth of the fat shell
constexpr double kCoronaryRadius = 1.8;

/// A coronary artery: a path over the heart's mid-fat surface, linear in
/// azimuth and elevation (degrees) between its two ends.
struct ArteryPath {
    const char* name;
    double azimuth0, azimuth1, elevation0, elevation1;
};
constexpr std::array<ArteryPath, 3> kArteries{{
    {"LAD", -75.0, -45.0, 40.0, -55.0},
    {"LCX", -40.0, 60.0, 25.0, 25.0},
    {"RCA", -110.0, -200.0, 20.0, 20.0},
}};
constexpr int kArterySegments = 96;

/// A calcification: a voxel-aligned box centred on the voxel nearest to its
/// anchor, `size` mm per axis (at least one voxel), with exact HU values.
struct LesionSpec {
    const char* id;
    CalcificationKind kind;
    int artery; // index into kArteries, -1 when `anchor` is used
    double t;   // position along the artery, 0..1
    Point3 anchor;
    Point3 size;
    std::array<std::int16_t, 3> core_hu; // per third of its slices (inferior first)
    std::int16_t rim_hu;                 // in-plane border value, 0 = same as the core
};
constexpr std::array<LesionSpec, 8> kLesions{{
    {"C1", CalcificationKind::Coronary, 0, 10.0 / 95.0, {}, {2.8, 2.8, 3.0}, {160, 160, 160}, 0},
    {"C2", CalcificationKind::Coronary, 0, 40.0 / 95.0, {}, {3.5, 2.8, 6.0}, {250, 250, 250}, 0},
    {"C3", CalcificationKind::Coronary, 0, 70.0 / 95.0, {}, {3.5, 3.5, 6.0}, {350, 350, 350}, 0},
    {"C4", CalcificationKind::Coronary, 1, 0.30, {}, {4.2, 3.5, 9.0}, {600, 600, 600}, 0},
    {"C5", CalcificationKind::Coronary, 2, 20.0 / 90.0, {}, {3.5, 3.5, 9.0}, {180, 320, 210}, 140},
    {"C6", CalcificationKind::Coronary, 1, 0.75, {}, {0.0, 0.0, 0.0}, {300, 300, 300}, 0},
    {"C7", CalcificationKind::Coronary, 2, 65.0 / 90.0, {}, {2.8, 2.8, 3.0}, {115, 115, 115}, 0},
    {"A1", CalcificationKind::Aortic, -1, 0.0, {43.0, 45.0, -40.0}, {2.1, 2.1, 6.0}, {800, 800, 800}, 0},
}};

/// Point on the mid-depth surface of the epicardial fat at the given angles.
inline Point3 HeartSurfacePoint(double azimuth_deg, double elevation_deg) {
    const double ce = std::cos(Radians(elevation_deg));
    return {kHeartCentre[0] + kCoronarySurfaceSemi[0] * ce * std::cos(Radians(azimuth_deg)),
            kHeartCentre[1] + kCoronarySurfaceSemi[1] * ce * std::sin(Radians(azimuth_deg)),
            kHeartCentre[2] + kCoronarySurfaceSemi[2] * std::sin(Radians(elevation_deg))};
}

/// Point at fraction t (0..1) along an artery.
inline Point3 ArteryPoint(const ArteryPath& artery, double t) {
    return HeartSurfacePoint(artery.azimuth0 + t * (artery.azimuth1 - artery.azimuth0),
                             artery.elevation0 + t * (artery.elevation1 - artery.elevation0));
}

} // namespace radnode::processing::phantom::anatomy
