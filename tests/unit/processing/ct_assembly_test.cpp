#include "processing/ct_assembly.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <span>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace radnode::processing {
namespace {

constexpr std::size_t kColumns = 8;
constexpr std::size_t kRows = 6;
constexpr double kRowSpacing = 0.5;    // PixelSpacing[0]: between rows, along the column direction
constexpr double kColumnSpacing = 0.75; // PixelSpacing[1]: between columns, along the row direction

/// Stored value encoding (i, j, k) so ordering and orientation are checkable.
std::int32_t Code(std::size_t i, std::size_t j, std::size_t k) { return static_cast<std::int32_t>(100 * k + 10 * j + i); }

CtSlice MakeSlice(std::size_t k, const Point3& position, const std::array<double, 6>& orientation = {1, 0, 0, 0, 1, 0}) {
    CtSlice s;
    s.sop_instance_uid = "1.2.3." + std::to_string(k + 1);
    s.modality = "CT";
    s.image_type = "ORIGINAL\\PRIMARY\\AXIAL";
    s.image_position = position;
    s.image_orientation = orientation;
    s.pixel_spacing = {kRowSpacing, kColumnSpacing};
    s.rows = kRows;
    s.columns = kColumns;
    s.pixels.resize(kRows * kColumns);
    for (std::size_t j = 0; j < kRows; ++j)
        for (std::size_t i = 0; i < kColumns; ++i)
            s.pixels[j * kColumns + i] = Code(i, j, k);
    return s;
}

/// Axial slices k = 0..n-1 at z = -3 + 2k.
std::vector<CtSlice> AxialSeries(std::size_t n) {
    std::vector<CtSlice> slices;
    for (std::size_t k = 0; k < n; ++k)
        slices.push_back(MakeSlice(k, {-10.0, 20.0, -3.0 + 2.0 * static_cast<double>(k)}));
    return slices;
}

void ExpectEncoded(const CtVolume& v) {
    for (std::size_t k = 0; k < v.Geometry().size[2]; ++k)
        for (std::size_t j = 0; j < kRows; ++j)
            for (std::size_t i = 0; i < kColumns; ++i)
                ASSERT_EQ(v.At(i, j, k), Code(i, j, k)) << i << "," << j << "," << k;
}

TEST(CtAssemblyTest, ShuffledOrderGivesTheSortedVolume) {
    const AssemblyResult sorted = AssembleCtVolume(AxialSeries(5));
    ASSERT_TRUE(sorted.IsOk()) << sorted.reason;
    std::vector<CtSlice> shuffled = AxialSeries(5);
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937{42});
    std::swap(shuffled.front(), shuffled.back());
    const AssemblyResult r = AssembleCtVolume(shuffled);
    ASSERT_TRUE(r.IsOk()) << r.reason;
    EXPECT_EQ(r.assembled.volume.Geometry(), sorted.assembled.volume.Geometry());
    EXPECT_EQ(r.assembled.volume.Data(), sorted.assembled.volume.Data());
    ExpectEncoded(r.assembled.volume);
    const ImageGeometry& g = r.assembled.volume.Geometry();
    EXPECT_EQ(g.size, (std::array<std::size_t, 3>{kColumns, kRows, 5}));
    EXPECT_DOUBLE_EQ(g.spacing[0], kColumnSpacing);
    EXPECT_DOUBLE_EQ(g.spacing[1], kRowSpacing);
    EXPECT_DOUBLE_EQ(g.spacing[2], 2.0);
    EXPECT_EQ(g.origin, (Point3{-10.0, 20.0, -3.0}));
    EXPECT_EQ(g.direction, (std::array<double, 9>{1, 0, 0, 0, 1, 0, 0, 0, 1}));
    EXPECT_EQ(r.assembled.slice_sop_uids, (std::vector<std::string>{"1.2.3.1", "1.2.3.2", "1.2.3.3", "1.2.3.4", "1.2.3.5"}));
    EXPECT_FALSE(r.assembled.resampled);
    EXPECT_TRUE(r.assembled.notes.empty());
}

