// The phantom options that move things: the slab centre, the tumour centre and
// the juxtapleural (tumour not required in the lung) mode. Each is checked
// against an independent recount or against the default-placed phantom on the
// same grid, which samples the same anatomy.

#include "processing/phantom/thorax_phantom.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <gtest/gtest.h>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace radnode::processing::phantom {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// 192 x 192 pixels of 1.875 mm, 50 slices of 3 mm (z = -73.5 ... +73.5).
PhantomOptions SmallOptions() {
    PhantomOptions options;
    options.columns = 192;
    options.rows = 192;
    options.pixel_spacing_mm = 1.875;
    options.slices = 50;
    return options;
}

std::uint8_t L(Tissue tissue) {
    return static_cast<std::uint8_t>(tissue);
}

std::size_t TissueVoxels(const PhantomTruth& truth, Tissue tissue) {
    return truth.tissues.at(static_cast<std::size_t>(tissue)).voxel_count;
}

/// The std::invalid_argument message generating `options` throws ("" when it succeeds).
std::string RejectionOf(const PhantomOptions& options) {
    try {
        (void)GenerateThoraxPhantom(options);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return {};
}

double SquaredDistance(const Point3& a, const Point3& b) {
    const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
}

TEST(ThoraxPhantomOptionsTest, DefaultsKeepTheDocumentedPlacement) {
    const PhantomOptions options;
    EXPECT_EQ(options.slab_centre_z_mm, 0.0);
    EXPECT_EQ(options.tumour_centre_mm, (Point3{-75.0, -5.0, 40.0}));
    EXPECT_TRUE(options.tumour_in_lung);

    const ThoraxPhantom phantom = GenerateThoraxPhantom(SmallOptions());
    const TumourTruth& t = phantom.truth.tumour;
    EXPECT_TRUE(t.fully_in_lung);
    EXPECT_TRUE(t.margin_in_lung);
    EXPECT_EQ(t.voxels_replacing_right_lung, t.voxel_count);
    EXPECT_EQ(t.voxels_replacing_other_tissue, 0U);
    EXPECT_EQ(std::accumulate(t.replaced_voxels.begin(), t.replaced_voxels.end(), std::size_t{0}), t.voxel_count);
    const double voxel_ml = phantom.ct.Geometry().VoxelVolume() / 1000.0;
    EXPECT_EQ(phantom.truth.right_lung.volume_with_tumour_ml,
              static_cast<double>(phantom.truth.right_lung.voxel_count + t.voxel_count) * voxel_ml);
    EXPECT_EQ(phantom.truth.left_lung.volume_with_tumour_ml, phantom.truth.left_lung.volume_ml);
}

TEST(ThoraxPhantomOptionsTest, SlabCentreShiftsTheSlabOverTheSameAnatomy) {
    const PhantomOptions centred = SmallOptions();
    PhantomOptions upper = SmallOptions();
    upper.slab_centre_z_mm = 69.0;
    upper.slices = 40; // z = 10.5 ... 127.5: above the heart (top at z = 6) and the lung bases
    const ThoraxPhantom a = GenerateThoraxPhantom(centred);
    const ThoraxPhantom b = GenerateThoraxPhantom(upper);

    const ImageGeometry& g = b.ct.Geometry();
    EXPECT_DOUBLE_EQ(g.origin[2], 10.5);
    EXPECT_NEAR(g.origin[2] + g.IndexToPhysical(0, 0, 39.0)[2], 2.0 * 69.0, 1e-9); // symmetric about 69
    EXPECT_EQ(g.origin[0], a.ct.Geometry().origin[0]);
    EXPECT_EQ(g.origin[1], a.ct.Geometry().origin[1]);
    EXPECT_EQ(b.truth.geometry, g);

    // "A CT without a heart in view": no cardiac tissue, every calcification omitted.
    for (const Tissue tissue : {Tissue::Myocardium, Tissue::BloodPool, Tissue::EpicardialFat, Tissue::CoronaryArtery,
                                Tissue::CoronaryCalcium, Tissue::AorticCalcium}) {
        EXPECT_EQ(TissueVoxels(b.truth, tissue), 0U) << TissueName(tissue);
    }
    EXPECT_EQ(b.truth.heart_volume_ml, 0.0);
    EXPECT_TRUE(b.truth.calcifications.empty());
    EXPECT_EQ(b.truth.omitted_calcifications.size(), 8U);
    EXPECT_EQ(b.truth.cac.agatston_raw, 0.0);
    EXPECT_EQ(b.truth.cac.risk_category, "0");
    EXPECT_GT(b.truth.right_lung.voxel_count, 0U);
    EXPECT_GT(b.truth.left_lung.voxel_count, 0U);

    // Slices at the same z carry the same labels: slice k of the upper slab is slice k + 28 of the
    // centred one (z = 10.5 ... 73.5; no calcification there in either).
    std::size_t compared = 0;
    for (std::size_t k = 0; k + 28 < centred.slices; ++k) {
        ASSERT_EQ(g.IndexToPhysical(0, 0, static_cast<double>(k))[2],
                  a.ct.Geometry().IndexToPhysical(0, 0, static_cast<double>(k + 28))[2]);
        const auto sa = a.labels.Slice(k + 28);
        const auto sb = b.labels.Slice(k);
        ASSERT_TRUE(std::equal(sa.begin(), sa.end(), sb.begin(), sb.end())) << "slice " << k;
        ++compared;
    }
    EXPECT_EQ(compared, 22U);
    EXPECT_EQ(a.truth.tumour.voxel_count, b.truth.tumour.voxel_count);
}

TEST(ThoraxPhantomOptionsTest, SlabMustStillContainTheTumour) {
    PhantomOptions too_high = SmallOptions();
    too_high.slab_centre_z_mm = 120.0; // z = 46.5 ... 193.5 misses the lower half of the tumour
    EXPECT_NE(RejectionOf(too_high).find("does not contain the tumour"), std::string::npos);
    PhantomOptions not_a_number = SmallOptions();
    not_a_number.slab_centre_z_mm = std::numeric_limits<double>::quiet_NaN();
    EXPECT_THROW((void)PhantomGeometry(not_a_number), std::invalid_argument);
    PhantomOptions far_away = SmallOptions();
    far_away.slab_centre_z_mm = 5000.0;
    EXPECT_THROW((void)PhantomGeometry(far_away), std::invalid_argument);
}

TEST(ThoraxPhantomOptionsTest, TumourCentreMovesSphereTextureAndContours) {
    PhantomOptions options = SmallOptions();
    options.tumour_centre_mm = {-80.0, 5.0, 20.0}; // still inside the right lung, beside a lung vessel
    options.noise_hu = 0.0;
    const ThoraxPhantom phantom = GenerateThoraxPhantom(options);
    const TumourTruth& t = phantom.truth.tumour;
    EXPECT_EQ(t.centre_mm, options.tumour_centre_mm);
    EXPECT_TRUE(t.fully_in_lung);
    EXPECT_EQ(t.voxels_replacing_right_lung, t.voxel_count);

    // Mask, label and HU all follow the new centre. Without noise a tumour voxel is
    // round(30 + 30 pattern + 15 u), |u| <= 1, with the pattern relative to the centre.
    const ImageGeometry& g = phantom.ct.Geometry();
    const double r2 = t.radius_mm * t.radius_mm;
    std::size_t inside = 0;
    double worst_new = 0.0, worst_old = 0.0;
    const auto pattern = [](const Point3& p, const Point3& c) {
        return 30.0 + 30.0 * std::sin(2.0 * kPi * (p[0] - c[0]) / 11.0) * std::sin(2.0 * kPi * (p[1] - c[1]) / 13.0) *
                          std::cos(2.0 * kPi * (p[2] - c[2]) / 9.0);
    };
    for (std::size_t k = 0; k < g.size[2]; ++k) {
        for (std::size_t j = 0; j < g.size[1]; ++j) {
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                const Point3 p =
                    g.IndexToPhysical(static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
                const bool in = SquaredDistance(p, t.centre_mm) <= r2;
                ASSERT_EQ(phantom.tumour_mask.At(i, j, k) == 1, in) << i << "," << j << "," << k;
                ASSERT_EQ(phantom.labels.At(i, j, k) == L(Tissue::Tumour), in) << i << "," << j << "," << k;
                if (in) {
                    ++inside;
                    const double hu = phantom.ct.At(i, j, k);
                    worst_new = std::max(worst_new, std::abs(hu - pattern(p, t.centre_mm)));
                    worst_old = std::max(worst_old, std::abs(hu - pattern(p, kDefaultTumourCentreMm)));
                }
            }
        }
    }
    EXPECT_EQ(inside, t.voxel_count);
    EXPECT_LE(worst_new, 15.5);
    EXPECT_GT(worst_old, 15.5) << "the texture check must tell the two centres apart";

    std::size_t expected_contours = 0;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
        expected_contours += std::abs(g.IndexToPhysical(0, 0, static_cast<double>(k))[2] - 20.0) < t.radius_mm;
    }
    ASSERT_EQ(phantom.tumour_contours.size(), expected_contours);
    for (const TumourContour& contour : phantom.tumour_contours) {
        const double dz = contour.z_mm - 20.0;
        for (const Point3& p : contour.points) {
            EXPECT_NEAR(std::hypot(p[0] + 80.0, p[1] - 5.0), std::sqrt(r2 - dz * dz), 1e-9);
        }
    }
}

