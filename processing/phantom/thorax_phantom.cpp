#include "processing/phantom/thorax_phantom.h"

#include "processing/phantom/counter_rng.h"
#include "processing/phantom/slice_painter.h"
#include "processing/phantom/thorax_anatomy.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

namespace radnode::processing::phantom {
namespace {

using namespace anatomy;

/// Name and nominal HU of each tissue class, indexed by label.
struct TissueInfo {
    std::string_view name;
    std::int16_t hu;
};
constexpr std::array<TissueInfo, kTissueCount> kTissues{{
    {"air", -1000},
    {"subcutaneous_fat", -100},
    {"soft_tissue", 40},
    {"right_lung", -850},
    {"left_lung", -850},
    {"right_lung_vessel", 40},
    {"left_lung_vessel", 40},
    {"airway", -1000},
    {"cortical_bone", 700},
    {"cancellous_bone", 220},
    {"rib", 500},
    {"sternum", 350},
    {"aorta", 40},
    {"myocardium", 50},
    {"blood_pool", 40},
    {"epicardial_fat", -100},
    {"coronary_artery", 40},
    {"tumour", 30},
    {"coronary_calcium", 0}, // exact per-lesion values
    {"aortic_calcium", 0},
    {"mediastinal_fat", -100},
}};

constexpr std::uint64_t kNoiseStream = 1;
constexpr std::uint64_t kTextureStream = 2;
constexpr double kCalciumThresholdHu = 130.0;
constexpr double kMinLesionAreaMm2 = 1.0;
constexpr double kMassCalibration = 0.001; // mg per (mm^3 x HU)

double TumourTexture(double dx, double dy, double dz, std::uint64_t hash) {
    const double pattern =
        std::sin(2.0 * kPi * dx / 11.0) * std::sin(2.0 * kPi * dy / 13.0) * std::cos(2.0 * kPi * dz / 9.0);
    return 30.0 + 30.0 * pattern + 15.0 * UniformSigned(hash);
}

bool InsideEllipse(const Ellipse& e, double x, double y) {
    const double u = (x - e.cx) / e.ax;
    const double v = (y - e.cy) / e.ay;
    return u * u + v * v <= 1.0;
}

std::string Mm(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f mm", value);
    return buffer;
}

void Require(bool condition, const std::string& message) {
    if (!condition) {
        throw std::invalid_argument(message);
    }
}

struct PlacedLesion {
    const LesionSpec* spec = nullptr;
    std::array<std::size_t, 3> lo{};
    std::array<std::size_t, 3> hi{};
};

std::int16_t LesionHu(const PlacedLesion& lesion, std::size_t i, std::size_t j, std::size_t k) {
    const std::size_t nz = lesion.hi[2] - lesion.lo[2] + 1;
    const std::size_t third = std::min<std::size_t>(2, (k - lesion.lo[2]) * 3 / nz);
    const bool has_core = lesion.hi[0] - lesion.lo[0] >= 2 && lesion.hi[1] - lesion.lo[1] >= 2;
    const bool border = i == lesion.lo[0] || i == lesion.hi[0] || j == lesion.lo[1] || j == lesion.hi[1];
    if (lesion.spec->rim_hu != 0 && has_core && border) {
        return lesion.spec->rim_hu;
    }
    return lesion.spec->core_hu[third];
}

/// Per-slice tallies merged after the parallel pass (deterministic order).
struct SliceStats {
    std::array<std::size_t, kTissueCount> counts{};
    std::size_t tumour_violations = 0;
    std::int64_t tumour_hu_sum = 0;
    std::int16_t tumour_min = std::numeric_limits<std::int16_t>::max();
    std::int16_t tumour_max = std::numeric_limits<std::int16_t>::min();
};

class PhantomBuilder {
public:
    explicit PhantomBuilder(const PhantomOptions& options);
    ThoraxPhantom Build();

private:
    void BuildSlice(std::size_t k, SliceStats& stats);
    void PaintRibs(SlicePainter& painter) const;
    static void PaintLung(SlicePainter& painter, const LungShape& lung);
    void PaintAorta(SlicePainter& painter) const;
    static void PaintAirways(SlicePainter& painter);
    static void PaintSpine(SlicePainter& painter);
    void PaintTumour(SlicePainter& painter, SliceStats& stats) const;
    void SynthesiseHu(std::size_t k);
    void PaintLesions(std::size_t k);
    void PlaceLesions();
    void FillTruth(const std::vector<SliceStats>& stats);
    void BuildTumourContours();
    CalcificationTruth MeasureLesion(const PlacedLesion& lesion) const;

