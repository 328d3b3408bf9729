#include "processing/radiomics/directions.h"

#include <algorithm>
#include <cstdlib>

namespace radnode::processing::radiomics {

std::vector<Offset> GenerateAngles(const std::array<std::size_t, 3>& box_size, const std::vector<int>& distances,
                                   bool bidirectional, std::optional<int> out_of_plane) {
    int max_distance = 0;
    for (const int d : distances)
        max_distance = std::max(max_distance, d);
    std::vector<Offset> all;
    if (max_distance < 1)
        return all;
    // numpy axis order: axis 0 = z (k), 1 = y (j), 2 = x (i).
    const std::array<long, 3> size{static_cast<long>(box_size[2]), static_cast<long>(box_size[1]),
                                   static_cast<long>(box_size[0])};
    for (int a0 = max_distance; a0 >= -max_distance; --a0)
        for (int a1 = max_distance; a1 >= -max_distance; --a1)
            for (int a2 = max_distance; a2 >= -max_distance; --a2) {
                const std::array<int, 3> o{a0, a1, a2};
                bool valid = true;
                int norm = 0;
                for (int axis = 0; axis < 3; ++axis) {
                    if ((out_of_plane && *out_of_plane == axis && o[axis] != 0) || o[axis] >= size[axis] ||
                        o[axis] <= -size[axis])
                        valid = false;
                    norm = std::max(norm, std::abs(o[axis]));
                }
                if (valid && norm >= 1 && std::find(distances.begin(), distances.end(), norm) != distances.end())
                    all.push_back(Offset{a2, a1, a0});
            }
    if (!bidirectional) // the enumeration is symmetric: the second half mirrors the first
        all.resize(all.size() / 2);
    return all;
}

} // namespace radnode::processing::radiomics
