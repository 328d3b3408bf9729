// Parity of the LoG image type with PyRadiomics: for brain1, brain2 and breast1, Extract with
// params/full_original_log_wavelet.yaml minus Wavelet, every log-sigma-* feature against the
// live PyRadiomics run (peer_outputs/), and brain1's LoG first-order values against the
// helloFeatureClass notebook (voxelArrayShift 0).

#include "processing/radiomics/extractor.h"
#include "processing/radiomics/filters.h"
#include "baseline_support.h"
#include "reference_data.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

/// params/full_original_log_wavelet.yaml without its Wavelet image type.
ExtractionParams LogParams(double voxel_array_shift) {
    ExtractionParams params;
    params.settings.bin_width = 25;
    params.settings.voxel_array_shift = voxel_array_shift;
    params.settings.minimum_roi_dimensions = 1;
    params.settings.additional_info = true;
    params.image_types = {ImageTypeSpec{"Original", {}},
                          ImageTypeSpec{"LoG", {{"sigma", {"1.0", "2.0", "3.0", "4.0", "5.0"}}}}};
    for (const char* name : {"shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"})
        params.feature_classes.emplace_back(name, std::vector<std::string>{});
    return params;
}

/// Features that cannot reach the 1e-6 parity bar, with the reason and the largest relative
/// difference measured ("<case>/<feature>" -> bound). Empty: every LoG feature is within 1e-6.
const std::map<std::string, double>& KnownLooserFeatures() {
    static const std::map<std::string, double> known{};
    return known;
}

TEST(RadiomicsLogFilter, NamesFollowPythonStr) {
    ImageGeometry g;
    g.size = {20, 20, 20};
    const DerivedImageList list = ExpandImageType(ImageTypeSpec{"LoG", {{"sigma", {"1.0", "2", "1.50", "30.0"}}}}, g);
    ASSERT_TRUE(list.error.empty()) << list.error;
    // 30 mm does not fit in 20 voxels of 1 mm: skipped as PyRadiomics does.
    ASSERT_EQ(list.images.size(), 3U);
    EXPECT_EQ(list.images[0].name, "log-sigma-1-0-mm-3D");
    EXPECT_EQ(list.images[1].name, "log-sigma-2-mm-3D");
    EXPECT_EQ(list.images[2].name, "log-sigma-1-5-mm-3D");
    EXPECT_FALSE(ExpandImageType(ImageTypeSpec{"Square", {}}, g).error.empty());
    g.size = {20, 20, 3};
    EXPECT_TRUE(ExpandImageType(ImageTypeSpec{"LoG", {{"sigma", {"1.0"}}}}, g).images.empty());
}

TEST(RadiomicsLogFilter, UnsupportedTypeRefused) {
    const auto& data = test::LoadReferenceCase("brain1");
    ExtractionParams params = LogParams(2000);
    params.image_types.push_back(ImageTypeSpec{"Square", {}});
    const ExtractionResult result = Extract(data.image, data.mask, params);
    EXPECT_NE(result.error.find("Square"), std::string::npos) << result.error;
    EXPECT_TRUE(result.features.empty());
}

TEST(RadiomicsLogFilter, PeerParity) {
    struct Tally {
        int pass = 0;
        int total = 0;
    };
    std::map<std::string, Tally> tally; // "<sigma>_<class>"
    std::vector<std::pair<double, std::string>> worst;
    int failures = 0;
    for (const std::string& case_name : test::ReferenceCaseNames()) {
        const auto& data = test::LoadReferenceCase(case_name);
        const ExtractionResult result = Extract(data.image, data.mask, LogParams(2000));
        ASSERT_TRUE(result.error.empty()) << case_name << ": " << result.error;
        const auto actual = test::ByName(result.features);
        const auto peer = test::PeerOutputs(case_name);

        std::size_t log_count = 0;
        for (const Feature& f : result.features)
            if (f.name.starts_with("log-sigma-"))
                ++log_count;

        std::size_t peer_log = 0;
        for (const auto& [name, text] : peer) {
            if (!name.starts_with("log-sigma-"))
                continue;
            ++peer_log;
            const std::size_t class_end = name.find('_', name.find('_') + 1);
            const std::string group = name.substr(0, class_end);
            Tally& t = tally[group];
            ++t.total;
            const double expected = std::strtod(text.c_str(), nullptr);
            const auto it = actual.find(name);
            if (it == actual.end()) {
                ADD_FAILURE() << case_name << ": missing " << name;
                ++failures;
                continue;
            }
            const double rel = test::RelativeDifference(it->second, expected);
            worst.emplace_back(rel, case_name + "/" + name);
            if (test::WithinParity(it->second, expected)) {
                ++t.pass;
                continue;
            }
            const auto known = KnownLooserFeatures().find(case_name + "/" + name);
            if (known != KnownLooserFeatures().end() && rel <= known->second && rel < 1e-4) {
                ++t.pass;
                continue;
            }
            ++failures;
            ADD_FAILURE() << case_name << " " << name << ": " << it->second << " vs " << text << " (rel " << rel << ")";
        }
        EXPECT_EQ(log_count, peer_log) << case_name << ": LoG feature count";
    }
    for (const auto& [group, t] : tally)
        std::printf("  %-40s %3d/%3d\n", group.c_str(), t.pass, t.total);
    std::sort(worst.rbegin(), worst.rend());
    std::printf("  largest relative differences:\n");
    for (std::size_t i = 0; i < std::min<std::size_t>(10, worst.size()); ++i)
        std::printf("    %.3e %s\n", worst[i].first, worst[i].second.c_str());
    EXPECT_EQ(failures, 0);
}

TEST(RadiomicsLogFilter, OrderMatchesPyRadiomics) {
    const auto& data = test::LoadReferenceCase("brain1");
    const ExtractionResult result = Extract(data.image, data.mask, LogParams(2000));
    ASSERT_TRUE(result.error.empty()) << result.error;
    // Prefix sequence: original_shape, original_<classes>, then log-sigma-1..5 each with its classes.
    std::vector<std::string> groups;
    for (const Feature& f : result.features) {
        const std::string group = f.name.substr(0, f.name.find('_', f.name.find('_') + 1));
        if (groups.empty() || groups.back() != group)
            groups.push_back(group);
    }
    std::vector<std::string> expected{"original_shape"};
    for (const std::string prefix : {"original", "log-sigma-1-0-mm-3D", "log-sigma-2-0-mm-3D", "log-sigma-3-0-mm-3D",
                                     "log-sigma-4-0-mm-3D", "log-sigma-5-0-mm-3D"})
        for (const char* cls : {"firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"})
            expected.push_back(prefix + "_" + cls);
    EXPECT_EQ(groups, expected);
}

TEST(RadiomicsLogFilter, NotebookFirstOrder) {
    const auto& data = test::LoadReferenceCase("brain1");
    ExtractionParams params = LogParams(0);
    params.feature_classes = {{"firstorder", {}}};
    const ExtractionResult result = Extract(data.image, data.mask, params);
    ASSERT_TRUE(result.error.empty()) << result.error;
    const auto actual = test::ByName(result.features);
    test::ExpectNotebookValuesMatch(actual, "log-sigma-", "LoG firstorder");
}

} // namespace
} // namespace radnode::processing::radiomics
