#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "reporting/json_writer.h"

namespace radnode::reporting {
namespace {

std::string Compact(std::string text) {
    std::string out;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"' && (i == 0 || text[i - 1] != '\\'))
            in_string = !in_string;
        if (in_string || (c != ' ' && c != '\n'))
            out += c;
    }
    return out;
}

TEST(ReportingJsonWriter, NestsObjectsAndArraysWithCommas) {
    JsonWriter json;
    json.BeginObject().Key("a").Integer(-3).Key("b").BeginArray().Unsigned(1).Bool(true).Null().EndArray();
    json.Key("c").BeginObject().EndObject().EndObject();
    EXPECT_EQ(Compact(json.Text()), R"({"a":-3,"b":[1,true,null],"c":{}})");
}

TEST(ReportingJsonWriter, EscapesStrings) {
    JsonWriter json;
    json.BeginObject().Key("s").String("quote \" backslash \\ newline \n tab \t bell \a").EndObject();
    EXPECT_EQ(Compact(json.Text()), R"({"s":"quote \" backslash \\ newline \n tab \t bell \u0007"})");
}

TEST(ReportingJsonWriter, NumbersRoundTripAndNonFiniteIsNull) {
    JsonWriter json;
    json.BeginArray().Number(0.1).Number(14137.166941154068).Number(std::nan("")).Number(
        std::numeric_limits<double>::infinity());
    json.EndArray();
    const std::string text = Compact(json.Text());
    EXPECT_EQ(text, "[0.1,14137.166941154068,null,null]");
    EXPECT_EQ(std::stod(text.substr(5, 18)), 14137.166941154068);
}

} // namespace
} // namespace radnode::reporting
