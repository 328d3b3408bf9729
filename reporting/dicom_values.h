#pragma once
/// Small DICOM value helpers shared by the SEG and SR writers and the tools: Decimal String
/// formatting, UUID-derived UIDs ("2.25.<decimal>", ISO/IEC 9834-8, PS3.5 B.2) and the
/// current date and time.

#include <cstdint>
#include <string>
#include <string_view>

namespace radnode::reporting {

/// A Decimal String value of at most 16 characters (as many significant digits as fit; "-0"
/// written "0").
[[nodiscard]] std::string FormatDs(double value);

/// The decimal digits of the 128-bit unsigned integer hi * 2^64 + lo ("0" for zero).
[[nodiscard]] std::string Decimal128(std::uint64_t hi, std::uint64_t lo);

/// "2.25." + the decimal of the 128-bit value with the UUID version 4 / RFC 4122 variant bits set.
[[nodiscard]] std::string UuidUid(std::uint64_t hi, std::uint64_t lo);

/// A fresh UUID UID from 128 random bits.
[[nodiscard]] std::string NewUuidUid();

/// A UUID UID that is a function of `text` (two FNV-1a 64 hashes): the same text always gives
/// the same UID, e.g. for objects a rerun job must write again identically.
[[nodiscard]] std::string NameBasedUid(std::string_view text);

/// A DICOM date (YYYYMMDD) and time (HHMMSS), for content and creation dates.
struct DicomDateTime {
    std::string date;
    std::string time;
};
/// `date` and `time`, each replaced by the current local date or time when empty.
[[nodiscard]] DicomDateTime DateTimeOrNow(std::string_view date, std::string_view time);

/// FNV-1a 64 of `text`, continuing from `hash`.
[[nodiscard]] std::uint64_t Fnv1a64(std::string_view text, std::uint64_t hash = 0xCBF29CE484222325ULL);

} // namespace radnode::reporting
