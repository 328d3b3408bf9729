#pragma once
// Reads CT image files into decoded planes (processing::CtSlice) at the DICOM
// edge, so processing/ never sees DCMTK. Compressed transfer syntaxes (JPEG
// baseline/extended/lossless, JPEG-LS, RLE) are decoded here.

#include "config/errors.h"
#include "processing/ct_assembly.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace radnode::dicom_node {

/// Decoded planes of the files read, or the first failure (naming the file).
struct CtSliceReadResult {
    Status status;
    std::vector<processing::CtSlice> slices;
};

/// Reads CT Image Storage files (one plane each) and Enhanced / Legacy Converted
/// Enhanced CT files (one plane per frame, geometry from the Shared or Per-Frame
/// Functional Groups). Stored values are sign-interpreted per PixelRepresentation
/// and BitsStored/HighBit (bits outside the stored range are ignored). Fails with
/// InvalidDataset for a non-CT SOP class, missing geometry or an undecodable
/// transfer syntax, and CannotUnderstand for a file that is not DICOM.
[[nodiscard]] CtSliceReadResult ReadCtSlices(const std::vector<std::filesystem::path>& files);

/// Stored value of one 16-bit sample: the BitsStored bits ending at HighBit,
/// sign-extended when PixelRepresentation is 1.
[[nodiscard]] std::int32_t InterpretStoredValue(std::uint16_t raw, unsigned bits_stored, unsigned high_bit,
                                                bool is_signed);

} // namespace radnode::dicom_node
