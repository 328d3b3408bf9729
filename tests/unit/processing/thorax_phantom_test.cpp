#include "processing/phantom/counter_rng.h"
#include "processing/phantom/thorax_phantom.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <set>
#include <stdexcept>
#include <vector>

namespace radnode::processing::phantom {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// The default 512 x 512 x 100 phantom (0.7 x 0.7 x 3 mm), generated once.
const ThoraxPhantom& DefaultPhantom() {
    static const ThoraxPhantom phantom = GenerateThoraxPhantom(PhantomOptions{});
    return phantom;
}

/// A coarse phantom that is quick to generate.
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

/// An 8-connected component of pixels >= threshold on one slice.
struct Component {
    std::size_t pixels = 0;
    std::int16_t peak = 0;
    std::size_t i_min = SIZE_MAX, i_max = 0, j_min = SIZE_MAX, j_max = 0;
};

/// Independent recount: 8-connected components of HU >= threshold inside a box of slice k.
std::vector<Component> ComponentsAbove(const CtVolume& ct, std::size_t k, std::size_t i0, std::size_t i1,
                                       std::size_t j0, std::size_t j1, int threshold) {
    const std::size_t w = i1 - i0 + 1, h = j1 - j0 + 1;
    std::vector<bool> seen(w * h, false);
    std::vector<Component> components;
    for (std::size_t j = j0; j <= j1; ++j) {
        for (std::size_t i = i0; i <= i1; ++i) {
            if (seen[(i - i0) + w * (j - j0)] || ct.At(i, j, k) < threshold) {
                continue;
            }
            Component c;
            c.peak = ct.At(i, j, k);
            std::vector<std::pair<std::size_t, std::size_t>> stack{{i, j}};
            seen[(i - i0) + w * (j - j0)] = true;
            while (!stack.empty()) {
                const auto [ci, cj] = stack.back();
                stack.pop_back();
                ++c.pixels;
                c.peak = std::max(c.peak, ct.At(ci, cj, k));
                c.i_min = std::min(c.i_min, ci), c.i_max = std::max(c.i_max, ci);
                c.j_min = std::min(c.j_min, cj), c.j_max = std::max(c.j_max, cj);
                for (int dj = -1; dj <= 1; ++dj) {
                    for (int di = -1; di <= 1; ++di) {
                        const long ni = static_cast<long>(ci) + di, nj = static_cast<long>(cj) + dj;
                        if (ni < static_cast<long>(i0) || ni > static_cast<long>(i1) || nj < static_cast<long>(j0) ||
                            nj > static_cast<long>(j1)) {
                            continue;
                        }
                        const std::size_t idx = (ni - i0) + w * (nj - j0);
                        if (!seen[idx] && ct.At(ni, nj, k) >= threshold) {
                            seen[idx] = true;
                            stack.emplace_back(ni, nj);
                        }
                    }
                }
            }
            components.push_back(c);
        }
    }
    return components;
}

TEST(ThoraxPhantomTest, SameSeedGivesIdenticalVolumesRegardlessOfThreads) {
    PhantomOptions one_thread = SmallOptions();
    one_thread.seed = 42;
    one_thread.threads = 1;
    PhantomOptions three_threads = one_thread;
    three_threads.threads = 3;
    const ThoraxPhantom a = GenerateThoraxPhantom(one_thread);
    const ThoraxPhantom b = GenerateThoraxPhantom(three_threads);
    EXPECT_EQ(a.ct.Data(), b.ct.Data());
    EXPECT_EQ(a.labels.Data(), b.labels.Data());
    EXPECT_EQ(a.tumour_mask.Data(), b.tumour_mask.Data());
    EXPECT_EQ(a.truth.cac.agatston_raw, b.truth.cac.agatston_raw);
    EXPECT_EQ(a.truth.tumour.mean_hu, b.truth.tumour.mean_hu);
}

TEST(ThoraxPhantomTest, DifferentSeedsChangeNoiseButNotAnatomy) {
    PhantomOptions first = SmallOptions();
    first.seed = 1;
    PhantomOptions second = first;
    second.seed = 2;
    const ThoraxPhantom a = GenerateThoraxPhantom(first);
    const ThoraxPhantom b = GenerateThoraxPhantom(second);
    EXPECT_NE(a.ct.Data(), b.ct.Data());
    EXPECT_EQ(a.labels.Data(), b.labels.Data());
    EXPECT_EQ(a.truth.tumour.voxel_count, b.truth.tumour.voxel_count);
    // Calcium values are exact, so the scores do not depend on the seed.
    EXPECT_EQ(a.truth.cac.agatston_raw, b.truth.cac.agatston_raw);
}

TEST(ThoraxPhantomTest, GeometryIsCentredAndFollowsOptions) {
    const ImageGeometry g = PhantomGeometry(PhantomOptions{});
    EXPECT_EQ(g.size, (std::array<std::size_t, 3>{512, 512, 100}));
    EXPECT_DOUBLE_EQ(g.spacing[0], 0.7);
    EXPECT_DOUBLE_EQ(g.spacing[2], 3.0);
    for (int axis = 0; axis < 3; ++axis) {
        const double last = g.IndexToPhysical(511.0, 511.0, 99.0)[axis];
        EXPECT_NEAR(g.origin[axis], -last, 1e-9);
    }
    EXPECT_EQ(DefaultPhantom().truth.geometry, g);
}

TEST(ThoraxPhantomTest, FewerSlicesResampleTheSameBody) {
    PhantomOptions full = SmallOptions();
    full.slices = 100;
    PhantomOptions slab = SmallOptions();
    slab.slices = 40; // the central 40 of the 100 slices
    const ThoraxPhantom a = GenerateThoraxPhantom(full);
    const ThoraxPhantom b = GenerateThoraxPhantom(slab);
    const auto is_calcium = [](std::uint8_t v) {
        return v == L(Tissue::CoronaryCalcium) || v == L(Tissue::AorticCalcium);
    };
    std::size_t compared = 0;
    for (std::size_t k = 0; k < 40; ++k) {
        const auto sa = a.labels.Slice(k + 30);
        const auto sb = b.labels.Slice(k);
        ASSERT_DOUBLE_EQ(a.labels.Geometry().IndexToPhysical(0, 0, static_cast<double>(k + 30))[2],
                         b.labels.Geometry().IndexToPhysical(0, 0, static_cast<double>(k))[2]);
        for (std::size_t idx = 0; idx < sa.size(); ++idx) {
            if (!is_calcium(sa[idx]) && !is_calcium(sb[idx])) {
                ASSERT_EQ(sa[idx], sb[idx]) << "slice " << k << " voxel " << idx;
                ++compared;
            }
        }
    }
    EXPECT_GT(compared, 0U);
}

TEST(ThoraxPhantomTest, TumourVoxelVolumeMatchesSphere) {
    const ThoraxPhantom& phantom = DefaultPhantom();
    const TumourTruth& t = phantom.truth.tumour;
    EXPECT_NEAR(t.analytic_volume_mm3, 4.0 / 3.0 * kPi * 15.0 * 15.0 * 15.0, 1e-6);
    EXPECT_NEAR(t.voxelised_volume_mm3 / t.analytic_volume_mm3, 1.0, 0.015);

    // Recount: voxel centres inside the sphere, the mask and the label must agree.
    const ImageGeometry& g = phantom.ct.Geometry();
    std::size_t inside = 0, mask = 0, label = 0;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
        for (std::size_t j = 0; j < g.size[1]; ++j) {
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                const Point3 p = g.IndexToPhysical(i, j, k);
                const double dx = p[0] - t.centre_mm[0], dy = p[1] - t.centre_mm[1], dz = p[2] - t.centre_mm[2];
                const bool in = dx * dx + dy * dy + dz * dz <= t.radius_mm * t.radius_mm;
                inside += in;
                mask += phantom.tumour_mask.At(i, j, k);
                label += phantom.labels.At(i, j, k) == L(Tissue::Tumour);
                if (in != (phantom.tumour_mask.At(i, j, k) == 1)) {
                    FAIL() << "mask disagrees with the sphere at " << i << "," << j << "," << k;
                }
            }
        }
    }
    EXPECT_EQ(inside, t.voxel_count);
    EXPECT_EQ(mask, t.voxel_count);
    EXPECT_EQ(label, t.voxel_count);
    EXPECT_DOUBLE_EQ(t.voxelised_volume_mm3, static_cast<double>(t.voxel_count) * g.VoxelVolume());
}