TEST(CtAssemblyTest, DuplicatePositionIsRejectedNamingBothSlices) {
    std::vector<CtSlice> slices = AxialSeries(4);
    CtSlice copy = slices[2];
    copy.sop_instance_uid = "9.9.9";
    slices.push_back(copy);
    const AssemblyResult r = AssembleCtVolume(slices);
    EXPECT_EQ(r.issue, AssemblyIssue::DuplicatePosition);
    EXPECT_NE(r.reason.find("1.2.3.3"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("9.9.9"), std::string::npos) << r.reason;
}

TEST(CtAssemblyTest, SameSopInstanceTwiceCountsOnce) {
    std::vector<CtSlice> slices = AxialSeries(4);
    slices.push_back(slices[1]);
    const AssemblyResult r = AssembleCtVolume(slices);
    ASSERT_TRUE(r.IsOk()) << r.reason;
    EXPECT_EQ(r.assembled.volume.Geometry().size[2], 4U);
    ExpectEncoded(r.assembled.volume);
    EXPECT_EQ(r.assembled.notes.size(), 1U);

    slices.back().pixels[0] = 999; // same UID, different content: not the same instance
    EXPECT_EQ(AssembleCtVolume(slices).issue, AssemblyIssue::BadGeometry);
}

TEST(CtAssemblyTest, MissingSliceIsRejected) {
    std::vector<CtSlice> slices = AxialSeries(6);
    slices.erase(slices.begin() + 3);
    const AssemblyResult r = AssembleCtVolume(slices);
    EXPECT_EQ(r.issue, AssemblyIssue::MissingSlice);
    EXPECT_NE(r.reason.find("1.2.3.3"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("1.2.3.5"), std::string::npos) << r.reason;
}

/// Slices at z = 0, 1, 2, 3, 4.2, 5.4 with HU = 100 z + 10 j + i: a linear ramp along z.
std::vector<CtSlice> NonUniformRamp() {
    const std::vector<double> z{0.0, 1.0, 2.0, 3.0, 4.2, 5.4};
    std::vector<CtSlice> slices;
    for (std::size_t k = 0; k < z.size(); ++k) {
        CtSlice s = MakeSlice(k, {0.0, 0.0, z[k]});
        for (std::size_t p = 0; p < s.pixels.size(); ++p)
            s.pixels[p] = static_cast<std::int32_t>(std::lround(100.0 * z[k])) + Code(p % kColumns, p / kColumns, 0);
        slices.push_back(s);
    }
    return slices;
}

TEST(CtAssemblyTest, NonUniformSpacingIsResampledLinearly) {
    const AssemblyResult r = AssembleCtVolume(NonUniformRamp());
    ASSERT_TRUE(r.IsOk()) << r.reason;
    const AssembledVolume& a = r.assembled;
    EXPECT_TRUE(a.resampled);
    EXPECT_DOUBLE_EQ(a.original_min_spacing, 1.0);
    EXPECT_NEAR(a.original_max_spacing, 1.2, 1e-12);
    const ImageGeometry& g = a.volume.Geometry();
    ASSERT_EQ(g.size[2], 6U); // extent 5.4 at the median step 1 -> 6 slices at 1.08 mm
    EXPECT_NEAR(g.spacing[2], 1.08, 1e-12);
    for (std::size_t k = 0; k < 6; ++k)
        for (std::size_t j = 0; j < kRows; ++j)
            for (std::size_t i = 0; i < kColumns; ++i)
                ASSERT_EQ(a.volume.At(i, j, k), static_cast<std::int16_t>(108 * k + 10 * j + i)) << k;
    EXPECT_EQ(a.slice_sop_uids.front(), "1.2.3.1");
    EXPECT_EQ(a.slice_sop_uids.back(), "1.2.3.6");
    EXPECT_TRUE(a.slice_sop_uids[2].empty());
    ASSERT_EQ(a.notes.size(), 1U);
    EXPECT_NE(a.notes[0].find("resampled"), std::string::npos);

    AssemblyOptions reject;
    reject.non_uniform = AssemblyOptions::NonUniformSpacing::Reject;
    EXPECT_EQ(AssembleCtVolume(NonUniformRamp(), reject).issue, AssemblyIssue::NonUniformSpacing);
}

TEST(CtAssemblyTest, TiltIsRejected) {
    std::vector<CtSlice> drifting = AxialSeries(4);
    for (std::size_t k = 0; k < drifting.size(); ++k)
        drifting[k].image_position[1] += 0.5 * static_cast<double>(k); // y drifts while the normal is z
    EXPECT_EQ(AssembleCtVolume(drifting).issue, AssemblyIssue::GantryTilt);

    std::vector<CtSlice> tilted = AxialSeries(4);
    for (CtSlice& s : tilted)
        s.gantry_tilt_deg = 15.0;
    const AssemblyResult r = AssembleCtVolume(tilted);
    EXPECT_EQ(r.issue, AssemblyIssue::GantryTilt);
    EXPECT_NE(r.reason.find("15"), std::string::npos) << r.reason;
}

TEST(CtAssemblyTest, MixedSeriesAreRejected) {
    std::vector<CtSlice> orientation = AxialSeries(4);
    orientation[2].image_orientation = {1, 0, 0, 0, 0.8, 0.6};
    EXPECT_EQ(AssembleCtVolume(orientation).issue, AssemblyIssue::MixedOrientation);

    std::vector<CtSlice> size = AxialSeries(4);
    size[1].rows = 4;
    size[1].pixels.resize(4 * kColumns);
    EXPECT_EQ(AssembleCtVolume(size).issue, AssemblyIssue::MixedSize);

    std::vector<CtSlice> spacing = AxialSeries(4);
    spacing[3].pixel_spacing = {0.6, kColumnSpacing};
    EXPECT_EQ(AssembleCtVolume(spacing).issue, AssemblyIssue::MixedPixelSpacing);

    std::vector<CtSlice> modality = AxialSeries(4);
    modality[0].modality = "MR";
    EXPECT_EQ(AssembleCtVolume(modality).issue, AssemblyIssue::NotCt);

    EXPECT_EQ(AssembleCtVolume({}).issue, AssemblyIssue::Empty);
    EXPECT_EQ(AssembleCtVolume(AxialSeries(1)).issue, AssemblyIssue::BadGeometry);
}

TEST(CtAssemblyTest, SlicesOfTwoSeriesOrFramesOfReferenceAreRejected) {
    std::vector<CtSlice> series = AxialSeries(4);
    for (CtSlice& s : series) {
        s.series_instance_uid = "1.2.9.1";
        s.frame_of_reference_uid = "1.2.9.100";
    }
    EXPECT_TRUE(AssembleCtVolume(series).IsOk()); // same UIDs everywhere: fine

    std::vector<CtSlice> two_series = series;
    two_series[2].series_instance_uid = "1.2.9.2";
    const AssemblyResult r = AssembleCtVolume(two_series);
    EXPECT_EQ(r.issue, AssemblyIssue::MixedSeries);
    EXPECT_NE(r.reason.find("1.2.9.1"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("1.2.9.2"), std::string::npos) << r.reason;
    EXPECT_EQ(AssemblyIssueName(r.issue), "mixed_series");

    std::vector<CtSlice> two_frames = series;
    two_frames[3].frame_of_reference_uid = "1.2.9.101";
    EXPECT_EQ(AssembleCtVolume(two_frames).issue, AssemblyIssue::MixedFrameOfReference);

    std::vector<CtSlice> unknown = series; // an empty UID is unknown, not different
    unknown[1].series_instance_uid.clear();
    unknown[1].frame_of_reference_uid.clear();
    EXPECT_TRUE(AssembleCtVolume(unknown).IsOk());
}

TEST(CtAssemblyTest, LocalizerIsExcludedWithANote) {
    std::vector<CtSlice> slices = AxialSeries(4);
    CtSlice scout = MakeSlice(9, {0.0, -200.0, 100.0}, {1, 0, 0, 0, 0, -1});
    scout.sop_instance_uid = "7.7.7";
    scout.image_type = "ORIGINAL\\PRIMARY\\LOCALIZER";
    slices.insert(slices.begin() + 1, scout);
    const AssemblyResult r = AssembleCtVolume(slices);
    ASSERT_TRUE(r.IsOk()) << r.reason;
    EXPECT_EQ(r.assembled.volume.Geometry().size[2], 4U);
    ExpectEncoded(r.assembled.volume);
    ASSERT_EQ(r.assembled.notes.size(), 1U);
    EXPECT_NE(r.assembled.notes[0].find("7.7.7"), std::string::npos);

    EXPECT_EQ(AssembleCtVolume({scout}).issue, AssemblyIssue::Localizer);
}

/// Sagittal and oblique series: direction matrix and index <-> physical mapping.
TEST(CtAssemblyTest, NonAxialSeriesMapIndicesToPatientSpace) {
    const double a = 30.0 * 3.14159265358979323846 / 180.0;
    const std::vector<std::array<double, 6>> orientations{
        {0, 1, 0, 0, 0, -1},                               // sagittal
        {std::cos(a), std::sin(a), 0, 0, 0, -1},           // oblique about z
        {1, 0, 0, 0, std::cos(a), -std::sin(a)}};          // oblique about x
    for (const auto& o : orientations) {
        const Point3 row{o[0], o[1], o[2]};
        const Point3 col{o[3], o[4], o[5]};
        const Point3 n{row[1] * col[2] - row[2] * col[1], row[2] * col[0] - row[0] * col[2],
                       row[0] * col[1] - row[1] * col[0]};
        std::vector<CtSlice> slices;
        for (std::size_t k = 0; k < 4; ++k) {
            const double d = 2.5 * static_cast<double>(k);
            slices.push_back(MakeSlice(k, {12.0 + d * n[0], -7.0 + d * n[1], 30.0 + d * n[2]}, o));
        }
        std::reverse(slices.begin(), slices.end());
        const AssemblyResult r = AssembleCtVolume(slices);
        ASSERT_TRUE(r.IsOk()) << r.reason;
        const CtVolume& v = r.assembled.volume;
        ExpectEncoded(v);
        const ImageGeometry& g = v.Geometry();
        EXPECT_NEAR(g.spacing[2], 2.5, 1e-9);
        for (std::size_t c = 0; c < 3; ++c) {
            EXPECT_NEAR(g.direction[3 * c + 0], row[c], 1e-12);
            EXPECT_NEAR(g.direction[3 * c + 1], col[c], 1e-12);
            EXPECT_NEAR(g.direction[3 * c + 2], n[c], 1e-12);
        }
        for (const CtSlice& s : slices) {
            const std::size_t k = static_cast<std::size_t>(s.pixels[0] / 100);
            for (std::size_t j : {0UL, 5UL})
                for (std::size_t i : {0UL, 3UL, 7UL}) {
                    const Point3 p = g.IndexToPhysical(static_cast<double>(i), static_cast<double>(j),
                                                       static_cast<double>(k));
                    for (std::size_t c = 0; c < 3; ++c)
                        EXPECT_NEAR(p[c], s.image_position[c] + static_cast<double>(i) * kColumnSpacing * row[c] +
                                              static_cast<double>(j) * kRowSpacing * col[c],
                                    1e-9);
                }
        }
    }
}

TEST(CtAssemblyTest, RescaleAndPaddingAreApplied) {
    std::vector<CtSlice> slices = AxialSeries(3);
    for (CtSlice& s : slices) {
        s.rescale_slope = 2.0;
        s.rescale_intercept = -1000.0;
        s.pixel_padding_value = -2000;
        s.pixels[0] = -2000;
        s.pixels[1] = 40000; // 79000 HU clamps to int16
        s.pixels[2] = -1;
    }
    const AssemblyResult r = AssembleCtVolume(slices);
    ASSERT_TRUE(r.IsOk()) << r.reason;
    const CtVolume& v = r.assembled.volume;
    EXPECT_EQ(v.At(0, 0, 1), kPaddingHu);
    EXPECT_EQ(v.At(1, 0, 1), 32767);
    EXPECT_EQ(v.At(2, 0, 1), -1002);
    EXPECT_EQ(v.At(3, 2, 1), 2 * Code(3, 2, 1) - 1000);

    slices[0].rescale_slope = 0.5; // rounding to nearest: 0.5 * 7 = 3.5 -> 4 (half away from zero)
    slices[0].rescale_intercept = 0.0;
    slices[0].pixels[7] = 7;
    EXPECT_EQ(AssembleCtVolume(slices).assembled.volume.At(7, 0, 0), 4);
}

TEST(CtAssemblyTest, SignedAndUnsignedStorageGiveTheSameHu) {
    std::vector<CtSlice> signed_slices = AxialSeries(3);
    std::vector<CtSlice> unsigned_slices = AxialSeries(3);
    for (std::size_t k = 0; k < 3; ++k) {
        for (std::size_t p = 0; p < signed_slices[k].pixels.size(); ++p) {
            const std::int32_t hu = static_cast<std::int32_t>(p * 37 % 2000) - 1000;
            signed_slices[k].pixels[p] = hu;
            unsigned_slices[k].pixels[p] = hu + 1024;
        }
        unsigned_slices[k].rescale_intercept = -1024.0;
    }
    const AssemblyResult s = AssembleCtVolume(signed_slices);
    const AssemblyResult u = AssembleCtVolume(unsigned_slices);
    ASSERT_TRUE(s.IsOk() && u.IsOk());
    EXPECT_EQ(s.assembled.volume.Data(), u.assembled.volume.Data());
    EXPECT_EQ(s.assembled.volume.At(1, 0, 0), 37 - 1000);
}

/// Serves the HU of in-memory slices by index (slope 1, intercept 0: HU = stored), fails for
/// one SOP UID, and records which indices were read.
class FakePixelSource final : public SlicePixelSource {
public:
    explicit FakePixelSource(std::vector<CtSlice> slices, std::string failing_uid = {})
        : slices_(std::move(slices)), failing_uid_(std::move(failing_uid)), read_(slices_.size()) {}

    bool ReadHu(std::size_t index, std::span<std::int16_t> out, std::string& error) override {
        ++read_[index];
        const CtSlice& s = slices_[index];
        if (s.sop_instance_uid == failing_uid_) {
            error = "simulated decoder failure";
            return false;
        }
        EXPECT_EQ(out.size(), s.pixels.size());
        std::transform(s.pixels.begin(), s.pixels.end(), out.begin(),
                       [](std::int32_t v) { return static_cast<std::int16_t>(v); });
        return true;
    }

    int Reads(std::size_t index) const { return read_[index]; }

private:
    std::vector<CtSlice> slices_;
    std::string failing_uid_;
    std::vector<std::atomic<int>> read_;
};

std::vector<CtSlice> HeadersOnly(std::vector<CtSlice> slices) {
    for (CtSlice& s : slices)
        s.pixels.clear();
    return slices;
}

TEST(CtAssemblyTest, PixelSourceGivesTheSameVolumeAndReadsOnlyKeptSlices) {
    std::vector<CtSlice> slices = AxialSeries(5);
    std::shuffle(slices.begin(), slices.end(), std::mt19937{7});
    CtSlice scout = MakeSlice(9, {0.0, -200.0, 100.0}, {1, 0, 0, 0, 0, -1});
    scout.image_type = "ORIGINAL\\PRIMARY\\LOCALIZER";
    slices.push_back(scout);
    FakePixelSource source(slices);
    const AssemblyResult r = AssembleCtVolume(HeadersOnly(slices), source);
    ASSERT_TRUE(r.IsOk()) << r.reason;
    const AssemblyResult in_memory = AssembleCtVolume(slices);
    ASSERT_TRUE(in_memory.IsOk()) << in_memory.reason;
    EXPECT_TRUE(r.assembled.volume.Data() == in_memory.assembled.volume.Data());
    EXPECT_EQ(r.assembled.slice_sop_uids, in_memory.assembled.slice_sop_uids);
    ExpectEncoded(r.assembled.volume);
    for (std::size_t i = 0; i + 1 < slices.size(); ++i)
        EXPECT_EQ(source.Reads(i), 1) << i;
    EXPECT_EQ(source.Reads(slices.size() - 1), 0); // the localizer is never decoded
}

TEST(CtAssemblyTest, PixelSourceFailureIsAnIssueNamingTheSlice) {
    const std::vector<CtSlice> slices = AxialSeries(5);
    FakePixelSource source(slices, "1.2.3.3");
    const AssemblyResult r = AssembleCtVolume(HeadersOnly(slices), source);
    EXPECT_EQ(r.issue, AssemblyIssue::UnreadablePixels);
    EXPECT_EQ(AssemblyIssueName(r.issue), "unreadable_pixels");
    EXPECT_NE(r.reason.find("1.2.3.3"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("simulated decoder failure"), std::string::npos) << r.reason;

    // Resampling reads into temporaries; a failure there is reported the same way.
    std::vector<CtSlice> uneven = AxialSeries(5);
    uneven[4].image_position[2] += 0.5;
    FakePixelSource uneven_source(uneven, "1.2.3.2");
    const AssemblyResult resampled = AssembleCtVolume(HeadersOnly(uneven), uneven_source);
    EXPECT_EQ(resampled.issue, AssemblyIssue::UnreadablePixels);
    EXPECT_NE(resampled.reason.find("1.2.3.2"), std::string::npos) << resampled.reason;
}

TEST(CtAssemblyTest, PixelSourceDuplicatesAreComparedByContent) {
    std::vector<CtSlice> slices = AxialSeries(4);
    slices.push_back(slices[1]);
    {
        FakePixelSource source(slices);
        const AssemblyResult r = AssembleCtVolume(HeadersOnly(slices), source);
        ASSERT_TRUE(r.IsOk()) << r.reason;
        EXPECT_EQ(r.assembled.volume.Geometry().size[2], 4U);
        ExpectEncoded(r.assembled.volume);
    }
    slices.back().pixels[0] = 999;
    FakePixelSource source(slices);
    EXPECT_EQ(AssembleCtVolume(HeadersOnly(slices), source).issue, AssemblyIssue::BadGeometry);
}

} // namespace
} // namespace radnode::processing
