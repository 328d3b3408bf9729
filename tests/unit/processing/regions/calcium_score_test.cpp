#include "processing/cac/calcium_score.h"
#include "processing/phantom/thorax_phantom.h"
#include "processing/regions/box_mask.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <initializer_list>
#include <map>
#include <vector>

namespace radnode::processing::cac {
namespace {

using phantom::CalcificationKind;
using phantom::CalcificationTruth;
using phantom::LesionSliceTruth;
using phantom::PhantomOptions;
using phantom::ThoraxPhantom;
using phantom::Tissue;
using regions::BoxMask;

/// A phantom at the default 0.7 mm pixels (so C6 stays below 1 mm2) cropped in-plane and in z
/// to what the tests need: x +/- 100 mm (the heart reaches x = -38 ... 78 and the tumour,
/// which the generator requires, x = -93), y +/- 89 mm (heart -85 ... 15, aorta A1 at 45) and
/// z +/- 107 mm (heart -106 ... 6, tumour up to 58). Even counts keep the voxel lattice of the
/// default 512 x 512 x 100 phantom, so the lesion boxes are the documented ones.
PhantomOptions CacOptions(double slice_mm) {
    PhantomOptions options;
    options.columns = 288;
    options.rows = 256;
    options.slices = static_cast<std::size_t>(std::lround(216.0 / slice_mm));
    options.slice_thickness_mm = slice_mm;
    return options;
}

const ThoraxPhantom& Phantom3mm() {
    static const ThoraxPhantom phantom = phantom::GenerateThoraxPhantom(CacOptions(3.0));
    return phantom;
}

const ThoraxPhantom& Phantom1p5mm() {
    static const ThoraxPhantom phantom = phantom::GenerateThoraxPhantom(CacOptions(1.5));
    return phantom;
}

/// The voxels of the listed tissues, as the segmentation would deliver them.
BoxMask CandidateFrom(const LabelMap& labels, std::initializer_list<Tissue> tissues) {
    std::array<std::uint8_t, 256> keep{};
    for (const Tissue tissue : tissues) {
        keep[static_cast<std::uint8_t>(tissue)] = 1;
    }
    LabelMap mask(labels.Geometry(), 0);
    for (std::size_t n = 0; n < labels.Data().size(); ++n) {
        mask.Data()[n] = keep[labels.Data()[n]];
    }
    return regions::BoxMaskFromVolume(mask);
}

/// The coronary candidate region: heart and epicardial fat with the coronaries, without
/// bone, aorta or aortic calcium.
BoxMask HeartCandidate(const ThoraxPhantom& p) {
    return CandidateFrom(p.labels, {Tissue::EpicardialFat, Tissue::CoronaryArtery, Tissue::CoronaryCalcium,
                                    Tissue::Myocardium, Tissue::BloodPool});
}

/// Relative agreement far tighter than the 0.5 % asked for: only the summation order differs.
void ExpectSame(double actual, double expected, const char* what) {
    EXPECT_NEAR(actual, expected, 0.005 * std::abs(expected)) << what;
    EXPECT_NEAR(actual, expected, 1e-12 * std::max(1.0, std::abs(expected))) << what;
}

/// Lesions of `score` on slice k whose centroid lies in the truth box of a calcification.
std::vector<const CacLesion*> LesionsIn(const CalciumScore& score, const CalcificationTruth& truth,
                                        const ImageGeometry& g, std::size_t k) {
    std::vector<const CacLesion*> found;
    for (const CacLesion& lesion : score.lesions) {
        const Point3 index = g.PhysicalToContinuousIndex(lesion.centroid_mm);
        bool inside = lesion.slice_index == k;
        for (int axis = 0; axis < 2; ++axis) {
            inside = inside && index[axis] >= static_cast<double>(truth.index_min[axis]) - 1e-9 &&
                     index[axis] <= static_cast<double>(truth.index_max[axis]) + 1e-9;
        }
        if (inside) {
            found.push_back(&lesion);
        }
    }
    return found;
}

/// Checks the totals and every truth lesion slice against the score (coronary lesions only).
void ExpectMatchesTruth(const ThoraxPhantom& p, const CalciumScore& score) {
    const phantom::CalciumScoreTruth& cac = p.truth.cac;
    ASSERT_TRUE(score.computed) << score.reason;
    ASSERT_TRUE(p.truth.omitted_calcifications.empty());
    ExpectSame(score.agatston_raw, cac.agatston_raw, "agatston_raw");
    ExpectSame(score.agatston_scaled, cac.agatston_scaled, "agatston_scaled");
    ExpectSame(score.volume_mm3, cac.volume_mm3, "volume_mm3");
    ExpectSame(score.mass_mg, cac.mass_mg, "mass_mg");
    EXPECT_EQ(score.risk_category, cac.risk_category);
    EXPECT_DOUBLE_EQ(score.slice_increment_mm, cac.slice_increment_mm);
    EXPECT_DOUBLE_EQ(score.threshold_hu, cac.threshold_hu);
    EXPECT_EQ(score.threshold_source, ThresholdSource::Fixed);
    EXPECT_EQ(score.lesion_count_3d, cac.lesions_scored);

    std::size_t matched = 0;
    std::size_t scored_slices = 0;
    std::map<std::string, int> lesion_3d_of;
    for (const CalcificationTruth& truth : p.truth.calcifications) {
        if (truth.kind != CalcificationKind::Coronary) {
            continue;
        }
        for (const LesionSliceTruth& slice : truth.slices) {
            SCOPED_TRACE(truth.id + " slice " + std::to_string(slice.slice_index));
            const std::vector<const CacLesion*> found = LesionsIn(score, truth, p.ct.Geometry(), slice.slice_index);
            if (slice.peak_hu < cac.threshold_hu) {
                EXPECT_TRUE(found.empty()); // C7: nothing reaches the threshold, no lesion at all
                continue;
            }
            ASSERT_EQ(found.size(), 1U);
            const CacLesion& lesion = *found.front();
            ++matched;
            EXPECT_EQ(lesion.pixel_count, slice.pixel_count);
            EXPECT_EQ(lesion.pixels_at_or_above_threshold, slice.pixels_at_or_above_threshold);
            EXPECT_DOUBLE_EQ(lesion.area_mm2, slice.area_mm2);
            EXPECT_EQ(lesion.peak_hu, slice.peak_hu);
            EXPECT_DOUBLE_EQ(lesion.z_mm, slice.z_mm);
            EXPECT_EQ(lesion.scored, slice.scored);
            EXPECT_EQ(lesion.weight, slice.agatston_weight);
            EXPECT_DOUBLE_EQ(lesion.agatston, slice.agatston);
            if (slice.scored) {
                ++scored_slices;
                EXPECT_TRUE(lesion.exclusion_reason.empty());
                // The lesion boxes are axis-aligned, so each slice's centroid is the 3D one in x, y.
                EXPECT_NEAR(lesion.centroid_mm[0], truth.centroid_mm[0], 1e-9);
                EXPECT_NEAR(lesion.centroid_mm[1], truth.centroid_mm[1], 1e-9);
                // All slices of one calcification form one 3D lesion, distinct per calcification.
                EXPECT_EQ(lesion_3d_of.emplace(truth.id, lesion.lesion_3d).first->second, lesion.lesion_3d);
                EXPECT_GE(lesion.lesion_3d, 0);
            } else {
                EXPECT_NE(lesion.exclusion_reason.find("below the minimum"), std::string::npos)
                    << lesion.exclusion_reason;
                EXPECT_EQ(lesion.lesion_3d, -1);
            }
        }
    }
    EXPECT_EQ(matched, score.lesions.size()); // no lesion outside the truth lesions
    EXPECT_EQ(score.lesion_count, scored_slices);
    std::vector<int> ids;
    for (const auto& [id, lesion_3d] : lesion_3d_of) {
        ids.push_back(lesion_3d);
    }
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
    EXPECT_EQ(ids.size(), cac.lesions_scored);
}

const CalcificationTruth& TruthOf(const ThoraxPhantom& p, const std::string& id) {
    const auto it = std::find_if(p.truth.calcifications.begin(), p.truth.calcifications.end(),
                                 [&](const CalcificationTruth& c) { return c.id == id; });
    EXPECT_NE(it, p.truth.calcifications.end()) << id;
    return *it;
}

TEST(CacScorePhantom, ThreeMillimetreSlicesMatchTruth) {
    const ThoraxPhantom& p = Phantom3mm();
    // The cropped phantom keeps the documented default lesions (docs/phantom.md).
    EXPECT_NEAR(p.truth.cac.agatston_scaled, 370.44, 1e-6);
    EXPECT_EQ(p.truth.cac.risk_category, "101-400");
    const CalciumScore score = ScoreCalcium(p.ct, HeartCandidate(p), CacSettings{}, 120.0);
    ExpectMatchesTruth(p, score);
    EXPECT_DOUBLE_EQ(score.agatston_scaled, score.agatston_raw);
    // C6 (one 0.49 mm2 pixel) is listed and excluded; C7 (115 HU) is below the threshold.
    EXPECT_EQ(TruthOf(p, "C6").exclusion_reason, "area below 1 mm2 on every slice");
    EXPECT_EQ(TruthOf(p, "C7").exclusion_reason, "peak below 130 HU");
    EXPECT_EQ(score.lesions.size(), score.lesion_count + 1);
}

TEST(CacScorePhantom, OnePointFiveMillimetreSlicesScaleByIncrement) {
    const ThoraxPhantom& p = Phantom1p5mm();
    const CalciumScore score = ScoreCalcium(p.ct, HeartCandidate(p), CacSettings{});
    ExpectMatchesTruth(p, score);
    EXPECT_DOUBLE_EQ(score.slice_increment_mm, 1.5);
    EXPECT_DOUBLE_EQ(score.agatston_scaled, score.agatston_raw * 1.5 / 3.0);
    // Twice the slices at half the increment: the scaled score stays near the 3 mm one.
    EXPECT_NEAR(score.agatston_scaled, Phantom3mm().truth.cac.agatston_scaled,
                0.25 * Phantom3mm().truth.cac.agatston_scaled);
    EXPECT_NE(score.scaling.find("1.5 mm / reference 3 mm"), std::string::npos) << score.scaling;
    // An explicit increment equal to the spacing changes nothing.
    const CalciumScore explicit_increment = ScoreCalcium(p.ct, HeartCandidate(p), CacSettings{}, std::nullopt, 1.5);
    EXPECT_DOUBLE_EQ(explicit_increment.agatston_scaled, score.agatston_scaled);
}

TEST(CacScorePhantom, CandidateMaskExcludesAorticCalciumAndBone) {
    const ThoraxPhantom& p = Phantom3mm();
    const CalcificationTruth& a1 = TruthOf(p, "A1");
    ASSERT_EQ(a1.kind, CalcificationKind::Aortic);
    const CalciumScore proper = ScoreCalcium(p.ct, HeartCandidate(p), CacSettings{});
    ASSERT_TRUE(proper.computed);
    for (const LesionSliceTruth& slice : a1.slices) {
        EXPECT_TRUE(LesionsIn(proper, a1, p.ct.Geometry(), slice.slice_index).empty());
    }

    // A region that wrongly includes the aorta counts A1 as if it were coronary.
    const CalciumScore with_aorta =
        ScoreCalcium(p.ct,
                     CandidateFrom(p.labels, {Tissue::EpicardialFat, Tissue::CoronaryArtery, Tissue::CoronaryCalcium,
                                              Tissue::Myocardium, Tissue::BloodPool, Tissue::Aorta,
                                              Tissue::AorticCalcium}),
                     CacSettings{});
    double a1_agatston = 0.0;
    for (const LesionSliceTruth& slice : a1.slices) {
        a1_agatston += slice.area_mm2 * AgatstonWeight(slice.peak_hu);
        EXPECT_EQ(LesionsIn(with_aorta, a1, p.ct.Geometry(), slice.slice_index).size(), 1U);
    }
    EXPECT_GT(a1_agatston, 0.0);
    EXPECT_NEAR(with_aorta.agatston_raw - proper.agatston_raw, a1_agatston, 1e-9);
    EXPECT_EQ(with_aorta.lesion_count, proper.lesion_count + a1.slices.size());
    EXPECT_EQ(with_aorta.lesion_count_3d, proper.lesion_count_3d + 1);

    // Bone in the region (vertebrae, ribs) would dominate the score.
    const CalciumScore with_bone =
        ScoreCalcium(p.ct,
                     CandidateFrom(p.labels, {Tissue::EpicardialFat, Tissue::CoronaryArtery, Tissue::CoronaryCalcium,
                                              Tissue::Myocardium, Tissue::BloodPool, Tissue::CorticalBone,
                                              Tissue::CancellousBone, Tissue::Rib}),
                     CacSettings{});
    EXPECT_GT(with_bone.agatston_scaled, 10.0 * proper.agatston_scaled);
    EXPECT_EQ(with_bone.risk_category, ">400");
    EXPECT_EQ(proper.risk_category, "101-400");
}

TEST(CacScoreInputs, EmptyCandidatesAreNotComputed) {
    const CtVolume ct(ImageGeometry{{8, 8, 2}, {1.0, 1.0, 3.0}}, 500);
    for (const BoxMask& empty : {BoxMask{}, BoxMask{{1, 1, 0}, {2, 2, 1}, std::vector<std::uint8_t>(4, 0)}}) {
        const CalciumScore score = ScoreCalcium(ct, empty, CacSettings{});
        EXPECT_FALSE(score.computed);
        EXPECT_NE(score.reason.find("no heart region"), std::string::npos) << score.reason;
        EXPECT_TRUE(score.risk_category.empty());
    }
}

TEST(CacScoreInputs, RegionWithoutCalciumScoresZero) {
    const ThoraxPhantom& p = Phantom3mm();
    const CalciumScore score = ScoreCalcium(p.ct, CandidateFrom(p.labels, {Tissue::Myocardium, Tissue::BloodPool}),
                                            CacSettings{});
    ASSERT_TRUE(score.computed) << score.reason;
    EXPECT_GT(score.candidate_voxels, 0U);
    EXPECT_EQ(score.agatston_scaled, 0.0);
    EXPECT_EQ(score.volume_mm3, 0.0);
    EXPECT_EQ(score.mass_mg, 0.0);
    EXPECT_EQ(score.risk_category, "0");
    EXPECT_EQ(score.lesion_count, 0U);
    EXPECT_TRUE(score.lesions.empty());
}

TEST(CacScoreInputs, InvalidRegionsAndSettingsAreNotComputed) {
    const CtVolume ct(ImageGeometry{{8, 8, 2}, {1.0, 1.0, 3.0}}, 500);
    const BoxMask outside{{6, 0, 0}, {4, 2, 1}, std::vector<std::uint8_t>(8, 1)};
    EXPECT_FALSE(ScoreCalcium(ct, outside, CacSettings{}).computed);
    const BoxMask whole{{0, 0, 0}, {8, 8, 2}, std::vector<std::uint8_t>(128, 1)};
    EXPECT_FALSE(ScoreCalcium(ct, whole, CacSettings{}, std::nullopt, 0.0).computed);
    CacSettings no_calibration;
    no_calibration.mass_calibration_mg_per_mm3_per_hu = 0.0;
    EXPECT_FALSE(ScoreCalcium(ct, whole, no_calibration).computed);
    ImageGeometry sagittal = ct.Geometry();
    sagittal.direction = {0, 0, 1, 1, 0, 0, 0, 1, 0};
    const CalciumScore not_axial = ScoreCalcium(CtVolume(sagittal, 500), whole, CacSettings{});
    EXPECT_FALSE(not_axial.computed);
    EXPECT_NE(not_axial.reason.find("axial"), std::string::npos);
    EXPECT_TRUE(ScoreCalcium(ct, whole, CacSettings{}).computed);
}

} // namespace
} // namespace radnode::processing::cac
