#include "processing/ct_assembly.h"

#include "processing/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <iomanip>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <sstream>
#include <utility>

namespace radnode::processing {
namespace {

using Vec3 = std::array<double, 3>;

constexpr double kPi = 3.14159265358979323846;
/// In-plane drift below this is DS rounding, not tilt.
constexpr double kDriftFloorMm = 1e-4;

double Dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 Cross(const Vec3& a, const Vec3& b) {
    return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 Sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
double Length(const Vec3& a) { return std::sqrt(Dot(a, a)); }
Vec3 Normalized(const Vec3& a) {
    const double n = Length(a);
    return {a[0] / n, a[1] / n, a[2] / n};
}

std::string Num(double v) {
    std::ostringstream s;
    s << std::setprecision(8) << v;
    return s.str();
}

std::string PointText(const Point3& p) { return "(" + Num(p[0]) + ", " + Num(p[1]) + ", " + Num(p[2]) + ")"; }

std::string OrientationText(const std::array<double, 6>& o) {
    std::string text;
    for (std::size_t i = 0; i < o.size(); ++i) {
        if (i > 0)
            text += '\\';
        text += Num(o[i]);
    }
    return text;
}

std::string SliceName(const CtSlice& s) {
    return s.frame_index == 0 ? s.sop_instance_uid : s.sop_instance_uid + " frame " + std::to_string(s.frame_index);
}

AssemblyResult Fail(AssemblyIssue issue, std::string reason) {
    AssemblyResult r;
    r.issue = issue;
    r.reason = std::move(reason);
    return r;
}

/// Value `index` (0-based) of a backslash-separated multi-valued string, trimmed and upper-cased.
std::string MultiValue(const std::string& text, std::size_t index) {
    std::size_t begin = 0;
    for (std::size_t i = 0; i < index; ++i) {
        begin = text.find('\\', begin);
        if (begin == std::string::npos)
            return {};
        ++begin;
    }
    std::string value = text.substr(begin, text.find('\\', begin) - begin);
    std::erase(value, ' ');
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return value;
}

bool IsLocalizer(const CtSlice& s) { return MultiValue(s.image_type, 2) == "LOCALIZER"; }

/// Checks one plane on its own: matrix, pixel count, spacing and orientation.
std::string PlaneProblem(const CtSlice& s, bool pixels_in_headers) {
    const std::string name = "slice " + SliceName(s);
    if (s.rows == 0 || s.columns == 0)
        return name + " has an empty matrix";
    if (pixels_in_headers && s.pixels.size() != s.rows * s.columns)
        return name + " has " + std::to_string(s.pixels.size()) + " pixels for " + std::to_string(s.rows) + "x" +
               std::to_string(s.columns);
    if (!(s.pixel_spacing[0] > 0.0) || !(s.pixel_spacing[1] > 0.0) || !std::isfinite(s.pixel_spacing[0]) ||
        !std::isfinite(s.pixel_spacing[1]))
        return name + " has invalid PixelSpacing " + Num(s.pixel_spacing[0]) + "\\" + Num(s.pixel_spacing[1]);
    if (!std::isfinite(s.rescale_slope) || !std::isfinite(s.rescale_intercept) || s.rescale_slope == 0.0)
        return name + " has invalid RescaleSlope/RescaleIntercept";
    for (double v : s.image_position)
        if (!std::isfinite(v))
            return name + " has a non-finite ImagePositionPatient";
    const Vec3 row{s.image_orientation[0], s.image_orientation[1], s.image_orientation[2]};
    const Vec3 col{s.image_orientation[3], s.image_orientation[4], s.image_orientation[5]};
    if (!(std::abs(Length(row) - 1.0) < 1e-3) || !(std::abs(Length(col) - 1.0) < 1e-3) ||
        !(std::abs(Dot(row, col)) < 1e-3))
        return name + " has ImageOrientationPatient " + OrientationText(s.image_orientation) +
               " that is not two orthogonal unit vectors";
    return {};
}

/// Compares every slice with the first: orientation, matrix, pixel spacing, gantry tilt.
AssemblyResult CheckConsistency(const std::vector<const CtSlice*>& slices, bool pixels_in_headers,
                                const AssemblyOptions& options) {
    const CtSlice& ref = *slices.front();
    for (const CtSlice* slice : slices) {
        const CtSlice& s = *slice;
        if (std::string problem = PlaneProblem(s, pixels_in_headers); !problem.empty())
            return Fail(AssemblyIssue::BadGeometry, problem);
        for (std::size_t i = 0; i < 6; ++i) {
            if (std::abs(s.image_orientation[i] - ref.image_orientation[i]) > options.orientation_tolerance)
                return Fail(AssemblyIssue::MixedOrientation,
                            "slice " + SliceName(s) + " has ImageOrientationPatient " +
                                OrientationText(s.image_orientation) + " but slice " + SliceName(ref) + " has " +
                                OrientationText(ref.image_orientation));
        }
        if (s.rows != ref.rows || s.columns != ref.columns)
            return Fail(AssemblyIssue::MixedSize, "slice " + SliceName(s) + " is " + std::to_string(s.rows) + "x" +
                                                      std::to_string(s.columns) + " but slice " + SliceName(ref) +
                                                      " is " + std::to_string(ref.rows) + "x" +
                                                      std::to_string(ref.columns) + " (rows x columns)");
        for (std::size_t i = 0; i < 2; ++i) {
            if (std::abs(s.pixel_spacing[i] - ref.pixel_spacing[i]) > options.spacing_tolerance_mm)
                return Fail(AssemblyIssue::MixedPixelSpacing,
                            "slice " + SliceName(s) + " has PixelSpacing " + Num(s.pixel_spacing[0]) + "\\" +
                                Num(s.pixel_spacing[1]) + " but slice " + SliceName(ref) + " has " +
                                Num(ref.pixel_spacing[0]) + "\\" + Num(ref.pixel_spacing[1]));
        }
        if (!(std::abs(s.gantry_tilt_deg) <= options.tilt_tolerance_deg))
            return Fail(AssemblyIssue::GantryTilt, "slice " + SliceName(s) + " has GantryDetectorTilt " +
                                                       Num(s.gantry_tilt_deg) +
                                                       " degrees; tilted acquisitions are not supported");
    }
    return {};
}

/// Stored values to HU for a slice that carries its pixels.
void ToHu(const CtSlice& s, std::span<std::int16_t> out) {
    const std::int32_t* pixels = s.pixels.data();
    StoredToHu([pixels](std::size_t p) { return pixels[p]; }, s.rescale_slope, s.rescale_intercept,
               s.pixel_padding_value, out);
}

/// The slices' own pixels as a source (the in-memory overload).
class InMemoryPixelSource final : public SlicePixelSource {
public:
    explicit InMemoryPixelSource(const std::vector<CtSlice>& slices) : slices_(slices) {}
    bool ReadHu(std::size_t index, std::span<std::int16_t> out, std::string& error) override {
        const CtSlice& s = slices_[index];
        if (s.pixels.size() != out.size()) {
            error = "slice " + SliceName(s) + " has " + std::to_string(s.pixels.size()) + " pixels for " +
                    std::to_string(s.rows) + "x" + std::to_string(s.columns);
            return false;
        }
        ToHu(s, out);
        return true;
    }

private:
    const std::vector<CtSlice>& slices_;
};

/// Reads the HU of `sorted[i]` into `out(i)` for every i in parallel; on failure, the reason
/// for the first failing slice in `sorted` order (deterministic whatever the thread timing).
template <typename Destination>
std::string ReadAll(const std::vector<const CtSlice*>& sorted, const CtSlice* base, SlicePixelSource& source,
                    Destination&& out) {
    std::vector<std::string> errors(sorted.size());
    std::vector<char> failed(sorted.size(), 0);
    std::atomic<bool> stop{false};
    ParallelFor(sorted.size(), 0, [&](std::size_t i) {
        if (stop.load(std::memory_order_relaxed))
            return;
        if (!source.ReadHu(static_cast<std::size_t>(sorted[i] - base), out(i), errors[i])) {
            failed[i] = 1;
            stop = true;
        }
    });
    for (std::size_t i = 0; i < sorted.size(); ++i)
        if (failed[i] != 0)
            return "cannot read the pixels of slice " + SliceName(*sorted[i]) +
                   (errors[i].empty() ? std::string{} : ": " + errors[i]);
    return {};
}

double Median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

} // namespace

std::string_view AssemblyIssueName(AssemblyIssue issue) {
    switch (issue) {
    case AssemblyIssue::Ok: return "ok";
    case AssemblyIssue::Empty: return "empty";
    case AssemblyIssue::NotCt: return "not_ct";
    case AssemblyIssue::MixedSeries: return "mixed_series";
    case AssemblyIssue::MixedFrameOfReference: return "mixed_frame_of_reference";
    case AssemblyIssue::MixedOrientation: return "mixed_orientation";
    case AssemblyIssue::MixedSize: return "mixed_size";
    case AssemblyIssue::MixedPixelSpacing: return "mixed_pixel_spacing";
    case AssemblyIssue::Localizer: return "localizer";
    case AssemblyIssue::DuplicatePosition: return "duplicate_position";
    case AssemblyIssue::MissingSlice: return "missing_slice";
    case AssemblyIssue::GantryTilt: return "gantry_tilt";
    case AssemblyIssue::NonUniformSpacing: return "non_uniform_spacing";
    case AssemblyIssue::BadGeometry: return "bad_geometry";
    case AssemblyIssue::UnreadablePixels: return "unreadable_pixels";
    }
    return "unknown";
}

namespace {

/// Non-uniform but complete spacing: slices at z.front() + k * step, copied where a source slice
/// lies within tolerance, otherwise linearly interpolated between the two enclosing source slices.
std::string Resample(const std::vector<const CtSlice*>& sorted, const CtSlice* base, SlicePixelSource& pixels,
                     const std::vector<double>& z, double step, const AssemblyOptions& options, AssembledVolume& out) {
    const std::size_t slice_voxels = out.volume.Geometry().SliceVoxelCount();
    std::vector<std::vector<std::int16_t>> hu(sorted.size(), std::vector<std::int16_t>(slice_voxels));
    const auto slice_of = [&](std::size_t i) { return std::span<std::int16_t>(hu[i]); };
    if (std::string error = ReadAll(sorted, base, pixels, slice_of); !error.empty())
        return error;
    std::size_t segment = 0;
    for (std::size_t k = 0; k < out.volume.Geometry().size[2]; ++k) {
        const double target = z.front() + static_cast<double>(k) * step;
        while (segment + 2 < z.size() && z[segment + 1] < target)
            ++segment;
        std::span<std::int16_t> dest = out.volume.Slice(k);
        std::optional<std::size_t> source;
        if (std::abs(target - z[segment]) <= options.spacing_tolerance_mm)
            source = segment;
        else if (std::abs(z[segment + 1] - target) <= options.spacing_tolerance_mm)
            source = segment + 1;
        if (source) {
            std::copy(hu[*source].begin(), hu[*source].end(), dest.begin());
            out.slice_sop_uids.push_back(sorted[*source]->sop_instance_uid);
            continue;
        }
        const double w = (target - z[segment]) / (z[segment + 1] - z[segment]);
        const auto& a = hu[segment];
        const auto& b = hu[segment + 1];
        for (std::size_t p = 0; p < dest.size(); ++p)
            dest[p] = static_cast<std::int16_t>(std::lround((1.0 - w) * a[p] + w * b[p]));
        out.slice_sop_uids.emplace_back();
    }
    return {};
}

/// The same instance (and frame) twice: same position and same HU, read from the source.
bool SameContent(const CtSlice* a, const CtSlice* b, const CtSlice* base, SlicePixelSource& source,
                 std::string& error) {
    if (a->image_position != b->image_position || a->rows != b->rows || a->columns != b->columns)
        return false;
    std::vector<std::int16_t> hu_a(a->rows * a->columns);
    std::vector<std::int16_t> hu_b(hu_a.size());
    std::string error_a;
    std::string error_b;
    if (!source.ReadHu(static_cast<std::size_t>(a - base), hu_a, error_a) ||
        !source.ReadHu(static_cast<std::size_t>(b - base), hu_b, error_b)) {
        error = "cannot read the pixels of slice " + SliceName(*a) + " to compare its copies: " + error_a + error_b;
        return false;
    }
    return hu_a == hu_b;
}

AssemblyResult Assemble(const std::vector<CtSlice>& slices, SlicePixelSource& source, bool pixels_in_headers,
                        const AssemblyOptions& options) {
    if (slices.empty())
        return Fail(AssemblyIssue::Empty, "no slices");
    std::vector<std::string> notes;

    // The same instance (and frame) received twice is one slice; different content under one UID is not.
    const CtSlice* base = slices.data();
    std::vector<const CtSlice*> unique;
    std::map<std::pair<std::string, std::size_t>, std::size_t> seen;
    std::size_t dropped = 0;
    for (const CtSlice& s : slices) {
        const auto [it, inserted] = seen.emplace(std::pair{s.sop_instance_uid, s.frame_index}, unique.size());
        if (inserted) {
            unique.push_back(&s);
            continue;
        }
        std::string error;
        if (!SameContent(unique[it->second], &s, base, source, error)) {
            if (!error.empty())
                return Fail(pixels_in_headers ? AssemblyIssue::BadGeometry : AssemblyIssue::UnreadablePixels, error);
            return Fail(AssemblyIssue::BadGeometry, "slice " + SliceName(s) +
                                                        " was given twice with different position or pixels");
        }
        ++dropped;
    }
    if (dropped > 0)
        notes.push_back(std::to_string(dropped) + " repeated copies of the same SOP instance ignored");

    for (const CtSlice* s : unique) {
        if (s->modality != "CT")
            return Fail(AssemblyIssue::NotCt,
                        "slice " + SliceName(*s) + " has Modality '" + s->modality + "', not CT");
    }

    // One volume is one series in one coordinate system; empty UIDs (unknown) are not compared.
    const CtSlice* with_series = nullptr;
    const CtSlice* with_frame = nullptr;
    for (const CtSlice* s : unique) {
        if (!s->series_instance_uid.empty()) {
            if (with_series == nullptr)
                with_series = s;
            else if (s->series_instance_uid != with_series->series_instance_uid)
                return Fail(AssemblyIssue::MixedSeries, "slices " + SliceName(*with_series) + " and " + SliceName(*s) +
                                                            " belong to different series (" +
                                                            with_series->series_instance_uid + ", " +
                                                            s->series_instance_uid + ")");
        }
        if (!s->frame_of_reference_uid.empty()) {
            if (with_frame == nullptr)
                with_frame = s;
            else if (s->frame_of_reference_uid != with_frame->frame_of_reference_uid)
                return Fail(AssemblyIssue::MixedFrameOfReference,
                            "slices " + SliceName(*with_frame) + " and " + SliceName(*s) +
                                " have different frames of reference (" + with_frame->frame_of_reference_uid + ", " +
                                s->frame_of_reference_uid + ")");
        }
    }

    std::vector<const CtSlice*> kept;
    std::string localizers;
    for (const CtSlice* s : unique) {
        if (IsLocalizer(*s))
            localizers += (localizers.empty() ? "" : ", ") + SliceName(*s);
        else
            kept.push_back(s);
    }
    if (kept.empty())
        return Fail(AssemblyIssue::Localizer, "only localizer images (ImageType LOCALIZER): " + localizers);
    if (!localizers.empty())
        notes.push_back("localizer images excluded: " + localizers);

    if (AssemblyResult check = CheckConsistency(kept, pixels_in_headers, options); !check.IsOk())
        return check;

    const auto& o = kept.front()->image_orientation;
    const Vec3 row = Normalized({o[0], o[1], o[2]});
    const Vec3 col = Normalized({o[3], o[4], o[5]});
    const Vec3 normal = Normalized(Cross(row, col));

    // Order along the normal, never by InstanceNumber (UID breaks ties deterministically).
    std::vector<double> proj(kept.size());
    for (std::size_t k = 0; k < kept.size(); ++k)
        proj[k] = Dot(kept[k]->image_position, normal);
    std::vector<std::size_t> order(kept.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return proj[a] != proj[b] ? proj[a] < proj[b] : SliceName(*kept[a]) < SliceName(*kept[b]);
    });
    std::vector<const CtSlice*> sorted;
    std::vector<double> z;
    for (std::size_t index : order) {
        sorted.push_back(kept[index]);
        z.push_back(proj[index]);
    }

