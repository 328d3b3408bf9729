// Ball dilation and erosion in millimetres for the thorax segmentation, on the exact squared
// Euclidean distance transform of distance_map.h.

#include "processing/regions/thorax_detail.h"

#include "processing/regions/distance_map.h"

namespace radnode::processing::regions::detail {

std::vector<double> SquaredDistanceTo(const Work& w, const std::array<double, 3>& spacing, bool feature_value,
                                      double max_distance_mm) {
    DistanceMapOptions options;
    options.max_distance_mm = max_distance_mm;
    options.metric = DistanceMetric::VoxelCentres;
    options.features_are_zero = !feature_value;
    return SquaredDistanceMap(w.values, w.extent, spacing, options).squared_mm2;
}

void Morph(Work& work, const std::array<double, 3>& spacing, double radius_mm) {
    const double r2 = radius_mm * radius_mm;
    if (radius_mm > 0.0) {
        const std::vector<double> d = SquaredDistanceTo(work, spacing, true, radius_mm);
        for (std::size_t n = 0; n < d.size(); ++n)
            work.values[n] = d[n] <= r2 ? 1 : 0;
    } else if (radius_mm < 0.0) {
        // Background outside the extent is unknown, not background: edges are not eroded.
        const std::vector<double> d = SquaredDistanceTo(work, spacing, false, -radius_mm);
        for (std::size_t n = 0; n < d.size(); ++n)
            work.values[n] = work.values[n] != 0 && d[n] > r2 ? 1 : 0;
    }
}

} // namespace radnode::processing::regions::detail
