#pragma once
/// Radiomics signatures: a linear score over z-scored radiomics features (e.g. the linear
/// predictor of a LASSO-Cox model, a "Rad-score") and the risk group it falls in.
///
///   score = intercept + sum_i coefficient_i * (value_i - mean_i) / sd_i
///
/// mean_i and sd_i are the training cohort's normalisation of feature i. Risk groups follow the
/// ascending cutoffs c_0 < c_1 < ... : score < c_0 gives groups[0], c_{k-1} <= score < c_k gives
/// groups[k], score >= the last cutoff gives the last group. A score equal to a cutoff therefore
/// falls in the higher group ("score >= cutoff = high risk", the convention of most published
/// Rad-score studies). See docs/signatures.md.
///
/// Standard library only: the file format lives in config/signature_file.h.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace radnode::processing::signatures {

/// One feature of a signature with its normalisation and weight.
struct SignatureTerm {
    /// PyRadiomics feature key, e.g. "original_shape_Sphericity",
    /// "wavelet-HLH_glrlm_GrayLevelNonUniformity".
    std::string feature;
    /// Derived region the feature is read from ("tumour", "ring_3mm", ...); empty = the
    /// signature's region.
    std::string region;
    double mean = 0.0;        ///< training-cohort mean, in the feature's own unit
    double sd = 1.0;          ///< training-cohort standard deviation, > 0, same unit
    double coefficient = 0.0; ///< weight of the z-score (dimensionless)
};

/// A signature as read from a signature file.
struct Signature {
    std::string name;
    std::string version;
    std::string description;
    std::string model;            ///< e.g. "lasso-cox linear predictor"
    std::string region = "tumour"; ///< default region of the terms
    std::vector<SignatureTerm> terms;
    double intercept = 0.0;
    std::vector<double> cutoffs;     ///< strictly ascending; empty = score only, no group
    std::vector<std::string> groups; ///< cutoffs.size() + 1 labels, lowest score first
    std::string source;              ///< citation / provenance of the numbers
    bool example = false;            ///< true: not a validated model, for testing only
};

/// A validation problem: the field in signature-file notation ("terms[2].sd") and what is wrong.
struct SignatureIssue {
    std::string field;
    std::string message; ///< e.g. "must be > 0, got 0"
};

/// How one term entered the score.
struct TermContribution {
    std::string feature;
    std::string region;
    double value = 0.0;        ///< the feature value looked up
    double z = 0.0;            ///< (value - mean) / sd
    double contribution = 0.0; ///< coefficient * z
};

struct SignatureResult {
    bool computable = false;
    /// Why not computable, every problem separated by "; ", e.g. "feature
    /// original_firstorder_Energy missing for region tumour". Empty when computable.
    std::string reason;
    double score = 0.0;
    std::string group; ///< empty when the signature has no cutoffs
    /// One per term in signature order; empty when not computable.
    std::vector<TermContribution> contributions;
};

/// Feature value by (region, feature key); std::nullopt when the region or feature was not
/// computed.
using FeatureLookup = std::function<std::optional<double>(std::string_view region, std::string_view feature)>;

/// Every problem of `signature`: empty name or terms, empty feature or region, sd <= 0,
/// non-finite numbers, cutoffs not strictly ascending, a group count other than
/// cutoffs.size() + 1 (or groups without cutoffs), empty or repeated group labels, and the
/// same (region, feature) used twice. Empty when valid.
std::vector<SignatureIssue> ValidateSignature(const Signature& signature);

/// "terms[2].sd must be > 0, got 0".
std::string ToString(const SignatureIssue& issue);

/// The region a term reads: its own, else the signature's.
const std::string& TermRegion(const Signature& signature, const SignatureTerm& term);

/// The distinct (region, feature) pairs the signature needs, in term order.
std::vector<std::pair<std::string, std::string>> RequiredFeatures(const Signature& signature);

/// The risk group of `score` (see the boundary convention above); empty without cutoffs.
/// Requires a valid signature.
std::string RiskGroup(const Signature& signature, double score);

/// Score and risk group. Not computable (with the reason) when the signature is invalid, a
/// feature is missing or not finite, or the score overflows. Never throws for bad input.
SignatureResult ComputeSignature(const Signature& signature, const FeatureLookup& lookup);

} // namespace radnode::processing::signatures
