// The thorax segmentation on the synthetic phantom against its truth: lung volumes, tumour in
// the lung, the heart region holding every coronary calcification and none of the bone or the
// aortic calcification; and the documented outcomes for CTs it cannot handle.

#include "processing/regions/thorax_regions.h"

#include "processing/phantom/thorax_anatomy.h"
#include "processing/phantom/thorax_phantom.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>

namespace radnode::processing::regions {
namespace {

using phantom::Tissue;

const phantom::ThoraxPhantom& DefaultPhantom() {
    static const phantom::ThoraxPhantom p = phantom::GenerateThoraxPhantom(phantom::PhantomOptions{});
    return p;
}

const ThoraxRegions& DefaultRegions() {
    static const ThoraxRegions r =
        SegmentThorax(DefaultPhantom().ct, BoxMaskFromLabels(DefaultPhantom().tumour_mask), ThoraxSettings{});
    return r;
}

TEST(RegionsThorax, LungVolumesMatchThePhantom) {
    const auto& truth = DefaultPhantom().truth;
    const ThoraxRegions& r = DefaultRegions();
    for (const auto& note : r.notes)
        std::printf("  note: %s\n", note.c_str());
    ASSERT_TRUE(r.body.found) << r.body.reason;
    ASSERT_TRUE(r.lung_right.found) << r.lung_right.reason;
    ASSERT_TRUE(r.lung_left.found) << r.lung_left.reason;
    std::printf("  right lung %.1f mL (truth with tumour %.1f), left %.1f mL (truth %.1f), airways %.1f mL, "
                "heart %.1f mL, candidates %.1f mL, aorta %s %.1f mL\n",
                r.lung_right.volume_ml, truth.right_lung.volume_with_tumour_ml, r.lung_left.volume_ml,
                truth.left_lung.volume_ml, r.airways.volume_ml, r.heart.volume_ml, r.coronary_candidates.volume_ml,
                r.aorta.found ? "found" : r.aorta.reason.c_str(), r.aorta.volume_ml);
    EXPECT_NEAR(r.lung_right.volume_ml, truth.right_lung.volume_with_tumour_ml,
                0.03 * truth.right_lung.volume_with_tumour_ml);
    EXPECT_NEAR(r.lung_left.volume_ml, truth.left_lung.volume_ml, 0.03 * truth.left_lung.volume_ml);
}

TEST(RegionsThorax, AirwaysAndCarinaMatchThePhantom) {
    // The phantom's bronchi end before they reach the lungs, so its airway tree is an air
    // component of its own (about 40 mL, smaller than a lung candidate).
    const auto& p = DefaultPhantom();
    const ThoraxRegions& r = DefaultRegions();
    ASSERT_TRUE(r.airways.found) << r.airways.reason;
    const auto airway = static_cast<std::size_t>(Tissue::Airway);
    const double truth_ml = p.truth.tissues[airway].volume_ml;
    std::printf("  airways %.2f mL (truth %.2f), carina slice %d\n", r.airways.volume_ml, truth_ml, r.carina_slice);
    EXPECT_NEAR(r.airways.volume_ml, truth_ml, 0.05 * truth_ml);
    // The carina: where the generator splits the trachea into the two main bronchi, which
    // stay one air section for a few millimetres below it.
    ASSERT_GE(r.carina_slice, 0);
    const auto& g = p.ct.Geometry();
    const double carina_z = g.IndexToPhysical(0.0, 0.0, static_cast<double>(r.carina_slice))[2];
    EXPECT_LE(carina_z, phantom::anatomy::kCarina[2] + g.spacing[2]);
    EXPECT_GE(carina_z, phantom::anatomy::kCarina[2] - 15.0);
    // The heart region starts at the carina.
    ASSERT_TRUE(r.heart.found) << r.heart.reason;
    EXPECT_LE(r.heart.mask.begin[2] + r.heart.mask.size[2] - 1, static_cast<std::size_t>(r.carina_slice));
}

TEST(RegionsThorax, HeartHoldsTheCoronaryCalciumOnly) {
    const auto& p = DefaultPhantom();
    const ThoraxRegions& r = DefaultRegions();
    ASSERT_TRUE(r.coronary_candidates.found) << r.coronary_candidates.reason;
    const auto& g = p.ct.Geometry();
    std::map<int, std::size_t> inside; // tissue -> voxels of it among the candidates
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
                if (r.coronary_candidates.mask.At(i, j, k))
                    ++inside[p.labels.At(i, j, k)];
    for (const auto& c : p.truth.calcifications) {
        std::size_t in = 0;
        for (std::size_t k = c.index_min[2]; k <= c.index_max[2]; ++k)
            for (std::size_t j = c.index_min[1]; j <= c.index_max[1]; ++j)
                for (std::size_t i = c.index_min[0]; i <= c.index_max[0]; ++i)
                    in += r.coronary_candidates.mask.At(i, j, k) ? 1 : 0;
        std::printf("  %s %zu/%zu in candidates, heart %d\n", c.id.c_str(), in, c.voxel_count,
                    r.heart.mask.At(c.index_min[0], c.index_min[1], c.index_min[2]) ? 1 : 0);
    }
    std::size_t coronary_calcium = 0;
    for (std::size_t n = 0; n < p.labels.Data().size(); ++n)
        coronary_calcium += p.labels.Data()[n] == static_cast<std::uint8_t>(Tissue::CoronaryCalcium) ? 1 : 0;
    EXPECT_EQ(inside[static_cast<int>(Tissue::CoronaryCalcium)], coronary_calcium);
    for (const Tissue t : {Tissue::AorticCalcium, Tissue::CorticalBone, Tissue::CancellousBone, Tissue::Rib,
                           Tissue::Sternum, Tissue::RightLung, Tissue::LeftLung})
        EXPECT_EQ(inside[static_cast<int>(t)], 0U) << phantom::TissueName(t);
}

TEST(RegionsThorax, TouchingLungsAreSplit) {
    // A synthetic chest: soft tissue body, two lung ellipsoids joined by a 6 mm air bridge on
    // the midline (an anterior junction line), no trachea in view.
    ImageGeometry g;
    g.size = {160, 120, 60};
    g.spacing = {2.0, 2.0, 2.5};
    g.origin = {-159.0, -119.0, -73.75};
    CtVolume ct(g, -1000);
    std::size_t right = 0, left = 0, bridge = 0;
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                const Point3 p = g.IndexToPhysical(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
                const auto in_ellipsoid = [&](double cx, double ax, double ay, double az) {
                    const double x = (p[0] - cx) / ax, y = p[1] / ay, z = p[2] / az;
                    return x * x + y * y + z * z <= 1.0;
                };
                std::int16_t hu = -1000;
                if (in_ellipsoid(0.0, 140.0, 100.0, 200.0))
                    hu = 40;
                if (in_ellipsoid(-55.0, 52.0, 60.0, 60.0)) {
                    hu = -850;
                    ++right;
                } else if (in_ellipsoid(55.0, 52.0, 60.0, 60.0)) {
                    hu = -850;
                    ++left;
                } else if (std::abs(p[0]) < 6.0 && std::abs(p[1] + 20.0) < 3.0 && std::abs(p[2]) < 30.0) {
                    hu = -850;
                    ++bridge;
                }
                ct.At(i, j, k) = hu;
            }
    const ThoraxRegions r = SegmentThorax(ct, BoxMask{}, ThoraxSettings{});
    ASSERT_TRUE(r.lung_right.found) << r.lung_right.reason;
    ASSERT_TRUE(r.lung_left.found) << r.lung_left.reason;
    const double voxel_ml = g.VoxelVolume() / 1000.0;
    std::printf("  right %.1f mL (%.1f), left %.1f mL (%.1f), bridge %.1f mL\n", r.lung_right.volume_ml,
                static_cast<double>(right) * voxel_ml, r.lung_left.volume_ml, static_cast<double>(left) * voxel_ml,
                static_cast<double>(bridge) * voxel_ml);
    EXPECT_NEAR(r.lung_right.volume_ml, static_cast<double>(right) * voxel_ml, 0.03 * static_cast<double>(right) * voxel_ml);
    EXPECT_NEAR(r.lung_left.volume_ml, static_cast<double>(left) * voxel_ml, 0.03 * static_cast<double>(left) * voxel_ml);
    EXPECT_FALSE(r.airways.found);
    bool noted = false;
    for (const auto& note : r.notes)
        noted = noted || note.find("split") != std::string::npos;
    EXPECT_TRUE(noted);
}

} // namespace
} // namespace radnode::processing::regions
