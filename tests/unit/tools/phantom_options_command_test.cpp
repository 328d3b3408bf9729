// `radnode phantom --slab-centre-z --tumour-centre --juxtapleural`: the options
// reach the generator, and the CT positions, RTSTRUCT contours and truth.json
// follow the moved slab and tumour.

#include "mini_json.h"
#include "phantom_study_fixture.h"
#include "tests/unit/temp_dir.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <string>
#include <vector>

namespace radnode::tools::test {
namespace {

using ::radnode::test::TempDir;

/// 96 x 96 pixels of 3.5 mm (x, y = -166.25 ... +166.25), 30 slices of 4 mm
/// about z = 30 (z = -28 ... +88), juxtapleural tumour of radius 14 mm.
std::vector<std::string> JuxtapleuralArgs() {
    return {"--seed=7",    "--columns=96",        "--rows=96",          "--pixel-spacing=3.5",
            "--slices=30", "--slice-thickness=4", "--slab-centre-z=30", "--tumour-centre",
            "-128,-5,40",  "--tumour-radius=14",  "--juxtapleural",     "--threads=2"};
}

processing::phantom::PhantomOptions JuxtapleuralOptions() {
    processing::phantom::PhantomOptions options;
    options.seed = 7;
    options.columns = 96;
    options.rows = 96;
    options.pixel_spacing_mm = 3.5;
    options.slices = 30;
    options.slice_thickness_mm = 4.0;
    options.slab_centre_z_mm = 30.0;
    options.tumour_centre_mm = processing::phantom::kJuxtapleuralTumourCentreMm;
    options.tumour_radius_mm = 14.0;
    options.tumour_in_lung = false;
    options.threads = 2;
    return options;
}

JsonValue ReadTruth(const std::filesystem::path& dir) {
    std::ifstream in(dir / "truth.json", std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ParseJson(text);
}

/// The study written once per test process with JuxtapleuralArgs().
const std::filesystem::path& Dir() {
    static const TempDir dir("radnode-phantom-options");
    static const bool written = (RunPhantomCommand(dir.Path(), JuxtapleuralArgs()), true);
    (void)written;
    return dir.Path();
}

TEST(PhantomOptionsCommandTest, TruthRecordsTheOptionsAndMatchesTheGenerator) {
    const JsonValue truth = ReadTruth(Dir());
    const JsonValue& options = truth["options"];
    EXPECT_EQ(options["slab_centre_z_mm"].number, 30.0);
    ASSERT_EQ(options["tumour_centre_mm"].items.size(), 3U);
    EXPECT_EQ(options["tumour_centre_mm"][0].number, -128.0);
    EXPECT_EQ(options["tumour_centre_mm"][1].number, -5.0);
    EXPECT_EQ(options["tumour_centre_mm"][2].number, 40.0);
    EXPECT_FALSE(options["tumour_in_lung"].boolean);
    EXPECT_EQ(truth["geometry"]["z_first_mm"].number, -28.0);
    EXPECT_EQ(truth["geometry"]["z_last_mm"].number, 88.0);

    // The same options in-process give the same truth: the command passed them all on.
    const processing::phantom::ThoraxPhantom phantom =
        processing::phantom::GenerateThoraxPhantom(JuxtapleuralOptions());
    const processing::phantom::TumourTruth& t = phantom.truth.tumour;
    const JsonValue& tumour = truth["tumour"];
    EXPECT_EQ(tumour["centre_mm"][0].number, -128.0);
    EXPECT_EQ(tumour["voxel_count"].number, static_cast<double>(t.voxel_count));
    EXPECT_DOUBLE_EQ(tumour["mean_hu"].number, t.mean_hu);
    EXPECT_FALSE(tumour["fully_in_lung"].boolean);
    EXPECT_FALSE(tumour["margin_in_lung"].boolean);
    EXPECT_EQ(tumour["voxels_replacing_right_lung"].number, static_cast<double>(t.voxels_replacing_right_lung));
    EXPECT_GT(tumour["voxels_replacing_other_tissue"].number, 0.0);
    EXPECT_EQ(tumour["voxels_replacing_right_lung"].number + tumour["voxels_replacing_other_tissue"].number,
              tumour["voxel_count"].number);

    // replaced_tissues lists the non-zero tallies in label order and adds up to the tumour.
    double replaced = 0.0;
    double previous_label = -1.0;
    bool chest_wall = false;
    for (const JsonValue& entry : tumour["replaced_tissues"].items) {
        EXPECT_GT(entry["label"].number, previous_label);
        EXPECT_GT(entry["voxel_count"].number, 0.0);
        previous_label = entry["label"].number;
        replaced += entry["voxel_count"].number;
        chest_wall = chest_wall || entry["name"].text == "soft_tissue";
    }
    EXPECT_EQ(replaced, tumour["voxel_count"].number);
    EXPECT_TRUE(chest_wall) << "the documented juxtapleural centre must reach the chest wall";

    const JsonValue& right = truth["lungs"]["right"];
    const double voxel_ml = truth["geometry"]["voxel_volume_mm3"].number / 1000.0;
    EXPECT_DOUBLE_EQ(right["volume_with_tumour_ml"].number,
                     (right["voxel_count"].number + tumour["voxels_replacing_right_lung"].number) * voxel_ml);
    EXPECT_TRUE(truth["conventions"].Has("lung_volume_with_tumour"));
}

TEST(PhantomOptionsCommandTest, CtSlicesAndContoursFollowTheSlabAndTumour) {
    const std::vector<CtFile> ct = ReadCtSeries(Dir());
    ASSERT_EQ(ct.size(), 30U);
    EXPECT_DOUBLE_EQ(ct.front().z_mm, -28.0);
    EXPECT_DOUBLE_EQ(ct.back().z_mm, 88.0);

    const std::unique_ptr<DcmFileFormat> rtstruct = LoadDicom(Dir() / "rtstruct.dcm");
    DcmItem& roi_contour = GetItem(*rtstruct->getDataset(), DCM_ROIContourSequence, 0);
    const unsigned long contours = CountItems(roi_contour, DCM_ContourSequence);
    ASSERT_EQ(contours, 7U); // z = 28 ... 52 (|z - 40| < 14)
    for (unsigned long c = 0; c < contours; ++c) {
        DcmItem& contour = GetItem(roi_contour, DCM_ContourSequence, c);
        const auto points = static_cast<unsigned long>(GetNumber(contour, DCM_NumberOfContourPoints));
        const double dz = GetNumber(contour, DCM_ContourData, 2) - 40.0;
        const double radius = std::sqrt(14.0 * 14.0 - dz * dz);
        for (unsigned long p = 0; p < points; ++p) {
            const double x = GetNumber(contour, DCM_ContourData, 3 * p);
            const double y = GetNumber(contour, DCM_ContourData, 3 * p + 1);
            EXPECT_NEAR(std::hypot(x + 128.0, y + 5.0), radius, 1e-3) << "contour " << c << " point " << p;
        }
    }
}

TEST(PhantomOptionsCommandTest, RejectsATumourOutsideTheLungWithoutJuxtapleural) {
    const TempDir dir("radnode-phantom-options");
    std::vector<std::string> args = JuxtapleuralArgs();
    std::erase(args, "--juxtapleural");
    EXPECT_THROW(RunPhantomCommand(dir.Path(), args), CLI::RuntimeError);
}

TEST(PhantomOptionsCommandTest, TumourCentreNeedsThreeCoordinates) {
    const TempDir dir("radnode-phantom-options");
    EXPECT_THROW(RunPhantomCommand(dir.Path(), {"--tumour-centre", "-128,-5"}), CLI::ParseError);
    EXPECT_THROW(RunPhantomCommand(dir.Path(), {"--tumour-centre", "-128,-5,40,1"}), CLI::ParseError);
    EXPECT_THROW(RunPhantomCommand(dir.Path(), {"--tumour-centre", "a,b,c"}), CLI::ParseError);
}

} // namespace
} // namespace radnode::tools::test
