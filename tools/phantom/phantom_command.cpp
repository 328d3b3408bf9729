#include "tools/phantom/phantom_command.h"

#include "processing/phantom/thorax_phantom.h"
#include "reporting/seg_writer.h"
#include "tools/phantom/ct_series_writer.h"
#include "tools/phantom/phantom_study.h"
#include "tools/phantom/rtstruct_writer.h"
#include "tools/phantom/truth_json.h"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace radnode::tools {
namespace {

namespace fs = std::filesystem;
using processing::phantom::PhantomOptions;

struct PhantomCommandOptions {
    fs::path out;
    PhantomOptions phantom;
    bool unsigned_storage = false;
};

/// Removes .dcm files a previous run left in ct/, so a smaller slab leaves no stale slices.
void PrepareDirectories(const fs::path& out) {
    const fs::path ct = out / "ct";
    fs::create_directories(ct);
    for (const fs::directory_entry& entry : fs::directory_iterator(ct)) {
        if (entry.is_regular_file() && entry.path().extension() == ".dcm") {
            fs::remove(entry.path());
        }
    }
}

void WriteSeg(const fs::path& file, const processing::phantom::ThoraxPhantom& phantom, const PhantomStudy& study) {
    reporting::SegSegment tumour;
    tumour.label = "GTV-1";
    tumour.description = "Tumor";
    tumour.category = {"49755003", "SCT", "Morphologically Altered Structure"};
    tumour.type = {"108369006", "SCT", "Neoplasm"};
    tumour.algorithm_type = reporting::SegAlgorithmType::Automatic;
    tumour.algorithm_name = "radnode thorax phantom";
    tumour.display_rgb = {255, 64, 64};
    tumour.mask = &phantom.tumour_mask;
    tumour.mask_value = 1;

    reporting::SegInstance instance;
    instance.series_instance_uid = study.seg_series_instance_uid;
    instance.sop_instance_uid = study.seg_sop_instance_uid;
    instance.dimension_organization_uid = study.seg_dimension_organization_uid;
    instance.series_number = "300";
    instance.series_description = "THORAX PHANTOM TUMOR SEG";
    instance.content_label = "TUMOR";
    instance.content_description = "Phantom lung tumour, voxel centre inside sphere";
    instance.content_creator_name = "RADNODE^PHANTOM";
    instance.content_date = study.study_date;
    instance.content_time = study.study_time;
    instance.manufacturer = study.manufacturer;
    instance.manufacturer_model_name = study.model_name;
    instance.device_serial_number = study.device_serial_number;
    instance.software_versions = study.software_version;

    const reporting::SegWriteResult result =
        reporting::WriteBinarySegmentation(file, DescribeCtSeries(phantom.ct.Geometry(), study), {tumour}, instance);
    if (!result.Ok()) {
        throw std::runtime_error("cannot write " + file.string() + ": " + result.error);
    }
}

void RunPhantom(const PhantomCommandOptions& options) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    if ((options.phantom.rows * options.phantom.columns) % 8 != 0) {
        throw std::invalid_argument("rows x columns must be a multiple of 8 (DICOM SEG frame packing)");
    }
    const processing::phantom::ThoraxPhantom phantom = processing::phantom::GenerateThoraxPhantom(options.phantom);
    const auto generated = Clock::now();

    PrepareDirectories(options.out);
    const PhantomStudy study = MakePhantomStudy(options.phantom.seed, options.phantom.slices);
    WriteCtSeries(options.out / "ct", phantom.ct, study, {options.unsigned_storage, options.phantom.threads});
    WriteRtStruct(options.out / "rtstruct.dcm", study, phantom.ct.Geometry(), phantom.tumour_contours);
    WriteSeg(options.out / "seg.dcm", phantom, study);
    WriteTruthJson(options.out / "truth.json", phantom.truth, options.phantom, study, options.unsigned_storage);
    const auto written = Clock::now();

    const auto ms = [](auto duration) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
    };
    std::cout << fmt::format("phantom: {} CT slices ({}x{}), rtstruct.dcm, seg.dcm, truth.json in {}; "
                             "generated in {} ms, written in {} ms\n",
                             options.phantom.slices, options.phantom.columns, options.phantom.rows,
                             options.out.string(), ms(generated - start), ms(written - generated));
}

} // namespace

void AddPhantomCommand(CLI::App& app) {
    auto options = std::make_shared<PhantomCommandOptions>();
    CLI::App* command = app.add_subcommand(
        "phantom", "Write the synthetic thoracic CT phantom: ct/ series, rtstruct.dcm, seg.dcm and truth.json");
    PhantomOptions& p = options->phantom;
    command->add_option("--out", options->out, "Output directory (created if missing)")->required();
    command->add_option("--seed", p.seed, "Seed for noise, texture, UIDs and PatientID")->capture_default_str();
    command->add_option("--slices", p.slices, "Number of contiguous axial slices, centred on --slab-centre-z")
        ->capture_default_str();
    command
        ->add_option("--slab-centre-z,--slab-center-z", p.slab_centre_z_mm,
                     "z of the slab centre (mm); slice centres are symmetric about it")
        ->capture_default_str();
    command->add_option("--rows", p.rows, "Image rows")->capture_default_str();
    command->add_option("--columns", p.columns, "Image columns")->capture_default_str();
    command->add_option("--pixel-spacing", p.pixel_spacing_mm, "In-plane pixel spacing (mm)")->capture_default_str();
    command->add_option("--slice-thickness", p.slice_thickness_mm, "Slice thickness = slice increment (mm)")
        ->capture_default_str();
    command->add_option("--tumour-radius,--tumor-radius", p.tumour_radius_mm, "Lung tumour radius (mm, 1-30)")
        ->capture_default_str();
    command->add_option("--tumour-centre,--tumor-center", p.tumour_centre_mm, "Tumour centre X,Y,Z (patient mm, LPS)")
        ->delimiter(',')
        ->capture_default_str();
    command->add_flag_callback(
        "--juxtapleural", [options] { options->phantom.tumour_in_lung = false; },
        "Allow the tumour to touch or enter the chest wall: skip the check that the tumour plus 3 mm lies in the "
        "right lung (e.g. with --tumour-centre -128,-5,40)");
    command->add_option("--noise", p.noise_hu, "Noise standard deviation (HU, 0 = none)")->capture_default_str();
    command->add_option("--threads", p.threads, "Worker threads (0 = all cores)")->capture_default_str();
    command->add_flag("--unsigned", options->unsigned_storage,
                      "Store unsigned 12-bit pixels with RescaleIntercept -1024 instead of signed 16-bit HU");
    command->callback([options] {
        try {
            RunPhantom(*options);
        } catch (const std::exception& e) {
            std::cerr << "radnode phantom: " << e.what() << '\n';
            throw CLI::RuntimeError(1);
        }
    });
}

} // namespace radnode::tools
