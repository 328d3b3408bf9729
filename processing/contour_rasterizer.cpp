#include "processing/contour_rasterizer.h"

#include "processing/text.h"
// GCC 12 reports a false -Wmaybe-uninitialized inside std::regex's std::function at -O2
// (GCC bug 105562); silence it for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "processing/parallel_for.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <regex>
#include <span>
#include <string_view>

namespace radnode::processing {
namespace {

/// A contour vertex in continuous index space of its slice: x = i (column), y = j (row).
struct Point2 {
    double x = 0.0;
    double y = 0.0;
};
using Polygon = std::vector<Point2>;

std::string Fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

const char* TypeName(Contour::Type type) {
    switch (type) {
    case Contour::Type::ClosedPlanar:
        return "CLOSED_PLANAR";
    case Contour::Type::OpenPlanar:
        return "OPEN_PLANAR";
    case Contour::Type::Point:
        return "POINT";
    case Contour::Type::Other:
        break;
    }
    return "non-planar/unknown";
}

std::string ContourLabel(const Roi& roi, std::size_t index) {
    return "ROI " + std::to_string(roi.number) + " '" + roi.name + "' contour " + std::to_string(index + 1);
}

/// Records, for every row j of the slice, the x position where each polygon edge crosses
/// the row's centre line y = j. An edge counts for rows in [min y, max y) (half-open), so
/// a vertex lying exactly on a row is counted once and every row sees an even number of
/// crossings per polygon.
void AddCrossings(const Polygon& polygon, std::vector<std::vector<double>>& rows) {
    const double row_count = static_cast<double>(rows.size());
    const std::size_t n = polygon.size();
    for (std::size_t e = 0; e < n; ++e) {
        const Point2& p = polygon[e];
        const Point2& q = polygon[(e + 1) % n];
        if (p.y == q.y)
            continue;
        const double lo = std::max(0.0, std::ceil(std::min(p.y, q.y)));
        const double hi = std::min(row_count, std::ceil(std::max(p.y, q.y)));
        if (lo >= hi)
            continue;
        const double slope = (q.x - p.x) / (q.y - p.y);
        for (auto j = static_cast<std::size_t>(lo); j < static_cast<std::size_t>(hi); ++j)
            rows[j].push_back(p.x + (static_cast<double>(j) - p.y) * slope);
    }
}

/// Even-odd fill of the recorded crossings: voxel centre (i, j) is inside when an odd
/// number of crossings lie at x <= i, i.e. i in [x(2m), x(2m+1)). Clears the rows.
/// Returns the number of voxels newly set.
std::size_t FillRows(std::vector<std::vector<double>>& rows, std::span<std::uint8_t> slice, std::size_t columns) {
    std::size_t filled = 0;
    const double column_count = static_cast<double>(columns);
    for (std::size_t j = 0; j < rows.size(); ++j) {
        std::vector<double>& xs = rows[j];
        if (xs.empty())
            continue;
        std::sort(xs.begin(), xs.end());
        std::uint8_t* row = slice.data() + j * columns;
        for (std::size_t m = 0; m + 1 < xs.size(); m += 2) {
            const double begin = std::max(0.0, std::ceil(xs[m]));
            const double end = std::min(column_count, std::ceil(xs[m + 1]));
            for (auto i = static_cast<std::size_t>(begin); static_cast<double>(i) < end; ++i) {
                filled += row[i] == 0 ? 1U : 0U;
                row[i] = 1;
            }
        }
        xs.clear();
    }
    return filled;
}

/// Outcome of placing one closed planar contour on the grid.
enum class Placement { Used, Degenerate, Outside };

/// Maps a contour to continuous index space, checks planarity and extent, and appends it
/// to its slice when it is usable.
Placement PlaceContour(const Roi& roi, std::size_t index, const ImageGeometry& grid, const RasterOptions& options,
                       std::vector<std::vector<Polygon>>& by_slice, std::vector<std::string>& warnings) {
    const Contour& contour = roi.contours[index];
    const std::string label = ContourLabel(roi, index);
    if (contour.points.size() < 3) {
        warnings.push_back(label + ": fewer than 3 points, skipped");
        return Placement::Degenerate;
    }
    Polygon polygon;
    polygon.reserve(contour.points.size());
    std::vector<double> ks;
    ks.reserve(contour.points.size());
    double k_sum = 0.0;
    double min_i = HUGE_VAL, max_i = -HUGE_VAL, min_j = HUGE_VAL, max_j = -HUGE_VAL;
    for (const Point3& p : contour.points) {
        if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) {
            warnings.push_back(label + ": non-finite coordinate, skipped");
            return Placement::Degenerate;
        }
        const Point3 c = grid.PhysicalToContinuousIndex(p);
        polygon.push_back({c[0], c[1]});
        ks.push_back(c[2]);
        k_sum += c[2];
        min_i = std::min(min_i, c[0]);
        max_i = std::max(max_i, c[0]);
        min_j = std::min(min_j, c[1]);
        max_j = std::max(max_j, c[1]);
    }
    const double k_mean = k_sum / static_cast<double>(ks.size());
    double deviation = 0.0;
    for (const double k : ks)
        deviation = std::max(deviation, std::abs(k - k_mean));
    const double deviation_mm = deviation * grid.spacing[2];
    if (deviation_mm > options.off_plane_tolerance_mm)
        warnings.push_back(label + ": points deviate up to " + Fixed(deviation_mm, 2) +
                           " mm from the contour's slice plane (tolerance " +
                           Fixed(options.off_plane_tolerance_mm, 2) + " mm); rasterised on the nearest slice");

