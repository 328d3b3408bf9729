#include "processing/volume.h"

#include <sys/mman.h>

#include <cstdlib>

namespace radnode::processing {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20U;

} // namespace

void* AllocateVoxelStorage(std::size_t bytes) {
    if (bytes < kHugePage) {
        void* block = std::malloc(bytes == 0 ? 1 : bytes); // NOLINT(cppcoreguidelines-no-malloc)
        if (block == nullptr)
            throw std::bad_alloc();
        return block;
    }
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* block = std::aligned_alloc(kHugePage, rounded);
    if (block == nullptr)
        throw std::bad_alloc();
    // Advice only: without transparent huge pages the kernel ignores it.
    (void)madvise(block, rounded, MADV_HUGEPAGE);
    return block;
}

void FreeVoxelStorage(void* block, std::size_t /*bytes*/) noexcept {
    std::free(block); // NOLINT(cppcoreguidelines-no-malloc)
}

} // namespace radnode::processing
