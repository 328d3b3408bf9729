// Rasterisation of RT Structure Set contours, checked against closed-form geometry.

#include "processing/contour_rasterizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <regex>
#include <string>

namespace radnode::processing {
namespace {

constexpr double kPi = std::numbers::pi;

ImageGeometry MakeGrid(std::array<std::size_t, 3> size, std::array<double, 3> spacing, Point3 origin) {
    ImageGeometry grid;
    grid.size = size;
    grid.spacing = spacing;
    grid.origin = origin;
    return grid;
}

Point3 Add(const Point3& a, const Point3& b, double scale = 1.0) {
    return {a[0] + scale * b[0], a[1] + scale * b[1], a[2] + scale * b[2]};
}

Point3 Axis(const ImageGeometry& grid, int c) {
    return {grid.direction[c], grid.direction[3 + c], grid.direction[6 + c]};
}

/// A regular polygon with `vertices` vertices on the circle of `radius` around `centre`
/// in the plane spanned by the unit vectors u and v.
Contour Circle(const Point3& centre, const Point3& u, const Point3& v, double radius, int vertices = 256) {
    Contour contour;
    for (int n = 0; n < vertices; ++n) {
        const double a = 2.0 * kPi * n / vertices;
        contour.points.push_back(Add(Add(centre, u, radius * std::cos(a)), v, radius * std::sin(a)));
    }
    return contour;
}

/// One circular contour per slice of `grid` whose plane cuts the sphere, drawn in the
/// grid's slice planes (so it works for oblique grids too).
Roi SphereRoi(const ImageGeometry& grid, const Point3& centre, double radius) {
    Roi roi{1, "GTV-1", "GTV", "1.2.3", {}};
    const Point3 normal = Axis(grid, 2);
    const double k_centre = grid.PhysicalToContinuousIndex(centre)[2];
    for (std::size_t k = 0; k < grid.size[2]; ++k) {
        const double dz = (static_cast<double>(k) - k_centre) * grid.spacing[2];
        if (std::abs(dz) >= radius)
            continue;
        roi.contours.push_back(
            Circle(Add(centre, normal, dz), Axis(grid, 0), Axis(grid, 1), std::sqrt(radius * radius - dz * dz)));
    }
    return roi;
}

/// Axis-aligned rectangle on slice k given in continuous index coordinates.
Contour IndexRectangle(const ImageGeometry& grid, double i0, double j0, double i1, double j1, double k) {
    return {Contour::Type::ClosedPlanar,
            {grid.IndexToPhysical(i0, j0, k), grid.IndexToPhysical(i1, j0, k), grid.IndexToPhysical(i1, j1, k),
             grid.IndexToPhysical(i0, j1, k)}};
}

std::size_t CountSet(const LabelMap& mask) {
    return static_cast<std::size_t>(std::count(mask.Data().begin(), mask.Data().end(), std::uint8_t{1}));
}

std::size_t CountSlice(const LabelMap& mask, std::size_t k) {
    const auto slice = mask.Slice(k);
    return static_cast<std::size_t>(std::count(slice.begin(), slice.end(), std::uint8_t{1}));
}

bool AnyWarningContains(const RasterResult& result, const std::string& text) {
    return std::any_of(result.warnings.begin(), result.warnings.end(),
                       [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

constexpr double kSphereRadius = 20.0;
const double kSphereVolume = 4.0 / 3.0 * kPi * std::pow(kSphereRadius, 3);

TEST(ContourRasterizer, SphereVolumeWithinTwoPercent) {
    const ImageGeometry grid = MakeGrid({64, 64, 24}, {1.0, 1.0, 2.5}, {-31.5, -32.0, -28.75});
    const Roi roi = SphereRoi(grid, {0.3, -0.4, 0.0}, kSphereRadius);
    const RasterResult result = RasterizeRoi(roi, grid);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.contours_used, roi.contours.size());
    EXPECT_EQ(result.contours_skipped, 0U);
    EXPECT_TRUE(result.warnings.empty());
    EXPECT_EQ(result.voxel_count, CountSet(result.mask));
    EXPECT_EQ(result.mask.Geometry(), grid);
    const double volume = static_cast<double>(result.voxel_count) * grid.VoxelVolume();
    EXPECT_NEAR(volume / kSphereVolume, 1.0, 0.02) << volume << " mm3";
}

TEST(ContourRasterizer, ObliqueGridSphereVolumeWithinTwoPercent) {
    // Rotation by 25 degrees about the axis (1, 2, 3)/|.|: no index axis is a patient axis.
    const double n = std::sqrt(14.0);
    const double x = 1.0 / n, y = 2.0 / n, z = 3.0 / n, c = std::cos(25.0 * kPi / 180.0),
                 s = std::sin(25.0 * kPi / 180.0), t = 1.0 - c;
    ImageGeometry grid = MakeGrid({64, 64, 24}, {1.0, 1.0, 2.5}, {});
    grid.direction = {t * x * x + c,     t * x * y - s * z, t * x * z + s * y, t * x * y + s * z, t * y * y + c,
                      t * y * z - s * x, t * x * z - s * y, t * y * z + s * x, t * z * z + c};
    const Point3 centre{10.2, -5.7, 40.1};
    const Point3 at_origin = grid.IndexToPhysical(31.6, 31.3, 11.4); // origin is still 0 here
    grid.origin = {centre[0] - at_origin[0], centre[1] - at_origin[1], centre[2] - at_origin[2]};
    const RasterResult result = RasterizeRoi(SphereRoi(grid, centre, kSphereRadius), grid);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_TRUE(result.warnings.empty()) << result.warnings.front();
    const double volume = static_cast<double>(result.voxel_count) * grid.VoxelVolume();
    EXPECT_NEAR(volume / kSphereVolume, 1.0, 0.02) << volume << " mm3";
}

struct RingCase {
    double r_in;
    double r_out;
};

/// A ring per slice (outer and inner circle as separate contours) and the number of
/// voxel centres strictly between the circles, computed from the circles themselves.
class RingFixture {
public:
    static constexpr int kVertices = 1024;
    RingFixture() : grid_(MakeGrid({48, 48, 3}, {1.0, 1.0, 3.0}, {-20.0, -21.0, 7.0})) {
        const Point3 x{1.0, 0.0, 0.0}, y{0.0, 1.0, 0.0};
        for (std::size_t k = 0; k < grid_.size[2]; ++k) {
            const Point3 centre = grid_.IndexToPhysical(23.37, 24.61, static_cast<double>(k));
            const RingCase& ring = kRings[k];
            roi_.contours.push_back(Circle(centre, x, y, ring.r_out, kVertices));
            roi_.contours.push_back(Circle(centre, x, y, ring.r_in, kVertices));
            for (std::size_t j = 0; j < grid_.size[1]; ++j)
                for (std::size_t i = 0; i < grid_.size[0]; ++i) {
                    const Point3 p = grid_.IndexToPhysical(static_cast<double>(i), static_cast<double>(j), 0.0);
                    const double d = std::hypot(p[0] - centre[0], p[1] - centre[1]);
                    ring_count_[k] += (d > ring.r_in && d < ring.r_out) ? 1U : 0U;
                    disc_count_[k] += d < ring.r_out ? 1U : 0U;
                    // The polygons lie inside their circles by at most the sagitta; no voxel
                    // centre may fall in that sliver, or polygon and circle would disagree.
                    min_margin_ = std::min({min_margin_, std::abs(d - ring.r_in), std::abs(d - ring.r_out)});
                }
        }
    }
    static constexpr std::array<RingCase, 3> kRings{{{7.7, 15.3}, {5.13, 17.9}, {9.41, 12.2}}};
    ImageGeometry grid_;
    Roi roi_{2, "ring", "GTV", "", {}};
    std::array<std::size_t, 3> ring_count_{};
    std::array<std::size_t, 3> disc_count_{};
    double min_margin_ = 1e9;
};

TEST(ContourRasterizer, SeparateInnerContourIsAHoleUnderEvenOdd) {
    const RingFixture ring;
    ASSERT_GT(ring.min_margin_, 20.0 * (1.0 - std::cos(kPi / RingFixture::kVertices)) + 1e-9);
    const RasterResult result = RasterizeRoi(ring.roi_, ring.grid_);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.contours_used, 6U);
    for (std::size_t k = 0; k < 3; ++k) {
        EXPECT_GT(ring.ring_count_[k], 100U);
        EXPECT_EQ(CountSlice(result.mask, k), ring.ring_count_[k]) << "slice " << k;
    }
}

TEST(ContourRasterizer, UnionModeFillsTheInnerDisc) {
    const RingFixture ring;
    ASSERT_GT(ring.min_margin_, 20.0 * (1.0 - std::cos(kPi / RingFixture::kVertices)) + 1e-9);
    RasterOptions options;
    options.mode = RasterOptions::Mode::Union;
    const RasterResult result = RasterizeRoi(ring.roi_, ring.grid_, options);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    for (std::size_t k = 0; k < 3; ++k)
        EXPECT_EQ(CountSlice(result.mask, k), ring.disc_count_[k]) << "slice " << k;
}

TEST(ContourRasterizer, AxisAlignedRectangleGivesExactPixels) {
    const ImageGeometry grid = MakeGrid({20, 20, 3}, {0.5, 0.5, 2.0}, {10.0, -5.0, 100.0});
    Roi roi{3, "box", "GTV", "", {IndexRectangle(grid, 2.5, 4.3, 10.5, 9.7, 1.0)}};
    const RasterResult result = RasterizeRoi(roi, grid);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.voxel_count, 40U); // i = 3..10 (8 centres) x j = 5..9 (5 centres)
    for (std::size_t k = 0; k < 3; ++k)
        for (std::size_t j = 0; j < 20; ++j)
            for (std::size_t i = 0; i < 20; ++i) {
                const bool inside = k == 1 && i >= 3 && i <= 10 && j >= 5 && j <= 9;
                ASSERT_EQ(result.mask.At(i, j, k), inside ? 1 : 0) << i << "," << j << "," << k;
            }
    // Clockwise and counter-clockwise drawings fill the same voxels.
    std::reverse(roi.contours[0].points.begin(), roi.contours[0].points.end());
    EXPECT_EQ(RasterizeRoi(roi, grid).mask.Data(), result.mask.Data());
}

TEST(ContourRasterizer, OffPlaneContourWarnsButIsUsed) {
    const ImageGeometry grid = MakeGrid({20, 20, 3}, {1.0, 1.0, 2.0}, {0.0, 0.0, 0.0});
    Roi roi{4, "box", "GTV", "", {IndexRectangle(grid, 2.5, 2.5, 8.5, 8.5, 1.0)}};
    roi.contours[0].points[2][2] += 0.05; // within tolerance
    EXPECT_TRUE(RasterizeRoi(roi, grid).warnings.empty());
    roi.contours[0].points[2][2] += 0.25; // 0.3 mm off the others' plane
    const RasterResult result = RasterizeRoi(roi, grid);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.contours_used, 1U);
    EXPECT_EQ(result.voxel_count, 36U);
    ASSERT_EQ(result.warnings.size(), 1U);
    EXPECT_NE(result.warnings[0].find("deviate"), std::string::npos) << result.warnings[0];
}

TEST(ContourRasterizer, AllContoursOutsideIsAnError) {
    const ImageGeometry grid = MakeGrid({20, 20, 3}, {1.0, 1.0, 2.0}, {0.0, 0.0, 0.0});
    Roi roi{5, "elsewhere", "GTV", "", {}};
    roi.contours.push_back(IndexRectangle(grid, 2.5, 2.5, 8.5, 8.5, 3.6));   // beyond the slab (k = 3.6)
    roi.contours.push_back(IndexRectangle(grid, 2.5, 2.5, 8.5, 8.5, -0.7));  // before it
    roi.contours.push_back(IndexRectangle(grid, 25.0, 2.5, 30.0, 8.5, 1.0)); // right of the field of view
    roi.contours.push_back(IndexRectangle(grid, 2.5, -9.0, 8.5, -0.2, 1.0)); // above it
    const RasterResult result = RasterizeRoi(roi, grid);
    EXPECT_EQ(result.status, RasterStatus::ContoursOutsideVolume);
    EXPECT_STREQ(RasterStatusName(result.status), "contours_outside_volume");
    EXPECT_FALSE(result.reason.empty());
    EXPECT_EQ(result.contours_used, 0U);
    EXPECT_EQ(result.contours_skipped, 4U);
    EXPECT_EQ(result.warnings.size(), 4U);
    EXPECT_EQ(CountSet(result.mask), 0U);

    // One usable contour turns the error into warnings about the others.
    roi.contours.push_back(IndexRectangle(grid, 2.5, 2.5, 8.5, 8.5, 2.4)); // nearest slice: 2
    const RasterResult some = RasterizeRoi(roi, grid);
    ASSERT_TRUE(some.IsOk()) << some.reason;
    EXPECT_EQ(some.contours_used, 1U);
    EXPECT_EQ(some.contours_skipped, 4U);
    EXPECT_TRUE(AnyWarningContains(some, "outside"));
    EXPECT_EQ(CountSlice(some.mask, 2), 36U);
}

TEST(ContourRasterizer, PartlyOutsideContourIsClipped) {
    const ImageGeometry grid = MakeGrid({20, 20, 1}, {1.0, 1.0, 2.0}, {0.0, 0.0, 0.0});
    const Roi roi{6, "edge", "GTV", "", {IndexRectangle(grid, -5.5, 10.5, 4.5, 30.0, 0.0)}};
    const RasterResult result = RasterizeRoi(roi, grid);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.voxel_count, 5U * 9U); // i = 0..4, j = 11..19
    EXPECT_TRUE(AnyWarningContains(result, "clipped"));
}

