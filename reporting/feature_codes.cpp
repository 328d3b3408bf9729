#include "reporting/feature_codes.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

namespace radnode::reporting {
namespace {

struct IbsiRow {
    std::string_view feature_class;
    std::string_view feature;
    std::string_view code;
    std::string_view meaning;
    bool in_ps316;
};

// clang-format off
// BEGIN GENERATED (tools/dev/feature_codes.py --update reporting/feature_codes.cpp)
// From the PyRadiomics featuresDict_IBSIv7.tsv (BSD-3) and the PS3.16 IBSI codes (via
// pydicom, MIT). Do not edit by hand. {class, feature, IBSI code, meaning, in PS3.16 (CID 218)}
constexpr std::array<IbsiRow, 107> kIbsiRows{{
    {"firstorder", "10Percentile", "QG58", "10th percentile", false},
    {"firstorder", "90Percentile", "8DWT", "90th percentile", false},
    {"firstorder", "Energy", "N8CA", "Energy", false},
    {"firstorder", "Entropy", "TLU2", "Intensity Histogram Entropy", true},
    {"firstorder", "InterquartileRange", "SALO", "Interquartile range", false},
    {"firstorder", "Maximum", "84IY", "Maximum grey level", false},
    {"firstorder", "Mean", "Q4LE", "Mean", false},
    {"firstorder", "MeanAbsoluteDeviation", "4FUA", "Mean absolute deviation", false},
    {"firstorder", "Median", "Y12H", "Median", false},
    {"firstorder", "Minimum", "1GSF", "Minimum grey level", false},
    {"firstorder", "Range", "2OJQ", "Range", false},
    {"firstorder", "RobustMeanAbsoluteDeviation", "1128", "Robust mean absolute deviation", false},
    {"firstorder", "RootMeanSquared", "5ZWQ", "Root mean square", false},
    {"firstorder", "Skewness", "KE2A", "Skewness", false},
    {"firstorder", "Uniformity", "BJ5W", "Intensity Histogram Uniformity", true},
    {"firstorder", "Variance", "ECT3", "Variance", false},
    {"glcm", "ClusterProminence", "AE86", "Cluster Prominence of GLCM", true},
    {"glcm", "ClusterShade", "7NFM", "Cluster Shade of GLCM", true},
    {"glcm", "ClusterTendency", "DG8W", "Cluster Tendency of GLCM", true},
    {"glcm", "Contrast", "ACUI", "Contrast of GLCM", true},
    {"glcm", "Correlation", "NI2N", "Correlation of GLCM", true},
    {"glcm", "DifferenceAverage", "TF7R", "Difference Average of GLCM", true},
    {"glcm", "DifferenceEntropy", "NTRS", "Difference Entropy of GLCM", true},
    {"glcm", "DifferenceVariance", "D3YU", "Difference Variance of GLCM", true},
    {"glcm", "Dissimilarity", "8S9J", "Dissimilarity of GLCM", true},
    {"glcm", "Id", "IB1Z", "Inverse Difference of GLCM", true},
    {"glcm", "Idm", "WF0Z", "Inverse Difference Moment of GLCM", true},
    {"glcm", "Idmn", "1QCO", "Normalized Inverse Difference Moment of GLCM", true},
    {"glcm", "Idn", "NDRX", "Normalized Inverse Difference of GLCM", true},
    {"glcm", "Imc1", "R8DG", "First Measure of Information Correlation of GLCM", true},
    {"glcm", "Imc2", "JN9H", "Second Measure of Information Correlation of GLCM", true},
    {"glcm", "InverseVariance", "E8JP", "Inverse Variance of GLCM", true},
    {"glcm", "JointAverage", "60VM", "Joint Average of GLCM", true},
    {"glcm", "JointEnergy", "8ZQL", "Angular Second Moment of GLCM", true},
    {"glcm", "JointEntropy", "TU9B", "Joint Entropy of GLCM", true},
    {"glcm", "MaximumProbability", "GYBY", "Joint Maximum of GLCM", true},
    {"glcm", "SumAverage", "ZGXS", "Sum Average of GLCM", true},
    {"glcm", "SumEntropy", "P6QZ", "Sum Entropy of GLCM", true},
    {"glcm", "SumSquares", "UR99", "Joint Variance of GLCM", true},
    {"glcm", "SumVariance", "OEEB", "Sum Variance of GLCM", true},
    {"gldm", "DependenceEntropy", "FCBV", "Dependence count entropy", true},
    {"gldm", "DependenceNonUniformity", "Z87G", "Dependence count non-uniformity", true},
    {"gldm", "DependenceNonUniformityNormalized", "OKJI", "Dependence count non-uniformity normalized", true},
    {"gldm", "DependencePercentage", "6XV8", "Dependence count percentage", true},
    {"gldm", "DependenceVariance", "DNX2", "Dependence count variance", true},
    {"gldm", "GrayLevelNonUniformity", "FP8K", "Grey level non-uniformity of NGLDM", true},
    {"gldm", "GrayLevelNonUniformityNormalized", "5SPA", "Normalized grey level non-uniformity of NGLDM", true},
    {"gldm", "GrayLevelVariance", "1PFV", "Grey level variance of NGLDM", true},
    {"gldm", "HighGrayLevelEmphasis", "OAE7", "High grey level count emphasis", true},
    {"gldm", "LargeDependenceEmphasis", "IMOQ", "High dependence emphasis", true},
    {"gldm", "LargeDependenceHighGrayLevelEmphasis", "9QMG", "High dependence high grey level emphasis", true},
    {"gldm", "LargeDependenceLowGrayLevelEmphasis", "NBZI", "High dependence low grey level emphasis", true},
    {"gldm", "LowGrayLevelEmphasis", "TL9H", "Low grey level count emphasis", true},
    {"gldm", "SmallDependenceEmphasis", "SODN", "Low dependence emphasis", true},
    {"gldm", "SmallDependenceHighGrayLevelEmphasis", "JA6D", "Low dependence high grey level emphasis", true},
    {"gldm", "SmallDependenceLowGrayLevelEmphasis", "EQ3F", "Low dependence low grey level emphasis", true},
    {"glrlm", "GrayLevelNonUniformity", "R5YN", "Gray Level Nonuniformity in Runs", true},
    {"glrlm", "GrayLevelNonUniformityNormalized", "OVBL", "Normalized Gray Level Nonuniformity in Runs", true},
    {"glrlm", "GrayLevelVariance", "8CE5", "Gray Level Variance in Runs", true},
    {"glrlm", "HighGrayLevelRunEmphasis", "G3QZ", "High Gray Level Run Emphasis", true},
    {"glrlm", "LongRunEmphasis", "W4KF", "Long Runs Emphasis", true},
    {"glrlm", "LongRunHighGrayLevelEmphasis", "3KUM", "Long Run High Gray Level Emphasis", true},
    {"glrlm", "LongRunLowGrayLevelEmphasis", "IVPO", "Long Run Low Gray Level Emphasis", true},
    {"glrlm", "LowGrayLevelRunEmphasis", "V3SW", "Low Gray Level Run Emphasis", true},
    {"glrlm", "RunEntropy", "HJ9O", "Run Entropy", true},
    {"glrlm", "RunLengthNonUniformity", "W92Y", "Run Length Nonuniformity", true},
    {"glrlm", "RunLengthNonUniformityNormalized", "IC23", "Normalized Run Length Nonuniformity", true},
    {"glrlm", "RunPercentage", "9ZK5", "Run Percentage", true},
    {"glrlm", "RunVariance", "SXLW", "Run Length Variance", true},
    {"glrlm", "ShortRunEmphasis", "22OV", "Short Runs Emphasis", true},
    {"glrlm", "ShortRunHighGrayLevelEmphasis", "GD3A", "Short Run High Gray Level Emphasis", true},
    {"glrlm", "ShortRunLowGrayLevelEmphasis", "HTZT", "Short Run Low Gray Level Emphasis", true},
    {"glszm", "GrayLevelNonUniformity", "JNSA", "Gray Level Nonuniformity of Size Zone Counts", true},
    {"glszm", "GrayLevelNonUniformityNormalized", "Y1RO", "Normalized Gray Level Nonuniformity of Size Zone Counts", true},
    {"glszm", "GrayLevelVariance", "BYLV", "Gray Level Variance in Size Zones", true},
    {"glszm", "HighGrayLevelZoneEmphasis", "K26C", "High Grey Level Zone Emphasis", true},
    {"glszm", "LargeAreaEmphasis", "48P8", "Large Zone Emphasis", true},
    {"glszm", "LargeAreaHighGrayLevelEmphasis", "J17V", "Large Zone High Gray Level Emphasis", true},
    {"glszm", "LargeAreaLowGrayLevelEmphasis", "YH51", "Large Zone Low Gray Level Emphasis", true},
    {"glszm", "LowGrayLevelZoneEmphasis", "S1RA", "Low Grey Level Zone Emphasis", true},
    {"glszm", "SizeZoneNonUniformity", "4JP3", "Zone Size Nonuniformity", true},
    {"glszm", "SizeZoneNonUniformityNormalized", "VB3A", "Normalized Zone Size Nonuniformity", true},
    {"glszm", "SmallAreaEmphasis", "5QRC", "Small Zone Emphasis", true},
    {"glszm", "SmallAreaHighGrayLevelEmphasis", "HW1V", "Small Zone High Gray Level Emphasis", true},
    {"glszm", "SmallAreaLowGrayLevelEmphasis", "5RAI", "Small Zone Low Gray Level Emphasis", true},
    {"glszm", "ZonePercentage", "P30P", "Size Zone Percentage", true},
    {"glszm", "ZoneSizeEntropy", "GU8N", "Zone Size Entropy", true},
    {"glszm", "ZoneSizeVariance", "3NSA", "Zone Size Variance", true},
    {"ngtdm", "Busyness", "NQ30", "Busyness of NGTDM", true},
    {"ngtdm", "Coarseness", "QCDE", "Coarseness of NGTDM", true},
    {"ngtdm", "Complexity", "HDEZ", "Complexity of NGTDM", true},
    {"ngtdm", "Contrast", "65HE", "Contrast of NGTDM", true},
    {"ngtdm", "Strength", "1X9X", "Strength of NGTDM", true},
    {"shape", "Compactness1", "SKGS", "Compactness 1", true},
    {"shape", "Compactness2", "BQWJ", "Compactness 2", true},
    {"shape", "Elongation", "Q3CK", "Elongation", true},
    {"shape", "Flatness", "N17B", "Flatness", true},
    {"shape", "LeastAxisLength", "7J51", "Least Axis in 3D Length", true},
    {"shape", "MajorAxisLength", "TDIC", "Major Axis in 3D Length", true},
    {"shape", "Maximum3DDiameter", "L0JK", "Maximum 3D Diameter of a Mesh", true},
    {"shape", "MeshVolume", "RNU0", "Volume of Mesh", true},
    {"shape", "MinorAxisLength", "P9VJ", "Minor Axis in 3D Length", true},
    {"shape", "SphericalDisproportion", "KRCK", "Spherical Disproportion", true},
    {"shape", "Sphericity", "QCFX", "Sphericity", true},
    {"shape", "SurfaceArea", "C0JK", "Surface Area of Mesh", true},
    {"shape", "SurfaceVolumeRatio", "2PR5", "Surface to Volume Ratio", true},
    {"shape", "VoxelVolume", "YEKZ", "Volume from Voxel Summation", true},
}};
// END GENERATED
// clang-format on

std::string Truncate(std::string text, std::size_t length) {
    if (text.size() > length) {
        text.resize(length);
    }
    return text;
}

} // namespace

std::string PrivateHash(std::string_view text) {
    std::uint32_t hash = 0x811C9DC5U;
    for (const char c : text) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x01000193U;
    }
    char buffer[9];
    std::snprintf(buffer, sizeof buffer, "%08X", static_cast<unsigned>(hash));
    return buffer;
}

