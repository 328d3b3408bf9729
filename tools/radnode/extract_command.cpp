// `radnode extract`: PyRadiomics-compatible feature extraction from the command line, one
// case (--image/--mask) or a batch CSV (--batch, PyRadiomics' Image,Mask[,Label] layout).
//
// Policy (see docs/user-guide.md, "Radiomics extraction (radnode extract)"):
//  - the parameter file is read and validated before any case runs; a bad one is exit 2;
//  - every case runs; a failing case (unreadable input, refused mask, ...) gets its error
//    in the output's Error column and on stderr, and does not stop the others;
//  - output is PyRadiomics' batch CSV (or JSON), to --out or stdout; progress and notes go
//    to stderr so stdout stays machine-readable;
//  - exit 0 when every case ran, 3 when some case failed, 2 on an invalid parameter or
//    batch file, 1 when the output cannot be written.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <dcmtk/dcmdata/dcuid.h>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/radiomics_params.h"
#include "processing/radiomics/extractor.h"
#include "processing/text.h"
#include "reporting/radiomics_table.h"
#include "tools/radnode/commands.h"
#include "tools/radnode/radiomics_inputs.h"

namespace radnode::tools {
namespace {

namespace fs = std::filesystem;
namespace rad = processing::radiomics;

constexpr int kExitCaseFailed = 3;

struct ExtractOptions {
    fs::path image;
    fs::path mask;
    std::optional<int> label;
    std::string roi;
    fs::path params;
    fs::path batch;
    fs::path out;
    std::string format; ///< "csv" or "json"; empty: from --out's extension, else csv
};

/// One case to run: its input columns as they will be printed, and what they mean.
struct CaseSpec {
    reporting::TextPairs columns;
    fs::path image;
    fs::path mask;
    std::string label; ///< empty: the parameter file's label
    std::string roi;
    std::string error; ///< a problem with the batch row itself
};

/// The column of `row` named `name`, or empty.
std::string Column(const reporting::TextPairs& row, std::string_view name) {
    for (const auto& [key, value] : row)
        if (key == name)
            return value;
    return {};
}

/// Rows of a CSV file as Python's csv module reads them (quotes, doubled quotes, line
/// breaks inside quotes). Throws config::ConfigError.
std::vector<std::vector<std::string>> ReadCsv(const fs::path& file) {
    std::ifstream stream(file, std::ios::binary);
    if (!stream)
        throw config::ConfigError(fmt::format("cannot read batch file {}", file.string()));
    const std::string text{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, field_started = false;
    const auto end_field = [&] {
        row.push_back(std::move(field));
        field.clear();
        field_started = false;
    };
    const auto end_row = [&] {
        if (field_started || !row.empty())
            end_field();
        if (!row.empty())
            rows.push_back(std::move(row));
        row.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                field += text[++i];
            else if (c == '"')
                quoted = false;
            else
                field += c;
        } else if (c == '"') {
            quoted = field_started = true;
        } else if (c == ',') {
            end_field();
            field_started = true; // a trailing comma still ends in an (empty) field
        } else if (c == '\n' || c == '\r') {
            end_row();
        } else {
            field += c;
            field_started = true;
        }
    }
    if (quoted)
        throw config::ConfigError(fmt::format("batch file {}: unterminated quoted field", file.string()));
    end_row();
    return rows;
}

/// PyRadiomics' batch input: header with Image and Mask (Label, Label_channel optional, any
/// other columns copied to the output); relative paths are relative to the CSV's folder.
std::vector<CaseSpec> ReadBatch(const fs::path& file) {
    const std::vector<std::vector<std::string>> rows = ReadCsv(file);
    if (rows.empty())
        throw config::ConfigError(fmt::format("batch file {} is empty", file.string()));
    const std::vector<std::string>& header = rows.front();
    for (const char* required : {"Image", "Mask"})
        if (std::find(header.begin(), header.end(), required) == header.end())
            throw config::ConfigError(
                fmt::format("batch file {}: required column \"{}\" is missing (header: {})", file.string(), required,
                            fmt::join(header, ",")));
    const fs::path base = file.parent_path();
    const auto resolve = [&](const std::string& path) {
        const fs::path p{path};
        return p.is_absolute() || path.empty() ? p : fs::absolute(base / p);
    };
    std::vector<CaseSpec> cases;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        CaseSpec spec;
        for (std::size_t c = 0; c < header.size(); ++c)
            spec.columns.emplace_back(header[c], c < rows[r].size() ? rows[r][c] : std::string{});
        if (rows[r].size() > header.size())
            spec.error = fmt::format("batch line {}: {} fields, the header has {}", r + 1, rows[r].size(),
                                     header.size());
        const std::string image = Column(spec.columns, "Image");
        const std::string mask = Column(spec.columns, "Mask");
        if ((image.empty() || mask.empty()) && spec.error.empty())
            spec.error = fmt::format("batch line {}: Image or Mask is empty", r + 1);
        spec.image = resolve(image);
        spec.mask = resolve(mask);
        // Printed as PyRadiomics prints them (its default --format-path absolute).
        for (auto& [key, value] : spec.columns)
            if ((key == "Image" || key == "Mask") && !value.empty())
                value = (key == "Image" ? spec.image : spec.mask).string();
        spec.label = Column(spec.columns, "Label");
        spec.roi = Column(spec.columns, "ROI");
        if (!Column(spec.columns, "Label_channel").empty() && spec.error.empty())
            spec.error = "Label_channel: vector (multi-channel) masks are not supported";
        cases.push_back(std::move(spec));
    }
    return cases;
}

/// The diagnostics_Versions_* entries. PyRadiomics reports its own, numpy's, SimpleITK's,
/// PyWavelets' and Python's versions; radnode reports itself and the libraries that read
/// the input instead (the feature code is radnode's, not PyRadiomics').
reporting::TextPairs Versions() {
    return {{"diagnostics_Versions_radnode", RADNODE_VERSION},
            {"diagnostics_Versions_DCMTK", OFFIS_DCMTK_VERSION_STRING},
            {"diagnostics_Versions_Compiler", fmt::format("GCC {}", __VERSION__)}};
}

/// Runs one case; never throws.
reporting::RadiomicsCase RunCase(const CaseSpec& spec, const rad::ExtractionParams& base,
                                 const config::Config& config) {
    reporting::RadiomicsCase out;
    out.inputs = spec.columns;
    if (!spec.error.empty()) {
        out.error = spec.error;
        return out;
    }
    try {
        rad::ExtractionParams params = base;
        if (!spec.label.empty()) {
            // The case's Label overrides the parameter file's, as PyRadiomics' execute(label=...) does.
            int label = 0;
            const auto [end, ec] = std::from_chars(spec.label.data(), spec.label.data() + spec.label.size(), label);
            if (ec != std::errc{} || end != spec.label.data() + spec.label.size() || label <= 0) {
                out.error = fmt::format("Label '{}' is not a positive integer", spec.label);
                return out;
            }
            params.settings.label = label;
        }
        RadiomicsInput input = LoadRadiomicsInput(spec.image, spec.mask, spec.roi, config);
        for (const std::string& note : input.notes)
            std::cerr << "radnode extract: note: " << note << "\n";
        if (!input.error.empty()) {
            out.error = input.error;
            return out;
        }
        params.settings.image_pixel_type = input.image_pixel_type;
        rad::ExtractionResult result = rad::Extract(input.image, input.mask, params);
        if (!result.error.empty()) {
            out.error = result.error;
            return out;
        }
        out.diagnostics = std::move(result.diagnostics);
        // PyRadiomics adds provenance (versions, hashes) only with additionalInfo.
        if (params.settings.additional_info)
            reporting::AddProvenanceDiagnostics(out.diagnostics, Versions(), input.image_hash, input.mask_hash);
        out.features = std::move(result.features);
    } catch (const std::exception& e) {
        out.error = e.what();
    }
    return out;
}

int Run(const ExtractOptions& options, const config::Config& config) {
    std::string format = options.format;
    if (format.empty()) {
        const std::string ext = processing::ToLower(options.out.extension().string());
        format = ext == ".json" ? "json" : "csv";
        if (!options.out.empty() && ext != ".json" && ext != ".csv") {
            std::cerr << fmt::format("radnode extract: --out {}: use .csv or .json, or pass --format\n",
                                     options.out.string());
            return kExitBadInput;
        }
    }

    // Validated before any case runs: a typo in the parameter file must not cost a batch.
    const rad::ExtractionParams params =
        options.params.empty() ? config::DefaultRadiomicsParams() : config::LoadRadiomicsParams(options.params);

    std::vector<CaseSpec> cases;
    if (!options.batch.empty()) {
        cases = ReadBatch(options.batch);
    } else {
        CaseSpec spec;
        spec.image = options.image;
        spec.mask = options.mask;
        spec.columns = {{"Image", fs::absolute(options.image).string()}, {"Mask", fs::absolute(options.mask).string()}};
        if (options.label)
            spec.label = std::to_string(*options.label);
        spec.roi = options.roi;
        cases.push_back(std::move(spec));
    }

    std::vector<reporting::RadiomicsCase> results;
    int failed = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto start = std::chrono::steady_clock::now();
        results.push_back(RunCase(cases[i], params, config));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const reporting::RadiomicsCase& r = results.back();
        if (r.error.empty()) {
            std::cerr << fmt::format("radnode extract: case {}/{} {}: {} features in {:.2f} s\n", i + 1, cases.size(),
                                     cases[i].image.filename().string(), r.features.size(), seconds);
        } else {
            ++failed;
            std::cerr << fmt::format("radnode extract: case {}/{} {} failed: {}\n", i + 1, cases.size(),
                                     cases[i].image.filename().string(), r.error);
        }
    }

