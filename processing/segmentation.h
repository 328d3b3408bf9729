#pragma once
/// Domain types of a decoded DICOM Segmentation: segment descriptions and frames in
/// patient coordinates with values in 0..1. Free of DICOM so the processing core can
/// use them; dicom_node/seg_reader.h fills them, processing/seg_mapping.h puts them
/// on a CT grid. See docs/seg.md.

#include "processing/volume.h"

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace radnode::processing {

/// One item of SegmentSequence (0062,0002).
struct SegmentInfo {
    /// A coded concept: CodeValue, CodingSchemeDesignator, CodeMeaning.
    struct Code {
        std::string value;
        std::string scheme;
        std::string meaning;
    };
    int number = 0;             ///< SegmentNumber (0062,0004), 1-based
    std::string label;          ///< SegmentLabel (0062,0005)
    std::string description;    ///< SegmentDescription (0062,0006); may be empty
    Code category;              ///< SegmentedPropertyCategoryCodeSequence (0062,0003)
    Code type;                  ///< SegmentedPropertyTypeCodeSequence (0062,000F)
    std::string algorithm_type; ///< SegmentAlgorithmType (0062,0008): AUTOMATIC, SEMIAUTOMATIC or MANUAL
};

/// One decoded frame: the plane it lies on and its pixel values.
struct SegFrame {
    int segment_number = 0; ///< ReferencedSegmentNumber of the frame
    Point3 position{};      ///< ImagePositionPatient: centre of the first pixel, mm
    /// ImageOrientationPatient: row direction (along a row, columns increase) then column direction.
    std::array<double, 6> orientation{1.0, 0.0, 0.0, 0.0, 1.0, 0.0};
    /// PixelSpacing in DICOM order: between rows (along the column direction), between columns (mm).
    std::array<double, 2> pixel_spacing{1.0, 1.0};
    std::size_t rows = 0;
    std::size_t columns = 0;
    /// rows x columns values, column fastest; 0..1 (binary frames hold exactly 0 or 1,
    /// fractional frames the stored value divided by MaximumFractionalValue).
    std::vector<float> values;
};

/// A whole decoded Segmentation instance.
struct DecodedSegmentation {
    std::string frame_of_reference_uid;
    bool fractional = false;     ///< SegmentationType FRACTIONAL (else BINARY)
    std::string fractional_type; ///< PROBABILITY or OCCUPANCY for fractional segmentations, else empty
    std::vector<SegmentInfo> segments; ///< in SegmentSequence order
    std::vector<SegFrame> frames;      ///< in file order
};

} // namespace radnode::processing
