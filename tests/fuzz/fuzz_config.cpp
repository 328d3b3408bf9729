// libFuzzer target: arbitrary text as a configuration file must give a Config or a ConfigError.
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        (void)radnode::config::LoadConfigText(std::string(reinterpret_cast<const char*>(data), size));
    } catch (const radnode::config::ConfigError&) {
    }
    return 0;
}
