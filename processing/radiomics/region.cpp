#include "processing/radiomics/region.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace radnode::processing::radiomics {
namespace {

/// numpy.histogram's bin edges for `count` equal bins over [lo, hi] (linspace), with
/// PyRadiomics' +1 on the last edge so the maximum falls inside the top bin.
std::vector<double> CountEdges(double lo, double hi, int count) {
    if (lo == hi) {
        lo -= 0.5;
        hi += 0.5;
    }
    std::vector<double> edges(static_cast<std::size_t>(count) + 1);
    const double step = (hi - lo) / count;
    for (std::size_t i = 0; i < edges.size(); ++i)
        edges[i] = lo + static_cast<double>(i) * step;
    edges.back() = hi + 1.0;
    return edges;
}

/// PyRadiomics' fixed-width edges: numpy.arange(lowBound, max + 2 w, w) with lowBound the
/// multiple of w at or below the minimum; IBSI mode anchors the first edge at `anchor`
/// (the re-segmentation lower bound, or the ROI minimum).
std::vector<double> WidthEdges(double lo, double hi, double width, std::optional<double> anchor) {
    const double low_bound = anchor ? *anchor : lo - (lo - width * std::floor(lo / width)); // Python's %
    const double high_bound = hi + 2.0 * width;
    const auto n = static_cast<std::size_t>(std::ceil((high_bound - low_bound) / width));
    std::vector<double> edges(n);
    for (std::size_t i = 0; i < n; ++i)
        edges[i] = low_bound + static_cast<double>(i) * width;
    if (edges.size() == 1)
        edges = {edges[0] - 0.5, edges[0] + 0.5};
    return edges;
}

} // namespace

void Discretise(Region& region, const Settings& settings) {
    region.gray.assign(region.BoxVoxelCount(), 0);
    region.gray_levels.clear();
    region.max_gray_level = 0;
    region.bin_edges.clear();
    if (region.voxels.empty())
        return;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const std::uint32_t v : region.voxels) {
        lo = std::min(lo, region.image[v]);
        hi = std::max(hi, region.image[v]);
    }
    region.bin_edges = settings.bin_count ? CountEdges(lo, hi, *settings.bin_count)
                                          : WidthEdges(lo, hi, settings.bin_width,
                                                       settings.ibsi_compliant
                                                           ? std::optional<double>(
                                                                 settings.ibsi_discretisation_minimum.value_or(lo))
                                                           : std::nullopt);
    const std::vector<double>& edges = region.bin_edges;
    std::vector<char> present(edges.size() + 1, 0);
    for (const std::uint32_t v : region.voxels) {
        // numpy.digitize (right=False): the number of edges <= x.
        const auto level =
            static_cast<std::int32_t>(std::upper_bound(edges.begin(), edges.end(), region.image[v]) - edges.begin());
        region.gray[v] = level;
        present[static_cast<std::size_t>(level)] = 1;
    }
    for (std::size_t level = 0; level < present.size(); ++level)
        if (present[level] != 0)
            region.gray_levels.push_back(static_cast<std::int32_t>(level));
    region.max_gray_level = region.gray_levels.back();
}

std::string BuildRegion(const Volume<double>& image, const Volume<std::int32_t>& mask, const Settings& settings,
                        Region& region) {
    const ImageGeometry& g = mask.Geometry();
    if (image.Geometry().size != g.size)
        return "image and mask sizes differ";
    std::array<std::size_t, 3> lo{g.size[0], g.size[1], g.size[2]};
    std::array<std::size_t, 3> hi{0, 0, 0};
    bool any = false;
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                if (mask.At(i, j, k) != settings.label)
                    continue;
                any = true;
                lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
                hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
            }
    if (!any)
        return "label " + std::to_string(settings.label) + " not present in the mask";
    region = Region{};
    region.size = {hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1};
    region.box_origin = lo;
    region.spacing = g.spacing;
    region.image.resize(region.BoxVoxelCount());
    region.mask.assign(region.BoxVoxelCount(), 0);
    for (std::size_t k = 0; k < region.size[2]; ++k)
        for (std::size_t j = 0; j < region.size[1]; ++j)
            for (std::size_t i = 0; i < region.size[0]; ++i) {
                const std::size_t b = region.Index(i, j, k);
                region.image[b] = image.At(lo[0] + i, lo[1] + j, lo[2] + k);
                if (mask.At(lo[0] + i, lo[1] + j, lo[2] + k) == settings.label) {
                    region.mask[b] = 1;
                    region.voxels.push_back(static_cast<std::uint32_t>(b));
                }
            }
    region.shape_mask = region.mask;
    Discretise(region, settings);
    return {};
}

} // namespace radnode::processing::radiomics
