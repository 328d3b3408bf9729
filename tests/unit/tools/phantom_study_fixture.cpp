#include "phantom_study_fixture.h"

#include "tests/unit/temp_dir.h"
#include "tools/phantom/phantom_command.h"

#include <algorithm>
#include <cstdlib>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <stdexcept>
#include <string>

namespace radnode::tools::test {
namespace {

namespace fs = std::filesystem;

using ::radnode::test::TempDir;

/// Runs `radnode phantom` in-process with the test geometry.
void RunTestStudyCommand(const fs::path& out, bool unsigned_storage) {
    std::vector<std::string> args = {"--seed",
                                     std::to_string(kSeed),
                                     "--columns",
                                     std::to_string(kColumns),
                                     "--rows",
                                     std::to_string(kRows),
                                     "--pixel-spacing",
                                     "3",
                                     "--slices",
                                     std::to_string(kSlices),
                                     "--slice-thickness",
                                     "4",
                                     "--tumour-radius",
                                     "14",
                                     "--threads",
                                     "2"};
    if (unsigned_storage) {
        args.emplace_back("--unsigned");
    }
    RunPhantomCommand(out, args);
}

GeneratedStudy Generate(const fs::path& dir, bool unsigned_storage) {
    RunTestStudyCommand(dir, unsigned_storage);
    GeneratedStudy study;
    study.dir = dir;
    study.unsigned_storage = unsigned_storage;
    study.options.seed = kSeed;
    study.options.columns = kColumns;
    study.options.rows = kRows;
    study.options.pixel_spacing_mm = kPixelSpacingMm;
    study.options.slices = kSlices;
    study.options.slice_thickness_mm = kSliceThicknessMm;
    study.options.tumour_radius_mm = kTumourRadiusMm;
    study.options.threads = 2;
    study.phantom = processing::phantom::GenerateThoraxPhantom(study.options);
    return study;
}

} // namespace

void RunPhantomCommand(const fs::path& out, const std::vector<std::string>& args) {
    std::vector<std::string> words = {"radnode", "phantom", "--out", out.string()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(words.size());
    for (std::string& word : words) {
        argv.push_back(word.data());
    }
    CLI::App app("radnode");
    app.require_subcommand(1);
    AddPhantomCommand(app);
    app.parse(static_cast<int>(argv.size()), argv.data());
}

double CentreMm(std::size_t n, std::size_t count, double spacing) {
    return (static_cast<double>(n) - 0.5 * static_cast<double>(count - 1)) * spacing;
}

const GeneratedStudy& SignedStudy() {
    static const TempDir dir;
    static const GeneratedStudy study = Generate(dir.Path(), false);
    return study;
}

const GeneratedStudy& UnsignedStudy() {
    static const TempDir dir;
    static const GeneratedStudy study = Generate(dir.Path(), true);
    return study;
}

std::unique_ptr<DcmFileFormat> LoadDicom(const fs::path& file) {
    auto fileformat = std::make_unique<DcmFileFormat>();
    const OFCondition status = fileformat->loadFile(file.string().c_str());
    if (status.bad()) {
        throw std::runtime_error("cannot read " + file.string() + ": " + status.text());
    }
    return fileformat;
}

std::string GetString(DcmItem& item, const DcmTagKey& tag, unsigned long pos) {
    OFString value;
    if (item.findAndGetOFString(tag, value, pos).bad()) {
        return {};
    }
    return value.c_str();
}

double GetNumber(DcmItem& item, const DcmTagKey& tag, unsigned long pos) {
    Float64 value = 0.0;
    if (item.findAndGetFloat64(tag, value, pos).good()) {
        return value;
    }
    Uint16 us = 0;
    if (item.findAndGetUint16(tag, us, pos).good()) {
        return us;
    }
    const std::string text = GetString(item, tag, pos);
    if (text.empty()) {
        throw std::runtime_error("missing numeric value " + std::string(DcmTag(tag).getTagName()));
    }
    return std::stod(text);
}

unsigned long CountItems(DcmItem& item, const DcmTagKey& tag) {
    DcmSequenceOfItems* sequence = nullptr;
    if (item.findAndGetSequence(tag, sequence).bad() || sequence == nullptr) {
        return 0;
    }
    return sequence->card();
}

DcmItem& GetItem(DcmItem& item, const DcmTagKey& tag, unsigned long index) {
    DcmItem* child = nullptr;
    if (item.findAndGetSequenceItem(tag, child, static_cast<signed long>(index)).bad() || child == nullptr) {
        throw std::runtime_error("missing item " + std::to_string(index) + " of " + DcmTag(tag).getTagName());
    }
    return *child;
}

std::vector<CtFile> ReadCtSeries(const fs::path& dir) {
    std::vector<CtFile> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir / "ct")) {
        CtFile ct;
        ct.path = entry.path();
        ct.file = LoadDicom(entry.path());
        DcmDataset& ds = *ct.file->getDataset();
        ct.sop_instance_uid = GetString(ds, DCM_SOPInstanceUID);
        ct.z_mm = GetNumber(ds, DCM_ImagePositionPatient, 2);
        files.push_back(std::move(ct));
    }
    std::sort(files.begin(), files.end(), [](const CtFile& a, const CtFile& b) { return a.z_mm < b.z_mm; });
    return files;
}

std::map<std::string, double> CtPositionsByUid(const fs::path& dir) {
    std::map<std::string, double> positions;
    for (const CtFile& ct : ReadCtSeries(dir)) {
        positions[ct.sop_instance_uid] = ct.z_mm;
    }
    return positions;
}

std::vector<double> ModalityValues(DcmItem& dataset) {
    const bool is_signed = GetNumber(dataset, DCM_PixelRepresentation) == 1.0;
    const double slope = GetNumber(dataset, DCM_RescaleSlope);
    const double intercept = GetNumber(dataset, DCM_RescaleIntercept);
    const Uint16* pixels = nullptr;
    unsigned long count = 0;
    if (dataset.findAndGetUint16Array(DCM_PixelData, pixels, &count).bad() || pixels == nullptr) {
        throw std::runtime_error("no pixel data");
    }
    std::vector<double> values(count);
    for (unsigned long p = 0; p < count; ++p) {
        const double stored = is_signed ? static_cast<double>(static_cast<std::int16_t>(pixels[p])) : pixels[p];
        values[p] = stored * slope + intercept;
    }
    return values;
}

} // namespace radnode::tools::test
