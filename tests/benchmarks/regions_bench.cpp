// Benchmarks of the automatic regions on the synthetic thorax phantom at 512 x 512 x 300
// (0.7 x 0.7 x 1 mm): the whole thorax segmentation (body, airways, lungs, heart, aorta,
// coronary candidates), the peritumoral rings alone, and the whole analysis a case gets
// (segmentation + 3/6/9 mm rings clipped to the lungs + CAC). See docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "processing/phantom/thorax_phantom.h"
#include "processing/regions/box_mask.h"
#include "processing/regions/peritumoral.h"
#include "processing/regions/region_analysis.h"
#include "processing/regions/thorax_regions.h"

namespace radnode {
namespace {

namespace rg = processing::regions;

const processing::phantom::ThoraxPhantom& Phantom() {
    static const processing::phantom::ThoraxPhantom p = [] {
        processing::phantom::PhantomOptions options;
        options.slices = 300;
        options.slice_thickness_mm = 1.0;
        return processing::phantom::GenerateThoraxPhantom(options);
    }();
    return p;
}

void BM_SegmentThorax(benchmark::State& state) {
    const auto& p = Phantom();
    const rg::BoxMask tumour = rg::BoxMaskFromLabels(p.tumour_mask);
    for (auto _ : state) {
        const rg::ThoraxRegions r = rg::SegmentThorax(p.ct, tumour, rg::ThoraxSettings{});
        benchmark::DoNotOptimize(r.coronary_candidates.voxel_count);
    }
}
BENCHMARK(BM_SegmentThorax)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PeritumoralRings(benchmark::State& state) {
    const auto& p = Phantom();
    const rg::BoxMask tumour = rg::BoxMaskFromLabels(p.tumour_mask);
    rg::PeritumoralSettings settings;
    settings.annuli = true;
    for (auto _ : state) {
        const rg::PeritumoralResult r = rg::BuildPeritumoralRegions(tumour, p.ct.Geometry(), settings);
        benchmark::DoNotOptimize(r.regions.back().voxel_count);
    }
}
BENCHMARK(BM_PeritumoralRings)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_AnalyseRegions(benchmark::State& state) {
    const auto& p = Phantom();
    const rg::BoxMask tumour = rg::BoxMaskFromLabels(p.tumour_mask);
    for (auto _ : state) {
        const rg::RegionAnalysis a = rg::AnalyseRegions(p.ct, tumour, rg::RegionAnalysisSettings{}, 120.0);
        if (!a.cac.computed || !a.peritumoral_computed)
            state.SkipWithError("analysis incomplete on the phantom");
        benchmark::DoNotOptimize(a.cac.agatston_scaled);
    }
}
BENCHMARK(BM_AnalyseRegions)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
} // namespace radnode

BENCHMARK_MAIN();
