#pragma once
// Counter-based random numbers: every value is a pure function of
// (seed, stream, counter), so results do not depend on thread scheduling,
// iteration order or the standard library's distribution implementations.

#include <cstdint>

namespace radnode::processing::phantom {

/// The splitmix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
constexpr std::uint64_t SplitMix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31U);
}

/// Hash of (seed, stream, counter); streams separate independent uses of one seed.
constexpr std::uint64_t CounterHash(std::uint64_t seed, std::uint64_t stream, std::uint64_t counter) {
    return SplitMix64(SplitMix64(seed ^ SplitMix64(stream)) ^ counter);
}

/// Uniform value in [-1, 1] from the top 53 bits of a hash.
constexpr double UniformSigned(std::uint64_t hash) {
    return static_cast<double>(hash >> 11U) * (2.0 / 9007199254740992.0) - 1.0;
}

/// Approximately standard normal value (mean 0, variance 1) from one hash: the
/// Irwin-Hall sum of its four 16-bit lanes, rescaled. Bounded to about +/-3.46;
/// uses only exactly rounded arithmetic, so it is reproducible everywhere.
constexpr double NormalLike(std::uint64_t hash) {
    const std::uint64_t sum = (hash & 0xFFFFU) + ((hash >> 16U) & 0xFFFFU) + ((hash >> 32U) & 0xFFFFU) + (hash >> 48U);
    // Each lane is uniform on 0..65535: mean 32767.5, variance (65536^2 - 1) / 12.
    constexpr double kMean = 4.0 * 32767.5;
    constexpr double kStdDev = 37837.227237206;
    return (static_cast<double>(sum) - kMean) / kStdDev;
}

} // namespace radnode::processing::phantom
