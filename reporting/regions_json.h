#pragma once
/// JSON documents of the automatic regions and the coronary calcium score (`radnode segment`
/// writes them as regions.json and cac.json; the REST API serves the same shapes).

#include "processing/cac/calcium_score.h"
#include "processing/regions/region_analysis.h"
#include "reporting/json_writer.h"

#include <map>
#include <string>

namespace radnode::reporting {

/// Every region with found/reason, voxel count and volume; peritumoral regions also with their
/// distances and clipping/edge diagnostics. `files` maps region names to the file written for
/// them (listed as "file"), may be empty.
[[nodiscard]] std::string RegionsJson(const processing::regions::RegionAnalysis& analysis,
                                      const processing::ImageGeometry& grid,
                                      const std::map<std::string, std::string>& files = {});

/// The CAC result: computed or not (with the reason), scores, conventions, lesions.
[[nodiscard]] std::string CacJson(const processing::cac::CalciumScore& score);

/// The same two documents written as one value into a larger document.
void WriteRegions(JsonWriter& w, const processing::regions::RegionAnalysis& analysis,
                  const processing::ImageGeometry& grid, const std::map<std::string, std::string>& files = {});
void WriteCac(JsonWriter& w, const processing::cac::CalciumScore& score);

} // namespace radnode::reporting
