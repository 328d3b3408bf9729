#pragma once
// Internals shared by the phantom generator's translation units (not public
// API): placed calcifications, per-slice tallies of the parallel pass, option
// checks, and the truth computation implemented in phantom_truth.cpp.

#include "processing/phantom/thorax_anatomy.h"
#include "processing/phantom/thorax_phantom.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace radnode::processing::phantom::detail {

inline constexpr double kCalciumThresholdHu = 130.0;
inline constexpr double kMinLesionAreaMm2 = 1.0;
inline constexpr double kMassCalibration = 0.001; // mg per (mm^3 x HU)

/// "12.3 mm", for option error messages.
inline std::string Mm(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f mm", value);
    return buffer;
}

/// Throws std::invalid_argument(message) unless `condition` holds.
inline void Require(bool condition, const std::string& message) {
    if (!condition) {
        throw std::invalid_argument(message);
    }
}

/// A calcification placed on the voxel grid: inclusive index box [lo, hi].
struct PlacedLesion {
    const anatomy::LesionSpec* spec = nullptr;
    std::array<std::size_t, 3> lo{};
    std::array<std::size_t, 3> hi{};
};

/// Per-slice tallies merged after the parallel pass (deterministic order).
struct SliceStats {
    std::array<std::size_t, kTissueCount> counts{};
    std::size_t tumour_violations = 0;                       ///< margin voxels that were not right lung
    std::array<std::size_t, kTissueCount> tumour_replaced{}; ///< tumour voxels by the tissue they replaced
    std::int64_t tumour_hu_sum = 0;
    std::int16_t tumour_min = std::numeric_limits<std::int16_t>::max();
    std::int16_t tumour_max = std::numeric_limits<std::int16_t>::min();
};

/// Measures one placed calcification in the finished HU volume: per-slice
/// areas, peaks, Agatston/volume/mass contributions and the exclusion reason.
[[nodiscard]] CalcificationTruth MeasureLesion(const PlacedLesion& lesion, const CtVolume& ct);

/// Completes `truth` (whose omitted_calcifications are already set) from the
/// per-slice tallies and the finished volume. Throws std::invalid_argument
/// when options.tumour_in_lung holds and the tumour and its margin left the right lung.
void FillTruth(PhantomTruth& truth, const PhantomOptions& options, const CtVolume& ct,
               const std::vector<PlacedLesion>& lesions, const std::vector<SliceStats>& stats);

/// The analytic tumour outline on every slice whose plane cuts the sphere.
[[nodiscard]] std::vector<TumourContour> BuildTumourContours(const ImageGeometry& geometry, const Point3& centre_mm,
                                                             double radius_mm);

} // namespace radnode::processing::phantom::detail
