// Unit tests of the IBSI-only families on small hand-checkable regions.
#include "processing/radiomics/gldzm.h"
#include "processing/radiomics/ibsi_morphology.h"
#include "processing/radiomics/ibsi_statistics.h"
#include "processing/radiomics/intensity_histogram.h"
#include "processing/radiomics/local_intensity.h"
#include "processing/radiomics/ngldm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace radnode::processing::radiomics {
namespace {

/// An n x n x n cube region, every voxel in the ROI, with grey level `level` and intensity.
Region Cube(std::size_t n, std::int32_t level, double spacing = 1.0) {
    Region r;
    r.size = {n, n, n};
    r.spacing = {spacing, spacing, spacing};
    r.image.assign(n * n * n, static_cast<double>(level));
    r.mask.assign(n * n * n, 1);
    r.shape_mask = r.mask;
    r.gray.assign(n * n * n, level);
    for (std::uint32_t v = 0; v < n * n * n; ++v)
        r.voxels.push_back(v);
    r.gray_levels = {level};
    r.max_gray_level = level;
    return r;
}

double Value(const Features& features, const std::string& name) {
    for (const Feature& f : features)
        if (f.name == name)
            return f.value;
    ADD_FAILURE() << name << " missing";
    return std::nan("");
}

void ExpectCodes(const Features& features) {
    for (const Feature& f : features)
        EXPECT_FALSE(f.ibsi_code.empty()) << f.name;
}

TEST(RadiomicsIbsiFamiliesTest, GldzmOfAUniformCubeIsOneZoneAtTheEdge) {
    const Region cube = Cube(3, 1);
    const Features f = ComputeGldzm(cube, Settings{});
    ExpectCodes(f);
    EXPECT_EQ(f.size(), 16U);
    EXPECT_DOUBLE_EQ(Value(f, "gldzm_SmallDistanceEmphasis"), 1.0); // the zone touches the edge
    EXPECT_DOUBLE_EQ(Value(f, "gldzm_ZonePercentage"), 1.0 / 27.0);
    EXPECT_DOUBLE_EQ(Value(f, "gldzm_ZoneDistanceEntropy"), 0.0);
}

TEST(RadiomicsIbsiFamiliesTest, GldzmCentreVoxelLiesAtDistanceTwo) {
    Region cube = Cube(3, 1);
    cube.gray[cube.Index(1, 1, 1)] = 2; // a one-voxel zone in the middle: edge distance 2
    cube.max_gray_level = 2;
    cube.gray_levels = {1, 2};
    const Features f = ComputeGldzm(cube, Settings{});
    EXPECT_DOUBLE_EQ(Value(f, "gldzm_LargeDistanceEmphasis"), (1.0 + 4.0) / 2.0);
    // In 2D the middle slice's centre is also two steps from the in-plane edge; other slices
    // hold one zone each at distance 1.
    Settings s2d;
    s2d.ibsi_aggregation = Aggregation::TwoDAverage;
    EXPECT_DOUBLE_EQ(Value(ComputeGldzm(cube, s2d), "gldzm_LargeDistanceEmphasis"), (1.0 + 2.5 + 1.0) / 3.0);
}

TEST(RadiomicsIbsiFamiliesTest, NgldmCountsTheCentreVoxel) {
    const Region cube = Cube(3, 1);
    const Features f = ComputeNgldm(cube, Settings{});
    ExpectCodes(f);
    EXPECT_EQ(f.size(), 17U);
    EXPECT_DOUBLE_EQ(Value(f, "ngldm_DependenceCountPercentage"), 1.0);
    // Corner voxels see 7 neighbours + itself, the centre 26 + itself.
    double expected_hde = 0.0;
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t i = 0; i < 3; ++i) {
                const auto inner = [](std::size_t c) { return c == 1 ? 3.0 : 2.0; };
                const double count = inner(i) * inner(j) * inner(k);
                expected_hde += count * count / 27.0;
            }
    EXPECT_NEAR(Value(f, "ngldm_HighDependenceEmphasis"), expected_hde, 1e-12);
}