    for (std::size_t k = 0; k + 1 < sorted.size(); ++k) {
        if (z[k + 1] - z[k] <= options.spacing_tolerance_mm)
            return Fail(AssemblyIssue::DuplicatePosition,
                        "slices " + SliceName(*sorted[k]) + " at " + PointText(sorted[k]->image_position) + " and " +
                            SliceName(*sorted[k + 1]) + " at " + PointText(sorted[k + 1]->image_position) +
                            " occupy the same position along the normal (" + Num(z[k]) + " mm)");
    }
    // Positions must advance along the normal; an in-plane drift is a tilted (sheared) acquisition.
    for (std::size_t k = 1; k < sorted.size(); ++k) {
        const Vec3 offset = Sub(sorted[k]->image_position, sorted[0]->image_position);
        const double along = Dot(offset, normal);
        const Vec3 in_plane = Sub(offset, {along * normal[0], along * normal[1], along * normal[2]});
        const double drift = Length(in_plane);
        const double angle_deg = std::atan2(drift, std::abs(along)) * 180.0 / kPi;
        if (drift > kDriftFloorMm && angle_deg > options.tilt_tolerance_deg)
            return Fail(AssemblyIssue::GantryTilt,
                        "slice " + SliceName(*sorted[k]) + " at " + PointText(sorted[k]->image_position) +
                            " is not on the normal through slice " + SliceName(*sorted[0]) + " at " +
                            PointText(sorted[0]->image_position) + " (tilt " + Num(angle_deg) +
                            " degrees); tilted acquisitions are not supported");
    }
    if (sorted.size() < 2)
        return Fail(AssemblyIssue::BadGeometry,
                    "a single slice (" + SliceName(*sorted[0]) + ") does not define a slice spacing");

