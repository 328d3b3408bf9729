#include "config/signature_file.h"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>

#include "config/config.h"

namespace radnode::config {
namespace {

namespace sig = processing::signatures;

constexpr std::array<std::string_view, 11> kSignatureKeys = {"name",    "version", "description", "model",
                                                             "example", "source",  "region",      "intercept",
                                                             "cutoffs", "groups",  "terms"};
constexpr std::array<std::string_view, 5> kTermKeys = {"feature", "region", "mean", "sd", "coefficient"};

/// " (line N)" of a node; nothing for a null value, whose mark yaml-cpp puts at the next token.
std::string LineOf(const YAML::Node& node) {
    const YAML::Mark mark = node.IsDefined() && !node.IsNull() ? node.Mark() : YAML::Mark::null_mark();
    return mark.line >= 0 ? fmt::format(" (line {})", mark.line + 1) : std::string{};
}

/// "sig.yaml: terms[2].sd (line 14): message".
[[noreturn]] void Fail(std::string_view source, std::string_view path, const YAML::Node& node,
                       std::string_view message) {
    throw ConfigError(fmt::format("{}: {}{}: {}", source, path, LineOf(node), message));
}

std::string Describe(const YAML::Node& node) {
    if (node.IsNull())
        return "null";
    if (node.IsSequence())
        return "a list";
    if (node.IsMap())
        return "a mapping";
    if (node.Tag() == "!")
        return fmt::format("the string \"{}\"", node.Scalar());
    return fmt::format("'{}'", node.Scalar());
}

/// A quoted scalar is a string in YAML and JSON, never a number or boolean.
bool IsQuoted(const YAML::Node& node) { return node.Tag() == "!"; }

/// YAML 1.2 core-schema floats and integers, and .inf/.nan (read so that validation can say
/// "must be finite" rather than "not a number").
std::optional<double> ReadNumber(const std::string& text) {
    std::string_view rest = text;
    bool negative = false;
    if (!rest.empty() && (rest.front() == '+' || rest.front() == '-')) {
        negative = rest.front() == '-';
        rest.remove_prefix(1);
    }
    if (rest == ".inf" || rest == ".Inf" || rest == ".INF")
        return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    if (rest == ".nan" || rest == ".NaN" || rest == ".NAN")
        return std::numeric_limits<double>::quiet_NaN();
    const bool digit_first = !rest.empty() && (std::isdigit(static_cast<unsigned char>(rest.front())) ||
                                               (rest.size() > 1 && rest.front() == '.' &&
                                                std::isdigit(static_cast<unsigned char>(rest[1]))));
    if (!digit_first)
        return std::nullopt;
    double value = 0.0;
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (end != rest.data() + rest.size() || (error != std::errc{} && error != std::errc::result_out_of_range))
        return std::nullopt;
    if (error == std::errc::result_out_of_range) // from_chars leaves `value` alone; strtod gives inf or ~0
        value = std::strtod(std::string(rest).c_str(), nullptr);
    return negative ? -value : value;
}

double Number(std::string_view source, std::string_view path, const YAML::Node& node) {
    if (node.IsScalar() && !IsQuoted(node))
        if (const auto value = ReadNumber(node.Scalar()))
            return *value;
    Fail(source, path, node, fmt::format("expected a number, got {}", Describe(node)));
}

std::string String(std::string_view source, std::string_view path, const YAML::Node& node) {
    if (!node.IsScalar())
        Fail(source, path, node, fmt::format("expected a string, got {}", Describe(node)));
    return node.Scalar();
}

bool Bool(std::string_view source, std::string_view path, const YAML::Node& node) {
    if (node.IsScalar() && !IsQuoted(node)) {
        const std::string& text = node.Scalar();
        if (text == "true" || text == "True" || text == "TRUE")
            return true;
        if (text == "false" || text == "False" || text == "FALSE")
            return false;
    }
    Fail(source, path, node, fmt::format("expected true or false, got {}", Describe(node)));
}

template <typename Item>
std::vector<Item> List(std::string_view source, std::string_view path, const YAML::Node& node, Item (*parse)(std::string_view, std::string_view, const YAML::Node&)) {
    if (!node.IsSequence())
        Fail(source, path, node, fmt::format("expected a list, got {}", Describe(node)));
    std::vector<Item> items;
    for (std::size_t i = 0; i < node.size(); ++i)
        items.push_back(parse(source, fmt::format("{}[{}]", path, i), node[i]));
    return items;
}

/// The entries of a mapping by key, refusing non-mappings, unknown keys and repeated keys.
std::map<std::string, YAML::Node> Entries(std::string_view source, std::string_view path, const YAML::Node& node,
                                          std::span<const std::string_view> known) {
    const std::string where = path.empty() ? std::string{"document"} : std::string{path};
    if (!node.IsMap())
        Fail(source, where, node, fmt::format("expected a mapping, got {}", Describe(node)));
    std::map<std::string, YAML::Node> entries;
    for (const auto& entry : node) {
        const std::string key_path = path.empty() ? std::string{} : std::string{path} + ".";
        if (!entry.first.IsScalar())
            Fail(source, where, entry.first, fmt::format("a key must be a name, got {}", Describe(entry.first)));
        const std::string key = entry.first.Scalar();
        if (std::find(known.begin(), known.end(), key) == known.end())
            Fail(source, key_path + key, entry.first,
                 fmt::format("unknown key '{}' (known keys: {})", key, fmt::join(known, ", ")));
        if (!entries.emplace(key, entry.second).second)
            Fail(source, key_path + key, entry.first, "key given twice");
    }
    return entries;
}

const YAML::Node* Find(const std::map<std::string, YAML::Node>& entries, const std::string& key) {
    const auto it = entries.find(key);
    return it == entries.end() ? nullptr : &it->second;
}

sig::SignatureTerm Term(std::string_view source, std::string_view path, const YAML::Node& node) {
    const auto entries = Entries(source, path, node, kTermKeys);
    for (const char* required : {"feature", "mean", "sd", "coefficient"})
        if (!entries.contains(required))
            Fail(source, path, node, fmt::format("missing required key '{}'", required));
    const auto field = [&](const char* key) { return fmt::format("{}.{}", path, key); };
    sig::SignatureTerm term;
    term.feature = String(source, field("feature"), entries.at("feature"));
    if (const YAML::Node* region = Find(entries, "region"))
        term.region = String(source, field("region"), *region);
    term.mean = Number(source, field("mean"), entries.at("mean"));
    term.sd = Number(source, field("sd"), entries.at("sd"));
    term.coefficient = Number(source, field("coefficient"), entries.at("coefficient"));
    return term;
}

/// The node a validation issue's field ("terms[2].sd") names, or the nearest one that exists.
YAML::Node NodeOf(const YAML::Node& root, const std::string& field) {
    YAML::Node node = root; // reset() rebinds; operator= would overwrite the tree
    std::istringstream parts(field);
    std::string part;
    while (std::getline(parts, part, '.')) {
        const auto bracket = part.find('[');
        const std::string key = part.substr(0, bracket);
        const YAML::Node& current = node;
        if (!current.IsMap() || !current[key])
            return node;
        node.reset(current[key]);
        if (bracket != std::string::npos) {
            const std::size_t index = std::stoul(part.substr(bracket + 1));
            const YAML::Node& list = node;
            if (!list.IsSequence() || index >= list.size())
                return node;
            node.reset(list[index]);
        }
    }
    return node;
}

sig::Signature Parse(const YAML::Node& root, std::string_view source) {
    if (!root.IsDefined() || root.IsNull())
        throw ConfigError(fmt::format("{}: empty signature file", source));
    const auto entries = Entries(source, "", root, kSignatureKeys);
    for (const char* required : {"name", "terms"})
        if (!entries.contains(required))
            Fail(source, "document", root, fmt::format("missing required key '{}'", required));
    sig::Signature s;
    s.name = String(source, "name", entries.at("name"));
    const auto text = [&](const char* key, std::string& out) {
        if (const YAML::Node* node = Find(entries, key))
            out = String(source, key, *node);
    };
    text("version", s.version);
    text("description", s.description);
    text("model", s.model);
    text("source", s.source);
    text("region", s.region);
    if (const YAML::Node* node = Find(entries, "example"))
        s.example = Bool(source, "example", *node);
    if (const YAML::Node* node = Find(entries, "intercept"))
        s.intercept = Number(source, "intercept", *node);
    if (const YAML::Node* node = Find(entries, "cutoffs"))
        s.cutoffs = List<double>(source, "cutoffs", *node, &Number);
    if (const YAML::Node* node = Find(entries, "groups"))
        s.groups = List<std::string>(source, "groups", *node, &String);
    s.terms = List<sig::SignatureTerm>(source, "terms", entries.at("terms"), &Term);

    const std::vector<sig::SignatureIssue> issues = sig::ValidateSignature(s);
    if (!issues.empty()) {
        std::vector<std::string> lines;
        for (const sig::SignatureIssue& issue : issues)
            lines.push_back(fmt::format("{}: {}{}: {}", source, issue.field, LineOf(NodeOf(root, issue.field)),
                                        issue.message));
        throw ConfigError(fmt::format("{}", fmt::join(lines, "\n")));
    }
    return s;
}

bool IsSignatureFile(const std::filesystem::path& path) {
    const std::string ext = path.extension().string();
    return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

} // namespace

sig::Signature ParseSignature(const std::string& text, std::string_view source) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw ConfigError(fmt::format("{}: not valid YAML or JSON (line {}): {}", source, e.mark.line + 1, e.msg));
    }
    return Parse(root, source);
}

