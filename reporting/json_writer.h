#pragma once
// A small streaming JSON writer (pretty-printed, deterministic number format).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace radnode::reporting {

/// Builds a JSON document in memory. Call Key() before every value inside an
/// object; commas and indentation are handled here. Doubles use the shortest
/// representation that round-trips; non-finite values become null.
class JsonWriter {
public:
    JsonWriter& BeginObject();
    JsonWriter& EndObject();
    JsonWriter& BeginArray();
    JsonWriter& EndArray();
    JsonWriter& Key(std::string_view key);
    JsonWriter& String(std::string_view value);
    JsonWriter& Number(double value);
    JsonWriter& Integer(std::int64_t value);
    JsonWriter& Unsigned(std::uint64_t value);
    JsonWriter& Bool(bool value);
    JsonWriter& Null();
    /// Array of numbers on one line, e.g. a point.
    JsonWriter& NumberArray(const double* values, std::size_t count);

    /// The document; valid once every object/array is closed.
    [[nodiscard]] const std::string& Text() const { return text_; }

private:
    void BeforeValue();
    void NewLine();
    void Close(char bracket);
    void AppendEscaped(std::string_view value);

    std::string text_;
    std::vector<bool> has_items_; // per open container
    bool after_key_ = false;
    bool inline_ = false;
};

} // namespace radnode::reporting
