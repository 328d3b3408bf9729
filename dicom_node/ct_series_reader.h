#pragma once
// Reads CT image files into planes (processing::CtSlice) at the DICOM edge, so
// processing/ never sees DCMTK. Compressed transfer syntaxes (JPEG
// baseline/extended/lossless, JPEG-LS, RLE) are decoded here.
//
// Two ways in: AssembleCtSeriesFromFiles reads headers only, lets the assembly
// check and order them, then decodes each kept slice's pixels straight into the
// volume (the fast path, see docs/ct-volume.md); ReadCtSlices decodes every plane
// into stored values for callers that want the slices themselves.

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

/// Outcome of AssembleCtSeriesFromFiles: `status` fails (naming the file) when a file
/// cannot be read or its pixels cannot be decoded (then `assembly.issue` is
/// UnreadablePixels, or the assembly is empty when the header pass failed); otherwise
/// `assembly` says whether the series could be assembled.
struct CtSeriesAssembly {
    Status status;
    processing::AssemblyResult assembly;
};

/// Reads the headers of `files` (pixel data left on disk), assembles them with the rules
/// of processing::AssembleCtVolume, then decodes the pixels of the kept slices in parallel,
/// straight to HU in the volume. Same files, same volume as ReadCtSlices + AssembleCtVolume.
[[nodiscard]] CtSeriesAssembly AssembleCtSeriesFromFiles(const std::vector<std::filesystem::path>& files,
                                                         const processing::AssemblyOptions& options = {});

/// Stored value of one 16-bit sample: the BitsStored bits ending at HighBit,
/// sign-extended when PixelRepresentation is 1.
[[nodiscard]] std::int32_t InterpretStoredValue(std::uint16_t raw, unsigned bits_stored, unsigned high_bit,
                                                bool is_signed);

} // namespace radnode::dicom_node