TEST(ThoraxPhantomOptionsTest, TumourCentreMustLeaveRoomInTheVolumeAndLung) {
    PhantomOptions outside_fov = SmallOptions();
    outside_fov.tumour_centre_mm = {-170.0, -5.0, 40.0}; // voxel centres end at x = -179.1, sphere + margin at -188
    outside_fov.tumour_in_lung = false;
    EXPECT_NE(RejectionOf(outside_fov).find("does not contain the tumour"), std::string::npos);
    PhantomOptions in_mediastinum = SmallOptions();
    in_mediastinum.tumour_centre_mm = {0.0, -20.0, 40.0};
    EXPECT_NE(RejectionOf(in_mediastinum).find("right lung"), std::string::npos);
    in_mediastinum.tumour_in_lung = false; // allowed then, painted over the mediastinum
    EXPECT_EQ(RejectionOf(in_mediastinum), "");
    PhantomOptions not_a_number = SmallOptions();
    not_a_number.tumour_centre_mm[1] = std::numeric_limits<double>::quiet_NaN();
    EXPECT_NE(RejectionOf(not_a_number).find("finite"), std::string::npos);
    // A calcification is measured after painting and may not be covered by the tumour.
    PhantomOptions on_calcium = SmallOptions();
    on_calcium.tumour_centre_mm = {43.0, 45.0, -40.0}; // the aortic calcification A1
    on_calcium.tumour_in_lung = false;
    EXPECT_NE(RejectionOf(on_calcium).find("calcification A1"), std::string::npos);
}

