// Body, airways and lungs (thorax_regions.h; algorithms in docs/segmentation.md).

#include "processing/text.h"

#include "processing/regions/thorax_detail.h"

#include "processing/parallel_for.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>

namespace radnode::processing::regions {
namespace detail {
namespace {

double Ml(std::uint64_t voxels, const ImageGeometry& g) { return static_cast<double>(voxels) * g.VoxelVolume() / 1000.0; }

/// The air components that may be lungs: at least min volume, largest first, at most 2.
std::vector<std::uint32_t> LungCandidates(const Components& c, const ImageGeometry& g, double min_ml) {
    std::vector<std::uint32_t> out;
    for (const std::uint32_t id : c.BySize()) {
        if (Ml(c.stats[id].voxels, g) < min_ml || out.size() == 2)
            break;
        out.push_back(id);
    }
    return out;
}

/// The trachea on the most superior slice that has it: a compact air section of 50 to
/// 1000 mm² within 40 mm of the body's centre line. Returns its voxels (working indices).
std::vector<std::size_t> FindTrachea(const Work& air, const ImageGeometry& g, int superior, double centre_x) {
    const std::size_t nz = air.extent[2];
    const std::size_t slice = air.extent[0] * air.extent[1];
    for (std::size_t step = 0; step < nz; ++step) {
        const std::size_t z = superior > 0 ? nz - 1 - step : step;
        const std::uint8_t* s = air.values.data() + z * slice;
        const Components c = LabelComponents(s, {air.extent[0], air.extent[1], 1}, Connectivity::Full);
        for (const std::uint32_t id : c.BySize()) {
            const ComponentStats& st = c.stats[id];
            const double area = static_cast<double>(st.voxels) * g.PixelArea();
            const double x = (static_cast<double>(air.begin[0]) + st.Centroid()[0]) * g.spacing[0];
            if (area < 50.0 || area > 1000.0 || std::abs(x - centre_x) > 40.0)
                continue;
            std::vector<std::uint8_t> one(slice, 0);
            c.Paint([&](std::uint32_t k) { return k == id; }, one.data());
            std::vector<std::size_t> seeds;
            for (std::size_t n = 0; n < slice; ++n)
                if (one[n] != 0)
                    seeds.push_back(z * slice + n);
            return seeds;
        }
    }
    return {};
}

/// Region growing from `seeds` over air voxels below `threshold` (26-connected); stops and
/// returns an empty mask once more than `max_voxels` are reached (a leak into the lungs).
std::vector<std::uint8_t> GrowAirway(const CtVolume& ct, const Work& air, const std::vector<std::size_t>& seeds,
                                     double threshold, std::size_t max_voxels) {
    std::vector<std::uint8_t> grown(air.Size(), 0);
    std::deque<std::size_t> queue;
    const auto hu = [&](std::size_t n) {
        const std::size_t x = n % air.extent[0];
        const std::size_t y = (n / air.extent[0]) % air.extent[1];
        const std::size_t z = n / (air.extent[0] * air.extent[1]);
        return ct.At(air.begin[0] + x, air.begin[1] + y, air.begin[2] + z);
    };
    for (const std::size_t s : seeds)
        if (hu(s) < threshold) {
            grown[s] = 1;
            queue.push_back(s);
        }
    std::size_t count = queue.size();
    const auto& e = air.extent;
    while (!queue.empty()) {
        const std::size_t n = queue.front();
        queue.pop_front();
        const long x = static_cast<long>(n % e[0]);
        const long y = static_cast<long>((n / e[0]) % e[1]);
        const long z = static_cast<long>(n / (e[0] * e[1]));
        for (long dz = -1; dz <= 1; ++dz)
            for (long dy = -1; dy <= 1; ++dy)
                for (long dx = -1; dx <= 1; ++dx) {
                    const long a = x + dx, b = y + dy, c = z + dz;
                    if (a < 0 || b < 0 || c < 0 || a >= static_cast<long>(e[0]) || b >= static_cast<long>(e[1]) ||
                        c >= static_cast<long>(e[2]))
                        continue;
                    const std::size_t m = air.Index(static_cast<std::size_t>(a), static_cast<std::size_t>(b),
                                                    static_cast<std::size_t>(c));
                    if (grown[m] != 0 || air.values[m] == 0 || hu(m) >= threshold)
                        continue;
                    grown[m] = 1;
                    queue.push_back(m);
                    if (++count > max_voxels)
                        return {};
                }
    }
    return grown;
}

/// The lowest slice (towards the feet) on which the airway is still one piece: the carina.
int CarinaSlice(const Work& airway, int superior) {
    const std::size_t nz = airway.extent[2];
    const std::size_t slice = airway.extent[0] * airway.extent[1];
    int carina = -1;
    for (std::size_t step = 0; step < nz; ++step) {
        const std::size_t z = superior > 0 ? nz - 1 - step : step;
        const Components c =
            LabelComponents(airway.values.data() + z * slice, {airway.extent[0], airway.extent[1], 1}, Connectivity::Full);
        if (c.Count() == 0) {
            if (carina >= 0)
                break;
            continue;
        }
        if (c.Count() >= 2)
            break;
        carina = static_cast<int>(airway.begin[2] + z);
    }
    return carina;
}

/// Two lungs joined in one component (`air` holds only it): the component is eroded by
/// growing Euclidean depths until it falls into two parts of comparable size; every voxel then
/// goes to the part it reaches first (breadth-first over the component), and the voxels where
/// the two meet are cleared so the lungs are separate components. False when no depth up to
/// 20 mm splits it.
bool SplitJoinedLungs(Work& air, const std::array<double, 3>& spacing) {
    const std::vector<double> depth2 = SquaredDistanceTo(air, spacing, false);
    std::vector<std::uint8_t> core(air.Size());
    for (double depth = 1.0; depth <= 20.0; depth += 1.0) {
        for (std::size_t n = 0; n < core.size(); ++n)
            core[n] = depth2[n] > depth * depth ? 1 : 0;
        const Components c = LabelComponents(core.data(), air.extent, Connectivity::Face);
        if (c.Count() < 2)
            continue;
        const std::vector<std::uint32_t> order = c.BySize();
        if (c.stats[order[1]].voxels * 5 < c.stats[order[0]].voxels)
            continue; // a small piece broke off, not the other lung
        // Seeds 1 and 2, grown breadth first over the component.
        std::vector<std::uint8_t> side(air.Size(), 0);
        c.Paint([&](std::uint32_t id) { return id == order[0]; }, side.data(), 1);
        c.Paint([&](std::uint32_t id) { return id == order[1]; }, side.data(), 2);
        std::deque<std::size_t> queue;
        for (std::size_t n = 0; n < side.size(); ++n)
            if (side[n] != 0)
                queue.push_back(n);
        const auto& e = air.extent;
        const std::array<long, 3> stride{1, static_cast<long>(e[0]), static_cast<long>(e[0] * e[1])};
        const auto neighbours = [&](std::size_t n, auto&& visit) {
            const std::size_t x = n % e[0], y = (n / e[0]) % e[1], z = n / (e[0] * e[1]);
            if (x > 0) visit(n - 1);
            if (x + 1 < e[0]) visit(n + 1);
            if (y > 0) visit(n - static_cast<std::size_t>(stride[1]));
            if (y + 1 < e[1]) visit(n + static_cast<std::size_t>(stride[1]));
            if (z > 0) visit(n - static_cast<std::size_t>(stride[2]));
            if (z + 1 < e[2]) visit(n + static_cast<std::size_t>(stride[2]));
        };
        while (!queue.empty()) {
            const std::size_t n = queue.front();
            queue.pop_front();
            neighbours(n, [&](std::size_t m) {
                if (air.values[m] != 0 && side[m] == 0) {
                    side[m] = side[n];
                    queue.push_back(m);
                }
            });
        }
        // Clear the seam: voxels of side 1 touching side 2.
        for (std::size_t n = 0; n < side.size(); ++n) {
            if (side[n] != 1)
                continue;
            bool seam = false;
            neighbours(n, [&](std::size_t m) { seam = seam || side[m] == 2; });
            if (seam)
                air.values[n] = 0;
        }
        return true;
    }
    return false;
}

} // namespace

int SuperiorDirection(const ImageGeometry& geometry) { return geometry.direction[8] >= 0.0 ? 1 : -1; }

int LeftDirection(const ImageGeometry& geometry) { return geometry.direction[0] >= 0.0 ? 1 : -1; }

Work WorkFrom(const BoxMask& mask, const std::array<std::size_t, 3>& begin, const Extent& extent) {
    Work w{begin, extent, std::vector<std::uint8_t>(extent[0] * extent[1] * extent[2], 0)};
    for (std::size_t k = 0; k < mask.size[2]; ++k)
        for (std::size_t j = 0; j < mask.size[1]; ++j)
            for (std::size_t i = 0; i < mask.size[0]; ++i) {
                const std::size_t gi = mask.begin[0] + i, gj = mask.begin[1] + j, gk = mask.begin[2] + k;
                if (gi < begin[0] || gj < begin[1] || gk < begin[2] || gi >= begin[0] + extent[0] ||
                    gj >= begin[1] + extent[1] || gk >= begin[2] + extent[2])
                    continue;
                if (mask.values[i + mask.size[0] * (j + mask.size[1] * k)] != 0)
                    w.values[w.Index(gi - begin[0], gj - begin[1], gk - begin[2])] = 1;
            }
    return w;
}

BoxMask ToBoxMask(const Work& work) {
    BoxMask m{work.begin, work.extent, work.values};
    return Tighten(m);
}

BoxMask SegmentBody(const CtVolume& ct, const ThoraxSettings& settings, std::string& reason) {
    const ImageGeometry& g = ct.Geometry();
    const Extent extent = g.size;
    std::vector<std::uint8_t> above(g.VoxelCount());
    const auto threshold = settings.body_threshold_hu;
    ParallelFor(g.size[2], 0, [&](std::size_t k) {
        const auto slice = ct.Slice(k);
        std::uint8_t* out = above.data() + k * g.SliceVoxelCount();
        for (std::size_t n = 0; n < slice.size(); ++n)
            out[n] = slice[n] > threshold ? 1 : 0;
    });
    const Components c = LabelComponents(above.data(), extent, Connectivity::Face);
    if (c.Count() == 0) {
        reason = "no voxel above " + std::to_string(static_cast<int>(threshold)) + " HU";
        return {};
    }
    const std::uint32_t largest = c.BySize().front();
    std::fill(above.begin(), above.end(), 0);
    c.Paint([&](std::uint32_t id) { return id == largest; }, above.data());
    // Per slice: the largest piece (the table and loose arms drop out), holes filled.
    ParallelFor(g.size[2], 0, [&](std::size_t k) {
        std::uint8_t* s = above.data() + k * g.SliceVoxelCount();
        const Components pieces = LabelComponents(s, {g.size[0], g.size[1], 1}, Connectivity::Full);
        if (pieces.Count() > 1) {
            const std::uint32_t keep = pieces.BySize().front();
            std::fill(s, s + g.SliceVoxelCount(), 0);
            pieces.Paint([&](std::uint32_t id) { return id == keep; }, s);
        }
    });
    FillSliceHoles(above.data(), extent);
    Work w{{0, 0, 0}, extent, std::move(above)};
    return ToBoxMask(w);
}

void SegmentLungs(const CtVolume& ct, const BoxMask& body, const BoxMask& tumour, const ThoraxSettings& settings,
                  ThoraxRegions& out) {
    const ImageGeometry& g = ct.Geometry();
    out.lung_right.name = "lung_right";
    out.lung_left.name = "lung_left";
    out.airways.name = "airways";
    // Air inside the (hole-filled) body.
    Work air = WorkFrom(body, body.begin, body.size);
    ParallelFor(air.extent[2], 0, [&](std::size_t z) {
        for (std::size_t y = 0; y < air.extent[1]; ++y)
            for (std::size_t x = 0; x < air.extent[0]; ++x) {
                std::uint8_t& v = air.values[air.Index(x, y, z)];
                v = v != 0 && ct.At(air.begin[0] + x, air.begin[1] + y, air.begin[2] + z) < settings.lung_threshold_hu;
            }
    });
    const Components air_parts = LabelComponents(air.values.data(), air.extent, Connectivity::Face);
    const std::vector<std::uint32_t> candidates = LungCandidates(air_parts, g, settings.min_lung_volume_ml);
    if (candidates.empty()) {
        out.lung_right.reason = out.lung_left.reason = "no air region of at least " +
                                                       ShortNumber(settings.min_lung_volume_ml) +
                                                       " mL inside the body";
        out.airways.reason = "no lungs";
        return;
    }
    // Airways: grown from the trachea, with a stricter threshold if it leaks. Looked for in all of
    // the body's air, before it is narrowed to the lung candidates: a trachea whose bronchi lose
    // contact with the lungs (partial volume, mucus, or the phantom's short bronchi) is an air
    // component of its own, smaller than a lung candidate.
    const int superior = SuperiorDirection(g);
    double body_centre_x = 0.0;
    {
        const BoxMask& b = body;
        body_centre_x = (static_cast<double>(b.begin[0]) + static_cast<double>(b.size[0]) / 2.0) * g.spacing[0];
    }
    const std::vector<std::size_t> seeds = FindTrachea(air, g, superior, body_centre_x);
    Work airway{air.begin, air.extent, {}};
    if (seeds.empty()) {
        out.airways.reason = "no trachea: no compact air section near the centre line on any slice";
    } else {
        const auto max_voxels = static_cast<std::size_t>(settings.airway_max_volume_ml * 1000.0 / g.VoxelVolume());
        for (int attempt = 0; attempt < 4 && airway.values.empty(); ++attempt)
            airway.values = GrowAirway(ct, air, seeds, settings.airway_threshold_hu - 25.0 * attempt, max_voxels);
        if (airway.values.empty())
            out.airways.reason = "the airway tree leaks into the lungs at every threshold tried";
    }
    std::fill(air.values.begin(), air.values.end(), 0);
    air_parts.Paint([&](std::uint32_t id) { return std::find(candidates.begin(), candidates.end(), id) != candidates.end(); },
                    air.values.data());
    if (!airway.values.empty()) {
        out.airways.mask = ToBoxMask(airway);
        out.airways.found = true;
        out.carina_slice = CarinaSlice(airway, superior);
        // Lungs lose the airways and a one-pixel in-plane margin (the lumen's partial-volume rim).
        const auto& e = air.extent;
        for (std::size_t z = 0; z < e[2]; ++z)
            for (std::size_t y = 0; y < e[1]; ++y)
                for (std::size_t x = 0; x < e[0]; ++x) {
                    if (airway.values[air.Index(x, y, z)] == 0)
                        continue;
                    for (std::size_t b = y > 0 ? y - 1 : 0; b <= std::min(y + 1, e[1] - 1); ++b)
                        for (std::size_t a = x > 0 ? x - 1 : 0; a <= std::min(x + 1, e[0] - 1); ++a)
                            air.values[air.Index(a, b, z)] = 0;
                }
    }

    // The lungs: the one or two largest air components left.
    Components lungs = LabelComponents(air.values.data(), air.extent, Connectivity::Face);
    std::vector<std::uint32_t> parts = LungCandidates(lungs, g, settings.min_lung_volume_ml);
    if (parts.size() == 1) {
        const ComponentStats& st = lungs.stats[parts.front()];
        const double mid = static_cast<double>(air.extent[0]) / 2.0;
        const double reach = 40.0 / g.spacing[0];
        // Both sides of the midline well covered: two lungs joined along a junction line.
        if (static_cast<double>(st.lo[0]) < mid - reach && static_cast<double>(st.hi[0]) > mid + reach &&
            SplitJoinedLungs(air, g.spacing)) {
            out.notes.push_back("the lungs touch: split where they meet (erosion until two parts, then nearest part)");
            lungs = LabelComponents(air.values.data(), air.extent, Connectivity::Face);
            parts = LungCandidates(lungs, g, settings.min_lung_volume_ml);
        } else {
            out.notes.push_back("one air component: one lung is missing or the lungs could not be split");
        }
    }
    // Patient left is +x in LPS.
    const int left = LeftDirection(g);
    std::sort(parts.begin(), parts.end(), [&](std::uint32_t a, std::uint32_t b) {
        return left * lungs.stats[a].Centroid()[0] < left * lungs.stats[b].Centroid()[0];
    });
    const double mid_x = static_cast<double>(body.size[0]) / 2.0;
    for (const std::uint32_t id : parts) {
        const bool is_left = left * (lungs.stats[id].Centroid()[0] - mid_x) > 0;
        DerivedRegion& lung = is_left ? out.lung_left : out.lung_right;
        if (lung.found) {
            out.notes.push_back("two air components on the same side: the smaller one is ignored");
            continue;
        }
        // The lung on its own box, widened by the closing radius (clipped to the body box).
        const ComponentStats& st = lungs.stats[id];
        std::array<std::size_t, 3> begin{};
        Extent size{};
        for (std::size_t a = 0; a < 3; ++a) {
            const auto margin = static_cast<std::size_t>(std::ceil(settings.lung_closing_mm / g.spacing[a])) + 1;
            const std::size_t b0 = st.lo[a] > margin ? st.lo[a] - margin : 0;
            const std::size_t b1 = std::min(st.hi[a] + margin + 1, air.extent[a]);
            begin[a] = air.begin[a] + b0;
            size[a] = b1 - b0;
        }
        Work whole{air.begin, air.extent, std::vector<std::uint8_t>(air.Size(), 0)};
        lungs.Paint([&](std::uint32_t k) { return k == id; }, whole.values.data());
        Work one = WorkFrom(ToBoxMask(whole), begin, size);
        FillSliceHoles(one.values.data(), one.extent);
        if (settings.lung_closing_mm > 0.0) {
            const std::vector<std::uint8_t> before = one.values;
            Morph(one, g.spacing, settings.lung_closing_mm);
            Morph(one, g.spacing, -settings.lung_closing_mm);
            // The closing takes in soft tissue at the pleura, not calcium: coronary calcium
            // on the heart's surface next to the lung stays in the mediastinum.
            for (std::size_t z = 0; z < one.extent[2]; ++z)
                for (std::size_t y = 0; y < one.extent[1]; ++y)
                    for (std::size_t x = 0; x < one.extent[0]; ++x) {
                        const std::size_t n = one.Index(x, y, z);
                        if (one.values[n] != 0 && before[n] == 0 &&
                            ct.At(one.begin[0] + x, one.begin[1] + y, one.begin[2] + z) >= settings.calcium_threshold_hu)
                            one.values[n] = 0;
                    }
        }
        lung.mask = ToBoxMask(one);
        lung.found = true;
    }
    for (DerivedRegion* lung : {&out.lung_right, &out.lung_left})
        if (!lung->found && lung->reason.empty())
            lung->reason = "no air component of at least " + ShortNumber(settings.min_lung_volume_ml) +
                           " mL on this side";

    // The tumour joins the lung it touches most.
    if (!tumour.Empty()) {
        std::size_t touch_right = 0, touch_left = 0;
        for (std::size_t k = 0; k < tumour.size[2]; ++k)
            for (std::size_t j = 0; j < tumour.size[1]; ++j)
                for (std::size_t i = 0; i < tumour.size[0]; ++i) {
                    if (tumour.values[i + tumour.size[0] * (j + tumour.size[1] * k)] == 0)
                        continue;
                    const std::size_t gi = tumour.begin[0] + i, gj = tumour.begin[1] + j, gk = tumour.begin[2] + k;
                    for (const auto& [di, dj, dk] : {std::array<long, 3>{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0},
                                                     {0, 0, 1}, {0, 0, -1}}) {
                        const long a = static_cast<long>(gi) + di, b = static_cast<long>(gj) + dj,
                                   c = static_cast<long>(gk) + dk;
                        if (a < 0 || b < 0 || c < 0)
                            continue;
                        const auto ua = static_cast<std::size_t>(a), ub = static_cast<std::size_t>(b),
                                   uc = static_cast<std::size_t>(c);
                        touch_right += out.lung_right.mask.At(ua, ub, uc) ? 1 : 0;
                        touch_left += out.lung_left.mask.At(ua, ub, uc) ? 1 : 0;
                    }
                }
        DerivedRegion* host = touch_right >= touch_left ? &out.lung_right : &out.lung_left;
        if (host->found && touch_right + touch_left > 0) {
            std::array<std::size_t, 3> lo{}, hi{};
            for (std::size_t a = 0; a < 3; ++a) {
                lo[a] = std::min(host->mask.begin[a], tumour.begin[a]);
                hi[a] = std::max(host->mask.begin[a] + host->mask.size[a], tumour.begin[a] + tumour.size[a]);
            }
            Work merged = WorkFrom(host->mask, lo, {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
            const Work t = WorkFrom(tumour, lo, merged.extent);
            for (std::size_t n = 0; n < merged.Size(); ++n)
                merged.values[n] = merged.values[n] != 0 || t.values[n] != 0;
            host->mask = ToBoxMask(merged);
        } else {
            out.notes.push_back("the tumour touches no lung: not added to a lung");
        }
    }
}

} // namespace detail

void Measure(DerivedRegion& region, const ImageGeometry& geometry) {
    region.voxel_count = region.mask.Count();
    region.volume_ml = static_cast<double>(region.voxel_count) * geometry.VoxelVolume() / 1000.0;
}

} // namespace radnode::processing::regions
