#include "reporting/radiomics_table.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <memory>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "reporting/json_writer.h"

namespace radnode::reporting {
namespace {

/// The value of column `name` in `c`, or nullptr when the case has no such column.
struct CaseLookup {
    std::unordered_map<std::string_view, std::string> values;
};

CaseLookup Lookup(const RadiomicsCase& c) {
    CaseLookup lookup;
    for (const auto& [key, value] : c.inputs)
        lookup.values.emplace(key, value);
    if (!c.error.empty())
        lookup.values.emplace(kErrorColumn, c.error);
    for (const auto& [key, value] : c.diagnostics)
        lookup.values.emplace(key, value);
    for (const auto& feature : c.features)
        lookup.values.emplace(feature.name, PythonFloatText(feature.value));
    return lookup;
}

/// Python csv QUOTE_MINIMAL: quote fields holding the delimiter, the quote or a line break.
void AppendCsvField(std::string& out, std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        out += field;
        return;
    }
    out += '"';
    for (char c : field) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

/// Incremental SHA-1 through OpenSSL's EVP interface.
class Sha1 {
public:
    Sha1() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha1(), nullptr) != 1)
            throw std::runtime_error("SHA-1 unavailable in libcrypto");
    }
    void Update(const void* data, std::size_t size) { EVP_DigestUpdate(context_.get(), data, size); }
    std::string HexDigest() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int length = 0;
        EVP_DigestFinal_ex(context_.get(), digest.data(), &length);
        std::string hex;
        for (unsigned int i = 0; i < length; ++i)
            hex += fmt::format("{:02x}", digest[i]);
        return hex;
    }

private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context_;
};

/// SHA-1 of `values` converted to T, in blocks so a large volume is not copied whole.
/// x86 is little-endian, the byte order SimpleITK hashes in.
template <typename T, typename Source> std::string HashAs(const Source& values) {
    Sha1 sha;
    constexpr std::size_t kBlock = 1 << 16;
    std::vector<T> block;
    block.reserve(kBlock);
    for (std::size_t start = 0; start < values.size(); start += kBlock) {
        const std::size_t end = std::min(values.size(), start + kBlock);
        block.clear();
        for (std::size_t i = start; i < end; ++i)
            block.push_back(static_cast<T>(values[i]));
        sha.Update(block.data(), block.size() * sizeof(T));
    }
    return sha.HexDigest();
}

} // namespace

std::string PythonFloatText(double value) {
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    // Shortest round-trip digits in scientific form, "d.ddde±x", then laid out as repr does.
    std::array<char, 64> buffer{};
    const auto result =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), std::fabs(value), std::chars_format::scientific);
    const std::string_view sci(buffer.data(), static_cast<std::size_t>(result.ptr - buffer.data()));
    const std::size_t e = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e))
        if (c != '.')
            digits += c;
    const int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
    std::string out = std::signbit(value) ? "-" : "";
    // Appended piecewise: GCC 12 reports a false -Wrestrict for "literal" + std::string&&.
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
        } else {
            const auto integer_digits = static_cast<std::size_t>(exponent + 1);
            if (digits.size() <= integer_digits)
                out.append(digits).append(integer_digits - digits.size(), '0').append(".0");
            else
                out.append(digits, 0, integer_digits).append(1, '.').append(digits, integer_digits);
        }
    } else {
        out.append(digits, 0, 1);
        if (digits.size() > 1)
            out.append(1, '.').append(digits, 1);
        out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
    }
    return out;
}

std::vector<std::string> RadiomicsColumns(const std::vector<RadiomicsCase>& cases) {
    std::vector<std::string> columns;
    std::unordered_set<std::string> seen;
    const auto add = [&](const std::string& name) {
        if (seen.insert(name).second)
            columns.push_back(name);
    };
    for (const RadiomicsCase& c : cases)
        for (const auto& [key, value] : c.inputs)
            add(key);
    if (std::any_of(cases.begin(), cases.end(), [](const RadiomicsCase& c) { return !c.error.empty(); }))
        add(std::string{kErrorColumn});
    // PyRadiomics orders by its first case; a failed case has no results, so the first
    // successful one stands in for it.
    const auto first = std::find_if(cases.begin(), cases.end(), [](const RadiomicsCase& c) { return c.error.empty(); });
    if (first != cases.end()) {
        for (const auto& [key, value] : first->diagnostics)
            add(key);
        for (const auto& feature : first->features)
            add(feature.name);
    }
    std::set<std::string> additional;
    for (const RadiomicsCase& c : cases) {
        for (const auto& [key, value] : c.diagnostics)
            if (!seen.contains(key))
                additional.insert(key);
        for (const auto& feature : c.features)
            if (!seen.contains(feature.name))
                additional.insert(feature.name);
    }
    columns.insert(columns.end(), additional.begin(), additional.end());
    return columns;
}

