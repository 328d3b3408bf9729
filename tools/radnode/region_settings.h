#pragma once
/// The segmentation.*, peritumoral.* and cac.* settings as the processing structs they select
/// (the configuration has already been validated by config::Load).

#include "config/config.h"
#include "processing/regions/region_analysis.h"

namespace radnode::tools {

[[nodiscard]] processing::regions::RegionAnalysisSettings RegionSettingsFrom(const config::Config& config);

} // namespace radnode::tools
