#include "processing/regions/box_mask.h"

#include <algorithm>

namespace radnode::processing::regions {
namespace {

/// Crops a full-grid predicate to the bounding box of its true voxels.
template <typename Inside> BoxMask CropToBox(const ImageGeometry& g, Inside inside) {
    std::array<std::size_t, 3> lo = g.size;
    std::array<std::size_t, 3> hi{0, 0, 0};
    bool any = false;
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
                if (inside(g.LinearIndex(i, j, k))) {
                    any = true;
                    lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
                    hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
                }
    BoxMask out;
    if (!any)
        return out;
    out.begin = lo;
    out.size = {hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1};
    out.values.resize(out.BoxVoxelCount());
    std::size_t b = 0;
    for (std::size_t k = lo[2]; k <= hi[2]; ++k)
        for (std::size_t j = lo[1]; j <= hi[1]; ++j)
            for (std::size_t i = lo[0]; i <= hi[0]; ++i)
                out.values[b++] = inside(g.LinearIndex(i, j, k)) ? 1 : 0;
    return out;
}

} // namespace

std::size_t BoxMask::Count() const {
    return static_cast<std::size_t>(std::count_if(values.begin(), values.end(), [](std::uint8_t v) { return v != 0; }));
}

BoxMask BoxMaskFromLabels(const LabelMap& labels, std::uint8_t label) {
    const auto& data = labels.Data();
    return CropToBox(labels.Geometry(), [&](std::size_t n) { return label == 0 ? data[n] != 0 : data[n] == label; });
}

BoxMask BoxMaskFromVolume(const Volume<std::uint8_t>& mask) { return BoxMaskFromLabels(mask, 0); }

LabelMap ToLabelMap(const BoxMask& mask, const ImageGeometry& geometry) {
    LabelMap out(geometry, 0);
    std::size_t b = 0;
    for (std::size_t k = 0; k < mask.size[2]; ++k)
        for (std::size_t j = 0; j < mask.size[1]; ++j)
            for (std::size_t i = 0; i < mask.size[0]; ++i, ++b)
                if (mask.values[b] != 0)
                    out.At(mask.begin[0] + i, mask.begin[1] + j, mask.begin[2] + k) = 1;
    return out;
}

BoxMask Tighten(const BoxMask& mask) {
    std::array<std::size_t, 3> lo = mask.size;
    std::array<std::size_t, 3> hi{0, 0, 0};
    bool any = false;
    std::size_t b = 0;
    for (std::size_t k = 0; k < mask.size[2]; ++k)
        for (std::size_t j = 0; j < mask.size[1]; ++j)
            for (std::size_t i = 0; i < mask.size[0]; ++i, ++b)
                if (mask.values[b] != 0) {
                    any = true;
                    lo = {std::min(lo[0], i), std::min(lo[1], j), std::min(lo[2], k)};
                    hi = {std::max(hi[0], i), std::max(hi[1], j), std::max(hi[2], k)};
                }
    BoxMask out;
    if (!any)
        return out;
    out.begin = {mask.begin[0] + lo[0], mask.begin[1] + lo[1], mask.begin[2] + lo[2]};
    out.size = {hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1};
    out.values.resize(out.BoxVoxelCount());
    std::size_t o = 0;
    for (std::size_t k = lo[2]; k <= hi[2]; ++k)
        for (std::size_t j = lo[1]; j <= hi[1]; ++j)
            for (std::size_t i = lo[0]; i <= hi[0]; ++i)
                out.values[o++] = mask.values[i + mask.size[0] * (j + mask.size[1] * k)];
    return out;
}

} // namespace radnode::processing::regions

namespace radnode::processing::regions {

BoxMask Union(const BoxMask& a, const BoxMask& b) {
    if (a.Empty())
        return Tighten(b);
    if (b.Empty())
        return Tighten(a);
    BoxMask out;
    for (std::size_t axis = 0; axis < 3; ++axis) {
        out.begin[axis] = std::min(a.begin[axis], b.begin[axis]);
        out.size[axis] = std::max(a.begin[axis] + a.size[axis], b.begin[axis] + b.size[axis]) - out.begin[axis];
    }
    out.values.assign(out.BoxVoxelCount(), 0);
    for (const BoxMask* m : {&a, &b}) {
        std::size_t n = 0;
        for (std::size_t k = 0; k < m->size[2]; ++k)
            for (std::size_t j = 0; j < m->size[1]; ++j)
                for (std::size_t i = 0; i < m->size[0]; ++i, ++n)
                    if (m->values[n] != 0)
                        out.values[out.Offset(m->begin[0] + i, m->begin[1] + j, m->begin[2] + k)] = 1;
    }
    return Tighten(out);
}

} // namespace radnode::processing::regions
