// Parity of the whole extraction (preprocessing + every feature class) with PyRadiomics'
// baseline CSVs: for brain1, brain2 and breast1, every variant column of every baseline_<class>.csv
// is re-run from the settings in its diagnostics_Configuration_Settings row.

#include "processing/radiomics/extractor.h"
#include "reference_data.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace radnode::processing::radiomics {
namespace {

// ---- a small Python literal parser (dict, list, str, int, float, bool, None) ----------------

struct PyValue;
using PyList = std::vector<PyValue>;
using PyDict = std::vector<std::pair<std::string, PyValue>>;
struct PyValue {
    std::variant<std::monostate, bool, double, std::string, std::shared_ptr<PyList>, std::shared_ptr<PyDict>> v;
    [[nodiscard]] bool IsNone() const { return v.index() == 0; }
    [[nodiscard]] double Number() const {
        if (const bool* b = std::get_if<bool>(&v))
            return *b ? 1.0 : 0.0;
        return std::get<double>(v);
    }
    [[nodiscard]] bool Bool() const { return std::get<bool>(v); }
    [[nodiscard]] const std::string& Str() const { return std::get<std::string>(v); }
    [[nodiscard]] const PyList& List() const { return *std::get<std::shared_ptr<PyList>>(v); }
    [[nodiscard]] const PyDict& Dict() const { return *std::get<std::shared_ptr<PyDict>>(v); }
};

class PyParser {
public:
    explicit PyParser(std::string text) : text_(std::move(text)) {}
    PyValue Parse() {
        PyValue value = Value();
        Skip();
        if (pos_ != text_.size())
            throw std::runtime_error("trailing text in Python literal: " + text_);
        return value;
    }

private:
    void Skip() {
        while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0)
            ++pos_;
    }
    bool Eat(char c) {
        Skip();
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    PyValue Value() {
        Skip();
        if (pos_ >= text_.size())
            throw std::runtime_error("unexpected end of Python literal");
        const char c = text_[pos_];
        if (c == '{') {
            ++pos_;
            auto dict = std::make_shared<PyDict>();
            while (!Eat('}')) {
                PyValue key = Value();
                if (!Eat(':'))
                    throw std::runtime_error("expected ':' in " + text_);
                dict->emplace_back(key.Str(), Value());
                Eat(',');
            }
            return PyValue{dict};
        }
        if (c == '[' || c == '(') {
            const char close = c == '[' ? ']' : ')';
            ++pos_;
            auto list = std::make_shared<PyList>();
            while (!Eat(close)) {
                list->push_back(Value());
                Eat(',');
            }
            return PyValue{list};
        }
        if (c == '\'' || c == '"') {
            const std::size_t end = text_.find(c, pos_ + 1);
            std::string s = text_.substr(pos_ + 1, end - pos_ - 1);
            pos_ = end + 1;
            return PyValue{s};
        }
        for (const auto& [word, value] : {std::pair{"None", PyValue{}}, std::pair{"True", PyValue{true}},
                                          std::pair{"False", PyValue{false}}}) {
            if (text_.compare(pos_, std::string(word).size(), word) == 0) {
                pos_ += std::string(word).size();
                return value;
            }
        }
        char* end = nullptr;
        const double number = std::strtod(text_.c_str() + pos_, &end);
        if (end == text_.c_str() + pos_)
            throw std::runtime_error("cannot parse Python literal at: " + text_.substr(pos_));
        pos_ = static_cast<std::size_t>(end - text_.c_str());
        return PyValue{number};
    }

    std::string text_;
    std::size_t pos_ = 0;
};

/// ExtractionParams from a baseline column's settings dict; PyRadiomics' defaults where absent.
ExtractionParams ParamsFromSettings(const std::string& literal) {
    ExtractionParams params;
    Settings& s = params.settings;
    bool interpolator_none = false;
    const PyValue parsed = PyParser(literal).Parse();
    for (const auto& [key, value] : parsed.Dict()) {
        if (key == "binWidth")
            s.bin_width = value.Number();
        else if (key == "binCount")
            s.bin_count = value.IsNone() ? std::optional<int>{} : static_cast<int>(value.Number());
        else if (key == "label")
            s.label = static_cast<int>(value.Number());
        else if (key == "distances") {
            s.distances.clear();
            for (const PyValue& d : value.List())
                s.distances.push_back(static_cast<int>(d.Number()));
        } else if (key == "voxelArrayShift")
            s.voxel_array_shift = value.Number();
        else if (key == "gldm_a")
            s.gldm_a = value.Number();
        else if (key == "symmetricalGLCM")
            s.symmetrical_glcm = value.Bool();
        else if (key == "weightingNorm") {
            const std::string norm = value.IsNone() ? "" : value.Str();
            s.weighting_norm = norm == "manhattan"      ? WeightingNorm::Manhattan
                               : norm == "euclidean"    ? WeightingNorm::Euclidean
                               : norm == "infinity"     ? WeightingNorm::Infinity
                               : norm == "no_weighting" ? WeightingNorm::NoWeighting
                                                        : WeightingNorm::None;
        } else if (key == "interpolator") {
            interpolator_none = value.IsNone();
            if (!interpolator_none) {
                const std::string name = value.Str();
                s.interpolator = name == "sitkLinear"            ? Interpolator::Linear
                                 : name == "sitkNearestNeighbor" ? Interpolator::Nearest
                                                                 : Interpolator::BSpline;
            }
        } else if (key == "resampledPixelSpacing") {
            if (!value.IsNone())
                s.resampled_pixel_spacing = std::array<double, 3>{value.List()[0].Number(), value.List()[1].Number(),
                                                                  value.List()[2].Number()};
        } else if (key == "normalize")
            s.normalize = value.Bool();
        else if (key == "normalizeScale")
            s.normalize_scale = value.Number();
        else if (key == "removeOutliers") {
            if (!value.IsNone())
                s.remove_outliers = value.Number();
        } else if (key == "force2D")
            s.force_2d = value.Bool();
        else if (key == "force2Ddimension")
            s.force_2d_dimension = static_cast<int>(value.Number());
        else if (key == "minimumROIDimensions")
            s.minimum_roi_dimensions = static_cast<int>(value.Number());
        else if (key == "minimumROISize") {
            if (!value.IsNone())
                s.minimum_roi_size = static_cast<int>(value.Number());
        } else if (key == "preCrop")
            s.pre_crop = value.Bool();
        else if (key == "resegmentRange") {
            if (!value.IsNone()) {
                std::vector<double> range;
                for (const PyValue& r : value.List())
                    range.push_back(r.Number());
                s.resegment_range = range;
            }
        } else if (key == "resegmentMode") {
            const std::string mode = value.Str();
            s.resegment_mode = mode == "sigma"      ? ResegmentMode::Sigma
                               : mode == "relative" ? ResegmentMode::Relative
                                                    : ResegmentMode::Absolute;
        } else if (key == "resegmentShape")
            s.resegment_shape = value.Bool();
        else if (key == "padDistance")
            s.pad_distance = static_cast<int>(value.Number());
        else if (key == "correctMask")
            s.correct_mask = value.Bool();
        else if (key == "additionalInfo")
            s.additional_info = value.Bool();
        else if (key == "geometryTolerance") {
            if (!value.IsNone())
                s.geometry_tolerance = value.Number();
        } else
            throw std::runtime_error("unhandled setting " + key);
    }
    // PyRadiomics resamples only when both interpolator and resampledPixelSpacing are set.
    if (interpolator_none)
        s.resampled_pixel_spacing.reset();
    return params;
}

const std::vector<std::string> kCases{"brain1", "brain2", "breast1"};
const std::vector<std::string> kClassFiles{"firstorder", "glcm", "gldm", "glrlm", "glszm", "ngtdm", "shape", "shape2D"};

/// The four brain1 shape values the baseline holds from PyRadiomics 2.0.1b1 (README).
const std::set<std::string> kStaleBrain1Shape{"original_shape_MeshVolume", "original_shape_SurfaceArea",
                                              "original_shape_Sphericity", "original_shape_SurfaceVolumeRatio"};

/// The single-slice mask of a "<case>_shape2D" column: upstream's <case>_2D test case is the
/// label's slice at the corrected bounding box's z, stored as a one-slice volume at that
/// slice's position (so PyRadiomics' correctMask resamples it onto the image grid).
Volume<std::int32_t> SliceMask(const Volume<std::int32_t>& mask, std::size_t z) {
    ImageGeometry g = mask.Geometry();
    g.origin = g.IndexToPhysical(0.0, 0.0, static_cast<double>(z));
    g.size[2] = 1;
    Volume<std::int32_t> slice(g, 0);
    for (std::size_t j = 0; j < g.size[1]; ++j)
        for (std::size_t i = 0; i < g.size[0]; ++i)
            slice.At(i, j, 0) = mask.At(i, j, z);
    return slice;
}

std::vector<double> Numbers(const std::string& text) {
    std::vector<double> out;
    const char* p = text.c_str();
    while (*p != 0) {
        char* end = nullptr;
        const double v = std::strtod(p, &end);
        if (end != p) {
            out.push_back(v);
            p = end;
        } else {
            ++p;
        }
    }
    return out;
}

struct Tally {
    int pass = 0;
    int total = 0;
};

TEST(RadiomicsParity, BaselineColumnsMatchPyRadiomics) {
    // Group class files by (column, settings): one extraction per group computes every class
    // whose baseline has that column.
    struct Group {
        std::string test_case;
        std::string column;
        std::string settings;
        std::vector<std::string> classes;
    };
    std::vector<Group> groups;
    for (const std::string& cls : kClassFiles)
        for (const std::string& column : test::BaselineColumns(cls)) {
            const std::string test_case = column.substr(0, column.find('_'));
            if (std::find(kCases.begin(), kCases.end(), test_case) == kCases.end())
                continue;
            const auto cells = test::BaselineColumn(cls, column);
            const std::string settings = cells.at("diagnostics_Configuration_Settings");
            auto it = std::find_if(groups.begin(), groups.end(),
                                   [&](const Group& g) { return g.column == column && g.settings == settings; });
            if (it == groups.end())
                groups.push_back(Group{test_case, column, settings, {cls}});
            else
                it->classes.push_back(cls);
        }
    ASSERT_FALSE(groups.empty());

    std::map<std::string, std::map<std::string, Tally>> tally; // class -> variant -> counts
    std::vector<std::string> failures;
    const auto peer_brain1 =
        test::TwoColumnCsv(test::PyRadiomicsDataDir() / "peer_outputs" / "brain1_full_original_log_wavelet.csv");

    for (const Group& group : groups) {
        const test::ReferenceCase& reference = test::LoadReferenceCase(group.test_case);
        ExtractionParams params = ParamsFromSettings(group.settings);
        for (const std::string& cls : group.classes)
            params.feature_classes.emplace_back(cls, std::vector<std::string>{});
        const std::string variant =
            group.column == group.test_case ? "base" : group.column.substr(group.test_case.size() + 1);

        Volume<std::int32_t> slice_mask;
        const Volume<std::int32_t>* mask = &reference.mask;
        if (variant == "shape2D") {
            const auto cells = test::BaselineColumn("shape2D", group.column);
            const auto box = Numbers(cells.at("diagnostics_Mask-corrected_BoundingBox"));
            slice_mask = SliceMask(reference.mask, static_cast<std::size_t>(box.at(2)));
            mask = &slice_mask;
        }
        const ExtractionResult result = Extract(reference.image, *mask, params);
        if (!result.error.empty()) {
            failures.push_back(group.column + ": extraction failed: " + result.error);
            continue;
        }
        std::map<std::string, double> values;
        for (const Feature& f : result.features)
            values[f.name] = f.value;
        std::map<std::string, std::string> diagnostics(result.diagnostics.begin(), result.diagnostics.end());

        for (const std::string& cls : group.classes) {
            for (const auto& [row, cell] : test::BaselineColumn(cls, group.column)) {
                if (row.starts_with("diagnostics_")) {
                    // Preprocessing diagnostics we produce (not hashes, versions, configuration).
                    if (row.find("Hash") != std::string::npos || row.find("Versions") != std::string::npos ||
                        row.find("Configuration") != std::string::npos)
                        continue;
                    Tally& t = tally["diagnostics"][variant];
                    ++t.total;
                    auto it = diagnostics.find(row);
                    if (it == diagnostics.end()) {
                        failures.push_back(group.column + " [" + cls + "] " + row + ": missing (expected " + cell + ")");
                        continue;
                    }
                    const auto expected = Numbers(cell);
                    const auto actual = Numbers(it->second);
                    bool ok = expected.size() == actual.size();
                    for (std::size_t i = 0; ok && i < expected.size(); ++i)
                        ok = test::WithinParity(actual[i], expected[i]);
                    if (ok)
                        ++t.pass;
                    else
                        failures.push_back(group.column + " [" + cls + "] " + row + ": " + it->second + " expected " +
                                           cell);
                    continue;
                }
                if (!row.starts_with("original_"))
                    continue;
                Tally& t = tally[cls][variant];
                ++t.total;
                double expected = std::strtod(cell.c_str(), nullptr);
                if (group.column == "brain1" && kStaleBrain1Shape.contains(row))
                    expected = std::strtod(peer_brain1.at(row).c_str(), nullptr);
                auto it = values.find(row);
                if (it == values.end()) {
                    failures.push_back(group.column + " " + row + ": not computed");
                    continue;
                }
                if (test::WithinParity(it->second, expected)) {
                    ++t.pass;
                } else {
                    char text[256];
                    std::snprintf(text, sizeof text, ": %.17g expected %.17g (relative %.3g)", it->second, expected,
                                  expected != 0.0 ? std::abs(it->second - expected) / std::abs(expected)
                                                  : std::abs(it->second));
                    failures.push_back(group.column + " " + row + text);
                }
            }
        }
    }

    std::printf("PyRadiomics parity (pass/total per class and variant):\n");
    int pass = 0;
    int total = 0;
    for (const auto& [cls, variants] : tally) {
        std::printf("  %-12s", cls.c_str());
        Tally sum;
        for (const auto& [variant, t] : variants) {
            std::printf(" %s %d/%d", variant.c_str(), t.pass, t.total);
            sum.pass += t.pass;
            sum.total += t.total;
        }
        std::printf("  => %d/%d\n", sum.pass, sum.total);
        if (cls != "diagnostics") {
            pass += sum.pass;
            total += sum.total;
        }
    }
    std::printf("  features: %d/%d\n", pass, total);
    for (const std::string& failure : failures)
        std::printf("  FAIL %s\n", failure.c_str());
    EXPECT_TRUE(failures.empty()) << failures.size() << " parity failures (listed above)";
    EXPECT_GT(total, 0);
}

} // namespace
} // namespace radnode::processing::radiomics
