#include "processing/regions/components.h"

#include "processing/parallel_for.h"

#include <algorithm>
#include <numeric>

namespace radnode::processing::regions {
namespace {

/// Union-find over run indices.
class DisjointSets {
public:
    explicit DisjointSets(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0U); }
    std::uint32_t Find(std::uint32_t a) {
        while (parent_[a] != a) {
            parent_[a] = parent_[parent_[a]];
            a = parent_[a];
        }
        return a;
    }
    void Unite(std::uint32_t a, std::uint32_t b) {
        a = Find(a);
        b = Find(b);
        if (a != b)
            parent_[std::max(a, b)] = std::min(a, b); // the root is the earliest run
    }

private:
    std::vector<std::uint32_t> parent_;
};

/// Joins the runs of two lines that touch: overlapping x ranges, or (Full) ranges one voxel apart.
void JoinLines(const Components& c, std::size_t line_a, std::size_t line_b, bool diagonal, DisjointSets& sets) {
    std::uint32_t a = c.line_start[line_a];
    const std::uint32_t a_end = c.line_start[line_a + 1];
    std::uint32_t b = c.line_start[line_b];
    const std::uint32_t b_end = c.line_start[line_b + 1];
    const std::uint32_t reach = diagonal ? 1U : 0U;
    while (a < a_end && b < b_end) {
        const Run& ra = c.runs[a];
        const Run& rb = c.runs[b];
        if (ra.x0 < rb.x1 + reach && rb.x0 < ra.x1 + reach)
            sets.Unite(a, b);
        // Advance the run that ends first.
        if (ra.x1 < rb.x1)
            ++a;
        else
            ++b;
    }
}

} // namespace

Components LabelComponents(const std::uint8_t* mask, const Extent& extent, Connectivity connectivity) {
    Components c;
    c.extent = extent;
    const std::size_t nx = extent[0];
    const std::size_t ny = extent[1];
    const std::size_t nz = extent[2];
    const std::size_t lines = ny * nz;
    // Runs per slice in parallel, then concatenated.
    std::vector<std::vector<Run>> slice_runs(nz);
    std::vector<std::vector<std::uint32_t>> slice_counts(nz, std::vector<std::uint32_t>(ny, 0));
    ParallelFor(nz, 0, [&](std::size_t z) {
        for (std::size_t y = 0; y < ny; ++y) {
            const std::uint8_t* row = mask + (y + ny * z) * nx;
            std::size_t x = 0;
            while (x < nx) {
                while (x < nx && row[x] == 0)
                    ++x;
                if (x == nx)
                    break;
                const std::size_t start = x;
                while (x < nx && row[x] != 0)
                    ++x;
                slice_runs[z].push_back(Run{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(x)});
                ++slice_counts[z][y];
            }
        }
    });
    c.line_start.resize(lines + 1);
    std::uint32_t total = 0;
    for (std::size_t z = 0; z < nz; ++z)
        for (std::size_t y = 0; y < ny; ++y) {
            c.line_start[y + ny * z] = total;
            total += slice_counts[z][y];
        }
    c.line_start[lines] = total;
    c.runs.reserve(total);
    for (auto& runs : slice_runs)
        c.runs.insert(c.runs.end(), runs.begin(), runs.end());

    DisjointSets sets(total);
    const bool full = connectivity == Connectivity::Full;
    for (std::size_t z = 0; z < nz; ++z)
        for (std::size_t y = 0; y < ny; ++y) {
            const std::size_t line = y + ny * z;
            if (c.line_start[line] == c.line_start[line + 1])
                continue;
            if (y > 0)
                JoinLines(c, line, line - 1, full, sets);
            if (z > 0) {
                JoinLines(c, line, line - ny, full, sets);
                if (full) {
                    if (y > 0)
                        JoinLines(c, line, line - ny - 1, true, sets);
                    if (y + 1 < ny)
                        JoinLines(c, line, line - ny + 1, true, sets);
                }
            }
        }

    // Number components by their first run, and gather statistics.
    c.component.resize(total);
    std::vector<std::uint32_t> index_of_root(total, UINT32_MAX);
    for (std::size_t z = 0; z < nz; ++z)
        for (std::size_t y = 0; y < ny; ++y) {
            const std::size_t line = y + ny * z;
            for (std::uint32_t r = c.line_start[line]; r < c.line_start[line + 1]; ++r) {
                const std::uint32_t root = sets.Find(r);
                if (index_of_root[root] == UINT32_MAX) {
                    index_of_root[root] = static_cast<std::uint32_t>(c.stats.size());
                    ComponentStats s;
                    s.lo = {c.runs[r].x0, y, z};
                    s.hi = {c.runs[r].x1 - 1, y, z};
                    c.stats.push_back(s);
                }
                const std::uint32_t id = index_of_root[root];
                c.component[r] = id;
                ComponentStats& s = c.stats[id];
                const Run& run = c.runs[r];
                const auto length = static_cast<double>(run.x1 - run.x0);
                s.voxels += run.x1 - run.x0;
                s.sum[0] += (static_cast<double>(run.x0) + static_cast<double>(run.x1 - 1)) * length / 2.0;
                s.sum[1] += static_cast<double>(y) * length;
                s.sum[2] += static_cast<double>(z) * length;
                s.lo = {std::min<std::size_t>(s.lo[0], run.x0), std::min(s.lo[1], y), std::min(s.lo[2], z)};
                s.hi = {std::max<std::size_t>(s.hi[0], run.x1 - 1), std::max(s.hi[1], y), std::max(s.hi[2], z)};
                if (run.x0 == 0 || run.x1 == nx || y == 0 || y + 1 == ny)
                    s.touches_xy_border = true;
            }
        }
    return c;
}

void Components::Paint(const std::function<bool(std::uint32_t)>& keep, std::uint8_t* out, std::uint8_t value) const {
    std::vector<char> kept(stats.size());
    for (std::uint32_t id = 0; id < stats.size(); ++id)
        kept[id] = keep(id) ? 1 : 0;
    const std::size_t nx = extent[0];
    const std::size_t ny = extent[1];
    ParallelFor(extent[2], 0, [&](std::size_t z) {
        for (std::size_t y = 0; y < ny; ++y) {
            const std::size_t line = y + ny * z;
            for (std::uint32_t r = line_start[line]; r < line_start[line + 1]; ++r)
                if (kept[component[r]] != 0)
                    std::fill(out + line * nx + runs[r].x0, out + line * nx + runs[r].x1, value);
        }
    });
}

std::vector<std::uint32_t> Components::BySize() const {
    std::vector<std::uint32_t> order(stats.size());
    std::iota(order.begin(), order.end(), 0U);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return stats[a].voxels > stats[b].voxels; });
    return order;
}

void FillSliceHoles(std::uint8_t* mask, const Extent& extent) {
    const std::size_t slice = extent[0] * extent[1];
    ParallelFor(extent[2], 0, [&](std::size_t z) {
        std::uint8_t* s = mask + z * slice;
        std::vector<std::uint8_t> background(slice);
        for (std::size_t n = 0; n < slice; ++n)
            background[n] = s[n] == 0 ? 1 : 0;
        const Components holes = LabelComponents(background.data(), {extent[0], extent[1], 1}, Connectivity::Face);
        holes.Paint([&](std::uint32_t id) { return !holes.stats[id].touches_xy_border; }, s, 1);
    });
}

} // namespace radnode::processing::regions
