#include "dicom_node/sop_classes.h"

#include <array>

namespace radnode::dicom_node {
namespace {

constexpr std::array kSopClasses{
    SopClass{"1.2.840.10008.5.1.4.1.1.2", "CT Image Storage", "CT", PixelKind::Image},
    SopClass{"1.2.840.10008.5.1.4.1.1.2.1", "Enhanced CT Image Storage", "CT", PixelKind::Image},
    SopClass{"1.2.840.10008.5.1.4.1.1.128", "Positron Emission Tomography Image Storage", "PT", PixelKind::Image},
    SopClass{"1.2.840.10008.5.1.4.1.1.481.3", "RT Structure Set Storage", "RTSTRUCT", PixelKind::None},
    SopClass{"1.2.840.10008.5.1.4.1.1.66.4", "Segmentation Storage", "SEG", PixelKind::BinaryOrFractionalSeg},
    SopClass{"1.2.840.10008.5.1.4.1.1.88.22", "Enhanced SR Storage", "SR", PixelKind::None},
    SopClass{"1.2.840.10008.5.1.4.1.1.88.33", "Comprehensive SR Storage", "SR", PixelKind::None},
    SopClass{"1.2.840.10008.5.1.4.1.1.88.34", "Comprehensive 3D SR Storage", "SR", PixelKind::None},
};

// JPEG 2000 (1.2.840.10008.1.2.4.90/.91) is deliberately absent: DCMTK 3.6.7 cannot
// decode it, so radnode refuses such presentation contexts rather than store pixels
// it could never analyse (see docs/conformance.md).
constexpr std::array kTransferSyntaxes{
    TransferSyntax{"1.2.840.10008.1.2.1", "Explicit VR Little Endian", false},
    TransferSyntax{"1.2.840.10008.1.2", "Implicit VR Little Endian", false},
    TransferSyntax{"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", false},
    TransferSyntax{"1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (SV1)", true},
    TransferSyntax{"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", true},
    TransferSyntax{"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true},
    TransferSyntax{"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true},
    TransferSyntax{"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", true},
    TransferSyntax{"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)", true},
    TransferSyntax{"1.2.840.10008.1.2.5", "RLE Lossless", true},
};

} // namespace

std::span<const SopClass> AcceptedSopClasses() { return kSopClasses; }

const SopClass* FindSopClass(std::string_view uid) {
    for (const SopClass& s : kSopClasses)
        if (s.uid == uid)
            return &s;
    return nullptr;
}

std::span<const TransferSyntax> AcceptedTransferSyntaxes() { return kTransferSyntaxes; }

const TransferSyntax* FindTransferSyntax(std::string_view uid) {
    for (const TransferSyntax& t : kTransferSyntaxes)
        if (t.uid == uid)
            return &t;
    return nullptr;
}

} // namespace radnode::dicom_node
