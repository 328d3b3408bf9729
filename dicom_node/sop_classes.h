#pragma once
/// The storage SOP classes and transfer syntaxes radnode accepts (its
/// conformance statement in code; docs/conformance.md mirrors this table).

#include <span>
#include <string_view>

namespace radnode::dicom_node {

enum class PixelKind { None, Image, BinaryOrFractionalSeg };

struct SopClass {
    std::string_view uid;
    std::string_view name;
    std::string_view modality;  ///< the Modality value an instance of this class must carry
    PixelKind pixels;
};

std::span<const SopClass> AcceptedSopClasses();
const SopClass* FindSopClass(std::string_view uid);

struct TransferSyntax {
    std::string_view uid;
    std::string_view name;
    bool encapsulated;
};

/// In order of preference when a peer proposes several in one presentation context.
std::span<const TransferSyntax> AcceptedTransferSyntaxes();
const TransferSyntax* FindTransferSyntax(std::string_view uid);

} // namespace radnode::dicom_node
