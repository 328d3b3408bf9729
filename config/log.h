#pragma once
/// Structured logging for radnode: one logger, a category per line, key=value
/// context. Lines about work carry the UIDs involved; patient names are never logged.
///
///   RADNODE_LOG_INFO(Category::Dicom, "instance stored", {{"sop", uid}, {"bytes", n}});
///
/// Output format (one line): `2026-11-21T10:00:00.123Z INFO  DICOM instance stored sop=1.2.3 bytes=524288`

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace radnode::log {

enum class Category { Main, Dicom, Db, Jobs, Proc, Config, Http };
enum class Level { Trace, Debug, Info, Warn, Error };

/// One key=value pair of context. Values are formatted eagerly by the caller.
struct Field {
    std::string_view key;
    std::string value;
    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
    Field(std::string_view k, const std::string& v) : key(k), value(v) {}
    template <typename T>
        requires std::is_arithmetic_v<T>
    Field(std::string_view k, T v) : key(k), value(fmt::to_string(v)) {}
};

/// Configures the process-wide logger. `file` empty means stderr only.
void Configure(Level level, const std::string& file = {});
Level ParseLevel(std::string_view text);
bool IsEnabled(Level level);
void Write(Level level, Category category, std::string_view message, std::initializer_list<Field> fields = {});
std::string_view CategoryName(Category category);

} // namespace radnode::log

#define RADNODE_LOG_(lvl, cat, ...)                                                                                    \
    do {                                                                                                               \
        if (::radnode::log::IsEnabled(lvl))                                                                            \
            ::radnode::log::Write(lvl, cat, __VA_ARGS__);                                                              \
    } while (false)
#define RADNODE_LOG_DEBUG(cat, ...) RADNODE_LOG_(::radnode::log::Level::Debug, ::radnode::log::cat, __VA_ARGS__)
#define RADNODE_LOG_INFO(cat, ...) RADNODE_LOG_(::radnode::log::Level::Info, ::radnode::log::cat, __VA_ARGS__)
#define RADNODE_LOG_WARN(cat, ...) RADNODE_LOG_(::radnode::log::Level::Warn, ::radnode::log::cat, __VA_ARGS__)
#define RADNODE_LOG_ERROR(cat, ...) RADNODE_LOG_(::radnode::log::Level::Error, ::radnode::log::cat, __VA_ARGS__)