sig::Signature LoadSignatureFile(const std::filesystem::path& file) {
    std::ifstream stream(file, std::ios::binary);
    if (!stream || std::filesystem::is_directory(file))
        throw ConfigError(fmt::format("{}: cannot read signature file", file.string()));
    std::ostringstream text;
    text << stream.rdbuf();
    return ParseSignature(text.str(), file.string());
}

std::vector<sig::Signature> LoadSignatureFolder(const std::filesystem::path& folder) {
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error))
        throw ConfigError(fmt::format("{}: not a signature folder (no such directory)", folder.string()));
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error))
        if (IsSignatureFile(entry.path()) && !entry.is_directory())
            files.push_back(entry.path());
    if (error)
        throw ConfigError(fmt::format("{}: cannot list signature folder: {}", folder.string(), error.message()));
    std::sort(files.begin(), files.end());
    std::vector<sig::Signature> signatures;
    std::map<std::string, std::filesystem::path> first_file;
    for (const auto& file : files) {
        sig::Signature signature = LoadSignatureFile(file);
        const auto [it, inserted] = first_file.emplace(signature.name, file);
        if (!inserted)
            throw ConfigError(fmt::format("{}: name '{}' is already used by {}", file.string(), signature.name,
                                          it->second.string()));
        signatures.push_back(std::move(signature));
    }
    return signatures;
}

} // namespace radnode::config