    PhantomOptions options_;
    ImageGeometry geometry_;
    ThoraxPhantom phantom_;
    std::array<std::vector<Capsule>, 2> lung_vessels_; // right, left
    std::vector<Capsule> coronary_segments_;
    std::vector<PlacedLesion> lesions_;
    // Aortic arch: a half torus over the segment between the ascending and
    // descending aorta at kArchBaseZ, in the vertical plane through both.
    Point3 arch_centre_{};
    double arch_radius_ = 0.0;
    Point3 arch_u_{}; // unit vector from the arch centre towards the ascending aorta
    Point3 arch_n_{}; // unit normal of the arch plane
};

PhantomBuilder::PhantomBuilder(const PhantomOptions& options) : options_(options), geometry_(PhantomGeometry(options)) {
    Require(options.tumour_radius_mm >= 1.0 && options.tumour_radius_mm <= kMaxTumourRadiusMm,
            "tumour radius must be between 1 and " + Mm(kMaxTumourRadiusMm));
    Require(options.noise_hu >= 0.0 && options.noise_hu <= 100.0, "noise must be between 0 and 100 HU");
    const double reach = options.tumour_radius_mm + kTumourMargin;
    for (int axis = 0; axis < 3; ++axis) {
        const double first = geometry_.origin[axis];
        const double last = first + static_cast<double>(geometry_.size[axis] - 1) * geometry_.spacing[axis];
        static constexpr const char* kAxes[3] = {"x", "y", "z"};
        Require(kTumourCentre[axis] - reach >= first && kTumourCentre[axis] + reach <= last,
                std::string("the sampled volume does not contain the tumour and its margin: it needs ") + kAxes[axis] +
                    " from " + Mm(kTumourCentre[axis] - reach) + " to " + Mm(kTumourCentre[axis] + reach) +
                    ", voxel centres cover " + Mm(first) + " to " + Mm(last) +
                    "; use more slices/rows/columns or a larger spacing");
    }

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

    phantom_.ct = CtVolume(geometry_);
    phantom_.labels = LabelMap(geometry_);
    phantom_.tumour_mask = LabelMap(geometry_);
    PlaceLesions();
}

void PhantomBuilder::PlaceLesions() {
    for (const LesionSpec& spec : kLesions) {
        const Point3 centre = spec.artery >= 0 ? ArteryPoint(kArteries[spec.artery], spec.t) : spec.anchor;
        const Point3 index = geometry_.PhysicalToContinuousIndex(centre);
        PlacedLesion placed{&spec, {}, {}};
        bool inside = true;
        for (int axis = 0; axis < 3; ++axis) {
            const long n = std::max(1L, std::lround(spec.size[axis] / geometry_.spacing[axis]));
            const long lo = std::lround(index[axis]) - (n - 1) / 2;
            const long hi = lo + n - 1;
            inside = inside && lo >= 0 && hi < static_cast<long>(geometry_.size[axis]);
            placed.lo[axis] = static_cast<std::size_t>(std::max(0L, lo));
            placed.hi[axis] = static_cast<std::size_t>(std::max(0L, hi));
        }
        if (inside) {
            lesions_.push_back(placed);
        } else {
            phantom_.truth.omitted_calcifications.emplace_back(spec.id);
        }
    }
}

ThoraxPhantom PhantomBuilder::Build() {
    const std::size_t slices = geometry_.size[2];
    std::vector<SliceStats> stats(slices);
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t k = next++; k < slices; k = next++) {
            BuildSlice(k, stats[k]);
        }
    };
    unsigned threads = options_.threads != 0 ? options_.threads : std::max(1U, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, slices));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) {
        pool.emplace_back(worker);
    }
    worker();
    for (std::thread& thread : pool) {
        thread.join();
    }
    FillTruth(stats);
    BuildTumourContours();
    return std::move(phantom_);
}

