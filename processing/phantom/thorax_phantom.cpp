#include "processing/phantom/thorax_phantom.h"

#include "processing/parallel_for.h"
#include "processing/phantom/anatomy_painter.h"
#include "processing/phantom/counter_rng.h"
#include "processing/phantom/phantom_detail.h"
#include "processing/phantom/slice_painter.h"
#include "processing/phantom/thorax_anatomy.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace radnode::processing::phantom {
namespace {

using namespace anatomy;
using detail::Mm;
using detail::PlacedLesion;
using detail::Require;
using detail::SliceStats;

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

double TumourTexture(double dx, double dy, double dz, std::uint64_t hash) {
    const double pattern =
        std::sin(2.0 * kPi * dx / 11.0) * std::sin(2.0 * kPi * dy / 13.0) * std::cos(2.0 * kPi * dz / 9.0);
    return 30.0 + 30.0 * pattern + 15.0 * UniformSigned(hash);
}

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

/// Samples the anatomy on the grid slice by slice (in parallel), then measures the truth.
class PhantomBuilder {
public:
    explicit PhantomBuilder(const PhantomOptions& options);
    ThoraxPhantom Build();

private:
    void BuildSlice(std::size_t k, SliceStats& stats);
    void SynthesiseHu(std::size_t k);
    void PaintLesions(std::size_t k);
    void PlaceLesions();
    void RequireLesionClearOfTumour(const PlacedLesion& lesion) const;

    PhantomOptions options_;
    ImageGeometry geometry_;
    ThoraxPhantom phantom_;
    AnatomyPainter anatomy_;
    std::vector<PlacedLesion> lesions_;
};

PhantomBuilder::PhantomBuilder(const PhantomOptions& options)
    : options_(options), geometry_(PhantomGeometry(options)),
      anatomy_(options.tumour_centre_mm, options.tumour_radius_mm) {
    Require(options.tumour_radius_mm >= 1.0 && options.tumour_radius_mm <= kMaxTumourRadiusMm,
            "tumour radius must be between 1 and " + Mm(kMaxTumourRadiusMm));
    Require(options.noise_hu >= 0.0 && options.noise_hu <= 100.0, "noise must be between 0 and 100 HU");
    const Point3& centre = options.tumour_centre_mm;
    Require(std::isfinite(centre[0]) && std::isfinite(centre[1]) && std::isfinite(centre[2]),
            "the tumour centre must be finite");
    const double reach = options.tumour_radius_mm + kTumourMarginMm;
    for (int axis = 0; axis < 3; ++axis) {
        const double first = geometry_.origin[axis];
        const double last = first + static_cast<double>(geometry_.size[axis] - 1) * geometry_.spacing[axis];
        static constexpr const char* kAxes[3] = {"x", "y", "z"};
        Require(centre[axis] - reach >= first && centre[axis] + reach <= last,
                std::string("the sampled volume does not contain the tumour and its margin: it needs ") + kAxes[axis] +
                    " from " + Mm(centre[axis] - reach) + " to " + Mm(centre[axis] + reach) + ", voxel centres cover " +
                    Mm(first) + " to " + Mm(last) +
                    "; use more slices/rows/columns, a larger spacing or another slab centre");
    }

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
            RequireLesionClearOfTumour(placed);
            lesions_.push_back(placed);
        } else {
            phantom_.truth.omitted_calcifications.emplace_back(spec.id);
        }
    }
}

/// A calcification is a box of exact HU values measured after painting: the
/// tumour must not cover any of it (checked conservatively on the box spanned by
/// its voxel centres), or the lesion and tumour truth would both be wrong.
void PhantomBuilder::RequireLesionClearOfTumour(const PlacedLesion& lesion) const {
    const Point3 lo = geometry_.IndexToPhysical(static_cast<double>(lesion.lo[0]), static_cast<double>(lesion.lo[1]),
                                                static_cast<double>(lesion.lo[2]));
    const Point3 hi = geometry_.IndexToPhysical(static_cast<double>(lesion.hi[0]), static_cast<double>(lesion.hi[1]),
                                                static_cast<double>(lesion.hi[2]));
    double d2 = 0.0;
    for (int axis = 0; axis < 3; ++axis) {
        const double c = options_.tumour_centre_mm[axis];
        const double d = c - std::clamp(c, lo[axis], hi[axis]);
        d2 += d * d;
    }
    const double r = options_.tumour_radius_mm;
    Require(d2 > r * r, std::string("the tumour reaches calcification ") + lesion.spec->id + "; move the tumour");
}

