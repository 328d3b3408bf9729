#include <gtest/gtest.h>

#include "config/config.h"
#include "config/settings.h"

namespace radnode::config {
namespace {

TEST(ConfigDefaults, MatchTheDocumentedEmbeddedDefault) {
    const Config c = DefaultConfig();
    EXPECT_EQ(c.data_dir, "./radnode-data");
    EXPECT_EQ(c.ae_title, "RADNODE");
    EXPECT_EQ(c.dicom_port, 11112);
    EXPECT_EQ(c.http_bind, "127.0.0.1");
    ASSERT_EQ(c.allowed_callers.size(), 1u);
    EXPECT_EQ(c.allowed_callers[0], "*@127.0.0.1");
    EXPECT_EQ(c.duplicate_policy, "keep_first");
}

TEST(ConfigDefaults, EverySettingHasDescriptionAndParseableDefault) {
    for (const SettingSpec& s : Settings()) {
        EXPECT_FALSE(s.description.empty()) << s.name;
        EXPECT_NE(s.name.find('.'), std::string_view::npos) << s.name;
        EXPECT_NO_THROW(LoadConfigText("", {std::string{s.name} + "=" + std::string{s.default_value}})) << s.name;
    }
}

TEST(ConfigDefaults, DefaultYamlRoundTripsToDefaults) {
    const Config from_yaml = LoadConfigText(DefaultConfigYaml());
    EXPECT_EQ(ToYaml(from_yaml), ToYaml(DefaultConfig()));
}

TEST(ConfigFile, ValuesAndOverridesApplyInOrder) {
    const std::string yaml = "dicom:\n  port: 104\n  ae_title: NODE1\n  allowed_callers: [PACS@10.1.2.3, MODALITY]\n"
                             "storage:\n  min_free_mb: 0\n";
    const Config c = LoadConfigText(yaml, {"dicom.port=4242"});
    EXPECT_EQ(c.dicom_port, 4242);
    EXPECT_EQ(c.ae_title, "NODE1");
    EXPECT_EQ(c.min_free_mb, 0);
    EXPECT_EQ(c.allowed_callers, (std::vector<std::string>{"PACS@10.1.2.3", "MODALITY"}));
}

TEST(ConfigFile, UnknownKeyIsNamed) {
    try {
        LoadConfigText("dicom:\n  prot: 104\n");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("dicom.prot"), std::string::npos) << e.what();
    }
}

TEST(ConfigFile, BadValuesAreRejectedWithTheSettingName) {
    EXPECT_THROW(LoadConfigText("dicom:\n  port: 70000\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("dicom:\n  port: eleven\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("dicom:\n  ae_title: THIS_AE_TITLE_IS_TOO_LONG\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("dicom:\n  duplicate_policy: newest\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("dicom:\n  check_called_ae: maybe\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("dicom:\n  allowed_callers: [\"PACS@\"]\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("[1, 2]"), ConfigError);
    EXPECT_THROW(LoadConfigText("dicom: {port: [1]}"), ConfigError);
    EXPECT_THROW(LoadConfigText("", {"no-equals-sign"}), ConfigError);
    EXPECT_THROW(LoadConfigText("", {"dicom.nope=1"}), ConfigError);
    try {
        LoadConfigText("dicom:\n  port: 0\n");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("dicom.port"), std::string::npos);
    }
}

TEST(ConfigFile, EmptyAllowListMeansNobody) {
    const Config c = LoadConfigText("dicom:\n  allowed_callers: []\n");
    EXPECT_TRUE(c.allowed_callers.empty());
}

TEST(ConfigFile, MissingFileIsAnError) {
    EXPECT_THROW(LoadConfig("/nonexistent/radnode.yaml"), ConfigError);
}

TEST(CallerRules, ParseAeAndHost) {
    EXPECT_EQ(ParseCallerRule("PACS").ae, "PACS");
    EXPECT_EQ(ParseCallerRule("PACS").host, "");
    EXPECT_EQ(ParseCallerRule("*@127.0.0.1").ae, "*");
    EXPECT_EQ(ParseCallerRule("*@127.0.0.1").host, "127.0.0.1");
    EXPECT_THROW(ParseCallerRule("@host"), ConfigError);
}

TEST(SettingsReference, ListsEverySetting) {
    const std::string md = SettingsReferenceMarkdown();
    for (const SettingSpec& s : Settings())
        EXPECT_NE(md.find("`" + std::string{s.name} + "`"), std::string::npos) << s.name;
}

} // namespace
} // namespace radnode::config

namespace radnode::config {
namespace {

TEST(ConfigImport, DefaultsMatchTheDocumentedRules) {
    const Config c = DefaultConfig();
    EXPECT_EQ(c.non_uniform_spacing, "resample");
    EXPECT_DOUBLE_EQ(c.missing_slice_factor, 1.5);
    EXPECT_EQ(c.roi_selection, "type_then_name");
    EXPECT_EQ(c.roi_types, (std::vector<std::string>{"GTV"}));
    EXPECT_EQ(c.roi_name_pattern, "gtv|tumou?r|lesion");
    EXPECT_EQ(c.contour_fill, "even_odd");
    EXPECT_DOUBLE_EQ(c.seg_threshold, 0.5);
}

TEST(ConfigImport, InvalidValuesAreRejected) {
    EXPECT_THROW(LoadConfigText("import:\n  missing_slice_factor: 1.0\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("import:\n  seg_threshold: 0\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("import:\n  seg_threshold: 1.5\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("import:\n  roi_selection: biggest\n"), ConfigError);
    EXPECT_THROW(LoadConfigText("import:\n  contour_fill: xor\n"), ConfigError);
    try {
        LoadConfigText("import:\n  roi_name_pattern: \"gtv(\"\n");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("import.roi_name_pattern"), std::string::npos) << e.what();
    }
    const Config ok = LoadConfigText("import:\n  roi_types: [GTV, CTV]\n  seg_threshold: 0.25\n");
    EXPECT_EQ(ok.roi_types, (std::vector<std::string>{"GTV", "CTV"}));
    EXPECT_DOUBLE_EQ(ok.seg_threshold, 0.25);
}

} // namespace
} // namespace radnode::config
