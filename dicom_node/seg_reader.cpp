#include "dicom_node/seg_reader.h"

#include "dicom_node/dataset_values.h"
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <span>

namespace radnode::dicom_node {
namespace {

using processing::DecodedSegmentation;
using processing::SegFrame;
using processing::SegmentInfo;

DcmSequenceOfItems* FindSequence(DcmItem& item, const DcmTagKey& tag) {
    DcmSequenceOfItems* sequence = nullptr;
    if (item.findAndGetSequence(tag, sequence).bad())
        return nullptr;
    return sequence;
}

DcmItem* FirstItem(DcmItem* item, const DcmTagKey& tag) {
    DcmSequenceOfItems* sequence = item == nullptr ? nullptr : FindSequence(*item, tag);
    return sequence == nullptr || sequence->card() == 0 ? nullptr : sequence->getItem(0);
}

/// The item of functional group `tag`: the frame's own if present, else the shared one.
DcmItem* FunctionalGroup(DcmItem* per_frame, DcmItem* shared, const DcmTagKey& tag) {
    if (DcmItem* item = FirstItem(per_frame, tag))
        return item;
    return FirstItem(shared, tag);
}

Status Invalid(std::string message) { return Status::Error(ErrorCode::InvalidDataset, std::move(message)); }

SegmentInfo::Code ReadCode(DcmItem& item, const DcmTagKey& tag, int number, std::vector<std::string>& warnings) {
    DcmItem* code = FirstItem(&item, tag);
    if (code == nullptr) {
        warnings.push_back(fmt::format("segment {}: {} is missing", number, DcmTag(tag).getTagName()));
        return {};
    }
    std::string value = GetString(*code, DCM_CodeValue);
    if (value.empty())
        value = GetString(*code, DCM_LongCodeValue);
    if (value.empty())
        value = GetString(*code, DCM_URNCodeValue);
    return {value, GetString(*code, DCM_CodingSchemeDesignator), GetString(*code, DCM_CodeMeaning)};
}

/// SegmentSequence -> segments; `index` maps SegmentNumber to its position.
Status ReadSegments(DcmDataset& ds, SegReadResult& result, std::map<long, std::size_t>& index) {
    DcmSequenceOfItems* segments = FindSequence(ds, DCM_SegmentSequence);
    if (segments == nullptr || segments->card() == 0)
        return Invalid("SegmentSequence (0062,0002) is missing or empty");
    for (unsigned long n = 0; n < segments->card(); ++n) {
        DcmItem& item = *segments->getItem(n);
        const std::optional<long> number = GetLong(item, DCM_SegmentNumber);
        if (!number || *number < 1 || *number > 65535)
            return Invalid(fmt::format("SegmentSequence item {}: SegmentNumber (0062,0004) is missing or invalid", n + 1));
        if (!index.emplace(*number, result.seg.segments.size()).second)
            return Invalid(fmt::format("SegmentNumber {} appears twice in SegmentSequence", *number));
        SegmentInfo segment;
        segment.number = static_cast<int>(*number);
        segment.label = GetString(item, DCM_SegmentLabel);
        segment.description = GetString(item, DCM_SegmentDescription);
        segment.algorithm_type = GetString(item, DCM_SegmentAlgorithmType);
        segment.category = ReadCode(item, DCM_SegmentedPropertyCategoryCodeSequence, segment.number, result.warnings);
        segment.type = ReadCode(item, DCM_SegmentedPropertyTypeCodeSequence, segment.number, result.warnings);
        result.seg.segments.push_back(std::move(segment));
    }
    return Status::Ok();
}

/// Geometry and segment number of every frame, from the functional groups.
Status ReadFrameGeometry(DcmDataset& ds, std::size_t frames, std::size_t rows, std::size_t columns,
                         const std::map<long, std::size_t>& index, SegReadResult& result) {
    DcmItem* shared = FirstItem(&ds, DCM_SharedFunctionalGroupsSequence);
    DcmSequenceOfItems* per_frame = FindSequence(ds, DCM_PerFrameFunctionalGroupsSequence);
    if (per_frame == nullptr)
        return Invalid("PerFrameFunctionalGroupsSequence (5200,9230) is missing");
    if (per_frame->card() != frames)
        return Invalid(fmt::format("NumberOfFrames is {} but PerFrameFunctionalGroupsSequence has {} items", frames,
                                   per_frame->card()));
    result.seg.frames.reserve(frames);
    for (std::size_t f = 0; f < frames; ++f) {
        DcmItem* own = per_frame->getItem(static_cast<unsigned long>(f));
        SegFrame frame;
        frame.rows = rows;
        frame.columns = columns;
        DcmItem* identification = FunctionalGroup(own, shared, DCM_SegmentIdentificationSequence);
        const std::optional<long> number =
            identification == nullptr ? std::nullopt : GetLong(*identification, DCM_ReferencedSegmentNumber);
        if (!number)
            return Invalid(fmt::format("frame {}: SegmentIdentificationSequence/ReferencedSegmentNumber is missing",
                                       f + 1));
        if (index.find(*number) == index.end())
            return Invalid(fmt::format("frame {} references segment number {}, which SegmentSequence does not define",
                                       f + 1, *number));
        frame.segment_number = static_cast<int>(*number);

        DcmItem* plane_position = FunctionalGroup(own, nullptr, DCM_PlanePositionSequence);
        if (plane_position == nullptr) {
            plane_position = FunctionalGroup(nullptr, shared, DCM_PlanePositionSequence);
            if (plane_position != nullptr && f == 0)
                result.warnings.emplace_back("PlanePositionSequence is shared by all frames");
        }
        const auto position = plane_position == nullptr ? std::nullopt
                                                        : GetDoubles<3>(*plane_position, DCM_ImagePositionPatient);
        if (!position)
            return Invalid(fmt::format("frame {}: PlanePositionSequence/ImagePositionPatient is missing or invalid",
                                       f + 1));
        frame.position = *position;

        DcmItem* plane_orientation = FunctionalGroup(own, shared, DCM_PlaneOrientationSequence);
        const auto orientation = plane_orientation == nullptr
                                     ? std::nullopt
                                     : GetDoubles<6>(*plane_orientation, DCM_ImageOrientationPatient);
        if (!orientation)
            return Invalid(fmt::format("frame {}: PlaneOrientationSequence/ImageOrientationPatient is missing or "
                                       "invalid in the shared and per-frame functional groups",
                                       f + 1));
        frame.orientation = *orientation;

        DcmItem* measures = FunctionalGroup(own, shared, DCM_PixelMeasuresSequence);
        const auto spacing = measures == nullptr ? std::nullopt : GetDoubles<2>(*measures, DCM_PixelSpacing);
        if (!spacing || (*spacing)[0] <= 0.0 || (*spacing)[1] <= 0.0)
            return Invalid(fmt::format("frame {}: PixelMeasuresSequence/PixelSpacing is missing or invalid in the "
                                       "shared and per-frame functional groups",
                                       f + 1));
        frame.pixel_spacing = *spacing;
        result.seg.frames.push_back(std::move(frame));
    }
    return Status::Ok();
}

/// The native pixel data as bytes, or an error.
Status PixelBytes(DcmDataset& ds, std::span<const std::uint8_t>& bytes) {
    if (DcmXfer(ds.getOriginalXfer()).isEncapsulated())
        return Invalid("encapsulated (compressed) SEG pixel data is not supported");
    DcmElement* pixel = nullptr;
    if (ds.findAndGetElement(DCM_PixelData, pixel).bad() || pixel == nullptr)
        return Invalid("PixelData (7FE0,0010) is missing");
    const std::size_t length = pixel->getLength();
    Uint8* data8 = nullptr;
    Uint16* data16 = nullptr;
    const std::uint8_t* data = nullptr;
    if (pixel->getUint8Array(data8).good() && data8 != nullptr)
        data = data8;
    else if (pixel->getUint16Array(data16).good() && data16 != nullptr)
        data = reinterpret_cast<const std::uint8_t*>(data16); // OW in host (little endian) order
    if (data == nullptr || length == 0)
        return Invalid("PixelData (7FE0,0010) is empty or unreadable");
    bytes = {data, length};
    return Status::Ok();
}

/// Checks that the pixel data holds exactly `needed` bytes (plus one byte of even-length padding).
Status CheckLength(std::size_t have, std::size_t needed, std::size_t frames) {
    if (have < needed)
        return Invalid(fmt::format("PixelData holds {} bytes but {} frames need {}: truncated", have, frames, needed));
    if (have > needed + 1)
        return Invalid(
            fmt::format("PixelData holds {} bytes but {} frames need {}: NumberOfFrames does not match", have, frames,
                        needed));
    return Status::Ok();
}

Status DecodePixels(DcmDataset& ds, SegReadResult& result, std::optional<long> max_fractional) {
    std::span<const std::uint8_t> bytes;
    if (Status status = PixelBytes(ds, bytes); !status)
        return status;
    std::vector<SegFrame>& frames = result.seg.frames;
    if (frames.empty())
        return Status::Ok();
    const std::size_t pixels = frames.front().rows * frames.front().columns;
    if (!result.seg.fractional) {
        const std::size_t bits = pixels * frames.size();
        if (Status status = CheckLength(bytes.size(), (bits + 7) / 8, frames.size()); !status)
            return status;
        for (std::size_t f = 0; f < frames.size(); ++f) {
            frames[f].values.resize(pixels);
            const std::size_t first_bit = f * pixels; // frames are packed back to back, not byte aligned
            for (std::size_t p = 0; p < pixels; ++p) {
                const std::size_t bit = first_bit + p;
                frames[f].values[p] = ((bytes[bit / 8] >> (bit % 8)) & 1U) != 0 ? 1.0F : 0.0F;
            }
        }
        return Status::Ok();
    }
    if (Status status = CheckLength(bytes.size(), pixels * frames.size(), frames.size()); !status)
        return status;
    const auto max = static_cast<float>(*max_fractional);
    for (std::size_t f = 0; f < frames.size(); ++f) {
        frames[f].values.resize(pixels);
        for (std::size_t p = 0; p < pixels; ++p)
            frames[f].values[p] = std::min(1.0F, static_cast<float>(bytes[f * pixels + p]) / max);
    }
    return Status::Ok();
}

/// SegmentationType, BitsAllocated and the fractional attributes.
Status ReadType(DcmDataset& ds, SegReadResult& result, std::optional<long>& max_fractional) {
    const std::string type = GetString(ds, DCM_SegmentationType);
    const std::optional<long> bits = GetLong(ds, DCM_BitsAllocated);
    if (type == "BINARY") {
        if (bits != 1)
            return Invalid(fmt::format("BINARY segmentation with BitsAllocated {} (expected 1)", bits.value_or(0)));
        return Status::Ok();
    }
    if (type != "FRACTIONAL")
        return Invalid(fmt::format("SegmentationType (0062,0001) '{}' is not supported (BINARY or FRACTIONAL)", type));
    result.seg.fractional = true;
    if (bits != 8)
        return Invalid(fmt::format("FRACTIONAL segmentation with BitsAllocated {} (expected 8)", bits.value_or(0)));
    result.seg.fractional_type = GetString(ds, DCM_SegmentationFractionalType);
    if (result.seg.fractional_type != "PROBABILITY" && result.seg.fractional_type != "OCCUPANCY")
        result.warnings.push_back(fmt::format("SegmentationFractionalType '{}' is neither PROBABILITY nor OCCUPANCY",
                                              result.seg.fractional_type));
    max_fractional = GetLong(ds, DCM_MaximumFractionalValue);
    if (!max_fractional || *max_fractional < 1 || *max_fractional > 255)
        return Invalid("MaximumFractionalValue (0062,000E) is missing or outside 1..255");
    return Status::Ok();
}

} // namespace

SegReadResult ReadSegmentation(const std::filesystem::path& file) {
    SegReadResult result;
    DcmFileFormat format;
    if (result.status = LoadInstanceOf(file, UID_SegmentationStorage, "a Segmentation", format); !result.status)
        return result;
    DcmDataset& ds = *format.getDataset();
    result.seg.frame_of_reference_uid = GetString(ds, DCM_FrameOfReferenceUID);
    if (result.seg.frame_of_reference_uid.empty())
        result.warnings.emplace_back("FrameOfReferenceUID (0020,0052) is missing");

    std::optional<long> max_fractional;
    if (result.status = ReadType(ds, result, max_fractional); !result.status)
        return result;
    const std::optional<long> rows = GetLong(ds, DCM_Rows);
    const std::optional<long> columns = GetLong(ds, DCM_Columns);
    const std::optional<long> frames = GetLong(ds, DCM_NumberOfFrames);
    if (!rows || !columns || *rows < 1 || *columns < 1 || *rows > 65535 || *columns > 65535) {
        result.status = Invalid("Rows (0028,0010) or Columns (0028,0011) is missing or invalid");
        return result;
    }
    if (!frames || *frames < 1) {
        result.status = Invalid("NumberOfFrames (0028,0008) is missing or less than 1");
        return result;
    }
    std::map<long, std::size_t> index;
    if (result.status = ReadSegments(ds, result, index); !result.status)
        return result;
    if (result.status = ReadFrameGeometry(ds, static_cast<std::size_t>(*frames), static_cast<std::size_t>(*rows),
                                          static_cast<std::size_t>(*columns), index, result);
        !result.status)
        return result;
    result.status = DecodePixels(ds, result, max_fractional);
    return result;
}

} // namespace radnode::dicom_node
