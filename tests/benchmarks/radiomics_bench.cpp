// Benchmarks of the radiomics engine: each feature class on a 4k-voxel ROI (PyRadiomics'
// brain1), a 30k- and a 300k-voxel synthetic ROI, and the whole extraction (all original
// features, PyRadiomics baseline settings) on brain1 and breast1. See docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "processing/image_io.h"
#include "processing/radiomics/extractor.h"
#include "processing/radiomics/firstorder.h"
#include "processing/radiomics/glcm.h"
#include "processing/radiomics/gldm.h"
#include "processing/radiomics/glrlm.h"
#include "processing/radiomics/glszm.h"
#include "processing/radiomics/ngtdm.h"
#include "processing/radiomics/region.h"
#include "processing/radiomics/shape.h"

namespace radnode {
namespace {

using processing::Volume;
using processing::radiomics::Region;
using processing::radiomics::Settings;

struct Case {
    Volume<double> image;
    Volume<std::int32_t> mask;
};

std::filesystem::path DataDir() { return std::filesystem::path(RADNODE_TEST_DATA_DIR) / "pyradiomics"; }

Case LoadCase(const std::string& name) {
    Case c;
    if (auto r = processing::ReadImage(DataDir() / (name + "_image.nrrd"), c.image); !r.IsOk())
        throw std::runtime_error(r.error);
    if (auto r = processing::ReadImage(DataDir() / (name + "_label.nrrd"), c.mask); !r.IsOk())
        throw std::runtime_error(r.error);
    return c;
}

/// A sphere of about `voxels` voxels (1 mm isotropic) in an image of smooth structure plus
/// deterministic noise, integer values 0..~1000 (about 40 levels at bin width 25).
Case SyntheticCase(std::size_t voxels) {
    const double radius = std::cbrt(3.0 * static_cast<double>(voxels) / (4.0 * 3.14159265358979));
    const auto n = static_cast<std::size_t>(2.0 * radius) + 8;
    processing::ImageGeometry g;
    g.size = {n, n, n};
    Case c{Volume<double>(g), Volume<std::int32_t>(g)};
    std::uint32_t state = 12345;
    const double centre = static_cast<double>(n) / 2.0;
    for (std::size_t k = 0; k < n; ++k)
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t i = 0; i < n; ++i) {
                state = state * 1664525U + 1013904223U;
                const double noise = static_cast<double>(state >> 24U);
                const double x = static_cast<double>(i), y = static_cast<double>(j), z = static_cast<double>(k);
                c.image.At(i, j, k) = std::round(500.0 + 300.0 * std::sin(x / 5.0) * std::cos(y / 7.0) + z + noise);
                const double dx = x - centre, dy = y - centre, dz = z - centre;
                c.mask.At(i, j, k) = dx * dx + dy * dy + dz * dz <= radius * radius ? 1 : 0;
            }
    return c;
}

Settings BaselineSettings() {
    Settings s;
    s.bin_width = 25;
    s.voxel_array_shift = 2000;
    s.minimum_roi_dimensions = 1;
    return s;
}

const Region& RegionFor(const std::string& name) {
    static std::map<std::string, Region> regions;
    auto it = regions.find(name);
    if (it != regions.end())
        return it->second;
    const Case c = name == "brain1" ? LoadCase("brain1") : SyntheticCase(name == "30k" ? 30000 : 300000);
    Region region;
    if (std::string error = BuildRegion(c.image, c.mask, BaselineSettings(), region); !error.empty())
        throw std::runtime_error(error);
    return regions.emplace(name, std::move(region)).first->second;
}

using ClassFunction = processing::radiomics::Features (*)(const Region&, const Settings&);

void BM_Class(benchmark::State& state, ClassFunction compute, const std::string& region_name) {
    const Region& region = RegionFor(region_name);
    const Settings settings = BaselineSettings();
    for (auto _ : state)
        benchmark::DoNotOptimize(compute(region, settings));
    state.counters["roi_voxels"] = static_cast<double>(region.voxels.size());
}

/// Registers BM_Class/<class>/<roi> for every class and ROI size.
void RegisterClassBenchmarks() {
    namespace rad = processing::radiomics;
    const std::pair<const char*, ClassFunction> classes[] = {
        {"firstorder", rad::ComputeFirstOrder}, {"shape", rad::ComputeShape}, {"glcm", rad::ComputeGlcm},
        {"glrlm", rad::ComputeGlrlm},           {"glszm", rad::ComputeGlszm}, {"gldm", rad::ComputeGldm},
        {"ngtdm", rad::ComputeNgtdm},
    };
    for (const auto& [name, fn] : classes)
        for (const char* roi : {"brain1", "30k", "300k"})
            benchmark::RegisterBenchmark((std::string("BM_Class/") + name + "/" + roi).c_str(), BM_Class, fn,
                                         std::string(roi))
                ->Unit(benchmark::kMillisecond);
}

/// All original features with the PyRadiomics baseline settings, from image + mask in memory
/// (what PyRadiomics' 0.17 s / 0.04 s "extraction" figures measure).
void BM_ExtractAllOriginal(benchmark::State& state, const std::string& name) {
    const Case c = LoadCase(name);
    processing::radiomics::ExtractionParams params;
    params.settings = BaselineSettings();
    for (const char* cls : {"shape", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"})
        params.feature_classes.emplace_back(cls, std::vector<std::string>{});
    for (auto _ : state) {
        auto result = processing::radiomics::Extract(c.image, c.mask, params);
        if (!result.error.empty()) {
            state.SkipWithError(result.error.c_str());
            break;
        }
        benchmark::DoNotOptimize(result.features.data());
    }
}
BENCHMARK_CAPTURE(BM_ExtractAllOriginal, brain1, std::string("brain1"))->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ExtractAllOriginal, breast1, std::string("breast1"))->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

} // namespace radnode

int main(int argc, char** argv) {
    radnode::RegisterClassBenchmarks();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