void PhantomBuilder::BuildSlice(std::size_t k, SliceStats& stats) {
    std::span<std::uint8_t> labels = phantom_.labels.Slice(k);
    std::fill(labels.begin(), labels.end(), static_cast<std::uint8_t>(Tissue::Air));
    SlicePainter painter(labels, geometry_, k);
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
    PaintTumour(painter, stats);

    SynthesiseHu(k);
    PaintLesions(k);

    std::span<const std::int16_t> hu = phantom_.ct.Slice(k);
    std::span<std::uint8_t> mask = phantom_.tumour_mask.Slice(k);
    for (std::size_t idx = 0; idx < labels.size(); ++idx) {
        ++stats.counts[labels[idx]];
        if (labels[idx] == static_cast<std::uint8_t>(Tissue::Tumour)) {
            mask[idx] = 1;
            stats.tumour_hu_sum += hu[idx];
            stats.tumour_min = std::min(stats.tumour_min, hu[idx]);
            stats.tumour_max = std::max(stats.tumour_max, hu[idx]);
        }
    }
}

void PhantomBuilder::PaintRibs(SlicePainter& painter) const {
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

void PhantomBuilder::PaintLung(SlicePainter& painter, const LungShape& lung) {
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

void PhantomBuilder::PaintAorta(SlicePainter& painter) const {
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

void PhantomBuilder::PaintAirways(SlicePainter& painter) {
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

void PhantomBuilder::PaintSpine(SlicePainter& painter) {
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

void PhantomBuilder::PaintTumour(SlicePainter& painter, SliceStats& stats) const {
    const double r = options_.tumour_radius_mm;
    const double reach = r + kTumourMargin;
    const double dz = painter.Z() - kTumourCentre[2];
    if (std::abs(dz) > reach) {
        return;
    }
    const TissueSet lung = TissueBit(Tissue::RightLung) | TissueBit(Tissue::RightLungVessel);
    std::size_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
    if (!painter.Columns(kTumourCentre[0] - reach, kTumourCentre[0] + reach, i0, i1) ||
        !painter.Rows(kTumourCentre[1] - reach, kTumourCentre[1] + reach, j0, j1)) {
        return;
    }
    for (std::size_t j = j0; j <= j1; ++j) {
        const double dy = painter.Y(j) - kTumourCentre[1];
        for (std::size_t i = i0; i <= i1; ++i) {
            const double dx = painter.X(i) - kTumourCentre[0];
            const double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 > reach * reach) {
                continue;
            }
            std::uint8_t& label = painter.LabelAt(i, j);
            if (((lung >> label) & 1U) == 0U) {
                ++stats.tumour_violations;
            }
            if (d2 <= r * r) {
                label = static_cast<std::uint8_t>(Tissue::Tumour);
            }
        }
    }
}

void PhantomBuilder::SynthesiseHu(std::size_t k) {
    const std::span<const std::uint8_t> labels = phantom_.labels.Slice(k);
    const std::span<std::int16_t> ct = phantom_.ct.Slice(k);
    const std::size_t nx = geometry_.size[0];
    const std::uint64_t base = static_cast<std::uint64_t>(k) * geometry_.SliceVoxelCount();
    const double z = geometry_.origin[2] + static_cast<double>(k) * geometry_.spacing[2];
    const double sigma = options_.noise_hu;
    for (std::size_t idx = 0; idx < labels.size(); ++idx) {
        const std::uint8_t label = labels[idx];
        const std::int16_t nominal = kTissues[label].hu;
        double value = nominal;
        if (label == static_cast<std::uint8_t>(Tissue::Tumour)) {
            const double x = geometry_.origin[0] + static_cast<double>(idx % nx) * geometry_.spacing[0];
            const double y = geometry_.origin[1] + static_cast<double>(idx / nx) * geometry_.spacing[1];
            value = TumourTexture(x - kTumourCentre[0], y - kTumourCentre[1], z - kTumourCentre[2],
                                  CounterHash(options_.seed, kTextureStream, base + idx));
        }
        if (sigma > 0.0) {
            value += sigma * NormalLike(CounterHash(options_.seed, kNoiseStream, base + idx));
        }
        if (nominal < kCalciumThresholdHu) {
            value = std::min(value, static_cast<double>(kSoftTissueCeilingHu));
        }
        ct[idx] = static_cast<std::int16_t>(std::lround(std::clamp(value, -1024.0, 3071.0)));
    }
}

void PhantomBuilder::PaintLesions(std::size_t k) {
    for (const PlacedLesion& lesion : lesions_) {
        if (k < lesion.lo[2] || k > lesion.hi[2]) {
            continue;
        }
        const Tissue tissue =
            lesion.spec->kind == CalcificationKind::Coronary ? Tissue::CoronaryCalcium : Tissue::AorticCalcium;
        for (std::size_t j = lesion.lo[1]; j <= lesion.hi[1]; ++j) {
            for (std::size_t i = lesion.lo[0]; i <= lesion.hi[0]; ++i) {
                phantom_.labels.At(i, j, k) = static_cast<std::uint8_t>(tissue);
                phantom_.ct.At(i, j, k) = LesionHu(lesion, i, j, k);
            }
        }
    }
}

CalcificationTruth PhantomBuilder::MeasureLesion(const PlacedLesion& lesion) const {
    CalcificationTruth truth;
    const LesionSpec& spec = *lesion.spec;
    truth.id = spec.id;
    truth.kind = spec.kind;
    truth.location = spec.artery >= 0 ? kArteries[spec.artery].name : "descending aorta";
    truth.index_min = lesion.lo;
    truth.index_max = lesion.hi;
    const bool coronary = spec.kind == CalcificationKind::Coronary;
    Point3 sum{};
    std::int16_t peak = std::numeric_limits<std::int16_t>::min();
    for (std::size_t k = lesion.lo[2]; k <= lesion.hi[2]; ++k) {
        LesionSliceTruth slice;
        slice.slice_index = k;
        slice.z_mm = geometry_.IndexToPhysical(0.0, 0.0, static_cast<double>(k))[2];
        slice.peak_hu = std::numeric_limits<std::int16_t>::min();
        double hu_sum_above = 0.0;
        for (std::size_t j = lesion.lo[1]; j <= lesion.hi[1]; ++j) {
            for (std::size_t i = lesion.lo[0]; i <= lesion.hi[0]; ++i) {
                const std::int16_t hu = phantom_.ct.At(i, j, k);
                const Point3 p =
                    geometry_.IndexToPhysical(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
                for (int axis = 0; axis < 3; ++axis) {
                    sum[axis] += p[axis];
                }
                ++slice.pixel_count;
                slice.peak_hu = std::max(slice.peak_hu, hu);
                if (hu >= kCalciumThresholdHu) {
                    ++slice.pixels_at_or_above_threshold;
                    hu_sum_above += hu;
                }
            }
        }
        peak = std::max(peak, slice.peak_hu);
        truth.voxel_count += slice.pixel_count;
        slice.area_mm2 = static_cast<double>(slice.pixels_at_or_above_threshold) * geometry_.PixelArea();
        slice.scored = coronary && slice.peak_hu >= kCalciumThresholdHu && slice.area_mm2 >= kMinLesionAreaMm2;
        if (slice.scored) {
            slice.agatston_weight = AgatstonWeight(slice.peak_hu);
            slice.agatston = slice.area_mm2 * slice.agatston_weight;
            truth.agatston += slice.agatston;
            truth.volume_score_mm3 += static_cast<double>(slice.pixels_at_or_above_threshold) * geometry_.VoxelVolume();
            truth.mass_mg += hu_sum_above * geometry_.VoxelVolume() * kMassCalibration;
            truth.scored = true;
        }
        truth.slices.push_back(slice);
    }
    truth.peak_hu = peak;
    truth.volume_mm3 = static_cast<double>(truth.voxel_count) * geometry_.VoxelVolume();
    for (int axis = 0; axis < 3; ++axis) {
        truth.centroid_mm[axis] = sum[axis] / static_cast<double>(truth.voxel_count);
    }
    if (!coronary) {
        truth.exclusion_reason = "not coronary";
    } else if (!truth.scored) {
        truth.exclusion_reason = peak < kCalciumThresholdHu ? "peak below 130 HU" : "area below 1 mm2 on every slice";
    }
    return truth;
}

void PhantomBuilder::FillTruth(const std::vector<SliceStats>& stats) {
    PhantomTruth& truth = phantom_.truth;
    const double voxel_ml = geometry_.VoxelVolume() / 1000.0;
    std::array<std::size_t, kTissueCount> counts{};
    std::size_t violations = 0;
    std::int64_t tumour_sum = 0;
    TumourTruth& tumour = truth.tumour;
    tumour.min_hu = std::numeric_limits<std::int16_t>::max();
    tumour.max_hu = std::numeric_limits<std::int16_t>::min();
    bool first = true;
    for (std::size_t k = 0; k < stats.size(); ++k) {
        for (std::size_t t = 0; t < kTissueCount; ++t) {
            counts[t] += stats[k].counts[t];
        }
        violations += stats[k].tumour_violations;
        tumour_sum += stats[k].tumour_hu_sum;
        tumour.min_hu = std::min(tumour.min_hu, stats[k].tumour_min);
        tumour.max_hu = std::max(tumour.max_hu, stats[k].tumour_max);
        if (stats[k].counts[static_cast<std::size_t>(Tissue::Tumour)] > 0) {
            tumour.first_slice = first ? k : tumour.first_slice;
            tumour.last_slice = k;
            first = false;
        }
    }
    Require(violations == 0, "the tumour (radius plus " + Mm(kTumourMargin) +
                                 ") does not fit inside the right lung; reduce the tumour radius");

    truth.geometry = geometry_;
    truth.seed = options_.seed;
    truth.noise_hu = options_.noise_hu;
    const double r = options_.tumour_radius_mm;
    tumour.centre_mm = kTumourCentre;
    tumour.radius_mm = r;
    tumour.analytic_volume_mm3 = 4.0 / 3.0 * kPi * r * r * r;
    tumour.voxel_count = counts[static_cast<std::size_t>(Tissue::Tumour)];
    tumour.voxelised_volume_mm3 = static_cast<double>(tumour.voxel_count) * geometry_.VoxelVolume();
    tumour.mean_hu = static_cast<double>(tumour_sum) / static_cast<double>(tumour.voxel_count);

    auto count = [&](Tissue t) { return counts[static_cast<std::size_t>(t)]; };
    truth.right_lung.voxel_count = count(Tissue::RightLung) + count(Tissue::RightLungVessel);
    truth.right_lung.volume_ml = static_cast<double>(truth.right_lung.voxel_count) * voxel_ml;
    truth.right_lung.volume_with_tumour_ml =
        static_cast<double>(truth.right_lung.voxel_count + tumour.voxel_count) * voxel_ml;
    truth.left_lung.voxel_count = count(Tissue::LeftLung) + count(Tissue::LeftLungVessel);
    truth.left_lung.volume_ml = static_cast<double>(truth.left_lung.voxel_count) * voxel_ml;
    truth.left_lung.volume_with_tumour_ml = truth.left_lung.volume_ml;

    truth.heart_centre_mm = kHeartCentre;
    truth.myocardium_semi_axes_mm = kMyocardiumSemi;
    truth.epicardial_fat_semi_axes_mm = kEpicardialFatSemi;
    truth.heart_volume_ml = static_cast<double>(count(Tissue::Myocardium) + count(Tissue::BloodPool)) * voxel_ml;
    for (const ArteryPath& artery : kArteries) {
        ArteryTruth line{artery.name, kCoronaryRadius, {}};
        for (int s = 0; s <= kArterySegments; s += 4) {
            line.centreline_mm.push_back(ArteryPoint(artery, static_cast<double>(s) / kArterySegments));
        }
        truth.coronary_arteries.push_back(std::move(line));
    }

    CalciumScoreTruth& cac = truth.cac;
    cac.threshold_hu = kCalciumThresholdHu;
    cac.min_area_mm2 = kMinLesionAreaMm2;
    cac.slice_increment_mm = geometry_.spacing[2];
    cac.mass_calibration_mg_per_mm3_per_hu = kMassCalibration;
    for (const PlacedLesion& lesion : lesions_) {
        CalcificationTruth lesion_truth = MeasureLesion(lesion);
        if (lesion_truth.scored) {
            cac.agatston_raw += lesion_truth.agatston;
            cac.volume_mm3 += lesion_truth.volume_score_mm3;
            cac.mass_mg += lesion_truth.mass_mg;
            ++cac.lesions_scored;
        }
        truth.calcifications.push_back(std::move(lesion_truth));
    }
    cac.agatston_scaled = cac.agatston_raw * cac.slice_increment_mm / 3.0;
    cac.risk_category = AgatstonRiskCategory(cac.agatston_scaled);

    for (std::size_t t = 0; t < kTissueCount; ++t) {
        truth.tissues.push_back({static_cast<Tissue>(t), counts[t], static_cast<double>(counts[t]) * voxel_ml});
    }
}

void PhantomBuilder::BuildTumourContours() {
    const double r = options_.tumour_radius_mm;
    for (std::size_t k = 0; k < geometry_.size[2]; ++k) {
        const double z = geometry_.IndexToPhysical(0.0, 0.0, static_cast<double>(k))[2];
        const double dz = z - kTumourCentre[2];
        if (std::abs(dz) >= r) {
            continue;
        }
        const double rs = std::sqrt(r * r - dz * dz);
        TumourContour contour{k, z, {}};
        constexpr int kVertices = 72;
        for (int v = 0; v < kVertices; ++v) {
            const double angle = 2.0 * kPi * v / kVertices;
            contour.points.push_back(
                {kTumourCentre[0] + rs * std::cos(angle), kTumourCentre[1] + rs * std::sin(angle), z});
        }
        phantom_.tumour_contours.push_back(std::move(contour));
    }
}

} // namespace

ImageGeometry PhantomGeometry(const PhantomOptions& options) {
    Require(options.columns >= 16 && options.columns <= 4096, "columns must be between 16 and 4096");
    Require(options.rows >= 16 && options.rows <= 4096, "rows must be between 16 and 4096");
    Require(options.slices >= 1 && options.slices <= 4096, "slices must be between 1 and 4096");
    Require(options.pixel_spacing_mm >= 0.1 && options.pixel_spacing_mm <= 5.0,
            "pixel spacing must be between 0.1 and 5 mm");
    Require(options.slice_thickness_mm >= 0.1 && options.slice_thickness_mm <= 20.0,
            "slice thickness must be between 0.1 and 20 mm");
    ImageGeometry geometry;
    geometry.size = {options.columns, options.rows, options.slices};
    geometry.spacing = {options.pixel_spacing_mm, options.pixel_spacing_mm, options.slice_thickness_mm};
    // Voxel centres symmetric about x = y = z = 0: the slab stays centred on the same anatomy.
    for (int axis = 0; axis < 3; ++axis) {
        geometry.origin[axis] = -0.5 * static_cast<double>(geometry.size[axis] - 1) * geometry.spacing[axis];
    }
    return geometry;
}

ThoraxPhantom GenerateThoraxPhantom(const PhantomOptions& options) {
    return PhantomBuilder(options).Build();
}

std::string_view TissueName(Tissue tissue) {
    return kTissues.at(static_cast<std::size_t>(tissue)).name;
}

std::int16_t TissueHu(Tissue tissue) {
    return kTissues.at(static_cast<std::size_t>(tissue)).hu;
}

std::string_view CalcificationKindName(CalcificationKind kind) {
    return kind == CalcificationKind::Coronary ? "coronary" : "aortic";
}

int AgatstonWeight(double peak_hu) {
    if (peak_hu < 130.0) {
        return 0;
    }
    if (peak_hu < 200.0) {
        return 1;
    }
    if (peak_hu < 300.0) {
        return 2;
    }
    return peak_hu < 400.0 ? 3 : 4;
}

std::string_view AgatstonRiskCategory(double agatston) {
    if (agatston <= 0.0) {
        return "0";
    }
    if (agatston <= 10.0) {
        return "1-10";
    }
    if (agatston <= 100.0) {
        return "11-100";
    }
    return agatston <= 400.0 ? "101-400" : ">400";
}

} // namespace radnode::processing::phantom