TEST(ContourRasterizer, OpenPlanarAndPointContoursAreSkippedWithANote) {
    const ImageGeometry grid = MakeGrid({20, 20, 3}, {1.0, 1.0, 2.0}, {0.0, 0.0, 0.0});
    Contour open = IndexRectangle(grid, 1.5, 1.5, 12.5, 12.5, 1.0);
    open.type = Contour::Type::OpenPlanar;
    const Contour point{Contour::Type::Point, {grid.IndexToPhysical(3.0, 3.0, 1.0)}};
    Roi roi{7, "mixed", "GTV", "", {IndexRectangle(grid, 2.5, 2.5, 8.5, 8.5, 1.0), open, point}};
    const RasterResult result = RasterizeRoi(roi, grid);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    EXPECT_EQ(result.contours_used, 1U);
    EXPECT_EQ(result.contours_skipped, 2U);
    EXPECT_EQ(result.voxel_count, 36U);
    EXPECT_TRUE(AnyWarningContains(result, "OPEN_PLANAR"));
    EXPECT_TRUE(AnyWarningContains(result, "POINT"));

    roi.contours.erase(roi.contours.begin());
    const RasterResult none = RasterizeRoi(roi, grid);
    EXPECT_EQ(none.status, RasterStatus::EmptyRoi);
    EXPECT_NE(none.reason.find("CLOSED_PLANAR"), std::string::npos) << none.reason;
}

