#pragma once

/// Internal infrastructure shared by the texture-matrix families (GLCM, GLRLM, GLSZM, GLDM,
/// NGTDM, GLDZM, NGLDM): the zero-padded gray-level grid with neighbour steps, the choice of
/// out-of-plane axis and per-slice splitting, present-gray-level compaction and feature-table
/// naming. Header-inline so the hot loops that use it stay inlineable.

#include "processing/radiomics/directions.h"
#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::processing::radiomics {

/// The region's gray levels inside a zero margin of `margin` voxels on every side, so neighbour
/// lookups need no bounds checks (0 = outside the ROI, as in Region::gray).
struct PaddedGray {
    std::vector<std::int32_t> gray;
    std::size_t margin = 0;
    std::size_t row = 0;   ///< padded x size
    std::size_t plane = 0; ///< padded x * y size

    PaddedGray(const Region& region, std::size_t margin_voxels) : margin(margin_voxels) {
        const std::size_t sx = region.size[0];
        const std::size_t sy = region.size[1];
        const std::size_t sz = region.size[2];
        row = sx + 2 * margin;
        plane = row * (sy + 2 * margin);
        gray.assign(plane * (sz + 2 * margin), 0);
        for (std::size_t k = 0; k < sz; ++k)
            for (std::size_t j = 0; j < sy; ++j)
                std::copy_n(region.gray.begin() + static_cast<std::ptrdiff_t>(sx * (j + sy * k)), sx,
                            gray.begin() + static_cast<std::ptrdiff_t>(Index(margin, j + margin, k + margin)));
    }
    /// Padded index of padded coordinates (i, j, k).
    [[nodiscard]] std::size_t Index(std::size_t i, std::size_t j, std::size_t k) const {
        return i + row * j + plane * k;
    }
    /// Padded index of box index `v`.
    [[nodiscard]] std::size_t Of(const Region& region, std::uint32_t v) const {
        const std::size_t sx = region.size[0];
        const std::size_t sy = region.size[1];
        return Index(v % sx + margin, (v / sx) % sy + margin, v / (sx * sy) + margin);
    }
    /// Padded-index step of the neighbour offset `o`.
    [[nodiscard]] std::ptrdiff_t Step(const Offset& o) const {
        return o.di + static_cast<std::ptrdiff_t>(row) * o.dj + static_cast<std::ptrdiff_t>(plane) * o.dk;
    }
};

/// Padded-index steps of the neighbour offsets in `grid`.
inline std::vector<std::ptrdiff_t> NeighbourSteps(const PaddedGray& grid, const std::vector<Offset>& offsets) {
    std::vector<std::ptrdiff_t> steps;
    steps.reserve(offsets.size());
    for (const Offset& o : offsets)
        steps.push_back(grid.Step(o));
    return steps;
}

/// The largest Chebyshev distance of `offsets` (the margin a PaddedGray needs for them).
inline std::size_t MaxDistance(const std::vector<Offset>& offsets) {
    std::size_t d = 0;
    for (const Offset& o : offsets)
        d = std::max({d, static_cast<std::size_t>(std::abs(o.di)), static_cast<std::size_t>(std::abs(o.dj)),
                      static_cast<std::size_t>(std::abs(o.dk))});
    return d;
}

/// The numpy axis (0 = z, 1 = y, 2 = x) whose neighbour offsets are excluded, if any: the
/// force-2D axis in PyRadiomics mode, every non-3D aggregation in IBSI mode.
inline std::optional<int> PlaneAxis(const Settings& settings) {
    if (!settings.ibsi_compliant)
        return settings.force_2d ? std::optional<int>(settings.force_2d_dimension) : std::nullopt;
    switch (settings.ibsi_aggregation) {
    case Aggregation::ThreeDAverage:
    case Aggregation::ThreeDMerged:
        return std::nullopt;
    default:
        return settings.force_2d_dimension;
    }
}

/// Whether features are computed per slice and averaged (IBSI 2D aggregations).
inline bool AveragesSlices(const Settings& settings) {
    return settings.ibsi_compliant && (settings.ibsi_aggregation == Aggregation::TwoDAverage ||
                                       settings.ibsi_aggregation == Aggregation::TwoDSliceMerged);
}

/// ROI voxels grouped by their coordinate along `axis` (0 = z, 1 = y, 2 = x); empty slices dropped.
inline std::vector<std::vector<std::uint32_t>> VoxelsBySlice(const Region& region, int axis) {
    const std::size_t sx = region.size[0];
    const std::size_t sy = region.size[1];
    const std::size_t count = axis == 0 ? region.size[2] : axis == 1 ? sy : sx;
    std::vector<std::vector<std::uint32_t>> slices(count);
    for (const std::uint32_t v : region.voxels) {
        const std::size_t slice = axis == 0 ? v / (sx * sy) : axis == 1 ? (v / sx) % sy : v % sx;
        slices[slice].push_back(v);
    }
    std::erase_if(slices, [](const auto& s) { return s.empty(); });
    return slices;
}

/// The mean over `slices` of the feature vectors `evaluate(slice)` returns.
template <std::size_t N, class Evaluate>
std::array<double, N> AverageOverSlices(const std::vector<std::vector<std::uint32_t>>& slices, Evaluate&& evaluate) {
    std::array<double, N> values{};
    for (const auto& slice : slices) {
        const std::array<double, N> slice_values = evaluate(slice);
        for (std::size_t f = 0; f < N; ++f)
            values[f] += slice_values[f] / static_cast<double>(slices.size());
    }
    return values;
}