TEST(ThoraxPhantomOptionsTest, JuxtapleuralTumourNeedsTheOptionAndIsAccountedFor) {
    PhantomOptions checked = SmallOptions();
    checked.tumour_centre_mm = kJuxtapleuralTumourCentreMm;
    EXPECT_NE(RejectionOf(checked).find("right lung"), std::string::npos);

    PhantomOptions juxtapleural = checked;
    juxtapleural.tumour_in_lung = false;
    const ThoraxPhantom a = GenerateThoraxPhantom(SmallOptions()); // default tumour, far from this one
    const ThoraxPhantom b = GenerateThoraxPhantom(juxtapleural);
    ASSERT_GT(std::sqrt(SquaredDistance(kDefaultTumourCentreMm, kJuxtapleuralTumourCentreMm)),
              2.0 * juxtapleural.tumour_radius_mm);
    const TumourTruth& t = b.truth.tumour;
    EXPECT_EQ(t.centre_mm, kJuxtapleuralTumourCentreMm);
    EXPECT_NEAR(t.voxelised_volume_mm3, 4.0 / 3.0 * kPi * 15.0 * 15.0 * 15.0, 0.05 * t.analytic_volume_mm3);
    EXPECT_FALSE(t.fully_in_lung);
    EXPECT_FALSE(t.margin_in_lung);

    // The default phantom shows what lies under the juxtapleural sphere: recount it by tissue.
    std::array<std::size_t, kTissueCount> under{};
    const auto& mask = b.tumour_mask.Data();
    const auto& default_labels = a.labels.Data();
    for (std::size_t idx = 0; idx < mask.size(); ++idx) {
        if (mask[idx] == 1) {
            ++under[default_labels[idx]];
        }
    }
    EXPECT_EQ(t.replaced_voxels, under);
    const std::size_t lung = under[L(Tissue::RightLung)] + under[L(Tissue::RightLungVessel)];
    EXPECT_EQ(t.voxels_replacing_right_lung, lung);
    EXPECT_EQ(t.voxels_replacing_other_tissue, t.voxel_count - lung);
    EXPECT_GT(lung, t.voxel_count / 2) << "the example sphere is mostly in the lung";
    EXPECT_GT(under[L(Tissue::SoftTissue)], 0U) << "the example sphere must reach the chest wall";
    EXPECT_EQ(under[L(Tissue::Tumour)], 0U);

    // The lung extent is the same anatomy in both, so the lung with its tumour agrees;
    // the chest wall lost exactly the voxels the tumour took from it.
    EXPECT_EQ(b.truth.right_lung.voxel_count + lung, a.truth.right_lung.voxel_count + a.truth.tumour.voxel_count);
    EXPECT_EQ(b.truth.right_lung.volume_with_tumour_ml, a.truth.right_lung.volume_with_tumour_ml);
    EXPECT_EQ(TissueVoxels(b.truth, Tissue::SoftTissue) + under[L(Tissue::SoftTissue)],
              TissueVoxels(a.truth, Tissue::SoftTissue));
    EXPECT_EQ(b.truth.left_lung.volume_with_tumour_ml, b.truth.left_lung.volume_ml);
}

} // namespace
} // namespace radnode::processing::phantom