TEST(ContourRasterizer, EmptyRoiStatus) {
    const ImageGeometry grid = MakeGrid({20, 20, 3}, {1.0, 1.0, 2.0}, {0.0, 0.0, 0.0});
    const RasterResult no_contours = RasterizeRoi(Roi{8, "empty", "GTV", "", {}}, grid);
    EXPECT_EQ(no_contours.status, RasterStatus::EmptyRoi);
    EXPECT_FALSE(no_contours.reason.empty());

    // A contour that encloses no voxel centre.
    const Roi tiny{9, "tiny", "GTV", "", {IndexRectangle(grid, 4.2, 4.2, 4.8, 4.8, 1.0)}};
    const RasterResult small = RasterizeRoi(tiny, grid);
    EXPECT_EQ(small.status, RasterStatus::EmptyRoi);
    EXPECT_EQ(small.contours_used, 1U);
    EXPECT_EQ(small.voxel_count, 0U);
    EXPECT_NE(small.reason.find("no voxel centre"), std::string::npos) << small.reason;
}

TEST(ContourRasterizer, TranslatingGridAndContoursTogetherGivesTheSameMask) {
    const ImageGeometry grid = MakeGrid({64, 64, 24}, {1.0, 1.0, 2.5}, {-31.5, -32.0, -28.75});
    const Roi roi = SphereRoi(grid, {0.3, -0.4, 0.0}, kSphereRadius);
    const Point3 shift{112.5, -73.25, 230.0};
    ImageGeometry moved_grid = grid;
    moved_grid.origin = Add(grid.origin, shift);
    Roi moved = roi;
    for (Contour& contour : moved.contours)
        for (Point3& p : contour.points)
            p = Add(p, shift);
    const RasterResult a = RasterizeRoi(roi, grid);
    const RasterResult b = RasterizeRoi(moved, moved_grid);
    ASSERT_TRUE(a.IsOk() && b.IsOk());
    EXPECT_GT(a.voxel_count, 0U);
    EXPECT_EQ(a.mask.Data(), b.mask.Data());
}