    const std::string text = format == "json" ? reporting::RadiomicsJson(results) : reporting::RadiomicsCsv(results);
    if (options.out.empty()) {
        std::cout << text << std::flush;
    } else {
        std::ofstream stream(options.out, std::ios::binary | std::ios::trunc);
        stream << text;
        stream.close();
        if (!stream) {
            std::cerr << fmt::format("radnode extract: cannot write {}\n", options.out.string());
            return kExitWriteFailed;
        }
    }
    if (failed > 0) {
        std::cerr << fmt::format("radnode extract: {} of {} cases failed\n", failed, cases.size());
        return kExitCaseFailed;
    }
    return kExitOk;
}

} // namespace

void AddExtractCommand(CLI::App& app, CommonOptions& common) {
    auto options = std::make_shared<ExtractOptions>();
    CLI::App* cmd = app.add_subcommand(
        "extract", "PyRadiomics-compatible radiomics features of an image and mask (or a batch CSV of cases)");
    CLI::Option* image = cmd->add_option("--image", options->image, "Image file (NRRD/NIfTI) or DICOM CT series folder");
    CLI::Option* mask =
        cmd->add_option("--mask", options->mask, "Mask file (NRRD/NIfTI), or an RTSTRUCT/SEG file with a DICOM image");
    CLI::Option* batch = cmd->add_option("--batch", options->batch,
                                         "PyRadiomics batch CSV: columns Image, Mask, optional Label and ROI")
                             ->check(CLI::ExistingFile);
    image->needs(mask)->excludes(batch);
    mask->needs(image);
    cmd->add_option("--label", options->label, "Label value of the ROI in the mask (overrides the params file)")
        ->excludes(batch)
        ->check(CLI::PositiveNumber);
    cmd->add_option("--roi", options->roi, "RTSTRUCT ROI name or SEG segment label (case-insensitive)")
        ->excludes(batch);
    cmd->add_option("--params", options->params, "PyRadiomics parameter file (YAML); default: PyRadiomics defaults")
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", options->out, "Output file, .csv or .json; default: CSV on standard output");
    cmd->add_option("--format", options->format, "Output format (default: from --out's extension, else csv)")
        ->check(CLI::IsMember({"csv", "json"}));
    common.AddTo(*cmd);
    cmd->callback([options, &common, image, batch] {
        if (image->count() == 0 && batch->count() == 0)
            throw CLI::RequiredError("--image/--mask or --batch");
        SetExitCode(Run(*options, common.Load()));
    });
}

} // namespace radnode::tools
