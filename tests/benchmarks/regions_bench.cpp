// Benchmarks of the automatic regions on the synthetic thorax phantom at 512 x 512 x 300
// (0.7 x 0.7 x 1 mm): the whole thorax segmentation (body, airways, lungs, heart, aorta,
// coronary candidates). See docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include "processing/phantom/thorax_phantom.h"
#include "processing/regions/box_mask.h"
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

} // namespace
} // namespace radnode

BENCHMARK_MAIN();
