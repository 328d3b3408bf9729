#include "tools/phantom/truth_json.h"

#include "reporting/json_writer.h"

#include <fstream>
#include <stdexcept>

namespace radnode::tools {
namespace {

using namespace processing::phantom;

void Point(reporting::JsonWriter& json, std::string_view key, const processing::Point3& p) {
    json.Key(key).NumberArray(p.data(), p.size());
}

void WriteGeometry(reporting::JsonWriter& json, const processing::ImageGeometry& g) {
    json.Key("geometry").BeginObject();
    const double size[3] = {static_cast<double>(g.size[0]), static_cast<double>(g.size[1]),
                            static_cast<double>(g.size[2])};
    json.Key("size").NumberArray(size, 3);
    json.Key("spacing_mm").NumberArray(g.spacing.data(), 3);
    Point(json, "origin_mm", g.origin);
    json.Key("direction").NumberArray(g.direction.data(), 9);
    json.Key("slice_increment_mm").Number(g.spacing[2]);
    json.Key("z_first_mm").Number(g.origin[2]);
    json.Key("z_last_mm").Number(g.IndexToPhysical(0.0, 0.0, static_cast<double>(g.size[2] - 1))[2]);
    json.Key("voxel_volume_mm3").Number(g.VoxelVolume());
    json.Key("pixel_area_mm2").Number(g.PixelArea());
    json.EndObject();
}

void WriteConventions(reporting::JsonWriter& json) {
    json.Key("conventions").BeginObject();
    json.Key("coordinates").String("DICOM patient coordinates (LPS: +x left, +y posterior, +z superior), mm");
    json.Key("slice_index").String("k in the volume, z ascending: z = origin_mm[2] + k * spacing_mm[2]");
    json.Key("instance_number").String("size[2] - slice_index (1 = most superior slice)");
    json.Key("ct_file").String("ct/CT<instance_number, 4 digits>.dcm");
    json.Key("voxelisation").String("a voxel belongs to a shape when its centre lies inside it (no partial volume)");
    json.Key("hu_ceiling").String("non-bone, non-calcium voxels are capped at 120 HU after noise");
    json.Key("lung_volume").String("lung parenchyma + lung vessels; excludes airways and the tumour");
    json.Key("lung_volume_with_tumour")
        .String("lung volume + the tumour voxels that replaced this lung's parenchyma or vessels");
    json.Key("tumour_painting")
        .String("the tumour sphere is painted over whatever it covers; replaced_tissues counts "
                "its voxels by the label they replaced");
    json.EndObject();
}

void WriteDicom(reporting::JsonWriter& json, const PhantomStudy& study, bool unsigned_storage) {
    json.Key("dicom").BeginObject();
    json.Key("patient_name").String(study.patient_name);
    json.Key("patient_id").String(study.patient_id);
    json.Key("accession_number").String(study.accession_number);
    json.Key("study_instance_uid").String(study.study_instance_uid);
    json.Key("frame_of_reference_uid").String(study.frame_of_reference_uid);
    json.Key("ct_series_instance_uid").String(study.ct_series_instance_uid);
    json.Key("rtstruct_series_instance_uid").String(study.rtstruct_series_instance_uid);
    json.Key("rtstruct_sop_instance_uid").String(study.rtstruct_sop_instance_uid);
    json.Key("seg_series_instance_uid").String(study.seg_series_instance_uid);
    json.Key("seg_sop_instance_uid").String(study.seg_sop_instance_uid);
    json.Key("pixel_representation").Integer(unsigned_storage ? 0 : 1);
    json.Key("bits_stored").Integer(unsigned_storage ? 12 : 16);
    json.Key("rescale_intercept").Integer(unsigned_storage ? -1024 : 0);
    json.Key("rescale_slope").Integer(1);
    json.EndObject();
}

void WriteTissues(reporting::JsonWriter& json, const PhantomTruth& truth) {
    json.Key("tissues").BeginArray();
    for (const TissueCount& tissue : truth.tissues) {
        json.BeginObject();
        json.Key("label").Integer(static_cast<int>(tissue.tissue));
        json.Key("name").String(TissueName(tissue.tissue));
        json.Key("nominal_hu").Integer(TissueHu(tissue.tissue));
        json.Key("voxel_count").Unsigned(tissue.voxel_count);
        json.Key("volume_ml").Number(tissue.volume_ml);
        json.EndObject();
    }
    json.EndArray();
}

void WriteAnatomy(reporting::JsonWriter& json, const PhantomTruth& truth) {
    const TumourTruth& t = truth.tumour;
    json.Key("tumour").BeginObject();
    json.Key("lung").String("right");
    Point(json, "centre_mm", t.centre_mm);
    json.Key("radius_mm").Number(t.radius_mm);
    json.Key("analytic_volume_mm3").Number(t.analytic_volume_mm3);
    json.Key("voxel_count").Unsigned(t.voxel_count);
    json.Key("voxelised_volume_mm3").Number(t.voxelised_volume_mm3);
    json.Key("first_slice").Unsigned(t.first_slice);
    json.Key("last_slice").Unsigned(t.last_slice);
    json.Key("mean_hu").Number(t.mean_hu);
    json.Key("min_hu").Integer(t.min_hu);
    json.Key("max_hu").Integer(t.max_hu);
    json.Key("fully_in_lung").Bool(t.fully_in_lung);
    json.Key("margin_in_lung").Bool(t.margin_in_lung);
    json.Key("voxels_replacing_right_lung").Unsigned(t.voxels_replacing_right_lung);
    json.Key("voxels_replacing_other_tissue").Unsigned(t.voxels_replacing_other_tissue);
    json.Key("replaced_tissues").BeginArray();
    for (std::size_t label = 0; label < kTissueCount; ++label) {
        if (t.replaced_voxels[label] == 0) {
            continue;
        }
        json.BeginObject();
        json.Key("label").Integer(static_cast<int>(label));
        json.Key("name").String(TissueName(static_cast<Tissue>(label)));
        json.Key("voxel_count").Unsigned(t.replaced_voxels[label]);
        json.EndObject();
    }
    json.EndArray();
    json.EndObject();

    json.Key("lungs").BeginObject();
    const std::pair<const char*, const LungTruth*> lungs[2] = {{"right", &truth.right_lung},
                                                               {"left", &truth.left_lung}};
    for (const auto& [name, lung] : lungs) {
        json.Key(name).BeginObject();
        json.Key("voxel_count").Unsigned(lung->voxel_count);
        json.Key("volume_ml").Number(lung->volume_ml);
        json.Key("volume_with_tumour_ml").Number(lung->volume_with_tumour_ml);
        json.EndObject();
    }
    json.EndObject();

    json.Key("heart").BeginObject();
    Point(json, "centre_mm", truth.heart_centre_mm);
    Point(json, "myocardium_semi_axes_mm", truth.myocardium_semi_axes_mm);
    Point(json, "epicardial_fat_semi_axes_mm", truth.epicardial_fat_semi_axes_mm);
    json.Key("volume_ml").Number(truth.heart_volume_ml);
    json.EndObject();

    json.Key("coronary_arteries").BeginArray();
    for (const ArteryTruth& artery : truth.coronary_arteries) {
        json.BeginObject();
        json.Key("name").String(artery.name);
        json.Key("radius_mm").Number(artery.radius_mm);
        json.Key("centreline_mm").BeginArray();
        for (const processing::Point3& p : artery.centreline_mm) {
            json.NumberArray(p.data(), p.size());
        }
        json.EndArray();
        json.EndObject();
    }
    json.EndArray();
}

void WriteCalcification(reporting::JsonWriter& json, const CalcificationTruth& c) {
    json.BeginObject();
    json.Key("id").String(c.id);
    json.Key("kind").String(CalcificationKindName(c.kind));
    json.Key("coronary").Bool(c.kind == CalcificationKind::Coronary);
    json.Key("location").String(c.location);
    json.Key("peak_hu").Integer(c.peak_hu);
    Point(json, "centroid_mm", c.centroid_mm);
    const double lo[3] = {static_cast<double>(c.index_min[0]), static_cast<double>(c.index_min[1]),
                          static_cast<double>(c.index_min[2])};
    const double hi[3] = {static_cast<double>(c.index_max[0]), static_cast<double>(c.index_max[1]),
                          static_cast<double>(c.index_max[2])};
    json.Key("index_min").NumberArray(lo, 3);
    json.Key("index_max").NumberArray(hi, 3);
    json.Key("voxel_count").Unsigned(c.voxel_count);
    json.Key("volume_mm3").Number(c.volume_mm3);
    json.Key("slices").BeginArray();
    for (const LesionSliceTruth& s : c.slices) {
        json.BeginObject();
        json.Key("slice_index").Unsigned(s.slice_index);
        json.Key("z_mm").Number(s.z_mm);
        json.Key("pixel_count").Unsigned(s.pixel_count);
        json.Key("pixels_at_or_above_threshold").Unsigned(s.pixels_at_or_above_threshold);
        json.Key("area_mm2").Number(s.area_mm2);
        json.Key("peak_hu").Integer(s.peak_hu);
        json.Key("agatston_weight").Integer(s.agatston_weight);
        json.Key("agatston").Number(s.agatston);
        json.Key("scored").Bool(s.scored);
        json.EndObject();
    }
    json.EndArray();
    json.Key("scored").Bool(c.scored);
    json.Key("exclusion_reason").String(c.exclusion_reason);
    json.Key("agatston").Number(c.agatston);
    json.Key("volume_score_mm3").Number(c.volume_score_mm3);
    json.Key("mass_mg").Number(c.mass_mg);
    json.EndObject();
}

void WriteCalcium(reporting::JsonWriter& json, const PhantomTruth& truth) {
    json.Key("calcifications").BeginArray();
    for (const CalcificationTruth& c : truth.calcifications) {
        WriteCalcification(json, c);
    }
    json.EndArray();
    json.Key("omitted_calcifications").BeginArray();
    for (const std::string& id : truth.omitted_calcifications) {
        json.String(id);
    }
    json.EndArray();

    // Dense (>= 130 HU) structures a CAC scorer must not count.
    json.Key("non_coronary_dense_structures").BeginArray();
    const std::pair<const char*, Tissue> dense[] = {{"vertebrae", Tissue::CorticalBone},
                                                    {"vertebrae", Tissue::CancellousBone},
                                                    {"ribs", Tissue::Rib},
                                                    {"sternum", Tissue::Sternum},
                                                    {"aortic wall calcification", Tissue::AorticCalcium}};
    for (const auto& [name, tissue] : dense) {
        json.BeginObject();
        json.Key("name").String(name);
        json.Key("kind").String(tissue == Tissue::AorticCalcium ? "aortic" : "bone");
        json.Key("coronary").Bool(false);
        json.Key("tissue").String(TissueName(tissue));
        json.Key("label").Integer(static_cast<int>(tissue));
        if (tissue != Tissue::AorticCalcium) {
            json.Key("nominal_hu").Integer(TissueHu(tissue));
        }
        json.EndObject();
    }
    json.EndArray();

    const CalciumScoreTruth& cac = truth.cac;
    json.Key("cac").BeginObject();
    json.Key("lesions").String("coronary calcifications only");
    json.Key("threshold_hu").Number(cac.threshold_hu);
    json.Key("min_lesion_area_mm2").Number(cac.min_area_mm2);
    json.Key("connectivity").String("8-connected components per slice");
    json.Key("weights").String(
        "peak HU of the lesion on the slice: 130-199 -> 1, 200-299 -> 2, 300-399 -> 3, >=400 -> 4");
    json.Key("slice_increment_mm").Number(cac.slice_increment_mm);
    json.Key("agatston_raw").Number(cac.agatston_raw);
    json.Key("agatston_scale_factor").Number(cac.slice_increment_mm / 3.0);
    json.Key("agatston_scaled_to_3mm").Number(cac.agatston_scaled);
    json.Key("agatston_convention")
        .String("raw = sum over slices and lesions of area_mm2 x weight; scaled = raw x slice_increment_mm / 3");
    json.Key("volume_mm3").Number(cac.volume_mm3);
    json.Key("mass_mg").Number(cac.mass_mg);
    json.Key("mass_calibration_mg_per_mm3_per_hu").Number(cac.mass_calibration_mg_per_mm3_per_hu);
    json.Key("mass_calibration_mg_per_ml_per_hu").Number(cac.mass_calibration_mg_per_mm3_per_hu * 1000.0);
    json.Key("mass_convention").String("sum over scored voxels >= threshold of HU x voxel_volume_mm3 x calibration");
    json.Key("risk_category").String(cac.risk_category);
    json.Key("risk_category_basis").String("agatston_scaled_to_3mm: 0 | (0,10] | (10,100] | (100,400] | >400");
    json.Key("lesions_scored").Unsigned(cac.lesions_scored);
    json.EndObject();
}

} // namespace

std::string TruthToJson(const PhantomTruth& truth, const PhantomOptions& options, const PhantomStudy& study,
                        bool unsigned_storage) {
    reporting::JsonWriter json;
    json.BeginObject();
    json.Key("schema").String("radnode.phantom.truth/1");
    json.Key("generator").String("radnode phantom " + study.software_version);
    json.Key("seed").Unsigned(truth.seed);
    json.Key("options").BeginObject();
    json.Key("columns").Unsigned(options.columns);
    json.Key("rows").Unsigned(options.rows);
    json.Key("slices").Unsigned(options.slices);
    json.Key("pixel_spacing_mm").Number(options.pixel_spacing_mm);
    json.Key("slice_thickness_mm").Number(options.slice_thickness_mm);
    json.Key("slab_centre_z_mm").Number(options.slab_centre_z_mm);
    json.Key("tumour_radius_mm").Number(options.tumour_radius_mm);
    Point(json, "tumour_centre_mm", options.tumour_centre_mm);
    json.Key("tumour_in_lung").Bool(options.tumour_in_lung);
    json.Key("noise_hu").Number(options.noise_hu);
    json.Key("unsigned_storage").Bool(unsigned_storage);
    json.EndObject();
    WriteConventions(json);
    WriteGeometry(json, truth.geometry);
    WriteDicom(json, study, unsigned_storage);
    WriteTissues(json, truth);
    WriteAnatomy(json, truth);
    WriteCalcium(json, truth);
    json.EndObject();
    return json.Text() + "\n";
}

void WriteTruthJson(const std::filesystem::path& file, const PhantomTruth& truth, const PhantomOptions& options,
                    const PhantomStudy& study, bool unsigned_storage) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << TruthToJson(truth, options, study, unsigned_storage);
    if (!out.good()) {
        throw std::runtime_error("cannot write " + file.string());
    }
}

} // namespace radnode::tools
