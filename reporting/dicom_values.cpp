#include "reporting/dicom_values.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <random>

namespace radnode::reporting {

std::string FormatDs(double value) {
    char buffer[32];
    for (int precision = 10; precision > 0; --precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
        if (std::string(buffer).size() <= 16)
            break;
    }
    std::string text = buffer;
    return text == "-0" ? "0" : text;
}

std::string Decimal128(std::uint64_t hi, std::uint64_t lo) {
    // Long division of four 32-bit limbs (most significant first) by 10.
    std::array<std::uint64_t, 4> limbs{hi >> 32U, hi & 0xFFFFFFFFU, lo >> 32U, lo & 0xFFFFFFFFU};
    std::string digits;
    while (std::any_of(limbs.begin(), limbs.end(), [](std::uint64_t limb) { return limb != 0; })) {
        std::uint64_t remainder = 0;
        for (std::uint64_t& limb : limbs) {
            const std::uint64_t value = (remainder << 32U) | limb;
            limb = value / 10U;
            remainder = value % 10U;
        }
        digits.push_back(static_cast<char>('0' + remainder));
    }
    if (digits.empty())
        return "0";
    std::reverse(digits.begin(), digits.end());
    return digits;
}

std::string UuidUid(std::uint64_t hi, std::uint64_t lo) {
    hi = (hi & ~0xF000ULL) | 0x4000ULL;
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    return "2.25." + Decimal128(hi, lo);
}

std::string NewUuidUid() {
    std::random_device device;
    auto draw = [&device] { return (static_cast<std::uint64_t>(device()) << 32U) | device(); };
    const std::uint64_t hi = draw();
    return UuidUid(hi, draw());
}

DicomDateTime DateTimeOrNow(std::string_view date, std::string_view time) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char local_date[16];
    char local_time[16];
    std::strftime(local_date, sizeof local_date, "%Y%m%d", &local);
    std::strftime(local_time, sizeof local_time, "%H%M%S", &local);
    return {date.empty() ? std::string(local_date) : std::string(date),
            time.empty() ? std::string(local_time) : std::string(time)};
}

std::uint64_t Fnv1a64(std::string_view text, std::uint64_t hash) {
    for (const char c : text)
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    return hash;
}

std::string NameBasedUid(std::string_view text) {
    return UuidUid(Fnv1a64(text), Fnv1a64(text, Fnv1a64("lo")));
}

} // namespace radnode::reporting
