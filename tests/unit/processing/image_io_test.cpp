#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "processing/image_io.h"

namespace radnode::processing {
namespace {

class ImageIoTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("radnode-image-io-" + std::string{::testing::UnitTest::GetInstance()->current_test_info()->name()});
        std::filesystem::create_directories(dir_);
        // An oblique grid: 30° rotation about z, anisotropic spacing, off-centre origin.
        const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
        geometry_.size = {5, 4, 3};
        geometry_.spacing = {0.75, 0.5, 2.5};
        geometry_.origin = {-120.25, 33.5, -7.0};
        geometry_.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    static void ExpectSameGeometry(const ImageGeometry& a, const ImageGeometry& b, double tolerance) {
        EXPECT_EQ(a.size, b.size);
        for (int i = 0; i < 3; ++i) {
            EXPECT_NEAR(a.spacing[i], b.spacing[i], tolerance);
            EXPECT_NEAR(a.origin[i], b.origin[i], tolerance);
        }
        for (int i = 0; i < 9; ++i)
            EXPECT_NEAR(a.direction[i], b.direction[i], tolerance);
    }

    std::filesystem::path dir_;
    ImageGeometry geometry_;
};

TEST_F(ImageIoTest, CtVolumeRoundTripsThroughNrrdAndNifti) {
    CtVolume ct(geometry_);
    for (std::size_t n = 0; n < ct.Data().size(); ++n)
        ct.Data()[n] = static_cast<std::int16_t>(-1024 + 37 * static_cast<int>(n));
    for (const char* name : {"ct.nrrd", "ct.nii.gz", "ct.nii"}) {
        ASSERT_TRUE(WriteImage(ct, dir_ / name).IsOk()) << name;
        CtVolume back;
        const ImageIoResult read = ReadImage(dir_ / name, back);
        ASSERT_TRUE(read.IsOk()) << read.error;
        EXPECT_EQ(back.Data(), ct.Data()) << name;
        ExpectSameGeometry(back.Geometry(), geometry_, 1e-4); // NIfTI keeps geometry as float32
    }
}

TEST_F(ImageIoTest, LabelMapRoundTrips) {
    LabelMap mask(geometry_);
    mask.At(1, 2, 1) = 1;
    mask.At(4, 3, 2) = 7;
    ASSERT_TRUE(WriteImage(mask, dir_ / "mask.nrrd").IsOk());
    LabelMap back;
    ASSERT_TRUE(ReadImage(dir_ / "mask.nrrd", back).IsOk());
    EXPECT_EQ(back.Data(), mask.Data());
    ExpectSameGeometry(back.Geometry(), geometry_, 1e-9);
}

TEST_F(ImageIoTest, NrrdHeaderStatesTypeSizesAndLpsSpace) {
    CtVolume ct(geometry_);
    ASSERT_TRUE(WriteImage(ct, dir_ / "ct.nrrd").IsOk());
    std::ifstream in(dir_ / "ct.nrrd", std::ios::binary);
    std::string header, line;
    while (std::getline(in, line) && !line.empty())
        header += line + "\n";
    EXPECT_NE(header.find("type: short"), std::string::npos) << header;
    EXPECT_NE(header.find("sizes: 5 4 3"), std::string::npos) << header;
    EXPECT_NE(header.find("space: left-posterior-superior"), std::string::npos) << header;
    EXPECT_NE(header.find("space origin: (-120.25,33.5,-7)"), std::string::npos) << header;
    EXPECT_NE(header.find("encoding: gzip"), std::string::npos) << header;
}

TEST_F(ImageIoTest, MissingOrInvalidFilesAreErrors) {
    CtVolume ct;
    EXPECT_FALSE(ReadImage(dir_ / "absent.nrrd", ct).IsOk());
    std::ofstream(dir_ / "garbage.nrrd") << "not an image";
    EXPECT_FALSE(ReadImage(dir_ / "garbage.nrrd", ct).IsOk());
    EXPECT_FALSE(WriteImage(CtVolume(geometry_), dir_ / "no-such-dir" / "x.nrrd").IsOk());
}

} // namespace
} // namespace radnode::processing
