// Hand-built slices for the CAC scoring rules: connectivity, minimum area, weight bands,
// kVp thresholds, 3D grouping, volume and mass, and the candidate box.

#include "processing/cac/calcium_score.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <vector>

namespace radnode::processing::cac {
namespace {

using regions::BoxMask;

/// A soft-tissue (40 HU) CT of nx x ny x nz voxels.
CtVolume SoftTissue(std::size_t nx, std::size_t ny, std::size_t nz, double pixel_mm = 1.0, double slice_mm = 3.0) {
    ImageGeometry g;
    g.size = {nx, ny, nz};
    g.spacing = {pixel_mm, pixel_mm, slice_mm};
    g.origin = {-10.0, 20.0, -50.0};
    return CtVolume(g, 40);
}

/// Sets the square [i0, i0 + n) x [j0, j0 + n) of slice k to `hu`.
void Square(CtVolume& ct, std::size_t i0, std::size_t j0, std::size_t k, std::size_t n, std::int16_t hu) {
    for (std::size_t j = j0; j < j0 + n; ++j) {
        for (std::size_t i = i0; i < i0 + n; ++i) {
            ct.At(i, j, k) = hu;
        }
    }
}

/// The whole grid as the candidate region.
BoxMask Everything(const CtVolume& ct) {
    const auto& size = ct.Geometry().size;
    return BoxMask{{0, 0, 0}, size, std::vector<std::uint8_t>(ct.Geometry().VoxelCount(), 1)};
}

TEST(CacScoreRules, FourAndEightConnectivityCountCornerTouchingLesionsDifferently) {
    CtVolume ct = SoftTissue(12, 12, 1);
    Square(ct, 2, 2, 0, 2, 300); // touches the next square only at a corner
    Square(ct, 4, 4, 0, 2, 300);
    CacSettings eight;
    CacSettings four;
    four.connectivity = LesionConnectivity::Four;
    const CalciumScore joined = ScoreCalcium(ct, Everything(ct), eight);
    const CalciumScore split = ScoreCalcium(ct, Everything(ct), four);
    ASSERT_TRUE(joined.computed && split.computed);
    EXPECT_EQ(joined.lesion_count, 1U);
    ASSERT_EQ(joined.lesions.size(), 1U);
    EXPECT_DOUBLE_EQ(joined.lesions[0].area_mm2, 8.0);
    EXPECT_EQ(split.lesion_count, 2U);
    ASSERT_EQ(split.lesions.size(), 2U);
    EXPECT_DOUBLE_EQ(split.lesions[0].area_mm2, 4.0);
    EXPECT_DOUBLE_EQ(split.lesions[1].area_mm2, 4.0);
    // Same pixels, same weight: the Agatston score does not depend on the split here.
    EXPECT_DOUBLE_EQ(joined.agatston_raw, 24.0);
    EXPECT_DOUBLE_EQ(split.agatston_raw, 24.0);
}

TEST(CacScoreRules, LesionsBelowTheMinimumAreaAreListedButExcluded) {
    CtVolume ct = SoftTissue(16, 16, 1, 0.5); // 0.25 mm2 pixels
    ct.At(2, 2, 0) = 500;                     // three pixels: 0.75 mm2
    ct.At(3, 2, 0) = 500;
    ct.At(2, 3, 0) = 500;
    Square(ct, 10, 10, 0, 2, 500); // four pixels: exactly 1 mm2, scored
    const CalciumScore score = ScoreCalcium(ct, Everything(ct), CacSettings{});
    ASSERT_TRUE(score.computed);
    ASSERT_EQ(score.lesions.size(), 2U);
    const CacLesion& tiny = score.lesions[0];
    const CacLesion& small = score.lesions[1];
    EXPECT_DOUBLE_EQ(tiny.area_mm2, 0.75);
    EXPECT_FALSE(tiny.scored);
    EXPECT_EQ(tiny.weight, 0);
    EXPECT_EQ(tiny.agatston, 0.0);
    EXPECT_NE(tiny.exclusion_reason.find("0.75 mm2 below the minimum 1 mm2"), std::string::npos)
        << tiny.exclusion_reason;
    EXPECT_TRUE(small.scored);
    EXPECT_EQ(score.lesion_count, 1U);
    EXPECT_DOUBLE_EQ(score.agatston_raw, 4.0);

    CacSettings no_minimum;
    no_minimum.min_lesion_area_mm2 = 0.0;
    EXPECT_EQ(ScoreCalcium(ct, Everything(ct), no_minimum).lesion_count, 2U);
}

TEST(CacScoreRules, WeightFollowsThePeakHuBands) {
    CtVolume ct = SoftTissue(40, 8, 1);
    const std::vector<std::int16_t> peaks{129, 130, 199, 200, 399, 400};
    for (std::size_t n = 0; n < peaks.size(); ++n) {
        Square(ct, 2 + 6 * n, 2, 0, 2, peaks[n]);
    }
    const CalciumScore score = ScoreCalcium(ct, Everything(ct), CacSettings{});
    ASSERT_TRUE(score.computed);
    std::map<int, int> weight_of_peak;
    for (const CacLesion& lesion : score.lesions) {
        weight_of_peak[lesion.peak_hu] = lesion.weight;
    }
    const std::map<int, int> expected{{130, 1}, {199, 1}, {200, 2}, {399, 3}, {400, 4}};
    EXPECT_EQ(weight_of_peak, expected); // 129 HU is no lesion at all
    EXPECT_DOUBLE_EQ(score.agatston_raw, 4.0 * (1 + 1 + 2 + 3 + 4));

    // The peak decides, not the mean: three 140 HU pixels and one 450 HU pixel weigh 4.
    CtVolume mixed = SoftTissue(8, 8, 1);
    Square(mixed, 3, 3, 0, 2, 140);
    mixed.At(4, 4, 0) = 450;
    const CalciumScore peak = ScoreCalcium(mixed, Everything(mixed), CacSettings{});
    ASSERT_EQ(peak.lesions.size(), 1U);
    EXPECT_EQ(peak.lesions[0].weight, 4);
    EXPECT_DOUBLE_EQ(peak.agatston_raw, 16.0);

    EXPECT_EQ(AgatstonWeight(129.0), 0);
    EXPECT_EQ(AgatstonWeight(130.0), 1);
    EXPECT_EQ(AgatstonWeight(140.0, 150.0), 0);
    EXPECT_EQ(AgatstonWeight(150.0, 150.0), 1);
    EXPECT_EQ(AgatstonWeight(250.0, 210.0), 2);
}

TEST(CacScoreRules, RiskCategoriesBoundTheScaledScore) {
    EXPECT_EQ(RiskCategory(0.0), "0");
    EXPECT_EQ(RiskCategory(0.5), "1-10");
    EXPECT_EQ(RiskCategory(10.0), "1-10");
    EXPECT_EQ(RiskCategory(10.01), "11-100");
    EXPECT_EQ(RiskCategory(100.0), "11-100");
    EXPECT_EQ(RiskCategory(400.0), "101-400");
    EXPECT_EQ(RiskCategory(400.5), ">400");
}

TEST(CacScoreRules, KvpTableSelectsTheThresholdWhenTheKvpIsListed) {
    CacSettings settings;
    const ThresholdChoice no_table = SelectThreshold(settings, 100.0);
    EXPECT_DOUBLE_EQ(no_table.threshold_hu, 130.0);
    EXPECT_EQ(no_table.source, ThresholdSource::Fixed);
    EXPECT_NE(no_table.reason.find("no kVp table"), std::string::npos) << no_table.reason;

    settings.kvp_thresholds_hu = {{100, 147.0}, {120, 130.0}}; // test values, not a recommendation
    const ThresholdChoice listed = SelectThreshold(settings, 100.0);
    EXPECT_DOUBLE_EQ(listed.threshold_hu, 147.0);
    EXPECT_EQ(listed.source, ThresholdSource::FromKvp);
    EXPECT_DOUBLE_EQ(SelectThreshold(settings, 100.4).threshold_hu, 147.0); // KVP is a decimal string
    const ThresholdChoice unlisted = SelectThreshold(settings, 80.0);
    EXPECT_DOUBLE_EQ(unlisted.threshold_hu, 130.0);
    EXPECT_EQ(unlisted.source, ThresholdSource::Fixed);
    EXPECT_NE(unlisted.reason.find("not in the kVp table"), std::string::npos) << unlisted.reason;
    const ThresholdChoice unknown = SelectThreshold(settings, std::nullopt);
    EXPECT_EQ(unknown.source, ThresholdSource::Fixed);
    EXPECT_NE(unknown.reason.find("kVp unknown"), std::string::npos) << unknown.reason;

    CtVolume ct = SoftTissue(16, 8, 1);
    Square(ct, 2, 2, 0, 2, 140); // calcium at 130 HU, not at 147 HU
    Square(ct, 8, 2, 0, 2, 150); // calcium at both; weight 1 (the first band starts at 147)
    const CalciumScore at_100 = ScoreCalcium(ct, Everything(ct), settings, 100.0);
    const CalciumScore at_120 = ScoreCalcium(ct, Everything(ct), settings, 120.0);
    ASSERT_TRUE(at_100.computed && at_120.computed);
    EXPECT_DOUBLE_EQ(at_100.threshold_hu, 147.0);
    EXPECT_EQ(at_100.threshold_source, ThresholdSource::FromKvp);
    EXPECT_EQ(at_100.lesion_count, 1U);
    ASSERT_EQ(at_100.lesions.size(), 1U);
    EXPECT_EQ(at_100.lesions[0].peak_hu, 150);
    EXPECT_EQ(at_100.lesions[0].weight, 1);
    EXPECT_EQ(at_120.lesion_count, 2U);
    EXPECT_DOUBLE_EQ(at_120.agatston_raw, 8.0);
}

TEST(CacScoreRules, ScoredVoxelsGroupTwentySixConnectedAcrossSlices) {
    CtVolume ct = SoftTissue(16, 16, 3);
    Square(ct, 2, 2, 0, 2, 300);   // A on slice 0 ...
    Square(ct, 4, 4, 1, 2, 300);   // ... touches this one on slice 1 at a corner: one 3D lesion
    Square(ct, 10, 10, 1, 2, 300); // B: alone
    Square(ct, 10, 2, 0, 2, 300);  // C on slice 0 and D on slice 2: a slice apart, separate
    Square(ct, 10, 2, 2, 2, 300);
    const CalciumScore score = ScoreCalcium(ct, Everything(ct), CacSettings{});
    ASSERT_TRUE(score.computed);
    EXPECT_EQ(score.lesion_count, 5U);
    EXPECT_EQ(score.lesion_count_3d, 4U);
    std::map<std::pair<std::size_t, std::size_t>, int> group; // (slice, first x) -> 3D lesion
    for (const CacLesion& lesion : score.lesions) {
        const Point3 index = ct.Geometry().PhysicalToContinuousIndex(lesion.centroid_mm);
        group[{lesion.slice_index, static_cast<std::size_t>(index[0])}] = lesion.lesion_3d;
    }
    EXPECT_EQ(group.at({0, 2}), group.at({1, 4}));
    EXPECT_NE(group.at({1, 10}), group.at({1, 4}));
    EXPECT_NE(group.at({0, 10}), group.at({2, 10}));
    EXPECT_EQ(group.at({0, 2}), 0); // numbered by first slice, then scan order
}

TEST(CacScoreRules, VolumeMassCentroidAndScalingFollowTheDefinitions) {
    CtVolume ct = SoftTissue(8, 8, 2, 1.0, 3.0);
    ct.At(2, 2, 1) = 200;
    ct.At(3, 2, 1) = 300;
    ct.At(2, 3, 1) = 400;
    ct.At(3, 3, 1) = 500;
    const CalciumScore score = ScoreCalcium(ct, Everything(ct), CacSettings{});
    ASSERT_EQ(score.lesions.size(), 1U);
    const CacLesion& lesion = score.lesions[0];
    EXPECT_DOUBLE_EQ(score.volume_mm3, 4 * 3.0);
    EXPECT_DOUBLE_EQ(score.mass_mg, 1400 * 3.0 * 0.001);
    EXPECT_DOUBLE_EQ(lesion.mass_mg, score.mass_mg);
    EXPECT_DOUBLE_EQ(score.agatston_scaled, 16.0);
    EXPECT_EQ(score.risk_category, "11-100");
    EXPECT_EQ(lesion.slice_index, 1U);
    EXPECT_DOUBLE_EQ(lesion.centroid_mm[0], -10.0 + 2.5);
    EXPECT_DOUBLE_EQ(lesion.centroid_mm[1], 20.0 + 2.5);
    EXPECT_DOUBLE_EQ(lesion.z_mm, -50.0 + 3.0);

    // A calibrated factor and an overlapping reconstruction (1.5 mm increment).
    CacSettings calibrated;
    calibrated.mass_calibration_mg_per_mm3_per_hu = 0.0008;
    const CalciumScore overlapping = ScoreCalcium(ct, Everything(ct), calibrated, std::nullopt, 1.5);
    EXPECT_DOUBLE_EQ(overlapping.volume_mm3, 4 * 1.5);
    EXPECT_DOUBLE_EQ(overlapping.mass_mg, 1400 * 1.5 * 0.0008);
    EXPECT_DOUBLE_EQ(overlapping.agatston_raw, 16.0);
    EXPECT_DOUBLE_EQ(overlapping.agatston_scaled, 8.0);
    EXPECT_EQ(overlapping.risk_category, "1-10");
}

TEST(CacScoreRules, OnlyVoxelsInsideTheCandidateRegionCount) {
    CtVolume ct = SoftTissue(12, 12, 3);
    Square(ct, 4, 4, 1, 2, 300); // x 4-5, y 4-5 on slice 1
    Square(ct, 9, 9, 1, 2, 900); // outside the box
    // Box over x 2..4, y 3..6, slices 1..2, with x = 4 in the region only on slice 1.
    BoxMask box{{2, 3, 1}, {3, 4, 2}, std::vector<std::uint8_t>(24, 1)};
    for (std::size_t j = 0; j < 4; ++j) {
        box.values[box.Offset(4, 3 + j, 2)] = 0;
    }
    const CalciumScore score = ScoreCalcium(ct, box, CacSettings{});
    ASSERT_TRUE(score.computed);
    EXPECT_EQ(score.candidate_voxels, 20U);
    ASSERT_EQ(score.lesions.size(), 1U);
    EXPECT_EQ(score.lesions[0].pixel_count, 2U); // x = 4, y = 4..5
    EXPECT_EQ(score.lesions[0].peak_hu, 300);
    EXPECT_DOUBLE_EQ(score.lesions[0].centroid_mm[0], -10.0 + 4.0);
    EXPECT_DOUBLE_EQ(score.lesions[0].centroid_mm[1], 20.0 + 4.5);
    EXPECT_DOUBLE_EQ(score.agatston_raw, 2.0 * 3);
}

} // namespace
} // namespace radnode::processing::cac