TEST(ThoraxPhantomTest, TumourIsSurroundedByRightLung) {
    const ThoraxPhantom& phantom = DefaultPhantom();
    const ImageGeometry& g = phantom.labels.Geometry();
    const std::set<std::uint8_t> allowed{L(Tissue::Tumour), L(Tissue::RightLung), L(Tissue::RightLungVessel)};
    std::size_t checked = 0;
    for (std::size_t k = 1; k + 1 < g.size[2]; ++k) {
        for (std::size_t j = 1; j + 1 < g.size[1]; ++j) {
            for (std::size_t i = 1; i + 1 < g.size[0]; ++i) {
                if (phantom.labels.At(i, j, k) != L(Tissue::Tumour)) {
                    continue;
                }
                ++checked;
                for (int dk = -1; dk <= 1; ++dk) {
                    for (int dj = -1; dj <= 1; ++dj) {
                        for (int di = -1; di <= 1; ++di) {
                            ASSERT_TRUE(allowed.count(phantom.labels.At(i + di, j + dj, k + dk)));
                        }
                    }
                }
            }
        }
    }
    EXPECT_EQ(checked, phantom.truth.tumour.voxel_count);
    EXPECT_LT(phantom.truth.tumour.centre_mm[0], 0.0); // patient right
}

TEST(ThoraxPhantomTest, TumourTextureStaysBelowCalciumThreshold) {
    const TumourTruth& t = DefaultPhantom().truth.tumour;
    EXPECT_GE(t.min_hu, -100);
    EXPECT_LT(t.max_hu, 130);
    EXPECT_NEAR(t.mean_hu, 30.0, 5.0);
    EXPECT_GT(t.max_hu - t.min_hu, 40); // textured, not flat
}

