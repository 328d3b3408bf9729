#include "config/signature_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.h"

namespace radnode::config {
namespace {

namespace fs = std::filesystem;
namespace sig = processing::signatures;

const fs::path kShippedSignatures = RADNODE_SIGNATURES_DIR;

/// The ConfigError message of parsing `text` (fails the test when it parses).
std::string ErrorOf(const std::string& text) {
    try {
        ParseSignature(text, "sig.yaml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return {};
}

constexpr const char* kFullYaml = R"(name: two-terms
version: "2.1"
description: test signature
model: lasso-cox linear predictor
source: invented for this test
example: true
region: tumour
intercept: -0.25
cutoffs: [0.0]
groups: [low, high]
terms:
  - feature: original_shape_Sphericity
    mean: 0.6
    sd: 0.1
    coefficient: -1.5
  - feature: wavelet-HLH_glszm_GrayLevelNonUniformity
    region: ring_3mm
    mean: 1.0e+3
    sd: 250
    coefficient: 2e-1
)";

/// A minimal valid signature followed by `extra` top-level lines.
std::string Minimal(const std::string& extra = "") {
    return "name: m\nterms:\n  - {feature: original_firstorder_Mean, mean: 0, sd: 1, coefficient: 1}\n" + extra;
}

/// A minimal signature whose single term is `term` (a flow mapping body).
std::string WithTerm(const std::string& term) { return "name: m\nterms:\n  - {" + term + "}\n"; }

TEST(SignatureFile, ParsesEveryField) {
    const sig::Signature s = ParseSignature(kFullYaml, "full.yaml");
    EXPECT_EQ(s.name, "two-terms");
    EXPECT_EQ(s.version, "2.1");
    EXPECT_EQ(s.description, "test signature");
    EXPECT_EQ(s.model, "lasso-cox linear predictor");
    EXPECT_EQ(s.source, "invented for this test");
    EXPECT_TRUE(s.example);
    EXPECT_EQ(s.region, "tumour");
    EXPECT_EQ(s.intercept, -0.25);
    EXPECT_EQ(s.cutoffs, std::vector<double>{0.0});
    EXPECT_EQ(s.groups, (std::vector<std::string>{"low", "high"}));
    ASSERT_EQ(s.terms.size(), 2u);
    EXPECT_EQ(s.terms[0].feature, "original_shape_Sphericity");
    EXPECT_EQ(s.terms[0].region, "");
    EXPECT_EQ(s.terms[0].mean, 0.6);
    EXPECT_EQ(s.terms[0].sd, 0.1);
    EXPECT_EQ(s.terms[0].coefficient, -1.5);
    EXPECT_EQ(s.terms[1].feature, "wavelet-HLH_glszm_GrayLevelNonUniformity");
    EXPECT_EQ(s.terms[1].region, "ring_3mm");
    EXPECT_EQ(s.terms[1].mean, 1000.0);
    EXPECT_EQ(s.terms[1].sd, 250.0);
    EXPECT_EQ(s.terms[1].coefficient, 0.2);
}

TEST(SignatureFile, JsonGivesTheSameSignature) {
    const std::string json = R"({
  "name": "two-terms", "version": "2.1", "description": "test signature",
  "model": "lasso-cox linear predictor", "source": "invented for this test", "example": true,
  "region": "tumour", "intercept": -0.25, "cutoffs": [0.0], "groups": ["low", "high"],
  "terms": [
    {"feature": "original_shape_Sphericity", "mean": 0.6, "sd": 0.1, "coefficient": -1.5},
    {"feature": "wavelet-HLH_glszm_GrayLevelNonUniformity", "region": "ring_3mm",
     "mean": 1.0E+3, "sd": 250, "coefficient": 2e-1}
  ]
})";
    const sig::Signature a = ParseSignature(kFullYaml);
    const sig::Signature b = ParseSignature(json, "sig.json");
    EXPECT_EQ(b.name, a.name);
    EXPECT_EQ(b.version, a.version);
    EXPECT_EQ(b.model, a.model);
    EXPECT_EQ(b.example, a.example);
    EXPECT_EQ(b.intercept, a.intercept);
    EXPECT_EQ(b.cutoffs, a.cutoffs);
    EXPECT_EQ(b.groups, a.groups);
    ASSERT_EQ(b.terms.size(), a.terms.size());
    for (std::size_t i = 0; i < a.terms.size(); ++i) {
        EXPECT_EQ(b.terms[i].feature, a.terms[i].feature);
        EXPECT_EQ(b.terms[i].region, a.terms[i].region);
        EXPECT_EQ(b.terms[i].mean, a.terms[i].mean);
        EXPECT_EQ(b.terms[i].sd, a.terms[i].sd);
        EXPECT_EQ(b.terms[i].coefficient, a.terms[i].coefficient);
    }
}

TEST(SignatureFile, JsonWithTabIndentation) {
    const sig::Signature s = ParseSignature(
        "{\n\t\"name\": \"t\",\n\t\"terms\": [\n\t\t{\"feature\": \"f\", \"mean\": 1, \"sd\": 2, \"coefficient\": 3}\n\t]\n}\n",
        "tabs.json");
    ASSERT_EQ(s.terms.size(), 1u);
    EXPECT_EQ(s.terms[0].sd, 2.0);
}

TEST(SignatureFile, Defaults) {
    const sig::Signature s = ParseSignature(Minimal());
    EXPECT_EQ(s.version, "");
    EXPECT_EQ(s.description, "");
    EXPECT_EQ(s.model, "");
    EXPECT_EQ(s.source, "");
    EXPECT_FALSE(s.example);
    EXPECT_EQ(s.region, "tumour");
    EXPECT_EQ(s.intercept, 0.0);
    EXPECT_TRUE(s.cutoffs.empty());
    EXPECT_TRUE(s.groups.empty());
}

TEST(SignatureFile, ComputesWhatItParsed) {
    // Sphericity 0.4 -> z = (0.4 - 0.6) / 0.1 = -2, contribution -1.5 * -2 = 3
    // ring GLN 1500 -> z = (1500 - 1000) / 250 = 2, contribution 0.2 * 2 = 0.4
    // score = -0.25 + 3 + 0.4 = 3.15 >= 0 -> high
    const sig::Signature s = ParseSignature(kFullYaml);
    const auto lookup = [](std::string_view region, std::string_view feature) -> std::optional<double> {
        if (region == "tumour" && feature == "original_shape_Sphericity")
            return 0.4;
        if (region == "ring_3mm" && feature == "wavelet-HLH_glszm_GrayLevelNonUniformity")
            return 1500.0;
        return std::nullopt;
    };
    const sig::SignatureResult r = sig::ComputeSignature(s, lookup);
    ASSERT_TRUE(r.computable) << r.reason;
    EXPECT_NEAR(r.score, 3.15, 1e-12);
    EXPECT_EQ(r.group, "high");
}

TEST(SignatureFile, SyntaxAndDocumentErrors) {
    EXPECT_EQ(ErrorOf(""), "sig.yaml: empty signature file");
    EXPECT_EQ(ErrorOf("# only a comment\n"), "sig.yaml: empty signature file");
    EXPECT_NE(ErrorOf("name: [unclosed\n").find("sig.yaml: not valid YAML or JSON (line"), std::string::npos);
    EXPECT_NE(ErrorOf("{\"name\": \"x\", \"terms\": [}").find("sig.yaml: not valid YAML or JSON"), std::string::npos);
    EXPECT_EQ(ErrorOf("- a\n- b\n"), "sig.yaml: document (line 1): expected a mapping, got a list");
    EXPECT_EQ(ErrorOf("just text\n"), "sig.yaml: document (line 1): expected a mapping, got 'just text'");
}

TEST(SignatureFile, MissingRequiredKeys) {
    EXPECT_EQ(ErrorOf("version: x\nterms: []\n"), "sig.yaml: document (line 1): missing required key 'name'");
    EXPECT_EQ(ErrorOf("name: x\n"), "sig.yaml: document (line 1): missing required key 'terms'");
    for (const char* key : {"feature", "mean", "sd", "coefficient"}) {
        std::string term = "feature: f, mean: 0, sd: 1, coefficient: 1";
        const std::string drop = std::string(key) + ": ";
        const auto at = term.find(drop);
        const auto end = term.find(", ", at);
        term.erase(at, end == std::string::npos ? std::string::npos : end + 2 - at);
        if (!term.empty() && term.back() == ' ')
            term.erase(term.size() - 2);
        EXPECT_EQ(ErrorOf(WithTerm(term)),
                  "sig.yaml: terms[0] (line 3): missing required key '" + std::string(key) + "'")
            << term;
    }
}

TEST(SignatureFile, UnknownKeysAreErrors) {
    EXPECT_EQ(ErrorOf(Minimal("cutoff: [0]\n")),
              "sig.yaml: cutoff (line 4): unknown key 'cutoff' (known keys: name, version, description, model, "
              "example, source, region, intercept, cutoffs, groups, terms)");
    EXPECT_EQ(ErrorOf(WithTerm("feature: f, mean: 0, sd: 1, coeficient: 1")),
              "sig.yaml: terms[0].coeficient (line 3): unknown key 'coeficient' (known keys: feature, region, mean, "
              "sd, coefficient)");
    EXPECT_EQ(ErrorOf(R"({"name": "j", "Terms": []})"), "sig.yaml: Terms (line 1): unknown key 'Terms' (known keys: "
                                                         "name, version, description, model, example, source, "
                                                         "region, intercept, cutoffs, groups, terms)");
}

TEST(SignatureFile, RepeatedKeysAreErrors) {
    EXPECT_EQ(ErrorOf(Minimal("name: again\n")), "sig.yaml: name (line 4): key given twice");
    EXPECT_EQ(ErrorOf(WithTerm("feature: f, mean: 0, sd: 1, sd: 2, coefficient: 1")),
              "sig.yaml: terms[0].sd (line 3): key given twice");
}

TEST(SignatureFile, WrongTypes) {
    EXPECT_EQ(ErrorOf("name: [a]\nterms: []\n"), "sig.yaml: name (line 1): expected a string, got a list");
    EXPECT_EQ(ErrorOf("name:\nterms: []\n"), "sig.yaml: name: expected a string, got null");
    EXPECT_EQ(ErrorOf("name: x\nterms: {a: 1}\n"), "sig.yaml: terms (line 2): expected a list, got a mapping");
    EXPECT_EQ(ErrorOf("name: x\nterms:\n  - 3\n"), "sig.yaml: terms[0] (line 3): expected a mapping, got '3'");
    EXPECT_EQ(ErrorOf(Minimal("intercept: high\n")), "sig.yaml: intercept (line 4): expected a number, got 'high'");
    EXPECT_EQ(ErrorOf(Minimal("intercept: \"0.5\"\n")),
              "sig.yaml: intercept (line 4): expected a number, got the string \"0.5\"");
    EXPECT_EQ(ErrorOf(Minimal("intercept: inf\n")), "sig.yaml: intercept (line 4): expected a number, got 'inf'");
    EXPECT_EQ(ErrorOf(Minimal("intercept: 0x10\n")), "sig.yaml: intercept (line 4): expected a number, got '0x10'");
    EXPECT_EQ(ErrorOf(Minimal("intercept: 1.5.2\n")), "sig.yaml: intercept (line 4): expected a number, got '1.5.2'");
    EXPECT_EQ(ErrorOf(Minimal("cutoffs: 0\n")), "sig.yaml: cutoffs (line 4): expected a list, got '0'");
    EXPECT_EQ(ErrorOf(Minimal("cutoffs: [0, x]\ngroups: [a, b, c]\n")),
              "sig.yaml: cutoffs[1] (line 4): expected a number, got 'x'");
    EXPECT_EQ(ErrorOf(Minimal("cutoffs: [0]\ngroups: [low, [high]]\n")),
              "sig.yaml: groups[1] (line 5): expected a string, got a list");
    EXPECT_EQ(ErrorOf(Minimal("example: yes\n")), "sig.yaml: example (line 4): expected true or false, got 'yes'");
    EXPECT_EQ(ErrorOf(Minimal("example: \"true\"\n")),
              "sig.yaml: example (line 4): expected true or false, got the string \"true\"");
    EXPECT_EQ(ErrorOf(WithTerm("feature: {x: 1}, mean: 0, sd: 1, coefficient: 1")),
              "sig.yaml: terms[0].feature (line 3): expected a string, got a mapping");
    EXPECT_EQ(ErrorOf(WithTerm("feature: f, mean: [0], sd: 1, coefficient: 1")),
              "sig.yaml: terms[0].mean (line 3): expected a number, got a list");
    EXPECT_EQ(ErrorOf(R"({"name": "j", "terms": [{"feature": "f", "mean": 0, "sd": "1", "coefficient": 1}]})"),
              "sig.yaml: terms[0].sd (line 1): expected a number, got the string \"1\"");
}

TEST(SignatureFile, NumberForms) {
    const sig::Signature s = ParseSignature(Minimal("intercept: +1.5e-3\ncutoffs: [-.5, 0, 7., 1E2]\n"
                                                    "groups: [a, b, c, d, e]\n"));
    EXPECT_EQ(s.intercept, 0.0015);
    EXPECT_EQ(s.cutoffs, (std::vector<double>{-0.5, 0.0, 7.0, 100.0}));
    EXPECT_EQ(ParseSignature(Minimal("intercept: 1e-400\n")).intercept, 0.0); // underflows to 0
}

TEST(SignatureFile, ValidationErrorsNameFieldAndLine) {
    EXPECT_EQ(ErrorOf(WithTerm("feature: f, mean: 0, sd: 0, coefficient: 1")),
              "sig.yaml: terms[0].sd (line 3): must be a finite number > 0, got 0");
    EXPECT_EQ(ErrorOf(WithTerm("feature: f, mean: .nan, sd: 1, coefficient: 1")),
              "sig.yaml: terms[0].mean (line 3): must be a finite number, got nan");
    EXPECT_EQ(ErrorOf(WithTerm("feature: f, mean: 0, sd: 1, coefficient: -.inf")),
              "sig.yaml: terms[0].coefficient (line 3): must be a finite number, got -inf");
    EXPECT_EQ(ErrorOf(Minimal("intercept: 1e400\n")),
              "sig.yaml: intercept (line 4): must be a finite number, got inf");
    EXPECT_EQ(ErrorOf("name: \"\"\nterms: []\n"),
              "sig.yaml: name (line 1): must not be empty\nsig.yaml: terms (line 2): must list at least one term");
    EXPECT_EQ(ErrorOf(WithTerm("feature: \"\", mean: 0, sd: 1, coefficient: 1")),
              "sig.yaml: terms[0].feature (line 3): must not be empty");
    // No region anywhere: the term is the nearest node.
    EXPECT_EQ(ErrorOf("region: \"\"\n" + WithTerm("feature: f, mean: 0, sd: 1, coefficient: 1")),
              "sig.yaml: terms[0].region (line 4): must not be empty (nor the signature's region)");
    EXPECT_EQ(ErrorOf(Minimal("cutoffs: [1, 0]\ngroups: [a, b, c]\n")),
              "sig.yaml: cutoffs[1] (line 4): must be greater than cutoffs[0] (1), got 0: cutoffs are strictly "
              "ascending");
    EXPECT_EQ(ErrorOf(Minimal("cutoffs: [0]\ngroups: [low]\n")),
              "sig.yaml: groups (line 5): has 1 labels, but 1 cutoffs need 2");
    EXPECT_EQ(ErrorOf(Minimal("groups: [low]\n")),
              "sig.yaml: groups (line 4): given without cutoffs (a score without cutoffs has no group)");
    EXPECT_EQ(ErrorOf(Minimal("cutoffs: [0]\ngroups: [high, high]\n")),
              "sig.yaml: groups[1] (line 5): repeats the label 'high'");
    EXPECT_EQ(ErrorOf("name: d\nterms:\n  - {feature: f, mean: 0, sd: 1, coefficient: 1}\n"
                      "  - {feature: f, region: tumour, mean: 0, sd: 1, coefficient: 1}\n"),
              "sig.yaml: terms[1] (line 4): repeats terms[0] (feature f, region tumour)");
}

TEST(SignatureFile, AllValidationErrorsAreReported) {
    const std::string error = ErrorOf(WithTerm("feature: f, mean: .nan, sd: -2, coefficient: 1") +
                                      "cutoffs: [0]\ngroups: [a]\n");
    EXPECT_EQ(error, "sig.yaml: terms[0].mean (line 3): must be a finite number, got nan\n"
                     "sig.yaml: terms[0].sd (line 3): must be a finite number > 0, got -2\n"
                     "sig.yaml: groups (line 5): has 1 labels, but 1 cutoffs need 2");
}

/// A fresh empty directory under the system temp dir, removed at the end of the test.
class SignatureFolder : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("radnode_signature_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
    fs::path dir_;
};

TEST_F(SignatureFolder, LoadsSignatureFilesInNameOrder) {
    Write("b.json", R"({"name": "bee", "terms": [{"feature": "f", "mean": 0, "sd": 1, "coefficient": 1}]})");
    Write("a.yaml", "name: ay\nterms:\n  - {feature: f, mean: 0, sd: 1, coefficient: 1}\n");
    Write("c.yml", "name: see\nterms:\n  - {feature: f, mean: 0, sd: 1, coefficient: 1}\n");
    Write("notes.txt", "not a signature");
    fs::create_directories(dir_ / "sub.yaml"); // a directory, not a file
    const auto signatures = LoadSignatureFolder(dir_);
    ASSERT_EQ(signatures.size(), 3u);
    EXPECT_EQ(signatures[0].name, "ay");
    EXPECT_EQ(signatures[1].name, "bee");
    EXPECT_EQ(signatures[2].name, "see");
}

TEST_F(SignatureFolder, EmptyFolderHasNoSignatures) { EXPECT_TRUE(LoadSignatureFolder(dir_).empty()); }

TEST_F(SignatureFolder, DuplicateNamesAreErrors) {
    Write("one.yaml", "name: same\nterms:\n  - {feature: f, mean: 0, sd: 1, coefficient: 1}\n");
    Write("two.yaml", "name: same\nterms:\n  - {feature: g, mean: 0, sd: 1, coefficient: 1}\n");
    try {
        LoadSignatureFolder(dir_);
        ADD_FAILURE() << "duplicate names accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), (dir_ / "two.yaml").string() + ": name 'same' is already used by " +
                                             (dir_ / "one.yaml").string());
    }
}

