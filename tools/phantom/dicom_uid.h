#pragma once
// Deterministic DICOM UIDs for generated test data.

#include <cstdint>
#include <string>
#include <string_view>

namespace radnode::tools {

/// Makes UIDs of the form "2.25.<decimal>" (ISO/IEC 9834-8 UUID-derived UIDs)
/// from a seed, a role name and an index: the same inputs always give the same
/// UID, any change of seed, role or index gives an unrelated one. The 128-bit
/// value carries version 4 / RFC 4122 variant bits, so it is a valid UUID.
class UidGenerator {
public:
    explicit UidGenerator(std::uint64_t seed) : seed_(seed) {}

    /// UID for `role` (e.g. "study", "ct-image") and an index within that role.
    [[nodiscard]] std::string Make(std::string_view role, std::uint64_t index = 0) const;

private:
    std::uint64_t seed_;
};

/// Decimal representation of the 128-bit unsigned integer hi * 2^64 + lo.
[[nodiscard]] std::string ToDecimal(std::uint64_t hi, std::uint64_t lo);

} // namespace radnode::tools