std::optional<FeatureKey> ParseFeatureKey(std::string_view key) {
    const auto first = key.find('_');
    if (first == std::string_view::npos || first == 0) {
        return std::nullopt;
    }
    const auto second = key.find('_', first + 1);
    if (second == std::string_view::npos || second == first + 1 || second + 1 >= key.size()) {
        return std::nullopt;
    }
    FeatureKey parsed{std::string(key.substr(0, first)), std::string(key.substr(first + 1, second - first - 1)),
                      std::string(key.substr(second + 1))};
    if (parsed.image_type == "diagnostics") {
        return std::nullopt;
    }
    return parsed;
}

FeatureConcept FeatureConceptOf(std::string_view feature_class, std::string_view feature) {
    const auto row = std::find_if(kIbsiRows.begin(), kIbsiRows.end(), [&](const IbsiRow& r) {
        return r.feature_class == feature_class && r.feature == feature;
    });
    if (row != kIbsiRows.end()) {
        return {{std::string(row->code), "IBSI", std::string(row->meaning)}, true, row->in_ps316};
    }
    const std::string name = std::string(feature_class) + "_" + std::string(feature);
    return {{"RF" + PrivateHash(name), std::string(kPrivateScheme),
             Truncate("PyRadiomics " + std::string(feature_class) + " " + std::string(feature), 64)},
            false,
            false};
}

