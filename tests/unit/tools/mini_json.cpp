#include "mini_json.h"

#include <cstdlib>
#include <utility>

namespace radnode::tools::test {
namespace {

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    JsonValue Document() {
        JsonValue value = Value();
        SkipSpace();
        if (pos_ != text_.size()) {
            Fail("trailing characters");
        }
        return value;
    }

private:
    [[noreturn]] void Fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(pos_));
    }

    void SkipSpace() {
        while (pos_ < text_.size() &&
               (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t')) {
            ++pos_;
        }
    }

    char Peek() {
        SkipSpace();
        if (pos_ >= text_.size()) {
            Fail("unexpected end");
        }
        return text_[pos_];
    }

    void Expect(char c) {
        if (Peek() != c) {
            Fail(std::string("expected '") + c + "'");
        }
        ++pos_;
    }

    bool Literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) {
            return false;
        }
        pos_ += word.size();
        return true;
    }

    JsonValue Value() {
        const char c = Peek();
        JsonValue value;
        if (c == '{') {
            value.kind = JsonValue::Kind::Object;
            ++pos_;
            if (Peek() == '}') {
                ++pos_;
                return value;
            }
            for (;;) {
                if (Peek() != '"') {
                    Fail("expected a key");
                }
                std::string key = String();
                Expect(':');
                value.members.push_back({std::move(key), Value()});
                if (Peek() != ',') {
                    break;
                }
                ++pos_;
            }
            Expect('}');
        } else if (c == '[') {
            value.kind = JsonValue::Kind::Array;
            ++pos_;
            if (Peek() == ']') {
                ++pos_;
                return value;
            }
            for (;;) {
                value.items.push_back(Value());
                if (Peek() != ',') {
                    break;
                }
                ++pos_;
            }
            Expect(']');
        } else if (c == '"') {
            value.kind = JsonValue::Kind::String;
            value.text = String();
        } else if (Literal("true")) {
            value.kind = JsonValue::Kind::Bool;
            value.boolean = true;
        } else if (Literal("false")) {
            value.kind = JsonValue::Kind::Bool;
        } else if (Literal("null")) {
            value.kind = JsonValue::Kind::Null;
        } else {
            value.kind = JsonValue::Kind::Number;
            value.number = Number();
        }
        return value;
    }

    std::string String() {
        ++pos_; // opening quote
        std::string out;
        while (pos_ < text_.size() && text_[pos_] != '"') {
            char c = text_[pos_++];
            if (static_cast<unsigned char>(c) < 0x20) {
                Fail("control character in string");
            }
            if (c == '\\') {
                if (pos_ >= text_.size()) {
                    Fail("unterminated escape");
                }
                const char e = text_[pos_++];
                const std::string_view simple = "\"\\/bfnrt";
                const std::string_view mapped = "\"\\/\b\f\n\r\t";
                if (const std::size_t at = simple.find(e); at != std::string_view::npos) {
                    c = mapped[at];
                } else if (e == 'u' && pos_ + 4 <= text_.size()) {
                    const unsigned long code = std::strtoul(std::string(text_.substr(pos_, 4)).c_str(), nullptr, 16);
                    pos_ += 4;
                    if (code >= 0x80) {
                        Fail("non-ASCII \\u escape is not supported by this test reader");
                    }
                    c = static_cast<char>(code);
                } else {
                    Fail("bad escape");
                }
            }
            out.push_back(c);
        }
        if (pos_ >= text_.size()) {
            Fail("unterminated string");
        }
        ++pos_; // closing quote
        return out;
    }

    double Number() {
        const std::size_t start = pos_;
        auto digits = [&] {
            const std::size_t first = pos_;
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
                ++pos_;
            }
            return pos_ > first;
        };
        if (text_[pos_] == '-') {
            ++pos_;
        }
        if (pos_ < text_.size() && text_[pos_] == '0') {
            ++pos_; // a leading zero stands alone
        } else if (!digits()) {
            Fail("bad number");
        }
        if (pos_ < text_.size() && text_[pos_] == '.') {
            ++pos_;
            if (!digits()) {
                Fail("bad fraction");
            }
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
                ++pos_;
            }
            if (!digits()) {
                Fail("bad exponent");
            }
        }
        return std::strtod(std::string(text_.substr(start, pos_ - start)).c_str(), nullptr);
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

} // namespace

bool JsonValue::Has(std::string_view key) const {
    for (const auto& [name, value] : members) {
        if (name == key) {
            return true;
        }
    }
    return false;
}

const JsonValue& JsonValue::operator[](std::string_view key) const {
    for (const auto& [name, value] : members) {
        if (name == key) {
            return value;
        }
    }
    throw std::out_of_range("JSON: no member '" + std::string(key) + "'");
}

const JsonValue& JsonValue::operator[](std::size_t index) const {
    return items.at(index);
}

JsonValue ParseJson(std::string_view text) {
    return Parser(text).Document();
}

} // namespace radnode::tools::test
