#pragma once
// A minimal strict JSON reader for tests (RFC 8259 grammar, numbers as
// double), so truth.json can be checked without adding a dependency.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::tools::test {

struct JsonMember;

/// A parsed JSON value; objects keep their members in document order.
struct JsonValue {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;
    double number = 0.0;
    std::string text;
    std::vector<JsonValue> items;
    std::vector<JsonMember> members;

    /// True when this is an object with member `key`.
    [[nodiscard]] bool Has(std::string_view key) const;
    /// Member `key` of an object; throws std::out_of_range when absent.
    [[nodiscard]] const JsonValue& operator[](std::string_view key) const;
    /// Item `index` of an array; throws std::out_of_range when absent.
    [[nodiscard]] const JsonValue& operator[](std::size_t index) const;
};

/// One name/value pair of an object.
struct JsonMember {
    std::string name;
    JsonValue value;
};

/// Parses a complete document (trailing whitespace only); throws
/// std::runtime_error with the byte offset on any syntax error.
[[nodiscard]] JsonValue ParseJson(std::string_view text);

} // namespace radnode::tools::test
