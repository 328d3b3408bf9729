#include "tools/phantom/dicom_uid.h"

#include "reporting/dicom_values.h"

#include "processing/phantom/counter_rng.h"

#include <algorithm>
#include <array>

namespace radnode::tools {
namespace {

/// FNV-1a of a role name, so roles map to independent hash streams.
std::uint64_t HashRole(std::string_view role) {
    std::uint64_t hash = 0xCBF29CE484222325ULL;
    for (const char c : role) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    }
    return hash;
}

} // namespace

std::string ToDecimal(std::uint64_t hi, std::uint64_t lo) { return reporting::Decimal128(hi, lo); }

std::string UidGenerator::Make(std::string_view role, std::uint64_t index) const {
    using processing::phantom::CounterHash;
    const std::uint64_t stream = HashRole(role);
    std::uint64_t hi = CounterHash(seed_, stream, 2 * index);
    std::uint64_t lo = CounterHash(seed_, stream, 2 * index + 1);
    hi = (hi & ~0xF000ULL) | 0x4000ULL;                        // UUID version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL; // RFC 4122 variant
    return "2.25." + ToDecimal(hi, lo);
}

} // namespace radnode::tools