TEST(ContourRasterizer, ThreadCountDoesNotChangeTheMask) {
    const ImageGeometry grid = MakeGrid({64, 64, 24}, {1.0, 1.0, 2.5}, {-31.5, -32.0, -28.75});
    const Roi roi = SphereRoi(grid, {0.3, -0.4, 0.0}, kSphereRadius);
    RasterOptions one;
    one.threads = 1;
    RasterOptions four;
    four.threads = 4;
    EXPECT_EQ(RasterizeRoi(roi, grid, one).mask.Data(), RasterizeRoi(roi, grid, four).mask.Data());
}

TEST(ContourRasterizer, LargeRoiOnCtSizedGrid) {
    // 200 contours of 256 vertices on 512 x 512 x 300 (timing: tests/benchmarks/rasterize_bench.cpp).
    const ImageGeometry grid = MakeGrid({512, 512, 300}, {0.7, 0.7, 1.0}, {-179.0, -179.0, -150.0});
    const Roi roi = SphereRoi(grid, {0.1, 0.2, 0.3}, 100.0);
    ASSERT_EQ(roi.contours.size(), 200U);
    const RasterResult result = RasterizeRoi(roi, grid);
    ASSERT_TRUE(result.IsOk()) << result.reason;
    const double volume = static_cast<double>(result.voxel_count) * grid.VoxelVolume();
    EXPECT_NEAR(volume / (4.0 / 3.0 * kPi * 1e6), 1.0, 0.01);
}

