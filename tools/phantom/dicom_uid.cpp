#include "tools/phantom/dicom_uid.h"

#include "reporting/dicom_values.h"

#include "processing/phantom/counter_rng.h"

namespace radnode::tools {

std::string ToDecimal(std::uint64_t hi, std::uint64_t lo) { return reporting::Decimal128(hi, lo); }

std::string UidGenerator::Make(std::string_view role, std::uint64_t index) const {
    using processing::phantom::CounterHash;
    // FNV-1a of the role name, so roles map to independent hash streams.
    const std::uint64_t stream = reporting::Fnv1a64(role);
    return reporting::UuidUid(CounterHash(seed_, stream, 2 * index), CounterHash(seed_, stream, 2 * index + 1));
}

} // namespace radnode::tools