TEST(ThoraxPhantomTest, LungsAreSeparateAndMatchTruth) {
    const ThoraxPhantom& phantom = DefaultPhantom();
    const ImageGeometry& g = phantom.labels.Geometry();
    std::size_t right = 0, left = 0;
    double right_max_x = -1e9, left_min_x = 1e9;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
        for (std::size_t j = 0; j < g.size[1]; ++j) {
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                const std::uint8_t v = phantom.labels.At(i, j, k);
                const double x = g.IndexToPhysical(i, j, k)[0];
                if (v == L(Tissue::RightLung) || v == L(Tissue::RightLungVessel)) {
                    ++right;
                    right_max_x = std::max(right_max_x, x);
                } else if (v == L(Tissue::LeftLung) || v == L(Tissue::LeftLungVessel)) {
                    ++left;
                    left_min_x = std::min(left_min_x, x);
                }
            }
        }
    }
    EXPECT_EQ(right, phantom.truth.right_lung.voxel_count);
    EXPECT_EQ(left, phantom.truth.left_lung.voxel_count);
    EXPECT_GT(left_min_x - right_max_x, 20.0) << "lungs must be separated by the mediastinum";
    EXPECT_NEAR(phantom.truth.right_lung.volume_ml, right * g.VoxelVolume() / 1000.0, 1e-9);
    for (const LungTruth* lung : {&phantom.truth.right_lung, &phantom.truth.left_lung}) {
        EXPECT_GT(lung->volume_ml, 1500.0);
        EXPECT_LT(lung->volume_ml, 4500.0);
    }
    const double tumour_ml = phantom.truth.tumour.voxelised_volume_mm3 / 1000.0;
    EXPECT_NEAR(phantom.truth.right_lung.volume_with_tumour_ml, phantom.truth.right_lung.volume_ml + tumour_ml, 1e-9);
}

