#include "processing/radiomics/extractor.h"

#include "processing/parallel_for.h"
#include "processing/radiomics/filters.h"
#include "processing/radiomics/firstorder.h"
#include "processing/radiomics/glcm.h"
#include "processing/radiomics/gldm.h"
#include "processing/radiomics/gldzm.h"
#include "processing/radiomics/glrlm.h"
#include "processing/radiomics/glszm.h"
#include "processing/radiomics/ibsi_filters.h"
#include "processing/radiomics/ibsi_morphology.h"
#include "processing/radiomics/ibsi_preprocess.h"
#include "processing/radiomics/ibsi_statistics.h"
#include "processing/radiomics/intensity_histogram.h"
#include "processing/radiomics/local_intensity.h"
#include "processing/radiomics/ngldm.h"
#include "processing/radiomics/ngtdm.h"
#include "processing/radiomics/preprocess.h"
#include "processing/radiomics/shape.h"
#include "processing/radiomics/shape2d.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string_view>

namespace radnode::processing::radiomics {
namespace {

using ClassFunction = Features (*)(const Region&, const Settings&);

struct FeatureClass {
    std::string_view name;
    ClassFunction compute;
};

/// PyRadiomics' feature classes in getFeatureClasses() order (its modules, alphabetically);
/// the order of a params file without featureClass section.
constexpr std::array<FeatureClass, 8> kClasses{{
    {"firstorder", &ComputeFirstOrder},
    {"glcm", &ComputeGlcm},
    {"gldm", &ComputeGldm},
    {"glrlm", &ComputeGlrlm},
    {"glszm", &ComputeGlszm},
    {"ngtdm", &ComputeNgtdm},
    {"shape", &ComputeShape},
    {"shape2D", &ComputeShape2D},
}};

/// Local intensity needs the image around the ROI, not only the region; the other IBSI
/// classes take the region alone.
using FullImageFunction = Features (*)(const Region&, const Volume<double>&, const Settings&);

struct IbsiClass {
    std::string_view name;
    ClassFunction compute;            ///< or
    FullImageFunction compute_full;   ///< when the class needs the full image
};

/// The IBSI mode's classes: the PyRadiomics classes that have an IBSI mode, then the IBSI-only
/// families. Each IBSI feature comes from exactly one of them: GLDM is replaced by NGLDM
/// (same IBSI family, REK0), firstorder leaves excess kurtosis to statistics and histogram
/// entropy/uniformity to intensityhistogram, shape leaves voxel volume, compactness and
/// spherical disproportion to morphology. shape2D has no IBSI counterpart.
constexpr std::array<IbsiClass, 13> kIbsiClasses{{
    {"firstorder", &ComputeFirstOrder, nullptr},
    {"glcm", &ComputeGlcm, nullptr},
    {"glrlm", &ComputeGlrlm, nullptr},
    {"glszm", &ComputeGlszm, nullptr},
    {"ngtdm", &ComputeNgtdm, nullptr},
    {"shape", &ComputeShape, nullptr},
    {"gldzm", &ComputeGldzm, nullptr},
    {"ngldm", &ComputeNgldm, nullptr},
    {"intensityhistogram", &ComputeIntensityHistogram, nullptr},
    {"ivh", &ComputeIntensityVolumeHistogram, nullptr},
    {"localintensity", nullptr, &ComputeLocalIntensity},
    {"statistics", &ComputeIbsiStatistics, nullptr},
    {"morphology", &ComputeIbsiMorphology, nullptr},
}};

/// The class an IBSI-mode params file means by `name`: its own, or the IBSI replacement of a
/// PyRadiomics class (gldm -> ngldm); nullptr for shape2D and unknown names.
const IbsiClass* FindIbsiClass(std::string_view name) {
    if (name == "gldm")
        name = "ngldm";
    for (const IbsiClass& c : kIbsiClasses)
        if (c.name == name)
            return &c;
    return nullptr;
}

const FeatureClass* FindClass(std::string_view name) {
    for (const FeatureClass& c : kClasses)
        if (c.name == name)
            return &c;
    return nullptr;
}

// ---- Python literals for the configuration diagnostics -----------------------------------

std::string PyBool(bool value) { return value ? "True" : "False"; }

std::string PyNumber(double value) {
    // PyRadiomics echoes the params file: integers stay integers.
    if (value == static_cast<double>(static_cast<long long>(value)) && std::abs(value) < 1e15)
        return std::to_string(static_cast<long long>(value));
    return PythonFloat(value);
}

template <typename T> std::string PyOptional(const std::optional<T>& value) {
    return value ? PyNumber(static_cast<double>(*value)) : "None";
}

template <typename Range> std::string PyList(const Range& values) {
    std::string text = "[";
    bool first = true;
    for (const auto& v : values) {
        if (!first)
            text += ", ";
        first = false;
        text += PyNumber(static_cast<double>(v));
    }
    return text + "]";
}

std::string InterpolatorName(Interpolator interpolator) {
    switch (interpolator) {
    case Interpolator::Nearest:
        return "'sitkNearestNeighbor'";
    case Interpolator::Linear:
        return "'sitkLinear'";
    case Interpolator::BSpline:
        return "'sitkBSpline'";
    }
    return "None";
}

std::string WeightingName(WeightingNorm norm) {
    switch (norm) {
    case WeightingNorm::None:
        return "None";
    case WeightingNorm::Manhattan:
        return "'manhattan'";
    case WeightingNorm::Euclidean:
        return "'euclidean'";
    case WeightingNorm::Infinity:
        return "'infinity'";
    case WeightingNorm::NoWeighting:
        return "'no_weighting'";
    }
    return "None";
}

std::string ResegmentModeName(ResegmentMode mode) {
    switch (mode) {
    case ResegmentMode::Absolute:
        return "'absolute'";
    case ResegmentMode::Relative:
        return "'relative'";
    case ResegmentMode::Sigma:
        return "'sigma'";
    }
    return "'absolute'";
}

/// The settings dict PyRadiomics prints: its defaults in _getDefaultSettings order, then the
/// feature class and filter settings.
std::string SettingsLiteral(const Settings& s) {
    std::vector<std::pair<std::string, std::string>> items{
        {"minimumROIDimensions", std::to_string(s.minimum_roi_dimensions)},
        {"minimumROISize", PyOptional(s.minimum_roi_size)},
        {"normalize", PyBool(s.normalize)},
        {"normalizeScale", PyNumber(s.normalize_scale)},
        {"removeOutliers", PyOptional(s.remove_outliers)},
        {"resampledPixelSpacing", s.resampled_pixel_spacing ? PyList(*s.resampled_pixel_spacing) : "None"},
        {"interpolator", InterpolatorName(s.interpolator)},
        {"preCrop", PyBool(s.pre_crop)},
        {"padDistance", std::to_string(s.pad_distance)},
        {"distances", PyList(s.distances)},
        {"force2D", PyBool(s.force_2d)},
        {"force2Ddimension", std::to_string(s.force_2d_dimension)},
        {"resegmentRange", s.resegment_range ? PyList(*s.resegment_range) : "None"},
        {"label", std::to_string(s.label)},
        {"additionalInfo", PyBool(s.additional_info)},
    };
    if (s.bin_count)
        items.emplace_back("binCount", std::to_string(*s.bin_count));
    else
        items.emplace_back("binWidth", PyNumber(s.bin_width));
    items.emplace_back("voxelArrayShift", PyNumber(s.voxel_array_shift));
    items.emplace_back("symmetricalGLCM", PyBool(s.symmetrical_glcm));
    items.emplace_back("weightingNorm", WeightingName(s.weighting_norm));
    items.emplace_back("gldm_a", PyNumber(s.gldm_a));
    if (s.resegment_range) {
        items.emplace_back("resegmentMode", ResegmentModeName(s.resegment_mode));
        items.emplace_back("resegmentShape", PyBool(s.resegment_shape));
    }
    if (s.correct_mask)
        items.emplace_back("correctMask", PyBool(s.correct_mask));
    items.emplace_back("geometryTolerance", PythonFloat(s.geometry_tolerance));
    if (s.label_channel)
        items.emplace_back("label_channel", std::to_string(*s.label_channel));
    std::string text = "{";
    for (std::size_t i = 0; i < items.size(); ++i)
        text += (i > 0 ? ", '" : "'") + items[i].first + "': " + items[i].second;
    return text + "}";
}

/// A text option value as a Python literal: numbers bare, other text quoted.
std::string PyValue(const std::string& text) {
    char* end = nullptr;
    std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size())
        return text;
    if (text == "True" || text == "False" || text == "None")
        return text;
    return "'" + text + "'";
}

std::string ImageTypesLiteral(const std::vector<ImageTypeSpec>& types) {
    std::string text = "{";
    for (std::size_t t = 0; t < types.size(); ++t) {
        text += (t > 0 ? ", '" : "'") + types[t].name + "': {";
        bool first = true;
        for (const auto& [key, values] : types[t].options) {
            text += (first ? "'" : ", '") + key + "': ";
            first = false;
            if (values.size() == 1) {
                text += PyValue(values[0]);
            } else {
                text += "[";
                for (std::size_t v = 0; v < values.size(); ++v)
                    text += (v > 0 ? ", " : "") + PyValue(values[v]);
                text += "]";
            }
        }
        text += "}";
    }
    return text + "}";
}

/// One class to compute: which features of its output to keep, in output order.
struct ClassJob {
    const FeatureClass* feature_class = nullptr;
    std::vector<std::string> names; ///< explicit names; empty = the class's default features
    Features result;
    std::string error;
};

/// A settings literal for IBSI mode: the PyRadiomics settings plus the IBSI ones.
std::string IbsiSettingsLiteral(const Settings& s) {
    std::string text = SettingsLiteral(s);
    text.pop_back();
    const auto aggregation = [](Aggregation a) {
        switch (a) {
        case Aggregation::ThreeDAverage:
            return "'3D_avg'";
        case Aggregation::ThreeDMerged:
            return "'3D_comb'";
        case Aggregation::TwoDAverage:
            return "'2D_avg'";
        case Aggregation::TwoDSliceMerged:
            return "'2D_comb'";
        case Aggregation::TwoAndHalfDAverage:
            return "'2_5D_avg'";
        case Aggregation::TwoAndHalfDMerged:
            return "'2_5D_comb'";
        }
        return "None";
    };
    text += ", 'ibsiCompliant': True, 'ibsiAggregation': " + std::string(aggregation(s.ibsi_aggregation));
    text += ", 'ibsiDiscretisationMinimum': " + PyOptional(s.ibsi_discretisation_minimum);
    text += ", 'ivhBinWidth': " + PyOptional(s.ivh_bin_width) + ", 'ivhBinCount': " + PyOptional(s.ivh_bin_count);
    text += ", 'ibsiRoundIntensities': " + PyBool(s.ibsi_round_intensities);
    text += ", 'ibsiMaskThreshold': " + PyNumber(s.ibsi_mask_threshold);
    text += ", 'ibsiOutlierSigma': " + PyOptional(s.ibsi_outlier_sigma);
    return text + "}";
}

/// Keeps `requested` features of one class result (all when empty), named
/// "<image_type>_<class>_<Feature>" ("original_..." unless told).
std::string TakeFeatures(std::string_view class_name, Features& computed, const std::vector<std::string>& requested,
                         Features& out, std::string_view image_type = "original") {
    const std::string type_prefix = std::string(image_type) + "_";
    if (requested.empty()) {
        for (Feature& f : computed)
            if (!f.on_request) {
                f.name = type_prefix + f.name;
                out.push_back(std::move(f));
            }
        return "";
    }
    const std::string prefix = std::string(class_name) + "_";
    std::vector<std::string> done;
    for (const std::string& name : requested) {
        if (std::find(done.begin(), done.end(), name) != done.end())
            continue;
        done.push_back(name);
        auto it = std::find_if(computed.begin(), computed.end(),
                               [&](const Feature& f) { return f.name == prefix + name; });
        if (it == computed.end())
            return "featureClass: Feature not found: " + std::string(class_name) + " " + name;
        Feature f = *it;
        f.name = type_prefix + f.name;
        out.push_back(std::move(f));
    }
    return "";
}

/// IBSI mode of Extract: IBSI preprocessing, then the IBSI classes in parallel.
ExtractionResult ExtractIbsi(const Volume<double>& image, const Volume<std::int32_t>& mask,
                             const ExtractionParams& params) {
    ExtractionResult result;
    const Settings& settings = params.settings;
    std::vector<std::pair<const IbsiClass*, std::vector<std::string>>> enabled;
    if (params.feature_classes.empty()) {
        for (const IbsiClass& c : kIbsiClasses)
            enabled.emplace_back(&c, std::vector<std::string>{});
    } else {
        for (const auto& [name, features] : params.feature_classes) {
            if (name == "shape2D")
                continue; // no IBSI counterpart (IBSI morphology is 3D only)
            const IbsiClass* c = FindIbsiClass(name);
            if (c == nullptr) {
                result.error = "featureClass: unknown feature class '" + name + "' in IBSI mode";
                return result;
            }
            auto same = [c](const auto& e) { return e.first == c; };
            if (auto it = std::find_if(enabled.begin(), enabled.end(), same); it != enabled.end())
                it->second = features;
            else
                enabled.emplace_back(c, features);
        }
    }
    if (settings.additional_info) {
        result.diagnostics.emplace_back("diagnostics_Configuration_Settings", IbsiSettingsLiteral(settings));
        result.diagnostics.emplace_back("diagnostics_Configuration_EnabledImageTypes",
                                        ImageTypesLiteral(params.image_types));
    }
    const bool local_intensity =
        std::any_of(enabled.begin(), enabled.end(), [](const auto& e) { return e.first->compute_full != nullptr; });
    const bool derived_types = std::any_of(params.image_types.begin(), params.image_types.end(),
                                           [](const ImageTypeSpec& t) { return t.name != "Original"; });
    const bool original = std::any_of(params.image_types.begin(), params.image_types.end(),
                                      [](const ImageTypeSpec& t) { return t.name == "Original"; });
    Region region;
    std::vector<std::pair<std::string, std::string>> diagnostics;
    // Local intensity's sphere reaches voxels outside the ROI and the IBSI 2 filters run on the
    // interpolated image: both need the whole interpolated image, which only IbsiPreprocess has.
    Volume<double> full_image;
    const std::string error = IbsiPreprocess(image, mask, settings, region, &diagnostics,
                                             local_intensity || derived_types ? &full_image : nullptr);
    result.diagnostics.insert(result.diagnostics.end(), diagnostics.begin(), diagnostics.end());
    if (!error.empty()) {
        result.error = error;
        return result;
    }

    // Morphology and shape describe the ROI, local intensity needs the whole image: they run on
    // the original image only; the other classes on every enabled image type.
    const auto per_image_type = [](const IbsiClass& c) {
        return c.compute_full == nullptr && c.name != "shape" && c.name != "morphology";
    };
    // One batch per image: the original (its ROI classes always, the rest if Original is
    // enabled), then every derived image of every IBSI 2 filter.
    struct Batch {
        std::string prefix;
        Region region;
        Settings settings;
        std::vector<std::size_t> classes; // into `enabled`
        std::vector<Features> computed;
        std::vector<std::string> errors;
    };
    std::vector<Batch> batches(1);
    batches[0].prefix = "original";
    batches[0].settings = settings;
    for (std::size_t j = 0; j < enabled.size(); ++j)
        if (original || !per_image_type(*enabled[j].first))
            batches[0].classes.push_back(j);
    std::vector<std::pair<DerivedImage, std::size_t>> derived; // image, its batch
    for (const ImageTypeSpec& type : params.image_types) {
        if (type.name == "Original")
            continue;
        Settings type_settings = type.settings.value_or(settings);
        // A filter response has its own range: discretised from its ROI minimum unless the
        // image type sets its own ibsiDiscretisationMinimum.
        if (!type.settings || type.settings->ibsi_discretisation_minimum == settings.ibsi_discretisation_minimum)
            type_settings.ibsi_discretisation_minimum.reset();
        DerivedImageList list = ExpandIbsiImageType(type, full_image.Geometry(), type_settings);
        for (DerivedImage& d : list.images) {
            Batch batch;
            batch.prefix = d.name;
            batch.settings = type_settings;
            for (std::size_t j = 0; j < enabled.size(); ++j)
                if (per_image_type(*enabled[j].first))
                    batch.classes.push_back(j);
            derived.emplace_back(std::move(d), batches.size());
            batches.push_back(std::move(batch));
        }
    }
    // Filter responses over the ROI box, one image per core.
    const FilterInput filter_input{full_image, VoxelBox{region.box_origin, region.size}, &region.mask, std::nullopt};
    std::vector<std::string> filter_errors(derived.size());
    ParallelFor(derived.size(), 0, [&](std::size_t d) {
        Batch& batch = batches[derived[d].second];
        try {
            batch.region = region;
            batch.region.image = derived[d].first.filter(filter_input);
            Discretise(batch.region, batch.settings);
        } catch (const std::exception& e) {
            filter_errors[d] = derived[d].first.name + ": " + e.what();
        }
    });
    for (const std::string& problem : filter_errors)
        if (!problem.empty()) {
            result.error = problem;
            return result;
        }
    // Every (image, class) pair on the cores.
    std::vector<std::pair<std::size_t, std::size_t>> work; // batch, index into its classes
    for (std::size_t b = 0; b < batches.size(); ++b) {
        batches[b].computed.resize(batches[b].classes.size());
        batches[b].errors.resize(batches[b].classes.size());
        for (std::size_t c = 0; c < batches[b].classes.size(); ++c)
            work.emplace_back(b, c);
    }
    ParallelFor(work.size(), 0, [&](std::size_t w) {
        Batch& batch = batches[work[w].first];
        const std::size_t c = work[w].second;
        const IbsiClass& cls = *enabled[batch.classes[c]].first;
        const Region& on = work[w].first == 0 ? region : batch.region;
        try {
            batch.computed[c] = cls.compute != nullptr ? cls.compute(on, batch.settings)
                                                       : cls.compute_full(on, full_image, batch.settings);
        } catch (const std::exception& e) {
            batch.errors[c] = std::string(cls.name) + ": " + e.what();
        }
    });
    for (Batch& batch : batches)
        for (std::size_t c = 0; c < batch.classes.size(); ++c) {
            std::string problem = batch.errors[c];
            const auto& [cls, names] = enabled[batch.classes[c]];
            if (problem.empty())
                problem = TakeFeatures(cls->name, batch.computed[c], names, result.features, batch.prefix);
            if (!problem.empty()) {
                result.error = problem;
                result.features.clear();
                return result;
            }
        }
    return result;
}

} // namespace