std::string RadiomicsCsv(const std::vector<RadiomicsCase>& cases) {
    const std::vector<std::string> columns = RadiomicsColumns(cases);
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0)
            out += ',';
        AppendCsvField(out, columns[i]);
    }
    out += '\n';
    for (const RadiomicsCase& c : cases) {
        const CaseLookup lookup = Lookup(c);
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (i > 0)
                out += ',';
            if (const auto it = lookup.values.find(columns[i]); it != lookup.values.end())
                AppendCsvField(out, it->second);
        }
        out += '\n';
    }
    return out;
}

std::string RadiomicsJson(const std::vector<RadiomicsCase>& cases) {
    JsonWriter json;
    json.BeginArray();
    for (const RadiomicsCase& c : cases) {
        json.BeginObject();
        for (const auto& [key, value] : c.inputs)
            json.Key(key).String(value);
        if (!c.error.empty())
            json.Key(kErrorColumn).String(c.error);
        for (const auto& [key, value] : c.diagnostics)
            json.Key(key).String(value);
        for (const auto& feature : c.features)
            json.Key(feature.name).Number(feature.value);
        json.EndObject();
    }
    json.EndArray();
    return json.Text() + "\n";
}

std::string Sha1Hex(std::span<const unsigned char> bytes) {
    Sha1 sha;
    sha.Update(bytes.data(), bytes.size());
    return sha.HexDigest();
}

std::string PyRadiomicsImageHash(const processing::Volume<double>& image, std::string_view component_type) {
    const auto& v = image.Data();
    if (component_type == "unsigned_char")
        return HashAs<std::uint8_t>(v);
    if (component_type == "char")
        return HashAs<std::int8_t>(v);
    if (component_type == "unsigned_short")
        return HashAs<std::uint16_t>(v);
    if (component_type == "short")
        return HashAs<std::int16_t>(v);
    if (component_type == "unsigned_int")
        return HashAs<std::uint32_t>(v);
    if (component_type == "int")
        return HashAs<std::int32_t>(v);
    if (component_type == "unsigned_long" || component_type == "unsigned_long_long")
        return HashAs<std::uint64_t>(v);
    if (component_type == "long" || component_type == "long_long")
        return HashAs<std::int64_t>(v);
    if (component_type == "float")
        return HashAs<float>(v);
    if (component_type == "double")
        return HashAs<double>(v);
    throw std::invalid_argument(fmt::format("cannot hash voxels of component type '{}'", component_type));
}

std::string PyRadiomicsMaskHash(const processing::Volume<std::int32_t>& mask) {
    return HashAs<std::uint32_t>(mask.Data());
}

void AddProvenanceDiagnostics(TextPairs& diagnostics, const TextPairs& versions, const std::string& image_hash,
                              const std::string& mask_hash) {
    const auto erase = [&](std::string_view name) {
        std::erase_if(diagnostics, [&](const auto& entry) { return entry.first == name; });
    };
    for (const auto& [key, value] : versions)
        erase(key);
    const auto insert_before_prefix = [&](std::string_view prefix, std::string name, const std::string& value) {
        erase(name);
        const auto at = std::find_if(diagnostics.begin(), diagnostics.end(),
                                     [&](const auto& entry) { return entry.first.starts_with(prefix); });
        diagnostics.insert(at, {std::move(name), value});
    };
    insert_before_prefix("diagnostics_Image-original_", "diagnostics_Image-original_Hash", image_hash);
    insert_before_prefix("diagnostics_Mask-original_", "diagnostics_Mask-original_Hash", mask_hash);
    diagnostics.insert(diagnostics.begin(), versions.begin(), versions.end());
}

} // namespace radnode::reporting
