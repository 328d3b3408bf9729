// Benchmarks of PyRadiomics' derived image types: each filter over the ROI box, and the whole
// extraction with params/full_original_log_wavelet.yaml (original + LoG sigma 1..5 mm + coif1
// wavelet, 1316 features), on brain1 (256x256x25, 4,137-voxel ROI), brain2, breast1 and the
// lung1 geometry (512x512x48 at 0.57 x 0.57 x 5 mm with PyRadiomics' 837-voxel lung1 label under
// a synthetic CT, since upstream's lung1 image is missing). See docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "config/radiomics_params.h"
#include "processing/image_io.h"
#include "processing/radiomics/extractor.h"
#include "processing/radiomics/filters.h"

namespace radnode {
namespace {

using processing::Volume;
namespace rad = processing::radiomics;

struct Case {
    Volume<double> image;
    Volume<std::int32_t> mask;
};

std::filesystem::path DataDir() { return std::filesystem::path(RADNODE_TEST_DATA_DIR) / "pyradiomics"; }

/// A CT-like image on the lung1 label's grid: air outside an elliptic body, lungs at about
/// -850 HU, soft tissue at 40 HU, deterministic noise, a denser nodule where the label is.
void FillSyntheticCt(Case& c) {
    const processing::ImageGeometry& g = c.mask.Geometry();
    c.image = Volume<double>(g);
    std::uint32_t state = 2024;
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i) {
                state = state * 1664525U + 1013904223U;
                const double noise = static_cast<double>(state >> 25U) - 64.0;
                const double x = (static_cast<double>(i) - 256.0) / 220.0;
                const double y = (static_cast<double>(j) - 256.0) / 160.0;
                const bool body = x * x + y * y < 1.0;
                const double lx = (std::abs(x) - 0.45) / 0.32;
                const double ly = y / 0.75;
                const bool lung = body && lx * lx + ly * ly < 1.0;
                double hu = body ? (lung ? -850.0 : 40.0) : -1000.0;
                if (c.mask.At(i, j, k) != 0)
                    hu = 20.0 + 30.0 * std::sin(static_cast<double>(i + 2 * j) / 3.0);
                c.image.At(i, j, k) = std::round(hu + noise);
            }
}

const Case& CaseFor(const std::string& name) {
    static std::map<std::string, Case> cases;
    if (auto it = cases.find(name); it != cases.end())
        return it->second;
    Case c;
    if (auto r = processing::ReadImage(DataDir() / (name + "_label.nrrd"), c.mask); !r.IsOk())
        throw std::runtime_error(r.error);
    if (name == "lung1") {
        FillSyntheticCt(c);
    } else if (auto r = processing::ReadImage(DataDir() / (name + "_image.nrrd"), c.image); !r.IsOk()) {
        throw std::runtime_error(r.error);
    }
    return cases.emplace(name, std::move(c)).first->second;
}

/// The ROI's bounding box (label 1).
rad::VoxelBox RoiBox(const Volume<std::int32_t>& mask) {
    const auto& g = mask.Geometry();
    std::array<std::size_t, 3> lo = g.size;
    std::array<std::size_t, 3> hi{0, 0, 0};
    for (std::size_t k = 0; k < g.size[2]; ++k)
        for (std::size_t j = 0; j < g.size[1]; ++j)
            for (std::size_t i = 0; i < g.size[0]; ++i)
                if (mask.At(i, j, k) == 1) {
                    const std::array<std::size_t, 3> p{i, j, k};
                    for (std::size_t a = 0; a < 3; ++a) {
                        lo[a] = std::min(lo[a], p[a]);
                        hi[a] = std::max(hi[a], p[a]);
                    }
                }
    rad::VoxelBox box;
    for (std::size_t a = 0; a < 3; ++a) {
        box.begin[a] = lo[a];
        box.size[a] = hi[a] - lo[a] + 1;
    }
    return box;
}

void BM_Filter(benchmark::State& state, const std::string& type, const std::string& case_name) {
    const Case& c = CaseFor(case_name);
    const rad::VoxelBox box = RoiBox(c.mask);
    rad::ImageTypeSpec spec{type, {}};
    if (type == "LoG")
        spec.options["sigma"] = {"3.0"};
    const rad::DerivedImageList list = rad::ExpandImageType(spec, c.image.Geometry(), rad::Settings{});
    if (!list.error.empty() || list.images.empty())
        throw std::runtime_error("no derived image: " + list.error);
    std::vector<std::uint8_t> roi;
    for (std::size_t k = 0; k < box.size[2]; ++k)
        for (std::size_t j = 0; j < box.size[1]; ++j)
            for (std::size_t i = 0; i < box.size[0]; ++i)
                roi.push_back(c.mask.At(box.begin[0] + i, box.begin[1] + j, box.begin[2] + k) == 1 ? 1 : 0);
    const rad::FilterInput input{c.image, box, &roi, std::pair{-32768.0, 32767.0}};
    for (auto _ : state) {
        // Expanded anew each time: LBP3D's images share one computation per expansion.
        const rad::DerivedImageList fresh = rad::ExpandImageType(spec, c.image.Geometry(), rad::Settings{});
        for (const rad::DerivedImage& d : fresh.images) // Wavelet: all 8 decompositions; LBP3D: 3 images
            benchmark::DoNotOptimize(d.filter(input).data());
    }
    state.counters["images"] = static_cast<double>(list.images.size());
}

/// The reference ITK pipeline for one LoG sigma, for the ratio against the recomputation.
void BM_LogItkPipeline(benchmark::State& state, const std::string& case_name) {
    const Case& c = CaseFor(case_name);
    const rad::VoxelBox box = RoiBox(c.mask);
    for (auto _ : state)
        benchmark::DoNotOptimize(rad::LogFilterItk(c.image, box, 3.0).data());
}

/// A line of /proc/self/status in MiB ("VmRSS", "VmHWM").
double StatusMiB(const std::string& key) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(key + ":", 0) == 0)
            return std::strtod(line.c_str() + key.size() + 1, nullptr) / 1024.0; // kB
    return 0.0;
}

