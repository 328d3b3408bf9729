// The whole region analysis (thorax regions, rings, CAC) on the synthetic phantom against its
// closed-form truth, and the documented outcomes for CTs it cannot fully handle: no heart in
// view, a lung crop (the kind of sub-volume PyRadiomics' lung test cases are), no tumour, a
// tumour touching the chest wall, a CT of nothing but air.

#include "processing/regions/region_analysis.h"

#include "processing/phantom/thorax_phantom.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

namespace radnode::processing::regions {
namespace {

phantom::ThoraxPhantom Phantom(const phantom::PhantomOptions& options) { return phantom::GenerateThoraxPhantom(options); }

/// Every voxel of `inner` lies in `outer`.
bool Inside(const BoxMask& inner, const BoxMask& outer) {
    for (std::size_t k = 0; k < inner.size[2]; ++k)
        for (std::size_t j = 0; j < inner.size[1]; ++j)
            for (std::size_t i = 0; i < inner.size[0]; ++i)
                if (inner.values[i + inner.size[0] * (j + inner.size[1] * k)] != 0 &&
                    !outer.At(inner.begin[0] + i, inner.begin[1] + j, inner.begin[2] + k))
                    return false;
    return true;
}

TEST(RegionAnalysis, PhantomScoresMatchTheClosedFormTruth) {
    const phantom::ThoraxPhantom p = Phantom({});
    const RegionAnalysis a = AnalyseRegions(p.ct, BoxMaskFromLabels(p.tumour_mask), {}, 120.0);
    ASSERT_TRUE(a.cac.computed) << a.cac.reason;
    const auto& truth = p.truth.cac;
    std::printf("  Agatston %.2f (truth %.2f), volume %.2f mm3 (%.2f), mass %.2f mg (%.2f)\n", a.cac.agatston_scaled,
                truth.agatston_scaled, a.cac.volume_mm3, truth.volume_mm3, a.cac.mass_mg, truth.mass_mg);
    EXPECT_NEAR(a.cac.agatston_scaled, truth.agatston_scaled, 0.005 * truth.agatston_scaled);
    EXPECT_NEAR(a.cac.volume_mm3, truth.volume_mm3, 0.005 * truth.volume_mm3);
    EXPECT_NEAR(a.cac.mass_mg, truth.mass_mg, 0.005 * truth.mass_mg);
    EXPECT_EQ(a.cac.risk_category, truth.risk_category);
    ASSERT_TRUE(a.lungs.found);
    EXPECT_TRUE(Inside(a.tumour.mask, a.lungs.mask));
    ASSERT_TRUE(a.peritumoral_computed) << a.peritumoral_reason;
    ASSERT_EQ(a.peritumoral.regions.size(), 3U);
    for (const PeritumoralRegion& ring : a.peritumoral.regions)
        EXPECT_TRUE(Inside(ring.mask, a.lungs.mask)) << ring.name; // clipped to the lungs by default
}

TEST(RegionAnalysis, NoHeartInViewMeansNoCacNotZero) {
    phantom::PhantomOptions options;
    options.slab_centre_z_mm = 70.0; // z 10..130 mm: above the heart
    options.slices = 40;
    const phantom::ThoraxPhantom p = Phantom(options);
    const RegionAnalysis a = AnalyseRegions(p.ct, BoxMaskFromLabels(p.tumour_mask), {});
    EXPECT_TRUE(a.thorax.lung_right.found);
    EXPECT_TRUE(a.thorax.lung_left.found);
    EXPECT_FALSE(a.thorax.heart.found);
    std::printf("  heart: %s\n  cac: %s\n", a.thorax.heart.reason.c_str(), a.cac.reason.c_str());
    EXPECT_FALSE(a.cac.computed);
    EXPECT_NE(a.cac.reason.find("heart"), std::string::npos);
    EXPECT_TRUE(a.peritumoral_computed) << a.peritumoral_reason;
}

TEST(RegionAnalysis, LungCropAroundTheTumour) {
    // A 96 x 96 x 20 voxel crop around the tumour, as radiomics test cases are cut: mostly lung,
    // no body outline, no mediastinum.
    phantom::PhantomOptions options;
    options.noise_hu = 0.0;
    const phantom::ThoraxPhantom p = Phantom(options);
    const BoxMask tumour = BoxMaskFromLabels(p.tumour_mask);
    ImageGeometry g = p.ct.Geometry();
    std::array<std::size_t, 3> lo{};
    const std::array<std::size_t, 3> crop{96, 96, 20};
    for (std::size_t a = 0; a < 3; ++a)
        lo[a] = tumour.begin[a] + tumour.size[a] / 2 - crop[a] / 2;
    ImageGeometry cg = g;
    cg.size = crop;
    cg.origin = g.IndexToPhysical(static_cast<double>(lo[0]), static_cast<double>(lo[1]), static_cast<double>(lo[2]));
    CtVolume ct(cg, 0);
    LabelMap t(cg, 0);
    for (std::size_t k = 0; k < crop[2]; ++k)
        for (std::size_t j = 0; j < crop[1]; ++j)
            for (std::size_t i = 0; i < crop[0]; ++i) {
                ct.At(i, j, k) = p.ct.At(lo[0] + i, lo[1] + j, lo[2] + k);
                t.At(i, j, k) = p.tumour_mask.At(lo[0] + i, lo[1] + j, lo[2] + k);
            }
    const RegionAnalysis a = AnalyseRegions(ct, BoxMaskFromLabels(t), {});
    std::printf("  body %s (%s), lung_right %s (%s), lung_left %s (%s), heart %s (%s)\n  cac: %s\n  rings: %s\n",
                a.thorax.body.found ? "found" : "not found", a.thorax.body.reason.c_str(),
                a.thorax.lung_right.found ? "found" : "not found", a.thorax.lung_right.reason.c_str(),
                a.thorax.lung_left.found ? "found" : "not found", a.thorax.lung_left.reason.c_str(),
                a.thorax.heart.found ? "found" : "not found", a.thorax.heart.reason.c_str(), a.cac.reason.c_str(),
                a.peritumoral_computed ? "computed" : a.peritumoral_reason.c_str());
    // No mediastinum in view: no heart, so no CAC, each with its reason.
    EXPECT_FALSE(a.thorax.heart.found);
    EXPECT_FALSE(a.thorax.heart.reason.empty());
    EXPECT_FALSE(a.cac.computed);
    EXPECT_FALSE(a.cac.reason.empty());
    // Rings: computed inside whatever lung was found, or not computed with the reason.
    if (a.peritumoral_computed) {
        for (const PeritumoralRegion& ring : a.peritumoral.regions)
            EXPECT_TRUE(Inside(ring.mask, a.lungs.mask)) << ring.name;
    } else {
        EXPECT_FALSE(a.peritumoral_reason.empty());
    }
    // With clipping off the rings never depend on the lungs.
    RegionAnalysisSettings unclipped;
    unclipped.peritumoral.clip = PeritumoralClip::None;
    const RegionAnalysis b = AnalyseRegions(ct, BoxMaskFromLabels(t), unclipped);
    ASSERT_TRUE(b.peritumoral_computed) << b.peritumoral_reason;
    EXPECT_GT(b.peritumoral.regions.front().voxel_count, 0U);
}

TEST(RegionAnalysis, NoTumourMeansNoRingsButCac) {
    phantom::PhantomOptions options;
    options.noise_hu = 0.0;
    const phantom::ThoraxPhantom p = Phantom(options);
    const RegionAnalysis a = AnalyseRegions(p.ct, BoxMask{}, {});
    EXPECT_FALSE(a.tumour.found);
    EXPECT_FALSE(a.peritumoral_computed);
    EXPECT_NE(a.peritumoral_reason.find("no tumour"), std::string::npos);
    EXPECT_TRUE(a.cac.computed) << a.cac.reason;
    // Without the tumour the right lung lacks the tumour's voxels that replaced its parenchyma.
    EXPECT_NEAR(a.thorax.lung_right.volume_ml, p.truth.right_lung.volume_ml, 0.03 * p.truth.right_lung.volume_ml);
}

TEST(RegionAnalysis, JuxtapleuralTumourStaysInTheLungAndItsRingsAreClipped) {
    phantom::PhantomOptions options;
    options.tumour_in_lung = false;
    options.tumour_centre_mm = phantom::kJuxtapleuralTumourCentreMm;
    const phantom::ThoraxPhantom p = Phantom(options);
    const RegionAnalysis a = AnalyseRegions(p.ct, BoxMaskFromLabels(p.tumour_mask), {});
    ASSERT_TRUE(a.lungs.found);
    EXPECT_TRUE(Inside(a.tumour.mask, a.lungs.mask));
    ASSERT_TRUE(a.peritumoral_computed) << a.peritumoral_reason;
    for (const PeritumoralRegion& ring : a.peritumoral.regions) {
        std::printf("  %s clipped fraction %.3f\n", ring.name.c_str(), ring.clipped_fraction);
        EXPECT_GT(ring.clipped_fraction, 0.05) << ring.name;
        EXPECT_TRUE(Inside(ring.mask, a.lungs.mask)) << ring.name;
    }
    EXPECT_TRUE(a.cac.computed) << a.cac.reason;
}

TEST(RegionAnalysis, AirOnlyCtFindsNothingAndSaysWhy) {
    ImageGeometry g;
    g.size = {64, 64, 10};
    g.spacing = {1.0, 1.0, 3.0};
    const CtVolume ct(g, -1000);
    const RegionAnalysis a = AnalyseRegions(ct, BoxMask{}, {});
    EXPECT_FALSE(a.thorax.body.found);
    EXPECT_FALSE(a.thorax.body.reason.empty());
    EXPECT_FALSE(a.lungs.found);
    EXPECT_FALSE(a.cac.computed);
    EXPECT_FALSE(a.peritumoral_computed);
}

} // namespace
} // namespace radnode::processing::regions
