#include "reporting/regions_json.h"

#include "reporting/json_writer.h"

namespace radnode::reporting {
namespace {

using processing::regions::DerivedRegion;
using processing::regions::PeritumoralKind;
using processing::regions::PeritumoralRegion;

const char* KindName(PeritumoralKind kind) {
    switch (kind) {
    case PeritumoralKind::Ring:
        return "ring";
    case PeritumoralKind::Annulus:
        return "annulus";
    case PeritumoralKind::TumourRing:
        return "tumour_ring";
    case PeritumoralKind::Core:
        return "core";
    }
    return "unknown";
}

void FileOf(JsonWriter& w, const std::map<std::string, std::string>& files, const std::string& name) {
    if (const auto it = files.find(name); it != files.end())
        w.Key("file").String(it->second);
}

void Region(JsonWriter& w, const DerivedRegion& r, const std::map<std::string, std::string>& files) {
    w.BeginObject();
    w.Key("name").String(r.name);
    w.Key("found").Bool(r.found);
    if (!r.found)
        w.Key("reason").String(r.reason);
    w.Key("voxel_count").Unsigned(r.voxel_count);
    w.Key("volume_ml").Number(r.volume_ml);
    FileOf(w, files, r.name);
    w.EndObject();
}

void Peritumoral(JsonWriter& w, const PeritumoralRegion& r, const std::map<std::string, std::string>& files) {
    w.BeginObject();
    w.Key("name").String(r.name);
    w.Key("kind").String(KindName(r.kind));
    if (r.kind == PeritumoralKind::Core) {
        w.Key("depth_mm").Number(r.inner_mm);
    } else {
        w.Key("inner_mm").Number(r.inner_mm);
        w.Key("outer_mm").Number(r.outer_mm);
    }
    w.Key("voxel_count").Unsigned(r.voxel_count);
    w.Key("volume_ml").Number(r.volume_ml);
    w.Key("clipped_voxels").Unsigned(r.clipped_voxels);
    w.Key("clipped_fraction").Number(r.clipped_fraction);
    w.Key("outside_image_voxels").Unsigned(r.outside_image_voxels);
    w.Key("outside_image_fraction").Number(r.outside_image_fraction);
    FileOf(w, files, r.name);
    w.EndObject();
}

} // namespace

std::string RegionsJson(const processing::regions::RegionAnalysis& a, const processing::ImageGeometry& grid,
                        const std::map<std::string, std::string>& files) {
    JsonWriter w;
    WriteRegions(w, a, grid, files);
    return w.Text() + "\n";
}

std::string CacJson(const processing::cac::CalciumScore& s) {
    JsonWriter w;
    WriteCac(w, s);
    return w.Text() + "\n";
}

void WriteRegions(JsonWriter& w, const processing::regions::RegionAnalysis& a, const processing::ImageGeometry& grid,
                  const std::map<std::string, std::string>& files) {
    w.BeginObject();
    w.Key("grid").BeginObject();
    const double size[3] = {static_cast<double>(grid.size[0]), static_cast<double>(grid.size[1]),
                            static_cast<double>(grid.size[2])};
    w.Key("size").NumberArray(size, 3);
    w.Key("spacing_mm").NumberArray(grid.spacing.data(), 3);
    w.Key("origin_mm").NumberArray(grid.origin.data(), 3);
    w.EndObject();
    w.Key("regions").BeginArray();
    for (const DerivedRegion* r : {&a.thorax.body, &a.thorax.airways, &a.thorax.lung_right, &a.thorax.lung_left, &a.lungs,
                                   &a.thorax.heart, &a.thorax.aorta, &a.thorax.coronary_candidates, &a.tumour})
        Region(w, *r, files);
    w.EndArray();
    if (a.thorax.carina_slice >= 0)
        w.Key("carina_slice").Integer(a.thorax.carina_slice);
    w.Key("peritumoral").BeginObject();
    w.Key("computed").Bool(a.peritumoral_computed);
    if (!a.peritumoral_computed) {
        w.Key("reason").String(a.peritumoral_reason);
    } else {
        w.Key("distance_to").String("shape-based interpolated tumour surface (docs/segmentation.md)");
        w.Key("tumour_voxels").Unsigned(a.peritumoral.tumour_voxels);
        w.Key("regions").BeginArray();
        for (const PeritumoralRegion& r : a.peritumoral.regions)
            Peritumoral(w, r, files);
        w.EndArray();
    }
    w.EndObject();
    w.Key("notes").BeginArray();
    for (const std::string& note : a.thorax.notes)
        w.String(note);
    for (const std::string& note : a.notes)
        w.String(note);
    w.EndArray();
    w.EndObject();
}

void WriteCac(JsonWriter& w, const processing::cac::CalciumScore& s) {
    w.BeginObject();
    w.Key("computed").Bool(s.computed);
    if (!s.computed) {
        w.Key("reason").String(s.reason);
        w.EndObject();
        return;
    }
    w.Key("agatston").Number(s.agatston_scaled);
    w.Key("agatston_raw").Number(s.agatston_raw);
    w.Key("slice_increment_mm").Number(s.slice_increment_mm);
    w.Key("reference_slice_increment_mm").Number(s.reference_slice_increment_mm);
    w.Key("scaling").String(s.scaling);
    w.Key("volume_mm3").Number(s.volume_mm3);
    w.Key("mass_mg").Number(s.mass_mg);
    w.Key("mass_calibration_mg_per_mm3_per_hu").Number(s.mass_calibration_mg_per_mm3_per_hu);
    w.Key("risk_category").String(s.risk_category);
    w.Key("threshold_hu").Number(s.threshold_hu);
    w.Key("threshold_reason").String(s.threshold_reason);
    if (s.kvp)
        w.Key("kvp").Number(*s.kvp);
    else
        w.Key("kvp").Null();
    w.Key("lesion_count").Unsigned(s.lesion_count);
    w.Key("lesion_count_3d").Unsigned(s.lesion_count_3d);
    w.Key("candidate_voxels").Unsigned(s.candidate_voxels);
    w.Key("lesions").BeginArray();
    for (const processing::cac::CacLesion& l : s.lesions) {
        w.BeginObject();
        w.Key("slice").Unsigned(l.slice_index);
        w.Key("z_mm").Number(l.z_mm);
        w.Key("centroid_mm").NumberArray(l.centroid_mm.data(), 3);
        w.Key("area_mm2").Number(l.area_mm2);
        w.Key("pixels").Unsigned(l.pixel_count);
        w.Key("peak_hu").Integer(l.peak_hu);
        w.Key("scored").Bool(l.scored);
        if (l.scored) {
            w.Key("weight").Integer(l.weight);
            w.Key("agatston").Number(l.agatston);
            w.Key("volume_mm3").Number(l.volume_mm3);
            w.Key("mass_mg").Number(l.mass_mg);
            w.Key("lesion_3d").Integer(l.lesion_3d);
        } else {
            w.Key("excluded_because").String(l.exclusion_reason);
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
}

} // namespace radnode::reporting