void BM_ExtractFull(benchmark::State& state, const std::string& case_name) {
    const Case& c = CaseFor(case_name);
    const rad::ExtractionParams params = config::LoadRadiomicsParams(
        std::filesystem::path(RADNODE_TEST_DATA_DIR) / "pyradiomics" / "params" / "full_original_log_wavelet.yaml");
    // Memory of one extraction beyond what the process already holds (image and mask in
    // memory): reset the peak RSS (clear_refs 5), extract once, read the new peak.
    std::ofstream("/proc/self/clear_refs") << "5";
    const double before = StatusMiB("VmRSS");
    if (auto warmup = rad::Extract(c.image, c.mask, params); !warmup.error.empty())
        throw std::runtime_error(warmup.error);
    state.counters["extract_peak_MiB"] = StatusMiB("VmHWM") - before;
    state.counters["process_peak_MiB"] = StatusMiB("VmHWM");
    state.counters["input_MiB"] =
        static_cast<double>(c.image.Data().size() * sizeof(double) + c.mask.Data().size() * sizeof(std::int32_t)) /
        (1024.0 * 1024.0);
    std::size_t features = 0;
    for (auto _ : state) {
        auto result = rad::Extract(c.image, c.mask, params);
        if (!result.error.empty()) {
            state.SkipWithError(result.error.c_str());
            break;
        }
        features = result.features.size();
        benchmark::DoNotOptimize(result.features.data());
    }
    state.counters["features"] = static_cast<double>(features);
}

void RegisterAll() {
    for (const char* type :
         {"LoG", "Wavelet", "Square", "SquareRoot", "Logarithm", "Exponential", "Gradient", "LBP2D", "LBP3D"})
        for (const char* case_name : {"brain1", "lung1"})
            benchmark::RegisterBenchmark((std::string("BM_Filter/") + type + "/" + case_name).c_str(), BM_Filter,
                                         std::string(type), std::string(case_name))
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime();
    for (const char* case_name : {"brain1", "lung1"})
        benchmark::RegisterBenchmark((std::string("BM_LogItkPipeline/") + case_name).c_str(), BM_LogItkPipeline,
                                     std::string(case_name))
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    for (const char* case_name : {"brain1", "brain2", "breast1", "lung1"})
        benchmark::RegisterBenchmark((std::string("BM_ExtractFull/") + case_name).c_str(), BM_ExtractFull,
                                     std::string(case_name))
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
}

} // namespace
} // namespace radnode

int main(int argc, char** argv) {
    radnode::RegisterAll();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
