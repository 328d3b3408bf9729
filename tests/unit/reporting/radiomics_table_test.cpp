#include "reporting/radiomics_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "processing/image_io.h"

#include <fmt/format.h>

namespace radnode::reporting {
namespace {

namespace fs = std::filesystem;

const fs::path kPyRadiomicsData = fs::path(RADNODE_TEST_DATA_DIR) / "pyradiomics";

TEST(PythonFloatText, MatchesPythonRepr) {
    // Expected strings are Python 3's repr() of the same doubles.
    EXPECT_EQ(PythonFloatText(632.0), "632.0");
    EXPECT_EQ(PythonFloatText(0.0), "0.0");
    EXPECT_EQ(PythonFloatText(-0.0), "-0.0");
    EXPECT_EQ(PythonFloatText(1044.4), "1044.4");
    EXPECT_EQ(PythonFloatText(16147.51180013021), "16147.51180013021");
    EXPECT_EQ(PythonFloatText(33122817481.0), "33122817481.0");
    EXPECT_EQ(PythonFloatText(0.0001), "0.0001");
    EXPECT_EQ(PythonFloatText(0.00001), "1e-05");
    EXPECT_EQ(PythonFloatText(1.5e-7), "1.5e-07");
    EXPECT_EQ(PythonFloatText(1e15), "1000000000000000.0");
    EXPECT_EQ(PythonFloatText(1e16), "1e+16");
    EXPECT_EQ(PythonFloatText(1.2345e22), "1.2345e+22");
    EXPECT_EQ(PythonFloatText(1e100), "1e+100");
    EXPECT_EQ(PythonFloatText(-2.5), "-2.5");
    EXPECT_EQ(PythonFloatText(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(PythonFloatText(std::numeric_limits<double>::quiet_NaN()), "nan");
    EXPECT_EQ(PythonFloatText(std::numeric_limits<double>::infinity()), "inf");
    EXPECT_EQ(PythonFloatText(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(Sha1, KnownDigests) {
    EXPECT_EQ(Sha1Hex({}), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const std::string abc = "abc";
    EXPECT_EQ(Sha1Hex({reinterpret_cast<const unsigned char*>(abc.data()), abc.size()}),
              "a9993e364706816aba3e25717850c26c9cd0d89d");
}

struct HashCase {
    const char* name;
    const char* image_hash; ///< baseline/baseline_shape.csv, diagnostics_Image-original_Hash
    const char* mask_hash;  ///< diagnostics_Mask-original_Hash
};

class PyRadiomicsHash : public ::testing::TestWithParam<HashCase> {};

TEST_P(PyRadiomicsHash, MatchesTheBaseline) {
    const HashCase& c = GetParam();
    processing::Volume<double> image;
    processing::ImageFileInfo info;
    ASSERT_TRUE(processing::ReadImage(kPyRadiomicsData / fmt::format("{}_image.nrrd", c.name), image, &info).IsOk());
    EXPECT_EQ(PyRadiomicsImageHash(image, info.component_type), c.image_hash) << info.component_type;
    processing::Volume<std::int32_t> mask;
    ASSERT_TRUE(processing::ReadImage(kPyRadiomicsData / fmt::format("{}_label.nrrd", c.name), mask).IsOk());
    EXPECT_EQ(PyRadiomicsMaskHash(mask), c.mask_hash);
}

INSTANTIATE_TEST_SUITE_P(Baseline, PyRadiomicsHash,
                         ::testing::Values(HashCase{"brain1", "5c9ce3ca174f0f8324aa4d277e0fef82dc5ac566",
                                                    "9dc2c3137b31fd872997d92c9a92d5178126d9d3"},
                                           HashCase{"brain2", "f2b8fbc4d5d1da08a1a70e79a301f8a830139438",
                                                    "b41049c71633e194bee4891750392b72eabd8800"},
                                           HashCase{"breast1", "016951a8f9e8e5de21092d9d62b77262f92e04a5",
                                                    "c45601d81c387b7c809948af79ebf173738c0b02"}),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(PyRadiomicsHash, UnknownComponentTypeThrows) {
    processing::Volume<double> image(processing::ImageGeometry{{1, 1, 1}}, 0.0);
    EXPECT_THROW(PyRadiomicsImageHash(image, "complex"), std::invalid_argument);
}

processing::radiomics::Feature F(std::string name, double value) {
    processing::radiomics::Feature f;
    f.name = std::move(name);
    f.value = value;
    return f;
}

RadiomicsCase Ok(std::string image, double value) {
    RadiomicsCase c;
    c.inputs = {{"Image", image}, {"Mask", "m.nrrd"}};
    c.diagnostics = {{"diagnostics_Versions_radnode", "0.1.0"}, {"diagnostics_Mask-original_BoundingBox", "(1, 2, 3)"}};
    c.features = {F("original_shape_VoxelVolume", value), F("original_firstorder_Mean", 2.0)};
    return c;
}

TEST(RadiomicsCsv, PyRadiomicsBatchLayout) {
    const std::string csv = RadiomicsCsv({Ok("a.nrrd", 1.0), Ok("b.nrrd", 0.5)});
    EXPECT_EQ(csv,
              "Image,Mask,diagnostics_Versions_radnode,diagnostics_Mask-original_BoundingBox,"
              "original_shape_VoxelVolume,original_firstorder_Mean\n"
              "a.nrrd,m.nrrd,0.1.0,\"(1, 2, 3)\",1.0,2.0\n"
              "b.nrrd,m.nrrd,0.1.0,\"(1, 2, 3)\",0.5,2.0\n");
}

TEST(RadiomicsCsv, FailedCaseKeepsItsRowAndTheOthersOrder) {
    RadiomicsCase bad;
    bad.inputs = {{"Image", "bad.nrrd"}, {"Mask", "m.nrrd"}};
    bad.error = "mask \"m\" empty, label 1";
    RadiomicsCase extra = Ok("c.nrrd", 3.0);
    extra.features.push_back(F("original_glcm_Zeta", 1.0));
    extra.features.push_back(F("original_glcm_Alpha", 1.0));
    const std::vector<std::string> columns = RadiomicsColumns({bad, Ok("a.nrrd", 1.0), extra});
    EXPECT_EQ(columns, (std::vector<std::string>{"Image", "Mask", "Error", "diagnostics_Versions_radnode",
                                                 "diagnostics_Mask-original_BoundingBox", "original_shape_VoxelVolume",
                                                 "original_firstorder_Mean", "original_glcm_Alpha",
                                                 "original_glcm_Zeta"}));
    const std::string csv = RadiomicsCsv({bad, Ok("a.nrrd", 1.0)});
    EXPECT_NE(csv.find("\nbad.nrrd,m.nrrd,\"mask \"\"m\"\" empty, label 1\",,,,\n"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\na.nrrd,m.nrrd,,0.1.0,"), std::string::npos) << csv;
}

TEST(RadiomicsJson, ArrayOfCases) {
    RadiomicsCase c = Ok("a.nrrd", std::numeric_limits<double>::quiet_NaN());
    const std::string json = RadiomicsJson({c});
    EXPECT_EQ(json.front(), '[');
    EXPECT_NE(json.find("\"Image\": \"a.nrrd\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"original_shape_VoxelVolume\": null"), std::string::npos) << json;
    EXPECT_NE(json.find("\"original_firstorder_Mean\": 2"), std::string::npos) << json;
}

TEST(AddProvenanceDiagnostics, WherePyRadiomicsPutsThem) {
    TextPairs d = {{"diagnostics_Configuration_Settings", "{}"},
                   {"diagnostics_Configuration_EnabledImageTypes", "{'Original': {}}"},
                   {"diagnostics_Image-original_Dimensionality", "3D"},
                   {"diagnostics_Image-original_Spacing", "(1.0, 1.0, 1.0)"},
                   {"diagnostics_Mask-original_Spacing", "(1.0, 1.0, 1.0)"},
                   {"diagnostics_Mask-original_VoxelNum", "4"}};
    AddProvenanceDiagnostics(d, {{"diagnostics_Versions_radnode", "0.1.0"}}, "ih", "mh");
    std::vector<std::string> keys;
    for (const auto& [k, v] : d)
        keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{
                        "diagnostics_Versions_radnode", "diagnostics_Configuration_Settings",
                        "diagnostics_Configuration_EnabledImageTypes", "diagnostics_Image-original_Hash",
                        "diagnostics_Image-original_Dimensionality", "diagnostics_Image-original_Spacing",
                        "diagnostics_Mask-original_Hash", "diagnostics_Mask-original_Spacing",
                        "diagnostics_Mask-original_VoxelNum"}));
    EXPECT_EQ(d[3].second, "ih");
    EXPECT_EQ(d[6].second, "mh");
}

} // namespace
} // namespace radnode::reporting
