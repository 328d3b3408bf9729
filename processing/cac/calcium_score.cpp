// Coronary artery calcium scoring: one pass over the candidate box builds each slice's mask
// of candidate pixels >= threshold, the run-based labeller finds the lesions of the slice,
// and the scored lesions are painted into a box mask whose 26-connected components are the
// 3D lesions. Work is proportional to the candidate box, never to the whole CT.

#include "processing/cac/calcium_score.h"

#include "processing/regions/components.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <sstream>
#include <utility>

namespace radnode::processing::cac {
namespace {

using regions::BoxMask;
using regions::Components;
using regions::Connectivity;
using regions::LabelComponents;

/// Slices whose normal is further than about 25 degrees from patient z are not axial.
constexpr double kMinAxialCosine = 0.9;

std::string Number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

/// Why the inputs cannot be scored; empty when they can.
std::string CheckInputs(const ImageGeometry& g, const BoxMask& candidates, const CacSettings& settings,
                        double threshold_hu, double increment_mm) {
    if (candidates.Empty()) {
        return "no heart region: the coronary candidate region is empty";
    }
    if (candidates.values.size() != candidates.BoxVoxelCount()) {
        return "the candidate mask does not match its box";
    }
    for (int axis = 0; axis < 3; ++axis) {
        if (candidates.begin[axis] + candidates.size[axis] > g.size[axis]) {
            return "the candidate region extends outside the CT grid";
        }
    }
    if (!(g.spacing[0] > 0.0 && g.spacing[1] > 0.0 && std::isfinite(g.spacing[0]) && std::isfinite(g.spacing[1]))) {
        return "the CT has no valid pixel spacing";
    }
    if (!(increment_mm > 0.0 && std::isfinite(increment_mm))) {
        return "the slice increment must be positive, got " + Number(increment_mm) + " mm";
    }
    if (std::abs(g.direction[8]) < kMinAxialCosine) {
        return "the slices are not axial: Agatston scoring is defined on axial slices";
    }
    if (!std::isfinite(threshold_hu)) {
        return "the calcium threshold is not a number";
    }
    if (!(settings.min_lesion_area_mm2 >= 0.0)) {
        return "the minimum lesion area must not be negative";
    }
    if (!(settings.mass_calibration_mg_per_mm3_per_hu > 0.0)) {
        return "the mass calibration factor must be positive";
    }
    if (!(settings.reference_slice_increment_mm > 0.0)) {
        return "the reference slice increment must be positive";
    }
    return {};
}

CalciumScore NotComputed(CalciumScore score, std::string reason) {
    score.computed = false;
    score.reason = std::move(reason);
    return score;
}

/// HU statistics of one component, gathered from its runs.
struct HuTally {
    std::int16_t peak = std::numeric_limits<std::int16_t>::min();
    std::int64_t sum = 0;
};

/// The 3D lesion (component of `c3`) holding box voxel (x, y, z), or -1.
int ComponentAt(const Components& c3, std::size_t x, std::size_t y, std::size_t z) {
    const std::size_t line = y + c3.extent[1] * z;
    for (std::uint32_t r = c3.line_start[line]; r < c3.line_start[line + 1]; ++r) {
        if (x >= c3.runs[r].x0 && x < c3.runs[r].x1) {
            return static_cast<int>(c3.component[r]);
        }
    }
    return -1;
}

} // namespace

ThresholdChoice SelectThreshold(const CacSettings& settings, std::optional<double> kvp) {
    ThresholdChoice choice{settings.threshold_hu, ThresholdSource::Fixed, {}};
    const std::string fixed = Number(settings.threshold_hu) + " HU fixed";
    if (settings.kvp_thresholds_hu.empty()) {
        choice.reason = fixed + " (no kVp table configured)";
        return choice;
    }
    if (!kvp || !std::isfinite(*kvp) || *kvp <= 0.0 || *kvp > 1.0e4) {
        choice.reason = fixed + " (kVp unknown)";
        return choice;
    }
    const auto it = settings.kvp_thresholds_hu.find(static_cast<int>(std::lround(*kvp)));
    if (it == settings.kvp_thresholds_hu.end()) {
        choice.reason = fixed + " (kVp " + Number(*kvp) + " not in the kVp table)";
        return choice;
    }
    choice.threshold_hu = it->second;
    choice.source = ThresholdSource::FromKvp;
    choice.reason = Number(it->second) + " HU from the kVp table (kVp " + Number(*kvp) + ")";
    return choice;
}

int AgatstonWeight(double peak_hu, double threshold_hu) {
    if (peak_hu < threshold_hu) {
        return 0;
    }
    if (peak_hu < 200.0) {
        return 1;
    }
    if (peak_hu < 300.0) {
        return 2;
    }
    return peak_hu < 400.0 ? 3 : 4;
}

std::string_view RiskCategory(double agatston_scaled) {
    if (agatston_scaled <= 0.0) {
        return "0";
    }
    if (agatston_scaled <= 10.0) {
        return "1-10";
    }
    if (agatston_scaled <= 100.0) {
        return "11-100";
    }
    return agatston_scaled <= 400.0 ? "101-400" : ">400";
}

CalciumScore ScoreCalcium(const CtVolume& ct, const BoxMask& candidates, const CacSettings& settings,
                          std::optional<double> kvp, std::optional<double> slice_increment_mm) {
    const ImageGeometry& g = ct.Geometry();
    const ThresholdChoice choice = SelectThreshold(settings, kvp);
    CalciumScore score;
    score.threshold_hu = choice.threshold_hu;
    score.threshold_source = choice.source;
    score.threshold_reason = choice.reason;
    score.kvp = kvp;
    score.slice_increment_mm = slice_increment_mm.value_or(g.spacing[2]);
    score.reference_slice_increment_mm = settings.reference_slice_increment_mm;
    score.mass_calibration_mg_per_mm3_per_hu = settings.mass_calibration_mg_per_mm3_per_hu;
    if (std::string problem = CheckInputs(g, candidates, settings, choice.threshold_hu, score.slice_increment_mm);
        !problem.empty()) {
        return NotComputed(std::move(score), std::move(problem));
    }

    // HU are integers, so hu >= T is hu >= ceil(T); beyond the int16 range nothing passes.
    const int threshold = static_cast<int>(std::ceil(std::clamp(choice.threshold_hu, -32768.0, 32768.0)));
    const Connectivity connectivity =
        settings.connectivity == LesionConnectivity::Four ? Connectivity::Face : Connectivity::Full;
    const double pixel_area = g.PixelArea();
    const double voxel_volume = pixel_area * score.slice_increment_mm;
    const std::size_t nx = candidates.size[0];
    const std::size_t ny = candidates.size[1];
    const std::size_t nz = candidates.size[2];
    const std::size_t slice_voxels = nx * ny;
    std::vector<std::uint8_t> slice_mask(slice_voxels);
    std::vector<std::uint8_t> scored_mask; // box-sized, allocated at the first scored lesion
    std::vector<std::array<std::size_t, 3>> first_voxel; // per lesion, box coordinates
    std::size_t candidate_voxels = 0;

    for (std::size_t k = 0; k < nz; ++k) {
        const std::size_t gk = candidates.begin[2] + k;
        std::size_t above = 0;
        for (std::size_t j = 0; j < ny; ++j) {
            const std::int16_t* hu = ct.Data().data() + g.LinearIndex(candidates.begin[0], candidates.begin[1] + j, gk);
            const std::uint8_t* inside = candidates.values.data() + nx * (j + ny * k);
            std::uint8_t* out = slice_mask.data() + nx * j;
            for (std::size_t i = 0; i < nx; ++i) {
                const bool in = inside[i] != 0;
                const bool hit = in && hu[i] >= threshold;
                candidate_voxels += in ? 1U : 0U;
                above += hit ? 1U : 0U;
                out[i] = hit ? 1 : 0;
            }
        }
        if (above == 0) {
            continue;
        }
        const Components components = LabelComponents(slice_mask.data(), {nx, ny, 1}, connectivity);
        std::vector<HuTally> tallies(components.Count());
        for (std::size_t y = 0; y < ny; ++y) {
            const std::int16_t* hu = ct.Data().data() + g.LinearIndex(candidates.begin[0], candidates.begin[1] + y, gk);
            for (std::uint32_t r = components.line_start[y]; r < components.line_start[y + 1]; ++r) {
                HuTally& tally = tallies[components.component[r]];
                for (std::uint32_t x = components.runs[r].x0; x < components.runs[r].x1; ++x) {
                    tally.peak = std::max(tally.peak, hu[x]);
                    tally.sum += hu[x];
                }
            }
        }
        std::vector<char> scored(components.Count(), 0);
        for (std::uint32_t id = 0; id < components.Count(); ++id) {
            const regions::ComponentStats& stats = components.stats[id];
            CacLesion lesion;
            lesion.slice_index = gk;
            lesion.pixel_count = stats.voxels;
            lesion.pixels_at_or_above_threshold = stats.voxels;
            lesion.area_mm2 = static_cast<double>(stats.voxels) * pixel_area;
            lesion.peak_hu = tallies[id].peak;
            const std::array<double, 3> mean = stats.Centroid();
            lesion.centroid_mm = g.IndexToPhysical(static_cast<double>(candidates.begin[0]) + mean[0],
                                                   static_cast<double>(candidates.begin[1]) + mean[1],
                                                   static_cast<double>(gk));
            lesion.z_mm = lesion.centroid_mm[2];
            lesion.scored = lesion.area_mm2 >= settings.min_lesion_area_mm2;
            if (lesion.scored) {
                lesion.weight = AgatstonWeight(lesion.peak_hu, choice.threshold_hu);
                lesion.agatston = lesion.area_mm2 * lesion.weight;
                lesion.volume_mm3 = static_cast<double>(stats.voxels) * voxel_volume;
                lesion.mass_mg =
                    static_cast<double>(tallies[id].sum) * voxel_volume * settings.mass_calibration_mg_per_mm3_per_hu;
                scored[id] = 1;
            } else {
                lesion.exclusion_reason = "area " + Number(lesion.area_mm2) + " mm2 below the minimum " +
                                          Number(settings.min_lesion_area_mm2) + " mm2";
            }
            // Its first pixel in scan order (first run on its first line) finds its 3D lesion later.
            std::size_t first_x = stats.lo[0];
            for (std::uint32_t r = components.line_start[stats.lo[1]]; r < components.line_start[stats.lo[1] + 1]; ++r) {
                if (components.component[r] == id) {
                    first_x = components.runs[r].x0;
                    break;
                }
            }
            first_voxel.push_back({first_x, stats.lo[1], k});
            score.lesions.push_back(std::move(lesion));
        }
        if (std::find(scored.begin(), scored.end(), 1) != scored.end()) {
            if (scored_mask.empty()) {
                scored_mask.assign(candidates.BoxVoxelCount(), 0);
            }
            components.Paint([&](std::uint32_t id) { return scored[id] != 0; }, scored_mask.data() + k * slice_voxels);
        }
    }
    score.candidate_voxels = candidate_voxels;
    if (candidate_voxels == 0) {
        return NotComputed(std::move(score), "no heart region: the coronary candidate region is empty");
    }

    if (!scored_mask.empty()) {
        const Components lesions_3d = LabelComponents(scored_mask.data(), candidates.size, Connectivity::Full);
        score.lesion_count_3d = lesions_3d.Count();
        for (std::size_t n = 0; n < score.lesions.size(); ++n) {
            if (score.lesions[n].scored) {
                const auto& [x, y, z] = first_voxel[n];
                score.lesions[n].lesion_3d = ComponentAt(lesions_3d, x, y, z);
            }
        }
    }
    for (const CacLesion& lesion : score.lesions) {
        if (lesion.scored) {
            score.agatston_raw += lesion.agatston;
            score.volume_mm3 += lesion.volume_mm3;
            score.mass_mg += lesion.mass_mg;
            ++score.lesion_count;
        }
    }
    score.agatston_scaled = score.agatston_raw * score.slice_increment_mm / settings.reference_slice_increment_mm;
    score.scaling = "agatston_scaled = agatston_raw x slice increment " + Number(score.slice_increment_mm) +
                    " mm / reference " + Number(settings.reference_slice_increment_mm) + " mm";
    score.risk_category = std::string(RiskCategory(score.agatston_scaled));
    score.computed = true;
    return score;
}

} // namespace radnode::processing::cac