    const double slice = std::floor(k_mean + 0.5);
    const double last_i = static_cast<double>(grid.size[0]) - 1.0;
    const double last_j = static_cast<double>(grid.size[1]) - 1.0;
    if (slice < 0.0 || slice >= static_cast<double>(grid.size[2])) {
        warnings.push_back(label + ": lies beyond the volume's slab (slice position k = " + Fixed(k_mean, 2) +
                           ", volume has " + std::to_string(grid.size[2]) + " slices), skipped");
        return Placement::Outside;
    }
    if (max_i < 0.0 || min_i > last_i || max_j < 0.0 || min_j > last_j) {
        warnings.push_back(label + ": lies entirely outside the volume in-plane, skipped");
        return Placement::Outside;
    }
    if (min_i < -0.5 || max_i > last_i + 0.5 || min_j < -0.5 || max_j > last_j + 0.5)
        warnings.push_back(label + ": extends beyond the volume's field of view; clipped");
    by_slice[static_cast<std::size_t>(slice)].push_back(std::move(polygon));
    return Placement::Used;
}

bool HasListedType(const Roi& roi, const RoiSelection& selection) {
    const std::string type = ToLower(roi.interpreted_type);
    return !type.empty() && std::any_of(selection.interpreted_types.begin(), selection.interpreted_types.end(),
                                        [&](const std::string& wanted) { return ToLower(wanted) == type; });
}

} // namespace

const char* RasterStatusName(RasterStatus status) {
    switch (status) {
    case RasterStatus::Ok:
        return "ok";
    case RasterStatus::EmptyRoi:
        return "empty_roi";
    case RasterStatus::ContoursOutsideVolume:
        return "contours_outside_volume";
    }
    return "unknown";
}

RasterResult RasterizeRoi(const Roi& roi, const ImageGeometry& grid, const RasterOptions& options) {
    RasterResult result;
    result.mask = LabelMap(grid, 0);
    std::vector<std::vector<Polygon>> by_slice(grid.size[2]);
    std::size_t closed = 0;
    std::size_t outside = 0;
    for (std::size_t index = 0; index < roi.contours.size(); ++index) {
        const Contour& contour = roi.contours[index];
        if (contour.type != Contour::Type::ClosedPlanar) {
            ++result.contours_skipped;
            result.warnings.push_back(ContourLabel(roi, index) + ": " + TypeName(contour.type) +
                                      " contour skipped (only CLOSED_PLANAR contours enclose a region)");
            continue;
        }
        ++closed;
        switch (PlaceContour(roi, index, grid, options, by_slice, result.warnings)) {
        case Placement::Used:
            ++result.contours_used;
            break;
        case Placement::Outside:
            ++outside;
            ++result.contours_skipped;
            break;
        case Placement::Degenerate:
            ++result.contours_skipped;
            break;
        }
    }
    const std::string roi_label = "ROI " + std::to_string(roi.number) + " '" + roi.name + "'";
    if (closed == 0) {
        result.status = RasterStatus::EmptyRoi;
        result.reason = roi_label + " has no CLOSED_PLANAR contours (" + std::to_string(roi.contours.size()) +
                        " contours in total)";
        return result;
    }
    if (result.contours_used == 0 && outside > 0) {
        result.status = RasterStatus::ContoursOutsideVolume;
        result.reason = "all " + std::to_string(outside) + " usable contours of " + roi_label +
                        " lie outside the volume; wrong image series or frame of reference?";
        return result;
    }

    std::vector<std::size_t> slices;
    for (std::size_t k = 0; k < by_slice.size(); ++k)
        if (!by_slice[k].empty())
            slices.push_back(k);
    std::vector<std::size_t> filled(slices.size(), 0);
    ParallelFor(slices.size(), options.threads, [&](std::size_t item) {
        const std::size_t k = slices[item];
        std::vector<std::vector<double>> rows(grid.size[1]);
        const std::span<std::uint8_t> slice = result.mask.Slice(k);
        for (const Polygon& polygon : by_slice[k]) {
            AddCrossings(polygon, rows);
            if (options.mode == RasterOptions::Mode::Union)
                filled[item] += FillRows(rows, slice, grid.size[0]);
        }
        if (options.mode == RasterOptions::Mode::EvenOdd)
            filled[item] += FillRows(rows, slice, grid.size[0]);
    });
    for (const std::size_t count : filled)
        result.voxel_count += count;
    if (result.voxel_count == 0) {
        result.status = RasterStatus::EmptyRoi;
        result.reason = roi_label + ": no voxel centre lies inside its " + std::to_string(result.contours_used) +
                        " contours (contours smaller than a voxel?)";
    }
    return result;
}

std::vector<const Roi*> SelectTumourRois(const StructureSet& set, const RoiSelection& selection) {
    std::vector<const Roi*> selected;
    const auto by_type = [&] {
        for (const Roi& roi : set.rois)
            if (HasListedType(roi, selection))
                selected.push_back(&roi);
    };
    const auto by_name = [&] {
        const std::regex pattern(selection.name_pattern, std::regex::ECMAScript | std::regex::icase);
        for (const Roi& roi : set.rois)
            if (std::regex_search(roi.name, pattern))
                selected.push_back(&roi);
    };
    switch (selection.rule) {
    case RoiSelection::Rule::TypeThenName:
        by_type();
        if (selected.empty())
            by_name();
        break;
    case RoiSelection::Rule::InterpretedType:
        by_type();
        break;
    case RoiSelection::Rule::NameRegex:
        by_name();
        break;
    case RoiSelection::Rule::All:
        for (const Roi& roi : set.rois)
            selected.push_back(&roi);
        break;
    }
    return selected;
}

} // namespace radnode::processing
