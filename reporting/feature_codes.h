#pragma once
// Coded concepts for PyRadiomics features in DICOM SR: the IBSI code where the
// IBSI (PS3.16 coding scheme "IBSI") defines one, otherwise a stable private
// code in radnode's scheme "99RADNODE". Also the other private concepts radnode
// emits (image filter, peritumoral ring, signature scores, calcium risk).
// See docs/sr.md for the table's provenance and the private scheme.

#include "reporting/seg_writer.h" // CodedConcept

#include <optional>
#include <string>
#include <string_view>

namespace radnode::reporting {

/// Coding scheme designator of radnode's private codes (PS3.16 "99" prefix).
inline constexpr std::string_view kPrivateScheme = "99RADNODE";

/// A PyRadiomics feature key "<image type>_<class>_<feature>", e.g.
/// "wavelet-LLH_glcm_Contrast" or "log-sigma-1-0-mm-3D_firstorder_Mean".
struct FeatureKey {
    std::string image_type;    ///< "original", "wavelet-LLH", "log-sigma-1-0-mm-3D", ...
    std::string feature_class; ///< "firstorder", "shape", "glcm", ...
    std::string feature;       ///< "Mean", "Contrast", ...
};

/// Splits a feature key; nullopt for diagnostics_* keys and keys without three parts.
[[nodiscard]] std::optional<FeatureKey> ParseFeatureKey(std::string_view key);

/// The concept name of a feature (class + feature, independent of the image type).
struct FeatureConcept {
    CodedConcept code;
    bool ibsi = false;      ///< code is an IBSI code (scheme "IBSI"), else private
    bool in_cid218 = false; ///< the IBSI code is one of PS3.16's (all of them are in CID 218)
};

/// IBSI code of `feature_class`/`feature` when mapped, else the private code
/// ("RF" + 8 hex digits of FNV-1a-32 of "<class>_<feature>", meaning "PyRadiomics <class> <feature>").
[[nodiscard]] FeatureConcept FeatureConceptOf(std::string_view feature_class, std::string_view feature);

/// UCUM unit of a feature: mm, mm2, mm3 or 1/mm for the shape features that have
/// a dimension, "1" (no units) otherwise.
[[nodiscard]] CodedConcept FeatureUnitOf(std::string_view feature_class, std::string_view feature);

/// Concept name of the modifier that names the filtered image a feature was computed on.
[[nodiscard]] CodedConcept ImageFilterConcept();

/// Private code of an image type other than "original": "RI" + 8 hex digits of
/// FNV-1a-32 of the image type; the meaning is the image type itself.
[[nodiscard]] CodedConcept ImageFilterCode(std::string_view image_type);

/// Finding code of a peritumoral ring region (PS3.16 has none).
[[nodiscard]] CodedConcept PeritumoralRingCode();

/// Concept name of a signature score: "RS" + 8 hex digits of FNV-1a-32 of the
/// signature name, meaning "Signature score <name>" (cut to 64 characters).
[[nodiscard]] CodedConcept SignatureScoreConcept(std::string_view signature_name);

/// Concept name of the risk group a signature assigns.
[[nodiscard]] CodedConcept SignatureRiskGroupConcept();

/// Concept name of the coronary calcium risk category.
[[nodiscard]] CodedConcept CalciumRiskCategoryConcept();

/// Upper-case hexadecimal FNV-1a-32 of `text` (8 characters), the base of the private code values.
[[nodiscard]] std::string PrivateHash(std::string_view text);

} // namespace radnode::reporting
