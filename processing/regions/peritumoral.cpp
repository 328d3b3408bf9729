#include "processing/regions/peritumoral.h"

#include "processing/text.h"

#include "processing/regions/distance_map.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <span>

namespace radnode::processing::regions {
namespace {

/// A voxel at exactly d on paper must not fall out of a ring through rounding of s^2 t^2 sums.
constexpr double kRelativeTolerance = 1e-9;

/// Most lattice points one transform may visit (see kPeritumoralInterpolationStepMm).
constexpr double kMaxInterpolatedPoints = 64.0 * 1024 * 1024;

using SignedIndex = std::array<std::ptrdiff_t, 3>;

/// What one region is, before it is measured.
struct RegionSpec {
    std::string name;
    PeritumoralKind kind = PeritumoralKind::Ring;
    double inner_mm = 0.0;
    double outer_mm = 0.0;
};

/// The tumour on its padded box (which may reach beyond the image) and the transforms on it.
struct WorkBox {
    SignedIndex begin{0, 0, 0}; ///< grid index of the box's first voxel (may be negative)
    std::array<std::size_t, 3> size{0, 0, 0};
    std::vector<std::uint8_t> tumour;
    std::vector<double> outside_mm2; ///< squared distance to the interpolated tumour surface
    std::vector<double> inside_mm2;  ///< the same from inside (cores only)
};

double Limit(double mm) { return mm * mm * (1.0 + kRelativeTolerance); }

bool BoxFitsGrid(const BoxMask& mask, const ImageGeometry& grid) {
    for (std::size_t a = 0; a < 3; ++a)
        if (mask.size[a] > grid.size[a] || mask.begin[a] > grid.size[a] - mask.size[a])
            return false;
    return mask.values.size() == mask.BoxVoxelCount();
}

/// Sorts `mm` and checks range and distinct names; empty string when valid, else the reason.
std::string CheckDistances(std::vector<double>& mm, const char* what) {
    std::sort(mm.begin(), mm.end());
    for (std::size_t n = 0; n < mm.size(); ++n) {
        if (!std::isfinite(mm[n]) || mm[n] <= 0.0 || mm[n] > kMaxPeritumoralDistanceMm)
            return std::string(what) + " must be in (0, " + DistanceName(kMaxPeritumoralDistanceMm) + "] mm, got " +
                   ShortNumber(mm[n]);
        if (n > 0 && DistanceName(mm[n]) == DistanceName(mm[n - 1]))
            return std::string(what) + " contain a duplicate: " + DistanceName(mm[n]) + " mm";
    }
    return {};
}

std::vector<RegionSpec> Specs(const PeritumoralSettings& s, const std::vector<double>& rings,
                              const std::vector<double>& cores) {
    std::vector<RegionSpec> out;
    if (s.rings)
        for (const double d : rings)
            out.push_back({"ring_" + DistanceName(d) + "mm", PeritumoralKind::Ring, 0.0, d});
    if (s.annuli)
        for (std::size_t n = 0; n < rings.size(); ++n) {
            const double a = n == 0 ? 0.0 : rings[n - 1];
            out.push_back({"annulus_" + DistanceName(a) + "_" + DistanceName(rings[n]) + "mm", PeritumoralKind::Annulus,
                           a, rings[n]});
        }
    if (s.tumour_rings)
        for (const double d : rings)
            out.push_back({"tumour_ring_" + DistanceName(d) + "mm", PeritumoralKind::TumourRing, 0.0, d});
    for (const double d : cores)
        out.push_back({"core_" + DistanceName(d) + "mm", PeritumoralKind::Core, d, 0.0});
    return out;
}

/// The tumour's bounding box padded so that every voxel within `reach_mm` of it is inside,
/// plus one voxel of background all round (so the inside transform sees the outside).
WorkBox MakeWorkBox(const BoxMask& tumour, const ImageGeometry& grid, double reach_mm) {
    WorkBox w;
    std::array<std::size_t, 3> pad{};
    for (std::size_t a = 0; a < 3; ++a) {
        pad[a] = static_cast<std::size_t>(std::ceil(reach_mm / grid.spacing[a] + 0.5)) + 1;
        w.begin[a] = static_cast<std::ptrdiff_t>(tumour.begin[a]) - static_cast<std::ptrdiff_t>(pad[a]);
        w.size[a] = tumour.size[a] + 2 * pad[a];
    }
    w.tumour.assign(w.size[0] * w.size[1] * w.size[2], 0);
    std::size_t b = 0;
    for (std::size_t k = 0; k < tumour.size[2]; ++k)
        for (std::size_t j = 0; j < tumour.size[1]; ++j) {
            const std::size_t row = pad[0] + w.size[0] * ((j + pad[1]) + w.size[1] * (k + pad[2]));
            for (std::size_t i = 0; i < tumour.size[0]; ++i, ++b)
                w.tumour[row + i] = tumour.values[b] != 0 ? 1 : 0;
        }
    return w;
}

/// Whether work voxel n belongs to the region before clipping, and whether clipping applies
/// to it (peritumoral voxels only).
struct Membership {
    bool member = false;
    bool clippable = false;
};
Membership Classify(const RegionSpec& spec, const WorkBox& w, std::size_t n) {
    const bool in_tumour = w.tumour[n] != 0;
    switch (spec.kind) {
    case PeritumoralKind::Ring:
        return {!in_tumour && w.outside_mm2[n] <= Limit(spec.outer_mm), true};
    case PeritumoralKind::Annulus:
        return {!in_tumour && w.outside_mm2[n] > Limit(spec.inner_mm) && w.outside_mm2[n] <= Limit(spec.outer_mm),
                true};
    case PeritumoralKind::TumourRing:
        return {in_tumour || w.outside_mm2[n] <= Limit(spec.outer_mm), !in_tumour};
    case PeritumoralKind::Core:
        return {in_tumour && w.inside_mm2[n] > Limit(spec.inner_mm), false};
    }
    return {};
}

/// Classifies every work voxel for `spec`, cuts at the image edge, clips, and crops the result.
PeritumoralRegion Measure(const RegionSpec& spec, const WorkBox& w, const ImageGeometry& grid, const BoxMask* clip,
                          std::vector<std::uint8_t>& kept) {
    PeritumoralRegion r;
    r.name = spec.name;
    r.kind = spec.kind;
    r.inner_mm = spec.inner_mm;
    r.outer_mm = spec.outer_mm;
    kept.assign(w.tumour.size(), 0);
    std::array<std::size_t, 3> lo = grid.size;
    std::array<std::size_t, 3> hi{0, 0, 0};
    std::size_t n = 0;
    for (std::size_t k = 0; k < w.size[2]; ++k) {
        const std::ptrdiff_t gk = w.begin[2] + static_cast<std::ptrdiff_t>(k);
        for (std::size_t j = 0; j < w.size[1]; ++j) {
            const std::ptrdiff_t gj = w.begin[1] + static_cast<std::ptrdiff_t>(j);
            for (std::size_t i = 0; i < w.size[0]; ++i, ++n) {
                const Membership m = Classify(spec, w, n);
                if (!m.member)
                    continue;
                ++r.unclipped_voxels;
                const std::ptrdiff_t gi = w.begin[0] + static_cast<std::ptrdiff_t>(i);
                const SignedIndex g{gi, gj, gk};
                bool inside_image = true;
                for (std::size_t a = 0; a < 3; ++a)
                    inside_image = inside_image && g[a] >= 0 && static_cast<std::size_t>(g[a]) < grid.size[a];
                if (!inside_image) {
                    ++r.outside_image_voxels;
                    continue;
                }
                const std::array<std::size_t, 3> u{static_cast<std::size_t>(gi), static_cast<std::size_t>(gj),
                                                   static_cast<std::size_t>(gk)};
                if (m.clippable && clip != nullptr && !clip->At(u[0], u[1], u[2])) {
                    ++r.clipped_voxels;
                    continue;
                }
                kept[n] = 1;
                ++r.voxel_count;
                for (std::size_t a = 0; a < 3; ++a) {
                    lo[a] = std::min(lo[a], u[a]);
                    hi[a] = std::max(hi[a], u[a]);
                }
            }
        }
    }
    const std::size_t in_image = r.unclipped_voxels - r.outside_image_voxels;
    r.clipped_fraction = in_image == 0 ? 0.0 : static_cast<double>(r.clipped_voxels) / static_cast<double>(in_image);
    r.outside_image_fraction = r.unclipped_voxels == 0 ? 0.0
                                                       : static_cast<double>(r.outside_image_voxels) /
                                                             static_cast<double>(r.unclipped_voxels);
    r.volume_ml = static_cast<double>(r.voxel_count) * grid.VoxelVolume() / 1000.0;
    if (r.voxel_count == 0)
        return r;
    r.mask.begin = lo;
    r.mask.size = {hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1};
    r.mask.values.resize(r.mask.BoxVoxelCount());
    std::size_t o = 0;
    for (std::size_t k = lo[2]; k <= hi[2]; ++k)
        for (std::size_t j = lo[1]; j <= hi[1]; ++j) {
            const std::size_t row = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(lo[0]) - w.begin[0]) +
                                    w.size[0] * (static_cast<std::size_t>(static_cast<std::ptrdiff_t>(j) - w.begin[1]) +
                                                 w.size[1] * static_cast<std::size_t>(static_cast<std::ptrdiff_t>(k) -
                                                                                      w.begin[2]));
            for (std::size_t i = 0; i < r.mask.size[0]; ++i)
                r.mask.values[o++] = kept[row + i];
        }
    return r;
}

/// Signed distance between voxel centres over the work box: outside the tumour, + the distance
/// to the nearest tumour voxel centre; inside, - the distance to the nearest voxel centre
/// outside. Its interpolated zero set passes half-way between neighbouring inside and outside
/// centres and runs smoothly across slices (shape-based interpolation).
std::vector<double> SignedCentreDistance(const WorkBox& w, const std::array<double, 3>& spacing, unsigned threads) {
    DistanceMapOptions options;
    options.metric = DistanceMetric::VoxelCentres;
    options.threads = threads;
    const std::vector<double> to_tumour = SquaredDistanceMap(w.tumour, w.size, spacing, options).squared_mm2;
    options.features_are_zero = true;
    const std::vector<double> to_outside = SquaredDistanceMap(w.tumour, w.size, spacing, options).squared_mm2;
    std::vector<double> field(w.tumour.size());
    for (std::size_t n = 0; n < field.size(); ++n)
        field[n] = w.tumour[n] != 0 ? -std::sqrt(to_outside[n]) : std::sqrt(to_tumour[n]);
    return field;
}

/// Fine lattice steps per voxel step: about kPeritumoralInterpolationStepMm, fewer when the lattice of the
/// work box would exceed kMaxInterpolatedPoints.
std::array<std::size_t, 3> RefinementFactors(const std::array<std::size_t, 3>& size,
                                             const std::array<double, 3>& spacing) {
    for (double step = kPeritumoralInterpolationStepMm;; step *= 1.25) {
        std::array<std::size_t, 3> m{};
        double points = 1.0;
        for (std::size_t a = 0; a < 3; ++a) {
            m[a] = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(spacing[a] / step - 1e-9)));
            points *= static_cast<double>(size[a] > 1 ? (size[a] - 1) * m[a] : 1);
        }
        if (points <= kMaxInterpolatedPoints || (m[0] == 1 && m[1] == 1 && m[2] == 1))
            return m;
    }
}