CodedConcept FeatureUnitOf(std::string_view feature_class, std::string_view feature) {
    const CodedConcept none{"1", "UCUM", "no units"};
    if (feature_class != "shape") {
        return none;
    }
    if (feature == "MeshVolume" || feature == "VoxelVolume") {
        return {"mm3", "UCUM", "cubic millimeter"};
    }
    if (feature == "SurfaceArea") {
        return {"mm2", "UCUM", "square millimeter"};
    }
    if (feature == "SurfaceVolumeRatio") {
        return {"/mm", "UCUM", "per millimeter"};
    }
    if (feature.find("Diameter") != std::string_view::npos || feature.find("AxisLength") != std::string_view::npos) {
        return {"mm", "UCUM", "millimeter"};
    }
    return none;
}

CodedConcept ImageFilterConcept() { return {"IMGFILTER", std::string(kPrivateScheme), "Image filter"}; }

CodedConcept ImageFilterCode(std::string_view image_type) {
    return {"RI" + PrivateHash(image_type), std::string(kPrivateScheme), Truncate(std::string(image_type), 64)};
}

CodedConcept PeritumoralRingCode() { return {"PTRING", std::string(kPrivateScheme), "Peritumoral ring"}; }

CodedConcept SignatureScoreConcept(std::string_view signature_name) {
    return {"RS" + PrivateHash(signature_name), std::string(kPrivateScheme),
            Truncate("Signature score " + std::string(signature_name), 64)};
}

CodedConcept SignatureRiskGroupConcept() { return {"SIGGROUP", std::string(kPrivateScheme), "Signature risk group"}; }

CodedConcept CalciumRiskCategoryConcept() {
    return {"CACRISK", std::string(kPrivateScheme), "Coronary calcium risk category"};
}

} // namespace radnode::reporting