/// How an IBSI aggregation groups voxels: per slice (2D), per slice but merged (2.5D), or 3D.
enum class AggregationMode { TwoD, TwoAndHalfD, ThreeD };

/// The grouping of `aggregation`.
inline AggregationMode ModeOf(Aggregation aggregation) {
    switch (aggregation) {
    case Aggregation::TwoDAverage:
    case Aggregation::TwoDSliceMerged:
        return AggregationMode::TwoD;
    case Aggregation::TwoAndHalfDAverage:
    case Aggregation::TwoAndHalfDMerged:
        return AggregationMode::TwoAndHalfD;
    case Aggregation::ThreeDAverage:
    case Aggregation::ThreeDMerged:
        break;
    }
    return AggregationMode::ThreeD;
}

/// The box axis (0 = x, 1 = y, 2 = z) excluded from neighbourhoods under `mode`, -1 in 3D
/// (force_2d_dimension counts numpy axes z, y, x; the box is x, y, z).
inline int OutOfPlaneBoxAxis(AggregationMode mode, const Settings& settings) {
    return mode == AggregationMode::ThreeD ? -1 : 2 - std::clamp(settings.force_2d_dimension, 0, 2);
}

/// Which directional matrices (GLCM, GLRLM) are built and how they are combined before
/// features are computed.
struct DirectionPlan {
    std::vector<Offset> angles;
    std::vector<double> weights; ///< per angle, applied when merging
    bool merge = false;          ///< directions summed into one matrix (per slice)
    int slice_axis = -1;         ///< box axis (0 x, 1 y, 2 z) with a matrix set per slice; -1: none
    std::size_t slices = 1;
};

/// The plan for angles at `distances` (symmetric halves only): out-of-plane axis, merging and
/// per-slice matrices from the PyRadiomics or IBSI settings; `weight(angle)` gives the
/// PyRadiomics merge weight (IBSI weighs every angle 1).
template <class Weight>
DirectionPlan MakeDirectionPlan(const Region& region, const Settings& settings, const std::vector<int>& distances,
                                Weight&& weight) {
    DirectionPlan plan;
    std::optional<int> out_of_plane;
    bool per_slice = false;
    if (!settings.ibsi_compliant) {
        if (settings.force_2d)
            out_of_plane = settings.force_2d_dimension;
        plan.merge = settings.weighting_norm != WeightingNorm::None;
    } else {
        switch (settings.ibsi_aggregation) {
        case Aggregation::ThreeDAverage:
            break;
        case Aggregation::ThreeDMerged:
            plan.merge = true;
            break;
        case Aggregation::TwoDAverage:
            out_of_plane = settings.force_2d_dimension;
            per_slice = true;
            break;
        case Aggregation::TwoDSliceMerged:
            out_of_plane = settings.force_2d_dimension;
            per_slice = true;
            plan.merge = true;
            break;
        case Aggregation::TwoAndHalfDAverage:
            out_of_plane = settings.force_2d_dimension;
            break;
        case Aggregation::TwoAndHalfDMerged:
            out_of_plane = settings.force_2d_dimension;
            plan.merge = true;
            break;
        }
    }
    plan.angles = GenerateAngles(region.size, distances, false, out_of_plane);
    plan.weights.reserve(plan.angles.size());
    for (const Offset& a : plan.angles)
        plan.weights.push_back(settings.ibsi_compliant ? 1.0 : weight(a));
    if (per_slice) {
        plan.slice_axis = 2 - settings.force_2d_dimension; // numpy axis -> box axis
        plan.slices = region.size[static_cast<std::size_t>(plan.slice_axis)];
    }
    return plan;
}

/// `a` scaled by the voxel spacing, per axis in absolute value.
inline std::array<double, 3> ScaledOffset(const Offset& a, const std::array<double, 3>& spacing) {
    return {std::abs(a.di) * spacing[0], std::abs(a.dj) * spacing[1], std::abs(a.dk) * spacing[2]};
}

/// Compact index (0..n-1) of each gray level present in the ROI, -1 for absent levels.
inline std::vector<std::int32_t> LevelIndex(const Region& region) {
    std::vector<std::int32_t> index(static_cast<std::size_t>(region.max_gray_level) + 1, -1);
    for (std::size_t i = 0; i < region.gray_levels.size(); ++i)
        index[static_cast<std::size_t>(region.gray_levels[i])] = static_cast<std::int32_t>(i);
    return index;
}

/// A row of a family's feature table: name without the family prefix, IBSI code, and whether
/// PyRadiomics deprecated it (reported on request only outside IBSI mode).
struct FeatureInfo {
    std::string_view name;
    std::string_view ibsi_code;
    bool deprecated = false;
};

/// The first `reported` entries of `table` with their `values`, named `prefix` + name.
template <std::size_t N>
Features NamedFeatures(std::string_view prefix, const std::array<FeatureInfo, N>& table,
                       const std::array<double, N>& values, bool ibsi, std::size_t reported = N) {
    Features features;
    features.reserve(reported);
    for (std::size_t f = 0; f < reported; ++f)
        features.push_back(Feature{std::string(prefix) + std::string(table[f].name), values[f], table[f].ibsi_code,
                                   table[f].deprecated && !ibsi});
    return features;
}

} // namespace radnode::processing::radiomics
