#include "processing/radiomics/local_intensity.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <vector>

namespace radnode::processing::radiomics {

Features ComputeLocalIntensity(const Region& region, const Volume<double>& full_image, const Settings& /*settings*/) {
    // Radius of a 1 cm^3 sphere, in mm.
    const double radius = 10.0 * std::cbrt(3.0 / (4.0 * std::numbers::pi));
    const std::array<double, 3>& sp = region.spacing;
    std::array<int, 3> reach{};
    for (std::size_t a = 0; a < 3; ++a)
        reach[a] = static_cast<int>(std::floor(radius / sp[a]));
    std::vector<std::array<int, 3>> sphere;
    for (int dz = -reach[2]; dz <= reach[2]; ++dz)
        for (int dy = -reach[1]; dy <= reach[1]; ++dy)
            for (int dx = -reach[0]; dx <= reach[0]; ++dx) {
                const double x = dx * sp[0];
                const double y = dy * sp[1];
                const double z = dz * sp[2];
                if (x * x + y * y + z * z <= radius * radius)
                    sphere.push_back({dx, dy, dz});
            }
    const auto& size = full_image.Geometry().size;
    const auto& data = full_image.Data();
    const auto mean_around = [&](std::uint32_t v) {
        const std::array<long long, 3> c{
            static_cast<long long>(region.box_origin[0] + v % region.size[0]),
            static_cast<long long>(region.box_origin[1] + (v / region.size[0]) % region.size[1]),
            static_cast<long long>(region.box_origin[2] + v / (region.size[0] * region.size[1]))};
        double sum = 0.0;
        double count = 0.0;
        for (const auto& o : sphere) {
            const long long x = c[0] + o[0];
            const long long y = c[1] + o[1];
            const long long z = c[2] + o[2];
            if (x < 0 || y < 0 || z < 0 || x >= static_cast<long long>(size[0]) ||
                y >= static_cast<long long>(size[1]) || z >= static_cast<long long>(size[2]))
                continue;
            sum += data[static_cast<std::size_t>(x) +
                        size[0] * (static_cast<std::size_t>(y) + size[1] * static_cast<std::size_t>(z))];
            count += 1.0;
        }
        return count > 0.0 ? sum / count : 0.0;
    };

    double highest = -std::numeric_limits<double>::infinity();
    for (const std::uint32_t v : region.voxels)
        highest = std::max(highest, region.image[v]);
    double local_peak = -std::numeric_limits<double>::infinity();
    double global_peak = -std::numeric_limits<double>::infinity();
    for (const std::uint32_t v : region.voxels) {
        const double m = mean_around(v);
        global_peak = std::max(global_peak, m);
        if (region.image[v] == highest)
            local_peak = std::max(local_peak, m);
    }
    if (region.voxels.empty())
        local_peak = global_peak = 0.0;
    return {
        Feature{"localintensity_LocalPeak", local_peak, "VJGA", false},
        Feature{"localintensity_GlobalPeak", global_peak, "0F91", false},
    };
}

} // namespace radnode::processing::radiomics
