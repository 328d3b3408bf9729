// Ground truth of the thoracic phantom, measured on the generator's own label
// tallies and HU volume: calcification and CAC truth, tumour, lungs, heart,
// tissue volumes, and the analytic tumour contours.

#include "processing/phantom/phantom_detail.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace radnode::processing::phantom {
namespace detail {

using namespace anatomy;

CalcificationTruth MeasureLesion(const PlacedLesion& lesion, const CtVolume& ct) {
    const ImageGeometry& geometry = ct.Geometry();
    CalcificationTruth truth;
    const LesionSpec& spec = *lesion.spec;
    truth.id = spec.id;
    truth.kind = spec.kind;
    truth.location = spec.artery >= 0 ? kArteries[spec.artery].name : "descending aorta";
    truth.index_min = lesion.lo;
    truth.index_max = lesion.hi;
    const bool coronary = spec.kind == CalcificationKind::Coronary;
    Point3 sum{};
    std::int16_t peak = std::numeric_limits<std::int16_t>::min();
    for (std::size_t k = lesion.lo[2]; k <= lesion.hi[2]; ++k) {
        LesionSliceTruth slice;
        slice.slice_index = k;
        slice.z_mm = geometry.IndexToPhysical(0.0, 0.0, static_cast<double>(k))[2];
        slice.peak_hu = std::numeric_limits<std::int16_t>::min();
        double hu_sum_above = 0.0;
        for (std::size_t j = lesion.lo[1]; j <= lesion.hi[1]; ++j) {
            for (std::size_t i = lesion.lo[0]; i <= lesion.hi[0]; ++i) {
                const std::int16_t hu = ct.At(i, j, k);
                const Point3 p =
                    geometry.IndexToPhysical(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
                for (int axis = 0; axis < 3; ++axis) {
                    sum[axis] += p[axis];
                }
                ++slice.pixel_count;
                slice.peak_hu = std::max(slice.peak_hu, hu);
                if (hu >= kCalciumThresholdHu) {
                    ++slice.pixels_at_or_above_threshold;
                    hu_sum_above += hu;
                }
            }
        }
        peak = std::max(peak, slice.peak_hu);
        truth.voxel_count += slice.pixel_count;
        slice.area_mm2 = static_cast<double>(slice.pixels_at_or_above_threshold) * geometry.PixelArea();
        slice.scored = coronary && slice.peak_hu >= kCalciumThresholdHu && slice.area_mm2 >= kMinLesionAreaMm2;
        if (slice.scored) {
            slice.agatston_weight = AgatstonWeight(slice.peak_hu);
            slice.agatston = slice.area_mm2 * slice.agatston_weight;
            truth.agatston += slice.agatston;
            truth.volume_score_mm3 += static_cast<double>(slice.pixels_at_or_above_threshold) * geometry.VoxelVolume();
            truth.mass_mg += hu_sum_above * geometry.VoxelVolume() * kMassCalibration;
            truth.scored = true;
        }
        truth.slices.push_back(slice);
    }
    truth.peak_hu = peak;
    truth.volume_mm3 = static_cast<double>(truth.voxel_count) * geometry.VoxelVolume();
    for (int axis = 0; axis < 3; ++axis) {
        truth.centroid_mm[axis] = sum[axis] / static_cast<double>(truth.voxel_count);
    }
    if (!coronary) {
        truth.exclusion_reason = "not coronary";
    } else if (!truth.scored) {
        truth.exclusion_reason = peak < kCalciumThresholdHu ? "peak below 130 HU" : "area below 1 mm2 on every slice";
    }
    return truth;
}

void FillTruth(PhantomTruth& truth, const PhantomOptions& options, const CtVolume& ct,
               const std::vector<PlacedLesion>& lesions, const std::vector<SliceStats>& stats) {
    const ImageGeometry& geometry = ct.Geometry();
    const double voxel_ml = geometry.VoxelVolume() / 1000.0;
    std::array<std::size_t, kTissueCount> counts{};
    std::size_t violations = 0;
    std::int64_t tumour_sum = 0;
    TumourTruth& tumour = truth.tumour;
    tumour.min_hu = std::numeric_limits<std::int16_t>::max();
    tumour.max_hu = std::numeric_limits<std::int16_t>::min();
    bool first = true;
    for (std::size_t k = 0; k < stats.size(); ++k) {
        for (std::size_t t = 0; t < kTissueCount; ++t) {
            counts[t] += stats[k].counts[t];
        }
        violations += stats[k].tumour_violations;
        for (std::size_t t = 0; t < kTissueCount; ++t) {
            tumour.replaced_voxels[t] += stats[k].tumour_replaced[t];
        }
        tumour_sum += stats[k].tumour_hu_sum;
        tumour.min_hu = std::min(tumour.min_hu, stats[k].tumour_min);
        tumour.max_hu = std::max(tumour.max_hu, stats[k].tumour_max);
        if (stats[k].counts[static_cast<std::size_t>(Tissue::Tumour)] > 0) {
            tumour.first_slice = first ? k : tumour.first_slice;
            tumour.last_slice = k;
            first = false;
        }
    }
    Require(violations == 0 || !options.tumour_in_lung,
            "the tumour (radius plus " + Mm(kTumourMarginMm) +
                ") does not fit inside the right lung; reduce the tumour radius, move its centre, "
                "or allow a juxtapleural tumour");

    truth.geometry = geometry;
    truth.seed = options.seed;
    truth.noise_hu = options.noise_hu;
    const double r = options.tumour_radius_mm;
    tumour.centre_mm = options.tumour_centre_mm;
    tumour.radius_mm = r;
    tumour.analytic_volume_mm3 = 4.0 / 3.0 * kPi * r * r * r;
    tumour.voxel_count = counts[static_cast<std::size_t>(Tissue::Tumour)];
    tumour.voxelised_volume_mm3 = static_cast<double>(tumour.voxel_count) * geometry.VoxelVolume();
    tumour.mean_hu = static_cast<double>(tumour_sum) / static_cast<double>(tumour.voxel_count);
    auto replaced = [&](Tissue t) { return tumour.replaced_voxels[static_cast<std::size_t>(t)]; };
    tumour.voxels_replacing_right_lung = replaced(Tissue::RightLung) + replaced(Tissue::RightLungVessel);
    tumour.voxels_replacing_other_tissue = tumour.voxel_count - tumour.voxels_replacing_right_lung;
    tumour.fully_in_lung = tumour.voxels_replacing_other_tissue == 0;
    tumour.margin_in_lung = violations == 0;

    // A lung "with tumour" gains only the tumour voxels inside its own extent.
    auto count = [&](Tissue t) { return counts[static_cast<std::size_t>(t)]; };
    truth.right_lung.voxel_count = count(Tissue::RightLung) + count(Tissue::RightLungVessel);
    truth.right_lung.volume_ml = static_cast<double>(truth.right_lung.voxel_count) * voxel_ml;
    truth.right_lung.volume_with_tumour_ml =
        static_cast<double>(truth.right_lung.voxel_count + tumour.voxels_replacing_right_lung) * voxel_ml;
    truth.left_lung.voxel_count = count(Tissue::LeftLung) + count(Tissue::LeftLungVessel);
    truth.left_lung.volume_ml = static_cast<double>(truth.left_lung.voxel_count) * voxel_ml;
    const std::size_t in_left_lung = replaced(Tissue::LeftLung) + replaced(Tissue::LeftLungVessel);
    truth.left_lung.volume_with_tumour_ml = static_cast<double>(truth.left_lung.voxel_count + in_left_lung) * voxel_ml;

    truth.heart_centre_mm = kHeartCentre;
    truth.myocardium_semi_axes_mm = kMyocardiumSemi;
    truth.epicardial_fat_semi_axes_mm = kEpicardialFatSemi;
    truth.heart_volume_ml = static_cast<double>(count(Tissue::Myocardium) + count(Tissue::BloodPool)) * voxel_ml;
    for (const ArteryPath& artery : kArteries) {
        ArteryTruth line{artery.name, kCoronaryRadius, {}};
        for (int s = 0; s <= kArterySegments; s += 4) {
            line.centreline_mm.push_back(ArteryPoint(artery, static_cast<double>(s) / kArterySegments));
        }
        truth.coronary_arteries.push_back(std::move(line));
    }

    CalciumScoreTruth& cac = truth.cac;
    cac.threshold_hu = kCalciumThresholdHu;
    cac.min_area_mm2 = kMinLesionAreaMm2;
    cac.slice_increment_mm = geometry.spacing[2];
    cac.mass_calibration_mg_per_mm3_per_hu = kMassCalibration;
    for (const PlacedLesion& lesion : lesions) {
        CalcificationTruth lesion_truth = MeasureLesion(lesion, ct);
        if (lesion_truth.scored) {
            cac.agatston_raw += lesion_truth.agatston;
            cac.volume_mm3 += lesion_truth.volume_score_mm3;
            cac.mass_mg += lesion_truth.mass_mg;
            ++cac.lesions_scored;
        }
        truth.calcifications.push_back(std::move(lesion_truth));
    }
    cac.agatston_scaled = cac.agatston_raw * cac.slice_increment_mm / 3.0;
    cac.risk_category = AgatstonRiskCategory(cac.agatston_scaled);

    for (std::size_t t = 0; t < kTissueCount; ++t) {
        truth.tissues.push_back({static_cast<Tissue>(t), counts[t], static_cast<double>(counts[t]) * voxel_ml});
    }
}

std::vector<TumourContour> BuildTumourContours(const ImageGeometry& geometry, const Point3& centre_mm,
                                               double radius_mm) {
    const Point3& c = centre_mm;
    const double r = radius_mm;
    std::vector<TumourContour> contours;
    for (std::size_t k = 0; k < geometry.size[2]; ++k) {
        const double z = geometry.IndexToPhysical(0.0, 0.0, static_cast<double>(k))[2];
        const double dz = z - c[2];
        if (std::abs(dz) >= r) {
            continue;
        }
        const double rs = std::sqrt(r * r - dz * dz);
        TumourContour contour{k, z, {}};
        constexpr int kVertices = 72;
        for (int v = 0; v < kVertices; ++v) {
            const double angle = 2.0 * kPi * v / kVertices;
            contour.points.push_back({c[0] + rs * std::cos(angle), c[1] + rs * std::sin(angle), z});
        }
        contours.push_back(std::move(contour));
    }
    return contours;
}

} // namespace detail

int AgatstonWeight(double peak_hu) {
    if (peak_hu < 130.0) {
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

std::string_view AgatstonRiskCategory(double agatston) {
    if (agatston <= 0.0) {
        return "0";
    }
    if (agatston <= 10.0) {
        return "1-10";
    }
    if (agatston <= 100.0) {
        return "11-100";
    }
    return agatston <= 400.0 ? "101-400" : ">400";
}

} // namespace radnode::processing::phantom
