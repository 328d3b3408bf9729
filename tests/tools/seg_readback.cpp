// seg_readback: an independent reader of a DICOM Segmentation for the e2e tests.
// Loads the file with DCMTK's DcmSegmentation::loadFile (not radnode's own SEG reader) and prints
// one JSON object: the segmentation type, the frame count and per segment its number, label,
// description, algorithm type, tracking ID/UID, segmented property category and type codes, the
// number of frames and the number of set voxels (summed over the frames of that segment).
//
//   seg_readback SEG.dcm
//
// Exit 0 on success, 1 when the file cannot be read as a Segmentation.
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmfg/fginterface.h>
#include <dcmtk/dcmiod/iodmacro.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace {

std::string Json(const std::string& s) {
    std::ostringstream out;
    out << '"';
    for (const unsigned char c : s) {
        switch (c) {
        case '"': out << "\\\""; break;
        case '\\': out << "\\\\"; break;
        case '\n': out << "\\n"; break;
        case '\r': out << "\\r"; break;
        case '\t': out << "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out << buf;
            } else {
                out << c;
            }
        }
    }
    out << '"';
    return out.str();
}

std::string Code(CodeSequenceMacro& code) {
    OFString value;
    OFString scheme;
    OFString meaning;
    code.getCodeValue(value);
    code.getCodingSchemeDesignator(scheme);
    code.getCodeMeaning(meaning);
    return "{\"value\": " + Json(value.c_str()) + ", \"scheme\": " + Json(scheme.c_str()) +
           ", \"meaning\": " + Json(meaning.c_str()) + "}";
}

std::string Optional(OFCondition (DcmSegment::*getter)(OFString&, signed long), DcmSegment& segment) {
    OFString value;
    if ((segment.*getter)(value, 0).good() && !value.empty()) {
        return Json(value.c_str());
    }
    return "null";
}

const char* AlgorithmType(DcmSegTypes::E_SegmentAlgoType type) {
    switch (type) {
    case DcmSegTypes::SAT_AUTOMATIC: return "AUTOMATIC";
    case DcmSegTypes::SAT_SEMIAUTOMATIC: return "SEMIAUTOMATIC";
    case DcmSegTypes::SAT_MANUAL: return "MANUAL";
    default: return "UNKNOWN";
    }
}

/// Set voxels of one frame: packed (1 bit per pixel, as stored for BINARY) or 1 byte per pixel.
std::uint64_t CountSet(const DcmIODTypes::Frame& frame, std::size_t pixels, bool& ok) {
    std::uint64_t n = 0;
    if (frame.length == (pixels + 7) / 8) {
        for (std::size_t i = 0; i < frame.length; ++i) {
            std::uint8_t byte = frame.pixData[i];
            if (i == frame.length - 1 && pixels % 8 != 0) {
                byte &= static_cast<std::uint8_t>((1u << (pixels % 8)) - 1u); // LSB first
            }
            n += std::bitset<8>(byte).count();
        }
    } else if (frame.length == pixels) {
        for (std::size_t i = 0; i < frame.length; ++i) {
            n += frame.pixData[i] != 0 ? 1 : 0;
        }
    } else {
        ok = false;
    }
    return n;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: seg_readback SEG.dcm\n";
        return 2;
    }
    OFLog::configure(OFLogger::ERROR_LOG_LEVEL);
    DcmSegmentation* raw = nullptr;
    const OFCondition loaded = DcmSegmentation::loadFile(argv[1], raw);
    std::unique_ptr<DcmSegmentation> seg(raw);
    if (loaded.bad() || !seg) {
        std::cerr << "seg_readback: cannot load " << argv[1] << ": " << loaded.text() << "\n";
        return 1;
    }
    Uint16 rows = 0;
    Uint16 columns = 0;
    {
        // Rows and Columns from the header (large values such as Pixel Data are not loaded).
        DcmFileFormat header;
        if (header.loadFile(argv[1], EXS_Unknown, EGL_noChange, 4096).bad() ||
            header.getDataset()->findAndGetUint16(DCM_Rows, rows).bad() ||
            header.getDataset()->findAndGetUint16(DCM_Columns, columns).bad()) {
            std::cerr << "seg_readback: no Rows/Columns in " << argv[1] << "\n";
            return 1;
        }
    }
    const std::size_t pixels = static_cast<std::size_t>(rows) * columns;
    const std::size_t segments = seg->getNumberOfSegments();

    std::ostringstream out;
    out << "{\"type\": " << Json(DcmSegTypes::segtype2OFString(seg->getSegmentationType()).c_str())
        << ", \"rows\": " << rows << ", \"columns\": " << columns << ", \"frames\": " << seg->getNumberOfFrames()
        << ", \"segments\": [";
    bool frames_ok = true;
    for (std::size_t number = 1; number <= segments; ++number) {
        DcmSegment* segment = seg->getSegment(number);
        if (segment == nullptr) {
            std::cerr << "seg_readback: segment " << number << " missing\n";
            return 1;
        }
        OFVector<size_t> frames;
        seg->getFramesForSegment(number, frames);
        std::uint64_t voxels = 0;
        for (const size_t f : frames) {
            const DcmIODTypes::Frame* frame = seg->getFrame(f);
            if (frame == nullptr) {
                frames_ok = false;
                continue;
            }
            // BINARY frames as stored (packed bits) or unpacked; FRACTIONAL: voxels with a non-zero value
            voxels += CountSet(*frame, pixels, frames_ok);
        }
        out << (number > 1 ? ", " : "") << "{\"number\": " << number
            << ", \"label\": " << Optional(&DcmSegment::getSegmentLabel, *segment)
            << ", \"description\": " << Optional(&DcmSegment::getSegmentDescription, *segment)
            << ", \"algorithm_type\": " << Json(AlgorithmType(segment->getSegmentAlgorithmType()))
            << ", \"algorithm_name\": " << Optional(&DcmSegment::getSegmentAlgorithmName, *segment)
            << ", \"tracking_id\": " << Optional(&DcmSegment::getTrackingID, *segment)
            << ", \"tracking_uid\": " << Optional(&DcmSegment::getTrackingUID, *segment)
            << ", \"category\": " << Code(segment->getSegmentedPropertyCategoryCode())
            << ", \"type\": " << Code(segment->getSegmentedPropertyTypeCode()) << ", \"frames\": " << frames.size()
            << ", \"voxels\": " << voxels << "}";
    }
    out << "]}\n";
    if (!frames_ok) {
        std::cerr << "seg_readback: a frame is missing or has an unexpected length\n";
        return 1;
    }
    std::cout << out.str();
    return 0;
}