    std::vector<double> steps;
    for (std::size_t k = 0; k + 1 < z.size(); ++k)
        steps.push_back(z[k + 1] - z[k]);
    const double median = Median(steps);
    const auto [min_it, max_it] = std::minmax_element(steps.begin(), steps.end());
    for (std::size_t k = 0; k < steps.size(); ++k) {
        if (steps[k] > options.gap_factor * median)
            return Fail(AssemblyIssue::MissingSlice,
                        "gap of " + Num(steps[k]) + " mm between slice " + SliceName(*sorted[k]) + " at " +
                            PointText(sorted[k]->image_position) + " and slice " + SliceName(*sorted[k + 1]) +
                            " at " + PointText(sorted[k + 1]->image_position) + " (median step " + Num(median) +
                            " mm): about " + std::to_string(std::lround(steps[k] / median) - 1) +
                            " slice(s) missing");
    }
    const bool uniform = *max_it - *min_it <= options.spacing_tolerance_mm;
    if (!uniform && options.non_uniform == AssemblyOptions::NonUniformSpacing::Reject)
        return Fail(AssemblyIssue::NonUniformSpacing,
                    "slice steps range from " + Num(*min_it) + " to " + Num(*max_it) + " mm (tolerance " +
                        Num(options.spacing_tolerance_mm) + " mm) and resampling is disabled");

