#include "processing/signatures/signature.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

namespace radnode::processing::signatures {
namespace {

/// Shortest text that reads back to `value` ("0.1", "1e-11", "inf", "nan").
std::string Number(double value) {
    char text[64];
    const auto result = std::to_chars(text, text + sizeof text, value);
    return std::string(text, result.ptr);
}

std::string Indexed(std::string_view list, std::size_t i) {
    return std::string(list) + "[" + std::to_string(i) + "]";
}

void CheckFinite(std::vector<SignatureIssue>& issues, std::string field, double value) {
    if (!std::isfinite(value))
        issues.push_back({std::move(field), "must be a finite number, got " + Number(value)});
}

void CheckTerms(const Signature& signature, std::vector<SignatureIssue>& issues) {
    if (signature.terms.empty())
        issues.push_back({"terms", "must list at least one term"});
    std::map<std::pair<std::string, std::string>, std::size_t> first_use;
    for (std::size_t i = 0; i < signature.terms.size(); ++i) {
        const SignatureTerm& term = signature.terms[i];
        const std::string at = Indexed("terms", i);
        if (term.feature.empty())
            issues.push_back({at + ".feature", "must not be empty"});
        if (TermRegion(signature, term).empty())
            issues.push_back({at + ".region", "must not be empty (nor the signature's region)"});
        CheckFinite(issues, at + ".mean", term.mean);
        CheckFinite(issues, at + ".coefficient", term.coefficient);
        if (!std::isfinite(term.sd) || term.sd <= 0.0)
            issues.push_back({at + ".sd", "must be a finite number > 0, got " + Number(term.sd)});
        if (term.feature.empty())
            continue;
        const auto key = std::make_pair(TermRegion(signature, term), term.feature);
        const auto [it, inserted] = first_use.emplace(key, i);
        if (!inserted)
            issues.push_back({at, "repeats " + Indexed("terms", it->second) + " (feature " + term.feature +
                                      ", region " + key.first + ")"});
    }
}

void CheckGroups(const Signature& signature, std::vector<SignatureIssue>& issues) {
    const auto& cutoffs = signature.cutoffs;
    for (std::size_t i = 0; i < cutoffs.size(); ++i) {
        CheckFinite(issues, Indexed("cutoffs", i), cutoffs[i]);
        if (i > 0 && std::isfinite(cutoffs[i]) && std::isfinite(cutoffs[i - 1]) && !(cutoffs[i] > cutoffs[i - 1]))
            issues.push_back({Indexed("cutoffs", i), "must be greater than " + Indexed("cutoffs", i - 1) + " (" +
                                                         Number(cutoffs[i - 1]) + "), got " + Number(cutoffs[i]) +
                                                         ": cutoffs are strictly ascending"});
    }
    const auto& groups = signature.groups;
    if (cutoffs.empty() && !groups.empty())
        issues.push_back({"groups", "given without cutoffs (a score without cutoffs has no group)"});
    else if (!cutoffs.empty() && groups.size() != cutoffs.size() + 1)
        issues.push_back({"groups", "has " + std::to_string(groups.size()) + " labels, but " +
                                        std::to_string(cutoffs.size()) + " cutoffs need " +
                                        std::to_string(cutoffs.size() + 1)});
    std::set<std::string> seen;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (groups[i].empty())
            issues.push_back({Indexed("groups", i), "must not be empty"});
        else if (!seen.insert(groups[i]).second)
            issues.push_back({Indexed("groups", i), "repeats the label '" + groups[i] + "'"});
    }
}

} // namespace

std::vector<SignatureIssue> ValidateSignature(const Signature& signature) {
    std::vector<SignatureIssue> issues;
    if (signature.name.empty())
        issues.push_back({"name", "must not be empty"});
    CheckTerms(signature, issues);
    CheckFinite(issues, "intercept", signature.intercept);
    CheckGroups(signature, issues);
    return issues;
}

std::string ToString(const SignatureIssue& issue) { return issue.field + " " + issue.message; }

const std::string& TermRegion(const Signature& signature, const SignatureTerm& term) {
    return term.region.empty() ? signature.region : term.region;
}

std::vector<std::pair<std::string, std::string>> RequiredFeatures(const Signature& signature) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const SignatureTerm& term : signature.terms) {
        auto key = std::make_pair(TermRegion(signature, term), term.feature);
        if (std::find(out.begin(), out.end(), key) == out.end())
            out.push_back(std::move(key));
    }
    return out;
}

std::string RiskGroup(const Signature& signature, double score) {
    if (signature.cutoffs.empty() || signature.groups.size() != signature.cutoffs.size() + 1)
        return {};
    // upper_bound: the first cutoff strictly above the score, so a score equal to a cutoff
    // counts as at or above it and takes the higher group.
    const auto above = std::upper_bound(signature.cutoffs.begin(), signature.cutoffs.end(), score);
    return signature.groups[static_cast<std::size_t>(above - signature.cutoffs.begin())];
}

SignatureResult ComputeSignature(const Signature& signature, const FeatureLookup& lookup) {
    SignatureResult result;
    if (const auto issues = ValidateSignature(signature); !issues.empty()) {
        result.reason = "invalid signature: ";
        for (std::size_t i = 0; i < issues.size(); ++i)
            result.reason += (i > 0 ? "; " : "") + ToString(issues[i]);
        return result;
    }
    std::vector<std::string> problems;
    std::vector<TermContribution> contributions;
    double score = signature.intercept;
    for (const SignatureTerm& term : signature.terms) {
        const std::string& region = TermRegion(signature, term);
        const std::optional<double> value = lookup ? lookup(region, term.feature) : std::nullopt;
        if (!value) {
            problems.push_back("feature " + term.feature + " missing for region " + region);
            continue;
        }
        if (!std::isfinite(*value)) {
            problems.push_back("feature " + term.feature + " for region " + region + " is not finite (" +
                               Number(*value) + ")");
            continue;
        }
        const double z = (*value - term.mean) / term.sd;
        const double contribution = term.coefficient * z;
        score += contribution;
        contributions.push_back({term.feature, region, *value, z, contribution});
    }
    if (problems.empty() && !std::isfinite(score))
        problems.push_back("score is not finite (" + Number(score) + ")");
    if (!problems.empty()) {
        for (std::size_t i = 0; i < problems.size(); ++i)
            result.reason += (i > 0 ? "; " : "") + problems[i];
        return result;
    }
    result.computable = true;
    result.score = score;
    result.group = RiskGroup(signature, score);
    result.contributions = std::move(contributions);
    return result;
}

} // namespace radnode::processing::signatures
