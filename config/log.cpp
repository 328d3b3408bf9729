#include "config/log.h"

#include <atomic>
#include <memory>
#include <stdexcept>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace radnode::log {
namespace {

std::atomic<Level> g_level{Level::Info};

std::shared_ptr<spdlog::logger>& Logger() {
    static std::shared_ptr<spdlog::logger> instance = [] {
        auto l = std::make_shared<spdlog::logger>("radnode", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v", spdlog::pattern_time_type::utc);
        l->set_level(spdlog::level::trace);
        l->flush_on(spdlog::level::trace);
        return l;
    }();
    return instance;
}

spdlog::level::level_enum ToSpd(Level level) {
    switch (level) {
    case Level::Trace: return spdlog::level::trace;
    case Level::Debug: return spdlog::level::debug;
    case Level::Info: return spdlog::level::info;
    case Level::Warn: return spdlog::level::warn;
    case Level::Error: return spdlog::level::err;
    }
    return spdlog::level::info;
}

/// Values with spaces, quotes or '=' are quoted so a line stays machine-splittable.
void AppendValue(std::string& out, const std::string& value) {
    const bool quote = value.empty() || value.find_first_of(" \t\"=") != std::string::npos;
    if (!quote) {
        out += value;
        return;
    }
    out += '"';
    for (char c : value) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += (c == '\n') ? ' ' : c;
    }
    out += '"';
}

} // namespace

void Configure(Level level, const std::string& file) {
    g_level = level;
    std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_sink_mt>()};
    if (!file.empty())
        sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file, false));
    auto l = std::make_shared<spdlog::logger>("radnode", sinks.begin(), sinks.end());
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v", spdlog::pattern_time_type::utc);
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::trace);
    std::atomic_store(&Logger(), l);
}

Level ParseLevel(std::string_view text) {
    if (text == "trace") return Level::Trace;
    if (text == "debug") return Level::Debug;
    if (text == "info") return Level::Info;
    if (text == "warn" || text == "warning") return Level::Warn;
    if (text == "error") return Level::Error;
    throw std::invalid_argument(fmt::format("unknown log level '{}' (trace, debug, info, warn, error)", text));
}

bool IsEnabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

std::string_view CategoryName(Category category) {
    switch (category) {
    case Category::Main: return "MAIN";
    case Category::Dicom: return "DICOM";
    case Category::Db: return "DB";
    case Category::Jobs: return "JOBS";
    case Category::Proc: return "PROC";
    case Category::Config: return "CONFIG";
    case Category::Http: return "HTTP";
    }
    return "?";
}

void Write(Level level, Category category, std::string_view message, std::initializer_list<Field> fields) {
    std::string line;
    line.reserve(128);
    line += CategoryName(category);
    line += ' ';
    line += message;
    for (const Field& f : fields) {
        line += ' ';
        line += f.key;
        line += '=';
        AppendValue(line, f.value);
    }
    std::atomic_load(&Logger())->log(ToSpd(level), line);
}

} // namespace radnode::log
