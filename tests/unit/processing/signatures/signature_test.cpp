#include "processing/signatures/signature.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>

namespace radnode::processing::signatures {
namespace {

using Values = std::map<std::pair<std::string, std::string>, double>;

FeatureLookup LookupIn(const Values& values) {
    return [&values](std::string_view region, std::string_view feature) -> std::optional<double> {
        const auto it = values.find({std::string(region), std::string(feature)});
        if (it == values.end())
            return std::nullopt;
        return it->second;
    };
}

/// Three terms, one of them on the 3 mm ring:
///   A (tumour):   mean 10,  sd 2,   coefficient  0.5
///   B (tumour):   mean 0.5, sd 0.25, coefficient -2
///   C (ring_3mm): mean 100, sd 50,  coefficient  0.1
///   intercept 1, cutoffs {0, 2} -> low / intermediate / high
Signature ThreeTerms() {
    Signature s;
    s.name = "hand";
    s.region = "tumour";
    s.terms = {{"original_firstorder_A", "", 10.0, 2.0, 0.5},
               {"original_shape_B", "", 0.5, 0.25, -2.0},
               {"original_glcm_C", "ring_3mm", 100.0, 50.0, 0.1}};
    s.intercept = 1.0;
    s.cutoffs = {0.0, 2.0};
    s.groups = {"low", "intermediate", "high"};
    return s;
}

TEST(Signature, HandComputedScore) {
    // A = 14 -> z = (14 - 10) / 2 = 2,        contribution  0.5 * 2  =  1
    // B = 1  -> z = (1 - 0.5) / 0.25 = 2,     contribution -2 * 2    = -4
    // C = 250 -> z = (250 - 100) / 50 = 3,    contribution  0.1 * 3  =  0.3
    // score = 1 + 1 - 4 + 0.3 = -1.7 < 0 -> "low"
    const Values values = {{{"tumour", "original_firstorder_A"}, 14.0},
                           {{"tumour", "original_shape_B"}, 1.0},
                           {{"ring_3mm", "original_glcm_C"}, 250.0},
                           {{"tumour", "original_glcm_C"}, -1e9}}; // must not be used: C reads the ring
    const SignatureResult r = ComputeSignature(ThreeTerms(), LookupIn(values));
    ASSERT_TRUE(r.computable) << r.reason;
    EXPECT_TRUE(r.reason.empty());
    EXPECT_NEAR(r.score, -1.7, 1e-12);
    EXPECT_EQ(r.group, "low");
    ASSERT_EQ(r.contributions.size(), 3u);
    EXPECT_EQ(r.contributions[0].feature, "original_firstorder_A");
    EXPECT_EQ(r.contributions[0].region, "tumour");
    EXPECT_DOUBLE_EQ(r.contributions[0].value, 14.0);
    EXPECT_DOUBLE_EQ(r.contributions[0].z, 2.0);
    EXPECT_DOUBLE_EQ(r.contributions[0].contribution, 1.0);
    EXPECT_DOUBLE_EQ(r.contributions[1].contribution, -4.0);
    EXPECT_EQ(r.contributions[2].region, "ring_3mm");
    EXPECT_DOUBLE_EQ(r.contributions[2].z, 3.0);
    EXPECT_NEAR(r.contributions[2].contribution, 0.3, 1e-15);
}

TEST(Signature, ValuesAtTheMeansGiveTheIntercept) {
    const Values values = {{{"tumour", "original_firstorder_A"}, 10.0},
                           {{"tumour", "original_shape_B"}, 0.5},
                           {{"ring_3mm", "original_glcm_C"}, 100.0}};
    const SignatureResult r = ComputeSignature(ThreeTerms(), LookupIn(values));
    ASSERT_TRUE(r.computable) << r.reason;
    EXPECT_DOUBLE_EQ(r.score, 1.0);
    EXPECT_EQ(r.group, "intermediate"); // 0 <= 1 < 2
}

TEST(Signature, GroupBoundariesTakeTheHigherGroup) {
    const Signature s = ThreeTerms();
    EXPECT_EQ(RiskGroup(s, -1e300), "low");
    EXPECT_EQ(RiskGroup(s, std::nextafter(0.0, -1.0)), "low");
    EXPECT_EQ(RiskGroup(s, 0.0), "intermediate"); // equal to cutoffs[0]: at or above it
    EXPECT_EQ(RiskGroup(s, -0.0), "intermediate");
    EXPECT_EQ(RiskGroup(s, 1.999), "intermediate");
    EXPECT_EQ(RiskGroup(s, 2.0), "high"); // equal to cutoffs[1]
    EXPECT_EQ(RiskGroup(s, 1e300), "high");
}

TEST(Signature, ScoreOnABoundaryThroughCompute) {
    // One term, coefficient 1, mean 0, sd 1, cutoff 0: value 0 gives score exactly 0 -> "high".
    Signature s;
    s.name = "one";
    s.terms = {{"original_firstorder_Mean", "", 0.0, 1.0, 1.0}};
    s.cutoffs = {0.0};
    s.groups = {"low", "high"};
    const Values at_cutoff = {{{"tumour", "original_firstorder_Mean"}, 0.0}};
    EXPECT_EQ(ComputeSignature(s, LookupIn(at_cutoff)).group, "high");
    const Values below = {{{"tumour", "original_firstorder_Mean"}, -0.25}};
    const SignatureResult r = ComputeSignature(s, LookupIn(below));
    EXPECT_DOUBLE_EQ(r.score, -0.25);
    EXPECT_EQ(r.group, "low");
}

TEST(Signature, NoCutoffsGiveAScoreWithoutGroup) {
    Signature s;
    s.name = "score-only";
    s.terms = {{"original_firstorder_Mean", "", 2.0, 4.0, 3.0}};
    s.intercept = -1.0;
    const Values values = {{{"tumour", "original_firstorder_Mean"}, 10.0}};
    const SignatureResult r = ComputeSignature(s, LookupIn(values));
    ASSERT_TRUE(r.computable);
    EXPECT_DOUBLE_EQ(r.score, 5.0); // -1 + 3 * (10 - 2) / 4
    EXPECT_TRUE(r.group.empty());
}

TEST(Signature, MissingFeatureNamesFeatureAndRegion) {
    const Values values = {{{"tumour", "original_firstorder_A"}, 14.0},
                           {{"tumour", "original_shape_B"}, 1.0},
                           {{"tumour", "original_glcm_C"}, 250.0}}; // wrong region for C
    const SignatureResult r = ComputeSignature(ThreeTerms(), LookupIn(values));
    EXPECT_FALSE(r.computable);
    EXPECT_EQ(r.reason, "feature original_glcm_C missing for region ring_3mm");
    EXPECT_TRUE(r.contributions.empty());
    EXPECT_TRUE(r.group.empty());
}

TEST(Signature, EveryMissingFeatureIsListed) {
    const SignatureResult r = ComputeSignature(ThreeTerms(), LookupIn({}));
    EXPECT_FALSE(r.computable);
    EXPECT_EQ(r.reason, "feature original_firstorder_A missing for region tumour; "
                        "feature original_shape_B missing for region tumour; "
                        "feature original_glcm_C missing for region ring_3mm");
}

TEST(Signature, NullLookupMeansEverythingMissing) {
    const SignatureResult r = ComputeSignature(ThreeTerms(), FeatureLookup{});
    EXPECT_FALSE(r.computable);
    EXPECT_NE(r.reason.find("feature original_firstorder_A missing for region tumour"), std::string::npos);
}

TEST(Signature, NonFiniteFeatureIsNotComputable) {
    const Values values = {{{"tumour", "original_firstorder_A"}, std::numeric_limits<double>::quiet_NaN()},
                           {{"tumour", "original_shape_B"}, std::numeric_limits<double>::infinity()},
                           {{"ring_3mm", "original_glcm_C"}, 250.0}};
    const SignatureResult r = ComputeSignature(ThreeTerms(), LookupIn(values));
    EXPECT_FALSE(r.computable);
    EXPECT_EQ(r.reason, "feature original_firstorder_A for region tumour is not finite (nan); "
                        "feature original_shape_B for region tumour is not finite (inf)");
}

TEST(Signature, OverflowingScoreIsNotComputable) {
    Signature s;
    s.name = "huge";
    s.terms = {{"original_firstorder_Energy", "", 0.0, 1e-300, 1e300}};
    const Values values = {{{"tumour", "original_firstorder_Energy"}, 1e10}};
    const SignatureResult r = ComputeSignature(s, LookupIn(values));
    EXPECT_FALSE(r.computable);
    EXPECT_EQ(r.reason, "score is not finite (inf)");
}

TEST(Signature, InvalidSignatureIsNotComputable) {
    Signature s = ThreeTerms();
    s.terms[1].sd = 0.0;
    const Values values = {{{"tumour", "original_firstorder_A"}, 14.0},
                           {{"tumour", "original_shape_B"}, 1.0},
                           {{"ring_3mm", "original_glcm_C"}, 250.0}};
    const SignatureResult r = ComputeSignature(s, LookupIn(values));
    EXPECT_FALSE(r.computable);
    EXPECT_EQ(r.reason, "invalid signature: terms[1].sd must be a finite number > 0, got 0");
}

TEST(Signature, RequiredFeaturesResolveRegions) {
    Signature s = ThreeTerms();
    s.terms.push_back({"original_firstorder_A", "ring_3mm", 0.0, 1.0, 1.0});
    const auto required = RequiredFeatures(s);
    ASSERT_EQ(required.size(), 4u);
    EXPECT_EQ(required[0], (std::pair<std::string, std::string>{"tumour", "original_firstorder_A"}));
    EXPECT_EQ(required[2], (std::pair<std::string, std::string>{"ring_3mm", "original_glcm_C"}));
    EXPECT_EQ(required[3], (std::pair<std::string, std::string>{"ring_3mm", "original_firstorder_A"}));
}

/// The messages of ValidateSignature, as "field message".
std::vector<std::string> Issues(const Signature& s) {
    std::vector<std::string> out;
    for (const SignatureIssue& issue : ValidateSignature(s))
        out.push_back(ToString(issue));
    return out;
}

TEST(SignatureValidation, ValidSignatureHasNoIssues) { EXPECT_TRUE(Issues(ThreeTerms()).empty()); }

TEST(SignatureValidation, EmptyNameAndTerms) {
    Signature s;
    EXPECT_EQ(Issues(s), (std::vector<std::string>{"name must not be empty", "terms must list at least one term"}));
}

TEST(SignatureValidation, TermFields) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    Signature s = ThreeTerms();
    s.terms[0].sd = -1.0;
    s.terms[1].feature = "";
    s.terms[1].mean = nan;
    s.terms[2].coefficient = -inf;
    s.terms[2].sd = inf;
    EXPECT_EQ(Issues(s), (std::vector<std::string>{
                             "terms[0].sd must be a finite number > 0, got -1",
                             "terms[1].feature must not be empty",
                             "terms[1].mean must be a finite number, got nan",
                             "terms[2].coefficient must be a finite number, got -inf",
                             "terms[2].sd must be a finite number > 0, got inf",
                         }));
}

TEST(SignatureValidation, EmptyRegion) {
    Signature s = ThreeTerms();
    s.region = "";
    EXPECT_EQ(Issues(s), (std::vector<std::string>{"terms[0].region must not be empty (nor the signature's region)",
                                                   "terms[1].region must not be empty (nor the signature's region)"}));
}

TEST(SignatureValidation, DuplicateTermsCompareEffectiveRegion) {
    Signature s = ThreeTerms();
    s.terms.push_back({"original_firstorder_A", "tumour", 0.0, 1.0, 1.0});   // same as terms[0]
    s.terms.push_back({"original_firstorder_A", "ring_3mm", 0.0, 1.0, 1.0}); // other region: fine
    EXPECT_EQ(Issues(s), (std::vector<std::string>{
                             "terms[3] repeats terms[0] (feature original_firstorder_A, region tumour)"}));
}

TEST(SignatureValidation, CutoffsStrictlyAscendingAndFinite) {
    Signature s = ThreeTerms();
    s.cutoffs = {1.0, 1.0};
    EXPECT_EQ(Issues(s), (std::vector<std::string>{
                             "cutoffs[1] must be greater than cutoffs[0] (1), got 1: cutoffs are strictly ascending"}));
    s.cutoffs = {2.0, std::numeric_limits<double>::quiet_NaN()};
    EXPECT_EQ(Issues(s), (std::vector<std::string>{"cutoffs[1] must be a finite number, got nan"}));
    s.intercept = std::numeric_limits<double>::infinity();
    s.cutoffs = {0.5, 0.25};
    EXPECT_EQ(Issues(s), (std::vector<std::string>{
                             "intercept must be a finite number, got inf",
                             "cutoffs[1] must be greater than cutoffs[0] (0.5), got 0.25: cutoffs are strictly ascending"}));
}

TEST(SignatureValidation, GroupCount) {
    Signature s = ThreeTerms();
    s.groups = {"low", "high"};
    EXPECT_EQ(Issues(s), (std::vector<std::string>{"groups has 2 labels, but 2 cutoffs need 3"}));
    s.cutoffs.clear();
    EXPECT_EQ(Issues(s),
              (std::vector<std::string>{"groups given without cutoffs (a score without cutoffs has no group)"}));
    s.groups.clear();
    EXPECT_TRUE(Issues(s).empty());
}

TEST(SignatureValidation, GroupLabels) {
    Signature s = ThreeTerms();
    s.groups = {"low", "", "low"};
    EXPECT_EQ(Issues(s), (std::vector<std::string>{"groups[1] must not be empty", "groups[2] repeats the label 'low'"}));
}

} // namespace
} // namespace radnode::processing::signatures