TEST(ThoraxPhantomTest, CalcificationTruthMatchesIndependentRecount) {
    const ThoraxPhantom& phantom = DefaultPhantom();
    const ImageGeometry& g = phantom.ct.Geometry();
    ASSERT_TRUE(phantom.truth.omitted_calcifications.empty());
    ASSERT_EQ(phantom.truth.calcifications.size(), 8U);
    for (const CalcificationTruth& c : phantom.truth.calcifications) {
        SCOPED_TRACE(c.id);
        const std::size_t margin = 4;
        const std::size_t i0 = c.index_min[0] - margin, i1 = c.index_max[0] + margin;
        const std::size_t j0 = c.index_min[1] - margin, j1 = c.index_max[1] + margin;
        ASSERT_EQ(c.slices.size(), c.index_max[2] - c.index_min[2] + 1);
        std::size_t voxels = 0;
        for (const LesionSliceTruth& s : c.slices) {
            const auto components = ComponentsAbove(phantom.ct, s.slice_index, i0, i1, j0, j1, 130);
            voxels += s.pixel_count;
            if (s.peak_hu < 130) {
                EXPECT_TRUE(components.empty());
                continue;
            }
            ASSERT_EQ(components.size(), 1U) << "slice " << s.slice_index;
            EXPECT_NEAR(static_cast<double>(components[0].pixels) * g.PixelArea(), s.area_mm2, 1e-9);
            EXPECT_EQ(components[0].peak, s.peak_hu);
            EXPECT_EQ(components[0].i_min, c.index_min[0]);
            EXPECT_EQ(components[0].i_max, c.index_max[0]);
            EXPECT_EQ(components[0].j_min, c.index_min[1]);
            EXPECT_EQ(components[0].j_max, c.index_max[1]);
        }
        // Nothing dense directly above or below: the lesion is isolated in 3D too.
        for (const std::size_t k : {c.index_min[2] - 1, c.index_max[2] + 1}) {
            EXPECT_TRUE(ComponentsAbove(phantom.ct, k, i0, i1, j0, j1, 130).empty()) << "slice " << k;
        }
        EXPECT_EQ(voxels, c.voxel_count);
        EXPECT_DOUBLE_EQ(c.volume_mm3, static_cast<double>(c.voxel_count) * g.VoxelVolume());
        const Point3 centre =
            g.IndexToPhysical((c.index_min[0] + c.index_max[0]) / 2.0, (c.index_min[1] + c.index_max[1]) / 2.0,
                              (c.index_min[2] + c.index_max[2]) / 2.0);
        for (int axis = 0; axis < 3; ++axis) {
            EXPECT_NEAR(c.centroid_mm[axis], centre[axis], 1e-9);
        }
    }
}

TEST(ThoraxPhantomTest, CalcificationsCoverAllWeightBandsAndExclusions) {
    const PhantomTruth& truth = DefaultPhantom().truth;
    std::set<int> weights;
    bool tiny = false, faint = false, aortic = false;
    for (const CalcificationTruth& c : truth.calcifications) {
        for (const LesionSliceTruth& s : c.slices) {
            if (s.scored) {
                weights.insert(s.agatston_weight);
                EXPECT_EQ(s.agatston_weight, AgatstonWeight(s.peak_hu));
            }
        }
        if (c.kind == CalcificationKind::Coronary && c.peak_hu >= 130 && !c.scored) {
            tiny = true;
            EXPECT_EQ(c.exclusion_reason, "area below 1 mm2 on every slice");
            for (const LesionSliceTruth& s : c.slices) {
                EXPECT_LT(s.area_mm2, 1.0);
            }
        }
        if (c.kind == CalcificationKind::Coronary && c.peak_hu < 130) {
            faint = true;
            EXPECT_FALSE(c.scored);
            EXPECT_GE(c.peak_hu, 100);
        }
        if (c.kind == CalcificationKind::Aortic) {
            aortic = true;
            EXPECT_FALSE(c.scored);
            EXPECT_GE(c.peak_hu, 130);
            EXPECT_EQ(c.exclusion_reason, "not coronary");
        }
    }
    EXPECT_EQ(weights, (std::set<int>{1, 2, 3, 4}));
    EXPECT_TRUE(tiny);
    EXPECT_TRUE(faint);
    EXPECT_TRUE(aortic);
    // Bone is dense but never coronary.
    for (const Tissue bone : {Tissue::CorticalBone, Tissue::CancellousBone, Tissue::Rib, Tissue::Sternum}) {
        EXPECT_GT(truth.tissues[static_cast<std::size_t>(bone)].voxel_count, 0U);
        EXPECT_GE(TissueHu(bone), 130);
    }
}