TEST(StructureSetRoiSelection, RulesAndPrecedence) {
    StructureSet set;
    set.rois = {{1, "Body", "EXTERNAL", "", {}},
                {2, "GTV-1", "gtv", "", {}},
                {3, "Tumour boost", "PTV", "", {}},
                {4, "LESION 2", "", "", {}}};
    const auto numbers = [](const std::vector<const Roi*>& rois) {
        std::vector<int> out;
        for (const Roi* roi : rois)
            out.push_back(roi->number);
        return out;
    };
    EXPECT_EQ(numbers(SelectTumourRois(set)), (std::vector<int>{2})); // typed data wins
    RoiSelection selection;
    selection.rule = RoiSelection::Rule::NameRegex;
    EXPECT_EQ(numbers(SelectTumourRois(set, selection)), (std::vector<int>{2, 3, 4}));
    selection.rule = RoiSelection::Rule::All;
    EXPECT_EQ(numbers(SelectTumourRois(set, selection)), (std::vector<int>{1, 2, 3, 4}));
    selection.rule = RoiSelection::Rule::InterpretedType;
    selection.interpreted_types = {"ptv", "EXTERNAL"};
    EXPECT_EQ(numbers(SelectTumourRois(set, selection)), (std::vector<int>{1, 3}));

    // Without any GTV-typed ROI the default falls back to the names.
    set.rois[1].interpreted_type = "ORGAN";
    EXPECT_EQ(numbers(SelectTumourRois(set)), (std::vector<int>{2, 3, 4}));
    RoiSelection types_only;
    types_only.rule = RoiSelection::Rule::InterpretedType;
    EXPECT_TRUE(SelectTumourRois(set, types_only).empty());

    RoiSelection bad;
    bad.rule = RoiSelection::Rule::NameRegex;
    bad.name_pattern = "gtv(";
    EXPECT_THROW((void)SelectTumourRois(set, bad), std::regex_error);
}

} // namespace
} // namespace radnode::processing