TEST(RadiomicsIbsiFamiliesTest, DescribeUsesExcessKurtosisAndLinearPercentiles) {
    const IbsiDescriptive d = Describe({1, 2, 3, 4});
    EXPECT_DOUBLE_EQ(d.mean, 2.5);
    EXPECT_DOUBLE_EQ(d.variance, 1.25);
    EXPECT_DOUBLE_EQ(d.excess_kurtosis, (5.0625 + 0.0625) * 2.0 / 4.0 / (1.25 * 1.25) - 3.0);
    EXPECT_DOUBLE_EQ(d.p25, 1.75);
    EXPECT_DOUBLE_EQ(d.median, 2.5);
    EXPECT_DOUBLE_EQ(d.median_absolute_deviation, 1.0);
    EXPECT_DOUBLE_EQ(d.quartile_coefficient_of_dispersion, (3.25 - 1.75) / 5.0);
}

TEST(RadiomicsIbsiFamiliesTest, IntensityVolumeHistogramOfTwoLevels) {
    Region cube = Cube(2, 1);
    for (std::size_t v = 0; v < 2; ++v)
        cube.gray[v] = 3; // 2 of 8 voxels at the top level, level 2 empty
    cube.gray_levels = {1, 3};
    cube.max_gray_level = 3;
    const Features f = ComputeIntensityVolumeHistogram(cube, Settings{});
    ExpectCodes(f);
    EXPECT_DOUBLE_EQ(Value(f, "ivh_VolumeAtIntensityFraction10"), 0.25);
    EXPECT_DOUBLE_EQ(Value(f, "ivh_IntensityAtVolumeFraction90"), 2.0); // empty level 2 has 25 %
    EXPECT_DOUBLE_EQ(Value(f, "ivh_IntensityAtVolumeFraction10"), 4.0); // none at or below 10 %
    const Features h = ComputeIntensityHistogram(cube, Settings{});
    ExpectCodes(h);
    EXPECT_DOUBLE_EQ(Value(h, "intensityhistogram_Mode"), 1.0);
    EXPECT_DOUBLE_EQ(Value(h, "intensityhistogram_MinimumHistogramGradient"), -6.0);
}

TEST(RadiomicsIbsiFamiliesTest, LocalIntensityUsesVoxelsOutsideTheRoi) {
    ImageGeometry g;
    g.size = {9, 9, 9};
    g.spacing = {2.0, 2.0, 2.0};
    Volume<double> image(g, 10.0);
    Region r = Cube(1, 1, 2.0);
    r.box_origin = {4, 4, 4};
    image.At(4, 4, 4) = 20.0;
    r.image = {20.0};
    image.At(5, 4, 4) = 0.0; // outside the ROI, within the sphere
    const Features f = ComputeLocalIntensity(r, image, Settings{});
    ExpectCodes(f);
    // Radius 6.2 mm at 2 mm spacing: offsets with |o|^2 <= 9.62, 123 voxels.
    EXPECT_NEAR(Value(f, "localintensity_LocalPeak"), (121 * 10.0 + 20.0) / 123.0, 1e-12);
    EXPECT_DOUBLE_EQ(Value(f, "localintensity_GlobalPeak"), Value(f, "localintensity_LocalPeak"));
}

TEST(RadiomicsIbsiFamiliesTest, MorphologyOfACube) {
    const Region cube = Cube(4, 5, 2.0);
    const Features f = ComputeIbsiMorphology(cube, Settings{});
    ExpectCodes(f);
    EXPECT_DOUBLE_EQ(Value(f, "morphology_VolumeVoxelCounting"), 64 * 8.0);
    EXPECT_NEAR(Value(f, "morphology_CentreOfMassShift"), 0.0, 1e-12);
    // A convex mesh is its own convex hull.
    EXPECT_NEAR(Value(f, "morphology_VolumeDensityConvexHull"), 1.0, 1e-9);
    EXPECT_NEAR(Value(f, "morphology_AreaDensityConvexHull"), 1.0, 1e-9);
    EXPECT_LT(Value(f, "morphology_VolumeDensityAABB"), 1.0); // corners are cut by the mesh
    EXPECT_DOUBLE_EQ(Value(f, "morphology_MoransI"), 1.0);   // constant intensities
}

} // namespace
} // namespace radnode::processing::radiomics