TEST(ThoraxPhantomTest, CalciumScoresAddUp) {
    const ThoraxPhantom& phantom = DefaultPhantom();
    const PhantomTruth& truth = phantom.truth;
    const ImageGeometry& g = phantom.ct.Geometry();
    double agatston = 0.0, volume = 0.0, mass = 0.0;
    std::size_t scored = 0;
    for (const CalcificationTruth& c : truth.calcifications) {
        if (c.kind != CalcificationKind::Coronary || !c.scored) {
            continue;
        }
        ++scored;
        for (const LesionSliceTruth& s : c.slices) {
            if (!s.scored) {
                continue;
            }
            agatston += s.area_mm2 * AgatstonWeight(s.peak_hu);
            for (std::size_t j = c.index_min[1]; j <= c.index_max[1]; ++j) {
                for (std::size_t i = c.index_min[0]; i <= c.index_max[0]; ++i) {
                    const std::int16_t hu = phantom.ct.At(i, j, s.slice_index);
                    if (hu >= 130) {
                        volume += g.VoxelVolume();
                        mass += hu * g.VoxelVolume() * 0.001;
                    }
                }
            }
        }
    }
    EXPECT_EQ(scored, truth.cac.lesions_scored);
    EXPECT_NEAR(truth.cac.agatston_raw, agatston, 1e-9);
    EXPECT_NEAR(truth.cac.agatston_scaled, agatston, 1e-9); // 3 mm slices: factor 1
    EXPECT_NEAR(truth.cac.volume_mm3, volume, 1e-9);
    EXPECT_NEAR(truth.cac.mass_mg, mass, 1e-9);
    EXPECT_EQ(truth.cac.risk_category, AgatstonRiskCategory(agatston));
    EXPECT_EQ(truth.cac.risk_category, "101-400");
}

TEST(ThoraxPhantomTest, AgatstonScaledFollowsSliceIncrement) {
    PhantomOptions options = SmallOptions();
    options.slice_thickness_mm = 1.5;
    options.slices = 100;
    const CalciumScoreTruth& cac = GenerateThoraxPhantom(options).truth.cac;
    EXPECT_DOUBLE_EQ(cac.slice_increment_mm, 1.5);
    EXPECT_NEAR(cac.agatston_scaled, cac.agatston_raw * 0.5, 1e-9);
}

TEST(ThoraxPhantomTest, HeartRegionHasNoSpuriousCalciumEvenWithStrongNoise) {
    PhantomOptions options = SmallOptions();
    options.columns = 384;
    options.rows = 384;
    options.pixel_spacing_mm = 0.9375;
    options.noise_hu = 40.0;
    const ThoraxPhantom phantom = GenerateThoraxPhantom(options);
    const PhantomTruth& t = phantom.truth;
    const ImageGeometry& g = phantom.ct.Geometry();
    std::size_t heart_voxels = 0;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
        for (std::size_t j = 0; j < g.size[1]; ++j) {
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                const Point3 p = g.IndexToPhysical(i, j, k);
                double q = 0.0;
                for (int axis = 0; axis < 3; ++axis) {
                    const double u = (p[axis] - t.heart_centre_mm[axis]) / t.epicardial_fat_semi_axes_mm[axis];
                    q += u * u;
                }
                if (q > 1.0) {
                    continue;
                }
                ++heart_voxels;
                if (phantom.ct.At(i, j, k) >= 130) {
                    ASSERT_EQ(phantom.labels.At(i, j, k), L(Tissue::CoronaryCalcium));
                }
            }
        }
    }
    EXPECT_GT(heart_voxels, 10000U);
    // Non-dense tissue never exceeds the ceiling, whatever the noise.
    for (std::size_t idx = 0; idx < phantom.ct.Data().size(); ++idx) {
        const auto tissue = static_cast<Tissue>(phantom.labels.Data()[idx]);
        if (TissueHu(tissue) < 130 && tissue != Tissue::CoronaryCalcium && tissue != Tissue::AorticCalcium) {
            ASSERT_LE(phantom.ct.Data()[idx], kSoftTissueCeilingHu);
        }
    }
}

TEST(ThoraxPhantomTest, NoiseFreePhantomHasNominalValues) {
    PhantomOptions options = SmallOptions();
    options.noise_hu = 0.0;
    const ThoraxPhantom phantom = GenerateThoraxPhantom(options);
    for (std::size_t idx = 0; idx < phantom.ct.Data().size(); ++idx) {
        const auto tissue = static_cast<Tissue>(phantom.labels.Data()[idx]);
        if (tissue != Tissue::Tumour && tissue != Tissue::CoronaryCalcium && tissue != Tissue::AorticCalcium) {
            ASSERT_EQ(phantom.ct.Data()[idx], TissueHu(tissue)) << TissueName(tissue);
        }
    }
    for (const Tissue tissue : {Tissue::SubcutaneousFat, Tissue::SoftTissue, Tissue::Airway, Tissue::Aorta,
                                Tissue::Myocardium, Tissue::BloodPool, Tissue::EpicardialFat, Tissue::CoronaryArtery,
                                Tissue::MediastinalFat, Tissue::RightLungVessel, Tissue::LeftLungVessel}) {
        EXPECT_GT(phantom.truth.tissues[static_cast<std::size_t>(tissue)].voxel_count, 0U) << TissueName(tissue);
    }
}

