#include "tools/phantom/dicom_uid.h"
#include "tools/phantom/phantom_study.h"

#include <algorithm>
#include <cstdint>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

namespace radnode::tools {
namespace {

// A GCC/Clang extension (hence __extension__ under -Wpedantic); fine for a test oracle.
__extension__ typedef unsigned __int128 Uint128;

/// Reference conversion with native 128-bit arithmetic.
std::string Decimal128(Uint128 value) {
    if (value == 0) {
        return "0";
    }
    std::string digits;
    while (value != 0) {
        digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
        value /= 10;
    }
    std::reverse(digits.begin(), digits.end());
    return digits;
}

/// Parses a decimal string into 128 bits; false on overflow or a non-digit.
bool ParseDecimal128(const std::string& text, Uint128& value) {
    const Uint128 max = ~static_cast<Uint128>(0);
    value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return false;
        }
        const auto digit = static_cast<unsigned>(c - '0');
        if (value > (max - digit) / 10) {
            return false;
        }
        value = value * 10 + digit;
    }
    return !text.empty();
}

/// ^2\.25\.(0|[1-9][0-9]*)$, spelled out (std::regex trips GCC 12 warnings under -O2).
bool MatchesUuidUidForm(const std::string& uid) {
    const std::string prefix = "2.25.";
    if (uid.compare(0, prefix.size(), prefix) != 0 || uid.size() == prefix.size()) {
        return false;
    }
    const std::string digits = uid.substr(prefix.size());
    if (digits.size() > 1 && digits[0] == '0') {
        return false;
    }
    return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::uint64_t High(Uint128 value) {
    return static_cast<std::uint64_t>(value >> 64U);
}
std::uint64_t Low(Uint128 value) {
    return static_cast<std::uint64_t>(value);
}

const std::vector<std::string> kRoles = {"study",      "frame-of-reference", "ct-series",
                                         "ct-image",   "rtstruct-series",    "rtstruct-instance",
                                         "seg-series", "seg-instance",       "seg-dimension-organization"};

TEST(PhantomUidTest, ToDecimalMatchesKnownVectors) {
    EXPECT_EQ(ToDecimal(0, 0), "0");
    EXPECT_EQ(ToDecimal(0, 1), "1");
    EXPECT_EQ(ToDecimal(0, 10), "10");
    EXPECT_EQ(ToDecimal(0, 0xFFFFFFFFFFFFFFFFULL), "18446744073709551615");
    EXPECT_EQ(ToDecimal(1, 0), "18446744073709551616");
    EXPECT_EQ(ToDecimal(0, 0x8AC7230489E80000ULL), "10000000000000000000");
    EXPECT_EQ(ToDecimal(5, 0x6BC75E2D63100000ULL), "100000000000000000000");
    EXPECT_EQ(ToDecimal(0xFFFFFFFFFFFFFFFFULL, 0xFFFFFFFFFFFFFFFFULL), "340282366920938463463374607431768211455");
}

TEST(PhantomUidTest, ToDecimalMatchesNative128BitArithmetic) {
    // xorshift64 walk plus powers of ten and their neighbours (carry boundaries).
    std::vector<Uint128> values;
    std::uint64_t x = 0x243F6A8885A308D3ULL;
    for (int n = 0; n < 2000; ++n) {
        x ^= x << 13U;
        x ^= x >> 7U;
        x ^= x << 17U;
        const std::uint64_t y = x * 0x9E3779B97F4A7C15ULL;
        values.push_back((static_cast<Uint128>(x) << 64U) | y);
        values.push_back(static_cast<Uint128>(y >> (n % 64)));
    }
    Uint128 power = 1;
    for (int e = 0; e <= 38; ++e) {
        values.push_back(power);
        values.push_back(power - 1);
        values.push_back(power + 1);
        power *= 10;
    }
    for (const Uint128 value : values) {
        ASSERT_EQ(ToDecimal(High(value), Low(value)), Decimal128(value));
    }
}

TEST(PhantomUidTest, SameSeedRoleAndIndexGiveTheSameUid) {
    for (const std::uint64_t seed : {0ULL, 1ULL, 42ULL, 0xFFFFFFFFFFFFFFFFULL}) {
        for (const std::string& role : kRoles) {
            EXPECT_EQ(UidGenerator(seed).Make(role, 3), UidGenerator(seed).Make(role, 3)) << role;
        }
    }
    const PhantomStudy a = MakePhantomStudy(5, 12);
    const PhantomStudy b = MakePhantomStudy(5, 12);
    EXPECT_EQ(a.study_instance_uid, b.study_instance_uid);
    EXPECT_EQ(a.ct_sop_instance_uids, b.ct_sop_instance_uids);
    EXPECT_EQ(a.seg_sop_instance_uid, b.seg_sop_instance_uid);
}

TEST(PhantomUidTest, SeedsRolesAndIndexesNeverCollide) {
    std::set<std::string> seen;
    std::size_t made = 0;
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
        const UidGenerator uids(seed);
        for (const std::string& role : kRoles) {
            for (std::uint64_t index = 0; index < 8; ++index) {
                seen.insert(uids.Make(role, index));
                ++made;
            }
        }
    }
    EXPECT_EQ(seen.size(), made);

    // Every UID of one study differs from the corresponding UID of another seed.
    const PhantomStudy one = MakePhantomStudy(1, 4);
    const PhantomStudy two = MakePhantomStudy(2, 4);
    EXPECT_NE(one.study_instance_uid, two.study_instance_uid);
    EXPECT_NE(one.frame_of_reference_uid, two.frame_of_reference_uid);
    EXPECT_NE(one.rtstruct_sop_instance_uid, two.rtstruct_sop_instance_uid);
    for (std::size_t k = 0; k < 4; ++k) {
        EXPECT_NE(one.ct_sop_instance_uids[k], two.ct_sop_instance_uids[k]);
    }
}