    const double extent = z.back() - z.front();
    // Uniform: the mean step (less DS rounding than any one step). Resampled: the median step,
    // adjusted so that the first and last source slices are kept exactly.
    const std::size_t count = uniform ? sorted.size() : static_cast<std::size_t>(std::lround(extent / median)) + 1;
    const double step = extent / static_cast<double>(count - 1);

    const CtSlice& first = *sorted.front();
    ImageGeometry geometry;
    geometry.size = {first.columns, first.rows, count};
    geometry.spacing = {first.pixel_spacing[1], first.pixel_spacing[0], step};
    geometry.origin = first.image_position;
    geometry.direction = {row[0], col[0], normal[0], row[1], col[1], normal[1], row[2], col[2], normal[2]};

    AssemblyResult result;
    AssembledVolume& out = result.assembled;
    out.volume = CtVolume(geometry, kUninitialized); // every slice is written below
    out.resampled = !uniform;
    out.original_min_spacing = *min_it;
    out.original_max_spacing = *max_it;
    std::string read_error;
    if (uniform) {
        read_error = ReadAll(sorted, base, source, [&](std::size_t k) { return out.volume.Slice(k); });
        for (const CtSlice* slice : sorted)
            out.slice_sop_uids.push_back(slice->sop_instance_uid);
    } else {
        read_error = Resample(sorted, base, source, z, step, options, out);
    }
    if (!read_error.empty())
        return Fail(AssemblyIssue::UnreadablePixels, read_error);
    if (!uniform)
        notes.push_back("non-uniform slice steps (" + Num(*min_it) + " to " + Num(*max_it) +
                        " mm) resampled by linear interpolation along the slice normal to " + std::to_string(count) +
                        " slices at " + Num(step) + " mm (median step " + Num(median) + " mm)");
    out.notes = std::move(notes);
    return result;
}

} // namespace

AssemblyResult AssembleCtVolume(std::vector<CtSlice> slices, const AssemblyOptions& options) {
    InMemoryPixelSource source(slices);
    return Assemble(slices, source, true, options);
}

AssemblyResult AssembleCtVolume(std::vector<CtSlice> headers, SlicePixelSource& source,
                                const AssemblyOptions& options) {
    return Assemble(headers, source, false, options);
}

} // namespace radnode::processing
