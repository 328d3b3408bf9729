#pragma once
/// One computed feature and the ordered list a feature class returns.

#include <string>
#include <string_view>
#include <vector>

namespace radnode::processing::radiomics {

struct Feature {
    /// PyRadiomics class and feature name without image type, e.g. "glcm_Contrast",
    /// "shape_MeshVolume"; the extractor prefixes "original_", "log-sigma-1-0-mm-3D_", ...
    std::string name;
    double value = 0.0;
    /// IBSI identifier (e.g. "ACUP" for glcm Contrast), empty when IBSI defines none.
    std::string_view ibsi_code;
    /// PyRadiomics computes this only when enabled by name (deprecated or off by default).
    bool on_request = false;
};

using Features = std::vector<Feature>;

} // namespace radnode::processing::radiomics