TEST(PhantomUidTest, UidsAreValidUuidDerivedDicomUids) {
    EXPECT_TRUE(MatchesUuidUidForm("2.25.0"));
    EXPECT_TRUE(MatchesUuidUidForm("2.25.1234"));
    EXPECT_FALSE(MatchesUuidUidForm("2.25."));
    EXPECT_FALSE(MatchesUuidUidForm("2.25.0123"));
    EXPECT_FALSE(MatchesUuidUidForm("2.25.12a"));
    EXPECT_FALSE(MatchesUuidUidForm("1.2.25.1"));
    for (std::uint64_t seed = 0; seed < 25; ++seed) {
        const PhantomStudy study = MakePhantomStudy(seed, 6);
        std::vector<std::string> uids = {study.study_instance_uid,        study.frame_of_reference_uid,
                                         study.ct_series_instance_uid,    study.rtstruct_series_instance_uid,
                                         study.rtstruct_sop_instance_uid, study.seg_series_instance_uid,
                                         study.seg_sop_instance_uid,      study.seg_dimension_organization_uid};
        uids.insert(uids.end(), study.ct_sop_instance_uids.begin(), study.ct_sop_instance_uids.end());
        for (const std::string& uid : uids) {
            ASSERT_TRUE(MatchesUuidUidForm(uid)) << uid;
            EXPECT_LE(uid.size(), 64U) << uid;
            Uint128 value = 0;
            const std::string decimal = uid.substr(5);
            ASSERT_TRUE(ParseDecimal128(decimal, value)) << uid << " does not fit in 128 bits";
            // The decimal is the canonical rendering of a 128-bit value ...
            EXPECT_EQ(Decimal128(value), decimal);
            EXPECT_EQ(ToDecimal(High(value), Low(value)), decimal);
            // ... of an RFC 4122 version 4 UUID (ISO/IEC 9834-8).
            EXPECT_EQ(static_cast<unsigned>((value >> 76U) & 0xFU), 4U) << uid;
            EXPECT_EQ(static_cast<unsigned>((value >> 62U) & 0x3U), 2U) << uid;
        }
    }
}

} // namespace
} // namespace radnode::tools
