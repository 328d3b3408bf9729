// Benchmarks of the image/region import stage on a 512 x 512 x 300 phantom series:
// reading with DCMTK alone (the bound), reading + assembling (header pass then pixels
// straight into the volume; and the former read-everything-then-assemble path), assembling in memory,
// and rasterising a 200-contour ROI. Files are read warm (from the page cache).
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <numbers>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <unistd.h>

#include "dicom_node/ct_series_reader.h"
#include "processing/contour_rasterizer.h"
#include "processing/ct_assembly.h"
#include "processing/phantom/thorax_phantom.h"
#include "tools/phantom/ct_series_writer.h"
#include "tools/phantom/phantom_study.h"

namespace radnode {
namespace {

constexpr std::size_t kSlices = 300;

/// The phantom series, written once per process into a temporary folder.
const std::vector<std::filesystem::path>& SeriesFiles() {
    static const std::vector<std::filesystem::path> files = [] {
        processing::phantom::PhantomOptions options;
        options.slices = kSlices;
        options.slice_thickness_mm = 1.0;
        const processing::phantom::ThoraxPhantom phantom = processing::phantom::GenerateThoraxPhantom(options);
        const auto dir = std::filesystem::temp_directory_path() / ("radnode-volume-bench-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        tools::WriteCtSeries(dir, phantom.ct, tools::MakePhantomStudy(options.seed, kSlices), {});
        std::vector<std::filesystem::path> out;
        for (const auto& entry : std::filesystem::directory_iterator(dir))
            out.push_back(entry.path());
        std::atexit([] { std::filesystem::remove_all(SeriesFiles().front().parent_path()); });
        return out;
    }();
    return files;
}

void BM_DcmtkLoadPixelsOnly(benchmark::State& state) {
    const auto& files = SeriesFiles();
    for (auto _ : state) {
        for (const auto& f : files) {
            DcmFileFormat file;
            file.loadFile(f.c_str());
            const Uint16* pixels = nullptr;
            file.getDataset()->findAndGetUint16Array(DCM_PixelData, pixels);
            benchmark::DoNotOptimize(pixels);
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * files.size()));
}
BENCHMARK(BM_DcmtkLoadPixelsOnly)->Unit(benchmark::kMillisecond);

/// DCMTK parse of every file without loading Pixel Data (what the header pass costs, one thread).
void BM_DcmtkHeadersOnly(benchmark::State& state) {
    const auto& files = SeriesFiles();
    for (auto _ : state) {
        for (const auto& f : files) {
            DcmFileFormat file;
            file.loadFile(f.c_str(), EXS_Unknown, EGL_noChange, 4096);
            benchmark::DoNotOptimize(file.getDataset()->card());
        }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * files.size()));
}
BENCHMARK(BM_DcmtkHeadersOnly)->Unit(benchmark::kMillisecond);

/// The production path: header pass, checks and ordering, then pixels decoded straight to HU.
void BM_ReadAndAssembleFromFiles(benchmark::State& state) {
    const auto& files = SeriesFiles();
    for (auto _ : state) {
        auto read = dicom_node::AssembleCtSeriesFromFiles(files);
        if (!read.status || !read.assembly.IsOk()) {
            state.SkipWithError((read.status.message + read.assembly.reason).c_str());
            break;
        }
        benchmark::DoNotOptimize(read.assembly.assembled.volume.Data().data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * files.size()));
}
BENCHMARK(BM_ReadAndAssembleFromFiles)->Unit(benchmark::kMillisecond);

/// The former path, kept for comparison: every slice as 32-bit stored values, then assembly.
void BM_ReadCtSlicesThenAssemble(benchmark::State& state) {
    const auto& files = SeriesFiles();
    for (auto _ : state) {
        auto read = dicom_node::ReadCtSlices(files);
        auto volume = processing::AssembleCtVolume(std::move(read.slices));
        if (!volume.IsOk())
            state.SkipWithError(volume.reason.c_str());
        benchmark::DoNotOptimize(volume.assembled.volume.Data().data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * files.size()));
}
BENCHMARK(BM_ReadCtSlicesThenAssemble)->Unit(benchmark::kMillisecond);

void BM_AssembleInMemory(benchmark::State& state) {
    const auto read = dicom_node::ReadCtSlices(SeriesFiles());
    for (auto _ : state) {
        state.PauseTiming();
        auto slices = read.slices;
        state.ResumeTiming();
        auto volume = processing::AssembleCtVolume(std::move(slices));
        benchmark::DoNotOptimize(volume.assembled.volume.Data().data());
    }
}
BENCHMARK(BM_AssembleInMemory)->Unit(benchmark::kMillisecond);

void BM_Rasterize200Contours(benchmark::State& state) {
    processing::ImageGeometry grid;
    grid.size = {512, 512, 300};
    grid.spacing = {0.7, 0.7, 1.0};
    grid.origin = {-179.0, -179.0, -150.0};
    processing::Roi roi{1, "GTV-1", "GTV", "", {}};
    const double radius = 100.0;
    for (std::size_t k = 0; k < grid.size[2]; ++k) {
        const double z = grid.origin[2] + static_cast<double>(k) * grid.spacing[2];
        if (std::abs(z) >= radius)
            continue;
        const double r = std::sqrt(radius * radius - z * z);
        processing::Contour contour{processing::Contour::Type::ClosedPlanar, {}};
        for (int v = 0; v < 256; ++v) {
            const double a = 2.0 * std::numbers::pi * v / 256.0;
            contour.points.push_back({r * std::cos(a), r * std::sin(a), z});
        }
        roi.contours.push_back(std::move(contour));
    }
    for (auto _ : state) {
        auto result = processing::RasterizeRoi(roi, grid);
        benchmark::DoNotOptimize(result.mask.Data().data());
    }
    state.counters["contours"] = static_cast<double>(roi.contours.size());
}
BENCHMARK(BM_Rasterize200Contours)->Unit(benchmark::kMillisecond);

} // namespace
} // namespace radnode

BENCHMARK_MAIN();