TEST_F(SignatureFolder, AnInvalidFileNamesItself) {
    Write("bad.yaml", "name: bad\nterms:\n  - {feature: f, mean: 0, sd: 0, coefficient: 1}\n");
    try {
        LoadSignatureFolder(dir_);
        ADD_FAILURE() << "invalid file accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  (dir_ / "bad.yaml").string() + ": terms[0].sd (line 3): must be a finite number > 0, got 0");
    }
}

TEST_F(SignatureFolder, MissingFolderAndFileAreErrors) {
    EXPECT_THROW(LoadSignatureFolder(dir_ / "absent"), ConfigError);
    try {
        LoadSignatureFile(dir_ / "absent.yaml");
        ADD_FAILURE() << "missing file accepted";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), (dir_ / "absent.yaml").string() + ": cannot read signature file");
    }
    EXPECT_THROW(LoadSignatureFile(dir_), ConfigError); // a directory
}

TEST(SignatureFileShipped, ExampleLoadsValidatesAndIsLabelled) {
    const sig::Signature s = LoadSignatureFile(kShippedSignatures / "example_radscore.yaml");
    EXPECT_TRUE(sig::ValidateSignature(s).empty());
    EXPECT_TRUE(s.example);
    EXPECT_NE(s.description.find("EXAMPLE — not a validated model; for testing the pipeline only"), std::string::npos);
    EXPECT_NE(s.source.find("Aerts"), std::string::npos);
    EXPECT_NE(s.source.find("invented"), std::string::npos);
    EXPECT_EQ(s.region, "tumour");
    ASSERT_EQ(s.terms.size(), 4u);
    EXPECT_EQ(s.terms[0].feature, "original_firstorder_Energy");
    EXPECT_EQ(s.terms[1].feature, "original_shape_Sphericity");
    EXPECT_EQ(s.terms[2].feature, "original_glrlm_GrayLevelNonUniformity");
    EXPECT_EQ(s.terms[3].feature, "wavelet-HLH_glrlm_GrayLevelNonUniformity");
    EXPECT_EQ(s.cutoffs, std::vector<double>{0.0});
    EXPECT_EQ(s.groups, (std::vector<std::string>{"low", "high"}));

    // Every feature at its mean: score = intercept = 0, on the cutoff -> "high".
    const auto at_means = [&s](std::string_view region, std::string_view feature) -> std::optional<double> {
        for (const sig::SignatureTerm& term : s.terms)
            if (region == "tumour" && feature == term.feature)
                return term.mean;
        return std::nullopt;
    };
    const sig::SignatureResult r = sig::ComputeSignature(s, at_means);
    ASSERT_TRUE(r.computable) << r.reason;
    EXPECT_EQ(r.score, 0.0);
    EXPECT_EQ(r.group, "high");
    // One sd below the mean in Energy only: 0.5 * -1 = -0.5 -> "low".
    const auto energy_low = [&](std::string_view region, std::string_view feature) -> std::optional<double> {
        if (feature == "original_firstorder_Energy")
            return s.terms[0].mean - s.terms[0].sd;
        return at_means(region, feature);
    };
    const sig::SignatureResult low = sig::ComputeSignature(s, energy_low);
    EXPECT_DOUBLE_EQ(low.score, -0.5);
    EXPECT_EQ(low.group, "low");
}

TEST(SignatureFileShipped, FolderHoldsOnlyValidFiles) {
    const auto signatures = LoadSignatureFolder(kShippedSignatures);
    ASSERT_FALSE(signatures.empty());
    for (const sig::Signature& s : signatures)
        EXPECT_TRUE(s.example) << s.name << ": shipped signatures are examples";
}

} // namespace
} // namespace radnode::config
