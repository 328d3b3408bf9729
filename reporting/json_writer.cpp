#include "reporting/json_writer.h"

#include <cmath>
#include <fmt/format.h>

namespace radnode::reporting {

void JsonWriter::NewLine() {
    if (inline_) {
        text_ += ' ';
        return;
    }
    text_ += '\n';
    text_.append(2 * has_items_.size(), ' ');
}

void JsonWriter::BeforeValue() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!has_items_.empty()) {
        if (has_items_.back()) {
            text_ += ',';
        }
        has_items_.back() = true;
        NewLine();
    }
}

JsonWriter& JsonWriter::BeginObject() {
    BeforeValue();
    text_ += '{';
    has_items_.push_back(false);
    return *this;
}

void JsonWriter::Close(char bracket) {
    const bool had_items = has_items_.back();
    has_items_.pop_back();
    if (had_items) {
        NewLine();
    }
    text_ += bracket;
}

JsonWriter& JsonWriter::EndObject() {
    Close('}');
    return *this;
}

JsonWriter& JsonWriter::BeginArray() {
    BeforeValue();
    text_ += '[';
    has_items_.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::EndArray() {
    Close(']');
    return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
    BeforeValue();
    AppendEscaped(key);
    text_ += ": ";
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
    BeforeValue();
    AppendEscaped(value);
    return *this;
}

void JsonWriter::AppendEscaped(std::string_view value) {
    std::string escaped = "\"";
    for (const char c : value) {
        switch (c) {
        case '"':
            escaped += "\\\"";
            break;
        case '\\':
            escaped += "\\\\";
            break;
        case '\n':
            escaped += "\\n";
            break;
        case '\t':
            escaped += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                escaped += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
            } else {
                escaped += c;
            }
        }
    }
    escaped += '"';
    text_ += escaped;
}

JsonWriter& JsonWriter::Number(double value) {
    BeforeValue();
    text_ += std::isfinite(value) ? fmt::format("{}", value) : "null";
    return *this;
}

JsonWriter& JsonWriter::Integer(std::int64_t value) {
    BeforeValue();
    text_ += fmt::format("{}", value);
    return *this;
}

JsonWriter& JsonWriter::Unsigned(std::uint64_t value) {
    BeforeValue();
    text_ += fmt::format("{}", value);
    return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
    BeforeValue();
    text_ += value ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::Null() {
    BeforeValue();
    text_ += "null";
    return *this;
}

JsonWriter& JsonWriter::NumberArray(const double* values, std::size_t count) {
    BeginArray();
    inline_ = true;
    for (std::size_t i = 0; i < count; ++i) {
        Number(values[i]);
    }
    EndArray();
    inline_ = false;
    return *this;
}

} // namespace radnode::reporting
