// Heart / pericardial region, descending aorta and coronary candidates (thorax_regions.h;
// algorithms in docs/segmentation.md).

#include "processing/regions/thorax_detail.h"

#include "processing/parallel_for.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

namespace radnode::processing::regions::detail {
namespace {

struct Point2 {
    double x = 0.0;
    double y = 0.0;
};

double Cross(const Point2& o, const Point2& a, const Point2& b) {
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/// Convex hull (counter-clockwise, Andrew's monotone chain).
std::vector<Point2> Hull(std::vector<Point2> points) {
    std::sort(points.begin(), points.end(), [](const Point2& a, const Point2& b) {
        return a.x < b.x || (a.x == b.x && a.y < b.y);
    });
    if (points.size() < 3)
        return points;
    std::vector<Point2> hull(2 * points.size());
    std::size_t k = 0;
    for (const Point2& p : points) {
        while (k >= 2 && Cross(hull[k - 2], hull[k - 1], p) <= 0)
            --k;
        hull[k++] = p;
    }
    for (std::size_t i = points.size() - 1, t = k + 1; i-- > 0;) {
        while (k >= t && Cross(hull[k - 2], hull[k - 1], points[i]) <= 0)
            --k;
        hull[k++] = points[i];
    }
    hull.resize(k - 1);
    return hull;
}

/// For each row y (0 .. rows-1), the x interval a convex polygon covers; empty (first > second)
/// for rows it does not reach.
std::vector<std::pair<double, double>> RowIntervals(const std::vector<Point2>& hull, std::size_t rows) {
    std::vector<std::pair<double, double>> out(rows, {1.0, 0.0});
    if (hull.size() < 3)
        return out;
    for (std::size_t y = 0; y < rows; ++y) {
        const double yy = static_cast<double>(y);
        double lo = 1e30, hi = -1e30;
        for (std::size_t i = 0; i < hull.size(); ++i) {
            const Point2& a = hull[i];
            const Point2& b = hull[(i + 1) % hull.size()];
            if ((yy < std::min(a.y, b.y)) || (yy > std::max(a.y, b.y)))
                continue;
            if (a.y == b.y) {
                lo = std::min({lo, a.x, b.x});
                hi = std::max({hi, a.x, b.x});
                continue;
            }
            const double x = a.x + (yy - a.y) * (b.x - a.x) / (b.y - a.y);
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
        if (lo <= hi)
            out[y] = {lo, hi};
    }
    return out;
}

std::vector<std::size_t> SlicesWith(const BoxMask& m) {
    std::vector<std::size_t> out;
    const std::size_t slice = m.size[0] * m.size[1];
    for (std::size_t k = 0; k < m.size[2]; ++k)
        if (std::any_of(m.values.begin() + static_cast<long>(k * slice), m.values.begin() + static_cast<long>((k + 1) * slice),
                        [](std::uint8_t v) { return v != 0; }))
            out.push_back(m.begin[2] + k);
    return out;
}

/// A section of the descending aorta on one slice: centre (working x, y) and radius in mm.
struct Circle {
    double x = 0.0;
    double y = 0.0;
    double radius_mm = 0.0;
};

} // namespace

void SegmentHeart(const CtVolume& ct, const ThoraxSettings& settings, ThoraxRegions& out) {
    const ImageGeometry& g = ct.Geometry();
    out.heart.name = "heart";
    out.aorta.name = "aorta";
    out.coronary_candidates.name = "coronary_candidates";
    const auto not_found = [&](const std::string& reason) {
        out.heart.reason = reason;
        out.aorta.reason = "no heart region";
        out.coronary_candidates.reason = "no heart region: " + reason;
    };
    if (!out.lung_right.found || !out.lung_left.found) {
        not_found("both lungs are needed to bound the mediastinum");
        return;
    }
    const int superior = SuperiorDirection(g);
    const std::vector<std::size_t> right = SlicesWith(out.lung_right.mask);
    const std::vector<std::size_t> left = SlicesWith(out.lung_left.mask);
    std::vector<std::size_t> both;
    std::set_intersection(right.begin(), right.end(), left.begin(), left.end(), std::back_inserter(both));
    if (both.empty()) {
        not_found("the two lungs share no slice");
        return;
    }
    // Order slices from feet to head.
    const auto order = [&](std::size_t k) { return superior > 0 ? static_cast<long>(k) : -static_cast<long>(k); };
    const auto lowest = *std::min_element(both.begin(), both.end(), [&](auto a, auto b) { return order(a) < order(b); });
    const auto highest = *std::max_element(both.begin(), both.end(), [&](auto a, auto b) { return order(a) < order(b); });
    const std::size_t first_slice = superior > 0 ? 0 : g.size[2] - 1;
    if (lowest == first_slice) {
        not_found("the lung bases (diaphragm) are not in the scan: the lungs reach its lowest slice");
        return;
    }
    std::size_t top = highest;
    if (out.carina_slice >= 0 && order(static_cast<std::size_t>(out.carina_slice)) < order(highest))
        top = static_cast<std::size_t>(out.carina_slice);
    else
        out.notes.push_back("carina not found: the heart region reaches the highest slice with both lungs");
    if (order(top) <= order(lowest)) {
        not_found("the carina lies below the lung bases");
        return;
    }
    const std::size_t k0 = std::min(top, lowest);
    const std::size_t k1 = std::max(top, lowest);

    // The in-plane box of the body over those slices.
    std::array<std::size_t, 3> lo{}, hi{};
    for (std::size_t a = 0; a < 2; ++a) {
        lo[a] = out.body.mask.begin[a];
        hi[a] = out.body.mask.begin[a] + out.body.mask.size[a];
    }
    lo[2] = k0;
    hi[2] = k1 + 1;
    const Extent extent{hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]};
    Work heart{lo, extent, std::vector<std::uint8_t>(extent[0] * extent[1] * extent[2], 0)};
    Work aorta{lo, extent, std::vector<std::uint8_t>(heart.Size(), 0)};
    const int left_sign = LeftDirection(g);
    const int posterior_sign = g.direction[4] >= 0.0 ? 1 : -1; // LPS +y is posterior
    const double pixel = std::sqrt(g.PixelArea());
    std::vector<std::optional<Circle>> aorta_found(extent[2]);
    const double wall2 = settings.chest_wall_mm * settings.chest_wall_mm;

    ParallelFor(extent[2], 0, [&](std::size_t z) {
        const std::size_t k = lo[2] + z;
        const std::size_t plane = extent[0] * extent[1];
        std::vector<Point2> lung_points;
        std::vector<std::uint8_t> lung(plane, 0);
        // The most anterior point of each lung (x, y), for the region in front of the hull.
        std::array<std::optional<Point2>, 2> tip;
        Work body{{0, 0, 0}, {extent[0], extent[1], 1}, std::vector<std::uint8_t>(plane, 0)};
        for (std::size_t y = 0; y < extent[1]; ++y)
            for (std::size_t x = 0; x < extent[0]; ++x) {
                const std::size_t i = lo[0] + x, j = lo[1] + y;
                body.values[x + extent[0] * y] = out.body.mask.At(i, j, k) ? 1 : 0;
                const bool r = out.lung_right.mask.At(i, j, k);
                const bool l = out.lung_left.mask.At(i, j, k);
                if (!r && !l)
                    continue;
                lung[x + extent[0] * y] = 1;
                const Point2 p{static_cast<double>(x), static_cast<double>(y)};
                auto& t = tip[l ? 1 : 0];
                if (!t || posterior_sign * (p.y - t->y) < 0)
                    t = p;
            }
        if (!tip[0] || !tip[1])
            return; // one lung absent on this slice
        // The hull only needs each row's outermost lung pixels.
        for (std::size_t y = 0; y < extent[1]; ++y) {
            const std::uint8_t* row = lung.data() + extent[0] * y;
            const auto first = std::find(row, row + extent[0], std::uint8_t{1});
            if (first == row + extent[0])
                continue;
            const auto last = std::find(std::make_reverse_iterator(row + extent[0]), std::make_reverse_iterator(row),
                                        std::uint8_t{1});
            lung_points.push_back({static_cast<double>(first - row), static_cast<double>(y)});
            lung_points.push_back({static_cast<double>(&*last - row), static_cast<double>(y)});
        }
        const std::vector<Point2> hull = Hull(lung_points);
        const std::vector<std::pair<double, double>> hull_rows = RowIntervals(hull, extent[1]);
        // Inside the body by more than the chest wall, not lung; inside the lungs' hull, or in
        // front of both lungs' tips between them (the heart can reach the chest wall there).
        const std::vector<double> depth2 =
            SquaredDistanceTo(body, {g.spacing[0], g.spacing[1], 1.0}, false, settings.chest_wall_mm);
        const double tip_y = posterior_sign > 0 ? std::max(tip[0]->y, tip[1]->y) : std::min(tip[0]->y, tip[1]->y);
        const double tip_x0 = std::min(tip[0]->x, tip[1]->x);
        const double tip_x1 = std::max(tip[0]->x, tip[1]->x);
        std::vector<std::uint8_t> region(plane, 0);
        for (std::size_t y = 0; y < extent[1]; ++y)
            for (std::size_t x = 0; x < extent[0]; ++x) {
                const std::size_t n = x + extent[0] * y;
                if (lung[n] != 0 || body.values[n] == 0 || depth2[n] <= wall2)
                    continue;
                const Point2 p{static_cast<double>(x), static_cast<double>(y)};
                const bool in_front = posterior_sign * (p.y - tip_y) < 0 && p.x > tip_x0 && p.x < tip_x1;
                if (in_front || (p.x >= hull_rows[y].first && p.x <= hull_rows[y].second))
                    region[n] = 1;
            }
        // The spine: bone in the region near the middle between the lungs, posterior half.
        double spine_front = posterior_sign > 0 ? 1e30 : -1e30;
        double spine_x = 0.0;
        std::size_t spine_n = 0;
        double cx = 0.0, cy = 0.0;
        std::size_t cn = 0;
        for (std::size_t y = 0; y < extent[1]; ++y)
            for (std::size_t x = 0; x < extent[0]; ++x)
                if (region[x + extent[0] * y] != 0) {
                    cx += static_cast<double>(x);
                    cy += static_cast<double>(y);
                    ++cn;
                }
        if (cn == 0)
            return;
        cx /= static_cast<double>(cn);
        cy /= static_cast<double>(cn);
        for (std::size_t y = 0; y < extent[1]; ++y)
            for (std::size_t x = 0; x < extent[0]; ++x) {
                if (region[x + extent[0] * y] == 0 || posterior_sign * (static_cast<double>(y) - cy) < 0)
                    continue;
                if (std::abs(static_cast<double>(x) - cx) * pixel > 25.0)
                    continue;
                if (ct.At(lo[0] + x, lo[1] + y, k) >= settings.bone_threshold_hu) {
                    const double yy = static_cast<double>(y);
                    spine_front = posterior_sign > 0 ? std::min(spine_front, yy) : std::max(spine_front, yy);
                    spine_x += static_cast<double>(x);
                    ++spine_n;
                }
            }
        const bool spine = spine_n > 0;
        if (spine)
            spine_x /= static_cast<double>(spine_n);

        // Descending aorta: round soft tissue beside the spine, on the patient's left.
        if (spine) {
            Work soft{{0, 0, 0}, {extent[0], extent[1], 1}, std::vector<std::uint8_t>(extent[0] * extent[1], 0)};
            for (std::size_t y = 0; y < extent[1]; ++y)
                for (std::size_t x = 0; x < extent[0]; ++x) {
                    const std::int16_t hu = ct.At(lo[0] + x, lo[1] + y, k);
                    soft.values[x + extent[0] * y] = region[x + extent[0] * y] != 0 && hu > -30 && hu < 400 ? 1 : 0;
                }
            // Distance of every soft-tissue pixel to the nearest other pixel: the centre of a
            // round section is a local maximum, its value the radius.
            const std::vector<double> d2 = SquaredDistanceTo(soft, {g.spacing[0], g.spacing[1], 1.0}, false);
            const double min_r2 = settings.aorta_min_radius_mm * settings.aorta_min_radius_mm;
            std::optional<std::size_t> start;
            double best_score = 1e30;
            for (std::size_t y = 0; y < extent[1]; ++y)
                for (std::size_t x = 0; x < extent[0]; ++x) {
                    const std::size_t n = x + extent[0] * y;
                    if (soft.values[n] == 0 || d2[n] < min_r2)
                        continue;
                    const double dx = (static_cast<double>(x) - spine_x) * left_sign;
                    const double dy = (static_cast<double>(y) - spine_front) * posterior_sign;
                    // On the patient's left of the spine's centre, within 70 mm sideways, from
                    // 60 mm in front of the spine's front edge to 40 mm behind it.
                    if (dx <= 0 || dx * pixel > 70.0 || dy * pixel < -60.0 || dy * pixel > 40.0)
                        continue;
                    const double score = dx * dx + dy * dy; // the section closest to the spine
                    if (score < best_score) {
                        best_score = score;
                        start = n;
                    }
                }
            std::optional<Circle> best;
            if (start) {
                // Climb to the local maximum of the distance: the section's centre.
                std::size_t at = *start;
                for (bool moved = true; moved;) {
                    moved = false;
                    const long x = static_cast<long>(at % extent[0]), y = static_cast<long>(at / extent[0]);
                    for (long dy = -1; dy <= 1; ++dy)
                        for (long dx = -1; dx <= 1; ++dx) {
                            const long a = x + dx, b = y + dy;
                            if (a < 0 || b < 0 || a >= static_cast<long>(extent[0]) || b >= static_cast<long>(extent[1]))
                                continue;
                            const std::size_t m = static_cast<std::size_t>(a) + extent[0] * static_cast<std::size_t>(b);
                            if (d2[m] > d2[at]) {
                                at = m;
                                moved = true;
                            }
                        }
                }
                const double radius = std::sqrt(d2[at]);
                if (radius <= settings.aorta_max_radius_mm)
                    best = Circle{static_cast<double>(at % extent[0]), static_cast<double>(at / extent[0]), radius};
            }
            if (best) {
                aorta_found[z] = best;
                const double reach = best->radius_mm + pixel;
                for (std::size_t y = 0; y < extent[1]; ++y)
                    for (std::size_t x = 0; x < extent[0]; ++x) {
                        const double dx = (static_cast<double>(x) - best->x) * g.spacing[0];
                        const double dy = (static_cast<double>(y) - best->y) * g.spacing[1];
                        if (dx * dx + dy * dy <= reach * reach)
                            aorta.values[aorta.Index(x, y, z)] = 1;
                    }
            }
        }
        // Heart region: the region in front of the spine's front edge.
        for (std::size_t y = 0; y < extent[1]; ++y)
            for (std::size_t x = 0; x < extent[0]; ++x) {
                if (region[x + extent[0] * y] == 0)
                    continue;
                if (spine && posterior_sign * (static_cast<double>(y) - spine_front) >= 0)
                    continue;
                heart.values[heart.Index(x, y, z)] = 1;
            }
    });

    out.heart.mask = ToBoxMask(heart);
    Measure(out.heart, g);
    if (out.heart.volume_ml < 100.0) {
        const std::string reason = "the region between the lungs is under 100 mL";
        out.heart = DerivedRegion{"heart", false, reason, {}, 0, 0.0};
        not_found(reason);
        return;
    }
    out.heart.found = true;
    const std::size_t aorta_slices =
        static_cast<std::size_t>(std::count_if(aorta_found.begin(), aorta_found.end(), [](const auto& c) { return c.has_value(); }));
    if (aorta_slices > 0) {
        out.aorta.mask = ToBoxMask(aorta);
        out.aorta.found = true;
    } else {
        out.aorta.reason = "no round section beside the spine on any slice";
    }

    // Coronary candidates: the heart region minus margins around bone, the aorta and metal.
    Work candidates = heart;
    Work bone{lo, extent, std::vector<std::uint8_t>(heart.Size(), 0)};
    Work metal{lo, extent, std::vector<std::uint8_t>(heart.Size(), 0)};
    bool any_metal = false;
    for (std::size_t z = 0; z < extent[2]; ++z)
        for (std::size_t y = 0; y < extent[1]; ++y)
            for (std::size_t x = 0; x < extent[0]; ++x) {
                const std::int16_t hu = ct.At(lo[0] + x, lo[1] + y, lo[2] + z);
                bone.values[bone.Index(x, y, z)] = hu >= settings.bone_threshold_hu ? 1 : 0;
                if (hu >= settings.metal_threshold_hu) {
                    metal.values[metal.Index(x, y, z)] = 1;
                    any_metal = true;
                }
            }
    const Components bone_parts = LabelComponents(bone.values.data(), bone.extent, Connectivity::Full);
    std::fill(bone.values.begin(), bone.values.end(), 0);
    const auto min_voxels = static_cast<std::uint64_t>(settings.bone_min_volume_ml * 1000.0 / g.VoxelVolume());
    bone_parts.Paint([&](std::uint32_t id) { return bone_parts.stats[id].voxels >= min_voxels; }, bone.values.data());
    // The margins only matter on the heart region: the dilations run on its bounding box
    // widened by the largest margin (bone components were measured on the whole box above).
    std::array<std::size_t, 3> hlo = extent, hhi{0, 0, 0};
    for (std::size_t z = 0; z < extent[2]; ++z)
        for (std::size_t y = 0; y < extent[1]; ++y)
            for (std::size_t x = 0; x < extent[0]; ++x)
                if (heart.values[heart.Index(x, y, z)] != 0) {
                    const std::array<std::size_t, 3> at{x, y, z};
                    for (std::size_t a = 0; a < 3; ++a) {
                        hlo[a] = std::min(hlo[a], at[a]);
                        hhi[a] = std::max(hhi[a], at[a]);
                    }
                }
    const double widest = std::max({settings.bone_margin_mm, settings.aorta_margin_mm, settings.metal_margin_mm});
    std::array<std::size_t, 3> clo{}, csize{};
    for (std::size_t a = 0; a < 3; ++a) {
        const auto pad = static_cast<std::size_t>(std::ceil(widest / g.spacing[a])) + 1;
        clo[a] = hlo[a] > pad ? hlo[a] - pad : 0;
        csize[a] = std::min(extent[a], hhi[a] + pad + 1) - clo[a];
    }
    auto crop = [&](const Work& w) {
        Work c{{w.begin[0] + clo[0], w.begin[1] + clo[1], w.begin[2] + clo[2]}, csize,
               std::vector<std::uint8_t>(csize[0] * csize[1] * csize[2], 0)};
        for (std::size_t z = 0; z < csize[2]; ++z)
            for (std::size_t y = 0; y < csize[1]; ++y)
                std::copy_n(w.values.begin() + static_cast<std::ptrdiff_t>(w.Index(clo[0], clo[1] + y, clo[2] + z)),
                            csize[0], c.values.begin() + static_cast<std::ptrdiff_t>(c.Index(0, y, z)));
        return c;
    };
    Work bone_margin = crop(bone);
    Morph(bone_margin, g.spacing, settings.bone_margin_mm);
    Work aorta_margin = crop(aorta);
    Morph(aorta_margin, g.spacing, settings.aorta_margin_mm);
    Work metal_margin = crop(metal);
    if (any_metal)
        Morph(metal_margin, g.spacing, settings.metal_margin_mm);
    for (std::size_t z = 0; z < csize[2]; ++z)
        for (std::size_t y = 0; y < csize[1]; ++y)
            for (std::size_t x = 0; x < csize[0]; ++x) {
                const std::size_t c = bone_margin.Index(x, y, z);
                if (bone_margin.values[c] != 0 || aorta_margin.values[c] != 0 || (any_metal && metal_margin.values[c] != 0))
                    candidates.values[candidates.Index(clo[0] + x, clo[1] + y, clo[2] + z)] = 0;
            }
    out.coronary_candidates.mask = ToBoxMask(candidates);
    out.coronary_candidates.found = !out.coronary_candidates.mask.Empty();
    if (!out.coronary_candidates.found)
        out.coronary_candidates.reason = "nothing of the heart region is left after the bone, aorta and metal margins";
}

} // namespace radnode::processing::regions::detail