ThoraxPhantom PhantomBuilder::Build() {
    const std::size_t slices = geometry_.size[2];
    std::vector<SliceStats> stats(slices);
    ParallelFor(slices, options_.threads, [&](std::size_t k) { BuildSlice(k, stats[k]); });
    detail::FillTruth(phantom_.truth, options_, phantom_.ct, lesions_, stats);
    phantom_.tumour_contours =
        detail::BuildTumourContours(geometry_, options_.tumour_centre_mm, options_.tumour_radius_mm);
    return std::move(phantom_);
}

void PhantomBuilder::BuildSlice(std::size_t k, SliceStats& stats) {
    std::span<std::uint8_t> labels = phantom_.labels.Slice(k);
    std::fill(labels.begin(), labels.end(), static_cast<std::uint8_t>(Tissue::Air));
    SlicePainter painter(labels, geometry_, k);
    const TumourPaintTally tumour = anatomy_.PaintSlice(painter);
    stats.tumour_violations = tumour.margin_violations;
    stats.tumour_replaced = tumour.replaced;

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

void PhantomBuilder::SynthesiseHu(std::size_t k) {
    const std::span<const std::uint8_t> labels = phantom_.labels.Slice(k);
    const std::span<std::int16_t> ct = phantom_.ct.Slice(k);
    const std::size_t nx = geometry_.size[0];
    const std::uint64_t base = static_cast<std::uint64_t>(k) * geometry_.SliceVoxelCount();
    const double z = geometry_.origin[2] + static_cast<double>(k) * geometry_.spacing[2];
    const double sigma = options_.noise_hu;
    const Point3& centre = options_.tumour_centre_mm;
    for (std::size_t idx = 0; idx < labels.size(); ++idx) {
        const std::uint8_t label = labels[idx];
        const std::int16_t nominal = kTissues[label].hu;
        double value = nominal;
        if (label == static_cast<std::uint8_t>(Tissue::Tumour)) {
            const double x = geometry_.origin[0] + static_cast<double>(idx % nx) * geometry_.spacing[0];
            const double y = geometry_.origin[1] + static_cast<double>(idx / nx) * geometry_.spacing[1];
            value = TumourTexture(x - centre[0], y - centre[1], z - centre[2],
                                  CounterHash(options_.seed, kTextureStream, base + idx));
        }
        if (sigma > 0.0) {
            value += sigma * NormalLike(CounterHash(options_.seed, kNoiseStream, base + idx));
        }
        if (nominal < detail::kCalciumThresholdHu) {
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

} // namespace

ImageGeometry PhantomGeometry(const PhantomOptions& options) {
    Require(options.columns >= 16 && options.columns <= 4096, "columns must be between 16 and 4096");
    Require(options.rows >= 16 && options.rows <= 4096, "rows must be between 16 and 4096");
    Require(options.slices >= 1 && options.slices <= 4096, "slices must be between 1 and 4096");
    Require(options.pixel_spacing_mm >= 0.1 && options.pixel_spacing_mm <= 5.0,
            "pixel spacing must be between 0.1 and 5 mm");
    Require(options.slice_thickness_mm >= 0.1 && options.slice_thickness_mm <= 20.0,
            "slice thickness must be between 0.1 and 20 mm");
    Require(std::abs(options.slab_centre_z_mm) <= 1000.0, "the slab centre must be between -1000 and 1000 mm");
    ImageGeometry geometry;
    geometry.size = {options.columns, options.rows, options.slices};
    geometry.spacing = {options.pixel_spacing_mm, options.pixel_spacing_mm, options.slice_thickness_mm};
    // Voxel centres symmetric about x = y = 0 and z = slab centre: a grid of any
    // size or spacing samples the same anatomy around the same point.
    for (int axis = 0; axis < 3; ++axis) {
        geometry.origin[axis] = -0.5 * static_cast<double>(geometry.size[axis] - 1) * geometry.spacing[axis];
    }
    geometry.origin[2] += options.slab_centre_z_mm;
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

} // namespace radnode::processing::phantom