Features ComputeIbsiFeatures(const Region& region, const Volume<double>& full_image, const Settings& settings) {
    Settings ibsi = settings;
    ibsi.ibsi_compliant = true;
    std::vector<Features> computed(kIbsiClasses.size());
    ParallelFor(kIbsiClasses.size(), 0, [&](std::size_t j) {
        const IbsiClass& c = kIbsiClasses[j];
        computed[j] = c.compute != nullptr ? c.compute(region, ibsi) : c.compute_full(region, full_image, ibsi);
    });
    Features out;
    for (Features& features : computed)
        for (Feature& f : features)
            if (!f.on_request)
                out.push_back(std::move(f));
    return out;
}

ExtractionResult Extract(const Volume<double>& image, const Volume<std::int32_t>& mask,
                         const ExtractionParams& params) {
    ExtractionResult result;
    const Settings& settings = params.settings;

    if (settings.ibsi_compliant) {
        for (const ImageTypeSpec& type : params.image_types) {
            if (type.name == "Original")
                continue;
            if (DerivedImageList probe = ExpandIbsiImageType(type, image.Geometry(), type.settings.value_or(settings));
                !probe.error.empty()) {
                result.error = probe.error + " (IBSI mode takes Original and the IBSI 2 filters)";
                return result;
            }
        }
        return ExtractIbsi(image, mask, params);
    }
    // Derived image types (LoG, ...) are expanded once the preprocessed image's geometry is
    // known; refuse unsupported ones before any work.
    bool derived_types = false;
    for (const ImageTypeSpec& type : params.image_types) {
        if (type.name == "Original")
            continue;
        derived_types = true;
        if (DerivedImageList probe = ExpandImageType(type, image.Geometry(), type.settings.value_or(settings));
            !probe.error.empty()) {
            result.error = probe.error;
            return result;
        }
    }

    // Enabled classes as PyRadiomics' enabledFeatures dict: file order, or, for a params file
    // without featureClass section, every class (_applyParams; shape2D then still needs force2D).
    std::vector<std::pair<const FeatureClass*, std::vector<std::string>>> enabled;
    if (params.feature_classes.empty()) {
        for (const FeatureClass& c : kClasses)
            enabled.emplace_back(&c, std::vector<std::string>{});
    } else {
        for (const auto& [name, features] : params.feature_classes) {
            const FeatureClass* c = FindClass(name);
            if (c == nullptr) {
                result.error = "featureClass: unknown feature class '" + name + "'";
                return result;
            }
            auto same = [c](const auto& e) { return e.first == c; };
            if (auto it = std::find_if(enabled.begin(), enabled.end(), same); it != enabled.end())
                it->second = features; // a dict: a later entry replaces the earlier one in place
            else
                enabled.emplace_back(c, features);
        }
    }

    if (settings.additional_info) {
        result.diagnostics.emplace_back("diagnostics_Configuration_Settings", SettingsLiteral(settings));
        result.diagnostics.emplace_back("diagnostics_Configuration_EnabledImageTypes",
                                        ImageTypesLiteral(params.image_types));
    }

    Volume<double> preprocessed_image; // when preprocessing changed the image
    PreparedCase prepared = Preprocess(image, mask, settings, derived_types ? &preprocessed_image : nullptr);
    // The image the derived image types filter.
    const Volume<double>& full_image = prepared.image_is_input ? image : preprocessed_image;
    result.diagnostics.insert(result.diagnostics.end(), prepared.diagnostics.begin(), prepared.diagnostics.end());
    if (!prepared.error.empty()) {
        result.error = prepared.error;
        return result;
    }
    const Region& region = prepared.region;

    // Shape classes first (featureextractor.computeShape), shape before shape2D; then the
    // other classes in enabledFeatures order.
    std::vector<ClassJob> jobs;
    for (const std::string_view shape_name : {"shape", "shape2D"})
        for (const auto& [c, names] : enabled)
            if (c->name == shape_name) {
                if (shape_name == "shape2D") {
                    if (!settings.force_2d)
                        continue; // PyRadiomics warns: shape2D needs force2D
                    // PyRadiomics indexes the (x, y, z) bounding box size with force2Ddimension.
                    const auto d = static_cast<std::size_t>(std::clamp(settings.force_2d_dimension, 0, 2));
                    if (region.size[d] <= 1)
                        continue;
                    // shape2D itself refuses a ROI thicker than one slice along the numpy axis
                    // force2Ddimension (0 = z, 1 = y, 2 = x).
                    if (region.size[2 - d] > 1) {
                        result.error = "shape2D: mask spans more than one slice along force2Ddimension " +
                                       std::to_string(settings.force_2d_dimension);
                        return result;
                    }
                }
                jobs.push_back(ClassJob{c, names, {}, {}});
            }
    const std::size_t shape_jobs = jobs.size();
    std::vector<ClassJob> texture_jobs;
    for (const auto& [c, names] : enabled)
        if (!c->name.starts_with("shape"))
            texture_jobs.push_back(ClassJob{c, names, {}, {}});
    const bool original = std::any_of(params.image_types.begin(), params.image_types.end(),
                                      [](const ImageTypeSpec& t) { return t.name == "Original"; });
    // Shape always runs on the original image (computeShape); the other classes only when
    // Original is an enabled image type.
    if (original) {
        // Original's classes run together with shape, as before derived image types existed.
        jobs.insert(jobs.end(), texture_jobs.begin(), texture_jobs.end());
    }

    // Jobs before `shape_count` run on (shape_on, shape_with), the others on (on, with).
    const auto run = [](std::vector<ClassJob>& batch, const Region& shape_on, const Settings& shape_with,
                        const Region& on, const Settings& with, std::size_t shape_count) {
        ParallelFor(batch.size(), 0, [&](std::size_t j) {
            ClassJob& job = batch[j];
            try {
                job.result = j < shape_count ? job.feature_class->compute(shape_on, shape_with)
                                             : job.feature_class->compute(on, with);
            } catch (const std::exception& e) {
                job.error = std::string(job.feature_class->name) + ": " + e.what();
            }
        });
    };
    const auto take = [&](std::vector<ClassJob>& batch, std::size_t first, std::size_t last,
                          std::string_view image_type) {
        for (std::size_t j = first; j < last; ++j) {
            ClassJob& job = batch[j];
            std::string problem = job.error;
            if (problem.empty())
                problem = TakeFeatures(job.feature_class->name, job.result, job.names, result.features, image_type);
            if (!problem.empty()) {
                result.error = problem;
                result.features.clear();
                return false;
            }
        }
        return true;
    };

    // The original image's classes use the Original type's own settings when it has some.
    const ImageTypeSpec* original_type = nullptr;
    for (const ImageTypeSpec& type : params.image_types)
        if (type.name == "Original")
            original_type = &type;
    Region original_region;
    const Region* texture_region = &region;
    const Settings* original_settings = &settings;
    if (original_type != nullptr && original_type->settings) {
        original_settings = &*original_type->settings;
        original_region = region;
        Discretise(original_region, *original_settings);
        texture_region = &original_region;
    }
    run(jobs, region, settings, *texture_region, *original_settings, shape_jobs);
    // featureextractor.execute: shape first, then each image type in enabledImagetypes order.
    if (!take(jobs, 0, shape_jobs, "original"))
        return result;

    // Every derived image of every type, in yield order; each is filtered over the ROI box,
    // discretised with its type's settings and gets the non-shape classes.
    struct DerivedJob {
        const Settings* settings = nullptr;
        DerivedImage image;
        std::vector<ClassJob> classes;
        std::string error;
    };
    std::vector<DerivedJob> derived_jobs;
    std::vector<std::size_t> first_job_of_type; // index into derived_jobs per image type
    for (const ImageTypeSpec& type : params.image_types) {
        first_job_of_type.push_back(derived_jobs.size());
        if (type.name == "Original")
            continue;
        const Settings& type_settings = type.settings ? *type.settings : settings;
        DerivedImageList derived = ExpandImageType(type, full_image.Geometry(), type_settings);
        if (!derived.error.empty()) {
            result.error = derived.error;
            result.features.clear();
            return result;
        }
        for (DerivedImage& d : derived.images)
            derived_jobs.push_back(DerivedJob{&type_settings, std::move(d), texture_jobs, {}});
    }
    first_job_of_type.push_back(derived_jobs.size());
    // What the LBP filters need to know of the preprocessed image: the integer type it is kept
    // in (normalisation makes it real; inferring it scans the image, so only when needed), and
    // the ROI voxels.
    const bool needs_pixel_type = std::any_of(params.image_types.begin(), params.image_types.end(), [](const auto& t) {
        return t.name == "LBP2D" || t.name == "LBP3D";
    });
    FilterInput filter_input{full_image, VoxelBox{region.box_origin, region.size}, &region.mask,
                             settings.normalize || !needs_pixel_type
                                 ? std::nullopt
                                 : IntegerPixelRange(image, settings.image_pixel_type)};
    const auto compute_derived = [&](DerivedJob& job, bool classes_in_parallel) {
        Region filtered_region;
        try {
            filtered_region.size = region.size;
            filtered_region.box_origin = region.box_origin;
            filtered_region.spacing = region.spacing;
            filtered_region.mask = region.mask;
            filtered_region.shape_mask = region.shape_mask;
            filtered_region.voxels = region.voxels;
            filtered_region.image = job.image.filter(filter_input);
            Discretise(filtered_region, *job.settings);
        } catch (const std::exception& e) {
            job.error = job.image.name + ": " + e.what();
            return;
        }
        if (classes_in_parallel) {
            run(job.classes, filtered_region, *job.settings, filtered_region, *job.settings, 0);
            return;
        }
        for (ClassJob& c : job.classes) {
            try {
                c.result = c.feature_class->compute(filtered_region, *job.settings);
            } catch (const std::exception& e) {
                c.error = std::string(c.feature_class->name) + ": " + e.what();
            }
        }
    };
    // Several derived images: one per core at a time (at most that many box-sized regions
    // alive); a single one: its classes in parallel.
    if (derived_jobs.size() == 1)
        compute_derived(derived_jobs.front(), true);
    else
        ParallelFor(derived_jobs.size(), 0, [&](std::size_t j) { compute_derived(derived_jobs[j], false); });

    for (std::size_t t = 0; t < params.image_types.size(); ++t) {
        if (params.image_types[t].name == "Original") {
            if (!take(jobs, shape_jobs, jobs.size(), "original"))
                return result;
            continue;
        }
        for (std::size_t d = first_job_of_type[t]; d < first_job_of_type[t + 1]; ++d) {
            DerivedJob& job = derived_jobs[d];
            if (!job.error.empty()) {
                result.error = job.error;
                result.features.clear();
                return result;
            }
            if (!take(job.classes, 0, job.classes.size(), job.image.name))
                return result;
        }
    }
    return result;
}

} // namespace radnode::processing::radiomics