PeritumoralResult Fail(PeritumoralStatus status, std::string reason) {
    PeritumoralResult result;
    result.status = status;
    result.reason = std::move(reason);
    return result;
}

} // namespace

const char* PeritumoralStatusName(PeritumoralStatus status) {
    switch (status) {
    case PeritumoralStatus::Ok:
        return "ok";
    case PeritumoralStatus::EmptyTumour:
        return "empty_tumour";
    case PeritumoralStatus::InvalidTumour:
        return "invalid_tumour";
    case PeritumoralStatus::InvalidSettings:
        return "invalid_settings";
    case PeritumoralStatus::MissingClipMask:
        return "missing_clip_mask";
    case PeritumoralStatus::InvalidClipMask:
        return "invalid_clip_mask";
    }
    return "unknown";
}

const PeritumoralRegion* PeritumoralResult::Find(const std::string& name) const {
    for (const PeritumoralRegion& region : regions)
        if (region.name == name)
            return &region;
    return nullptr;
}

std::string DistanceName(double mm) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", mm);
    std::string s(text);
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.')
        s.pop_back();
    std::replace(s.begin(), s.end(), '.', 'p');
    return s;
}

PeritumoralResult BuildPeritumoralRegions(const BoxMask& tumour, const ImageGeometry& grid,
                                          const PeritumoralSettings& settings, const BoxMask* clip) {
    std::vector<double> rings = settings.distances_mm;
    std::vector<double> cores = settings.core_distances_mm;
    if (std::string why = CheckDistances(rings, "distances_mm"); !why.empty())
        return Fail(PeritumoralStatus::InvalidSettings, why);
    if (std::string why = CheckDistances(cores, "core_distances_mm"); !why.empty())
        return Fail(PeritumoralStatus::InvalidSettings, why);
    for (const double s : grid.spacing)
        if (!(s > 0.0) || !std::isfinite(s))
            return Fail(PeritumoralStatus::InvalidTumour, "grid spacing must be positive and finite");
    if (!tumour.Empty() && !BoxFitsGrid(tumour, grid))
        return Fail(PeritumoralStatus::InvalidTumour, "tumour mask box leaves the grid or does not match its values");
    const BoxMask tight = Tighten(tumour);
    if (tight.Empty())
        return Fail(PeritumoralStatus::EmptyTumour, "the tumour mask has no voxel");
    const BoxMask* clip_mask = nullptr;
    if (settings.clip != PeritumoralClip::None) {
        if (clip == nullptr || clip->Empty())
            return Fail(PeritumoralStatus::MissingClipMask, "clipping requested but no clip mask given");
        if (!BoxFitsGrid(*clip, grid))
            return Fail(PeritumoralStatus::InvalidClipMask, "clip mask box leaves the grid or does not match its values");
        clip_mask = clip;
    }

    const std::vector<RegionSpec> specs = Specs(settings, rings, cores);
    const bool outside_needed = settings.rings || settings.annuli || settings.tumour_rings;
    const double reach = outside_needed && !rings.empty() ? rings.back() : 0.0;
    WorkBox w = MakeWorkBox(tight, grid, reach);
    const std::array<std::size_t, 3> factors = RefinementFactors(w.size, grid.spacing);
    const std::vector<double> field = SignedCentreDistance(w, grid.spacing, settings.threads);
    if (outside_needed && !rings.empty())
        w.outside_mm2 = SquaredDistanceToInterpolatedZeroSet(field, w.size, grid.spacing, factors, settings.threads);
    if (!cores.empty()) {
        std::vector<double> negated(field.size());
        std::transform(field.begin(), field.end(), negated.begin(), [](double v) { return -v; });
        w.inside_mm2 = SquaredDistanceToInterpolatedZeroSet(negated, w.size, grid.spacing, factors, settings.threads);
    }

    PeritumoralResult result;
    result.tumour_voxels = tight.Count();
    result.work_box_size = w.size;
    std::vector<std::uint8_t> kept;
    for (const RegionSpec& spec : specs)
        result.regions.push_back(Measure(spec, w, grid, clip_mask, kept));
    return result;
}

} // namespace radnode::processing::regions