TEST(ThoraxPhantomTest, TumourContoursCutTheSphere) {
    const ThoraxPhantom& phantom = DefaultPhantom();
    const TumourTruth& t = phantom.truth.tumour;
    const ImageGeometry& g = phantom.ct.Geometry();
    std::size_t expected = 0;
    for (std::size_t k = 0; k < g.size[2]; ++k) {
        expected += std::abs(g.IndexToPhysical(0, 0, static_cast<double>(k))[2] - t.centre_mm[2]) < t.radius_mm;
    }
    ASSERT_EQ(phantom.tumour_contours.size(), expected);
    for (const TumourContour& contour : phantom.tumour_contours) {
        const double dz = contour.z_mm - t.centre_mm[2];
        const double r = std::sqrt(t.radius_mm * t.radius_mm - dz * dz);
        ASSERT_EQ(contour.points.size(), 72U);
        for (const Point3& p : contour.points) {
            EXPECT_NEAR(std::hypot(p[0] - t.centre_mm[0], p[1] - t.centre_mm[1]), r, 1e-9);
            EXPECT_DOUBLE_EQ(p[2], contour.z_mm);
        }
        EXPECT_GE(contour.slice_index, t.first_slice > 0 ? t.first_slice - 1 : 0);
        EXPECT_LE(contour.slice_index, t.last_slice + 1);
    }
}

TEST(ThoraxPhantomTest, RejectsInvalidOptions) {
    PhantomOptions big_tumour = SmallOptions();
    big_tumour.tumour_radius_mm = 45.0;
    EXPECT_THROW((void)GenerateThoraxPhantom(big_tumour), std::invalid_argument);
    PhantomOptions thin_slab = SmallOptions();
    thin_slab.slices = 10; // +/- 15 mm does not reach the tumour at z = 40 mm
    EXPECT_THROW((void)GenerateThoraxPhantom(thin_slab), std::invalid_argument);
    PhantomOptions no_pixels = SmallOptions();
    no_pixels.pixel_spacing_mm = 0.0;
    EXPECT_THROW((void)GenerateThoraxPhantom(no_pixels), std::invalid_argument);
}

TEST(ThoraxPhantomTest, AgatstonHelpersFollowTheStandardBands) {
    EXPECT_EQ(AgatstonWeight(129.9), 0);
    EXPECT_EQ(AgatstonWeight(130), 1);
    EXPECT_EQ(AgatstonWeight(199), 1);
    EXPECT_EQ(AgatstonWeight(200), 2);
    EXPECT_EQ(AgatstonWeight(399), 3);
    EXPECT_EQ(AgatstonWeight(400), 4);
    EXPECT_EQ(AgatstonRiskCategory(0.0), "0");
    EXPECT_EQ(AgatstonRiskCategory(10.0), "1-10");
    EXPECT_EQ(AgatstonRiskCategory(100.0), "11-100");
    EXPECT_EQ(AgatstonRiskCategory(400.0), "101-400");
    EXPECT_EQ(AgatstonRiskCategory(400.5), ">400");
}

TEST(ThoraxPhantomTest, NormalLikeNoiseHasUnitVariance) {
    double sum = 0.0, sum2 = 0.0;
    constexpr int kSamples = 200000;
    for (int n = 0; n < kSamples; ++n) {
        const double v = NormalLike(CounterHash(7, 1, static_cast<std::uint64_t>(n)));
        sum += v;
        sum2 += v * v;
        ASSERT_LE(std::abs(v), 3.47);
    }
    EXPECT_NEAR(sum / kSamples, 0.0, 0.01);
    EXPECT_NEAR(sum2 / kSamples, 1.0, 0.02);
    EXPECT_EQ(CounterHash(1, 2, 3), CounterHash(1, 2, 3));
    EXPECT_NE(CounterHash(1, 2, 3), CounterHash(2, 2, 3));
}

} // namespace
} // namespace radnode::processing::phantom
