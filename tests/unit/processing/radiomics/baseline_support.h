#pragma once
/// Shared pieces of the per-class radiomics tests: synthetic regions, the settings and region
/// of a PyRadiomics baseline column, the feature-by-feature comparison against a baseline
/// column, .npy matrix comparisons, the IBSI digital phantom and timing.

#include "processing/radiomics/feature.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/settings.h"
#include "reference_data.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace radnode::test {

/// A feature class entry point: ComputeGlcm, ComputeGlszm, ...
using FeatureFunction = std::function<processing::radiomics::Features(const processing::radiomics::Region&,
                                                                      const processing::radiomics::Settings&)>;

/// A one-slice region over a whole image of already discretised levels.
processing::radiomics::Region RegionOfLevels(std::size_t width, const std::vector<std::int32_t>& levels);

/// The value of feature `name`; a test failure and NaN when it is missing.
double Value(const processing::radiomics::Features& features, const std::string& name);

/// Feature name -> value.
std::map<std::string, double> ByName(const processing::radiomics::Features& features);

/// |actual - expected| / |expected|, or the absolute difference when expected is 0.
double RelativeDifference(double actual, double expected);

/// Compares every row of PyRadiomics' notebook reference (brain1_helloFeatureClass.csv) whose
/// name starts with `prefix` with `actual` (by full feature name) at the parity bar; prints
/// pass/total as `label`.
void ExpectNotebookValuesMatch(const std::map<std::string, double>& actual, const std::string& prefix,
                               const std::string& label);

/// Builds the region of reference case `name` with `settings`; a fatal failure when the label
/// is absent (call it inside ASSERT_NO_FATAL_FAILURE).
void BuildReferenceRegion(const std::string& name, const processing::radiomics::Settings& settings,
                          processing::radiomics::Region& region);

/// The baseline columns "<case>" and "<case>_<variant>" of every reference case, case-major
/// ("" stands for the plain case column).
std::vector<std::string> BaselineColumnNames(const std::vector<std::string>& variants);

/// A parameterised test's name: the string parameter itself.
std::string ParamName(const testing::TestParamInfo<std::string>& param_info);

/// Settings of a baseline column from its variant suffix ("", "2d", "FBN", "combined",
/// "flatRegion").
processing::radiomics::Settings BaselineVariantSettings(const std::string& variant);

/// Checks that a column's diagnostics_Configuration_Settings cell says what its variant
/// suffix implies.
void ExpectDiagnosticsMatchVariant(const std::string& variant, const std::string& diagnostics);

/// The region of reference case `name` for baseline settings; resegmentRange [lower] is
/// emulated by dropping ROI voxels below the bound before discretising again (the
/// preprocessing helper owns the real re-segmentation).
processing::radiomics::Region BaselineRegion(const std::string& name, const processing::radiomics::Settings& settings);

/// How a baseline comparison pairs computed features with baseline rows.
enum class BaselineWalk {
    /// Every "original_<cls>_" row of the baseline; the feature must have been computed.
    Rows,
    /// Every computed feature that is not on request; the baseline must hold it.
    Features,
    /// Every computed feature the baseline holds or that is not on request, then every
    /// "original_<cls>_" row must have been computed.
    FeaturesAndRows,
};

/// What a baseline comparison checks.
struct BaselineCheck {
    std::string cls; ///< feature class: baseline_<cls>.csv, rows original_<cls>_*
    BaselineWalk walk = BaselineWalk::Features;
    std::optional<int> expected_count = std::nullopt; ///< number of features compared, when fixed
    bool check_diagnostics = false;                   ///< whether the column's diagnostics must match its variant
};

/// Compares `features` with the baseline cells `baseline` (row name -> text) within
/// WithinParity, then prints a pass/total summary labelled `label`. Stops at the first feature
/// the baseline lacks with a fatal failure.
void ExpectMatchesBaseline(const processing::radiomics::Features& features,
                           const std::map<std::string, std::string>& baseline, const BaselineCheck& check,
                           const std::string& label);

/// Computes the features of baseline column `column` ("<case>[_<variant>]") of check.cls with
/// the column's settings and region, and compares them with the column.
void ExpectBaselineColumnMatches(const std::string& column, const FeatureFunction& compute, const BaselineCheck& check);

/// The per-angle matrix dump <case>_<cls>.npy of baseline/.
NpyArray LoadBaselineNpy(const std::string& case_name, const std::string& cls);

/// Checks a level x column matrix (row-major `values`) against a 2-D dump, element by element.
void ExpectMatrixMatchesNpy(const std::vector<double>& values, std::size_t rows, std::size_t columns,
                            const NpyArray& dump);

/// Counts the (row, column, angle) elements where mine(angle, row, column) differs from
/// dump.At(row, column, angle) by more than `tolerance`; each is reported when `report_each`.
std::size_t CountAngleMatrixMismatches(const NpyArray& dump, std::size_t angles, std::size_t rows, std::size_t columns,
                                       const std::function<double(std::size_t, std::size_t, std::size_t)>& mine,
                                       double tolerance, bool report_each);

/// Checks that the IBSI aggregations ThreeDAverage / ThreeDMerged / TwoAndHalfDAverage equal
/// PyRadiomics' default / weightingNorm no_weighting / force2D on brain1, and that the other
/// aggregations give finite values.
void ExpectIbsiAggregationsMatchPyRadiomics(const FeatureFunction& compute);

/// The IBSI 1 digital phantom (tests/data/ibsi_digital_phantom) in IBSI mode, undiscretised:
/// grey level = intensity.
processing::radiomics::Region IbsiPhantomRegion();

/// Checks every IBSI phantom reference of `family_code` for 2D, 2.5D and 3D, matched by IBSI
/// code, within the 3 significant digits the references are given to.
void ExpectIbsiPhantomFamily(const std::string& family_code, const FeatureFunction& compute, const std::string& label);

} // namespace radnode::test
