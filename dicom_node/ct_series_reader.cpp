#include "dicom_node/ct_series_reader.h"

#include "dicom_node/dataset_values.h"
#include "processing/parallel_for.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

namespace radnode::dicom_node {
namespace {

using processing::CtSlice;

/// Decoders are registered once for the process and never cleaned up: another
/// thread may be decoding at any time.
void RegisterDecoders() {
    static std::once_flag once;
    std::call_once(once, [] {
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

template <std::size_t N> std::optional<std::array<double, N>> GetDoubles(DcmItem* item, const DcmTagKey& tag) {
    std::array<double, N> out{};
    if (item == nullptr)
        return std::nullopt;
    for (std::size_t i = 0; i < N; ++i)
        if (item->findAndGetFloat64(tag, out[i], static_cast<unsigned long>(i)).bad())
            return std::nullopt;
    return out;
}

Status Invalid(const std::filesystem::path& file, const std::string& message) {
    return Status::Error(ErrorCode::InvalidDataset, fmt::format("{}: {}", file.string(), message));
}

/// Item 0 of `sequence` in the per-frame group if present there, else in the shared group.
DcmItem* FunctionalGroup(DcmItem* per_frame, DcmItem* shared, const DcmTagKey& sequence) {
    for (DcmItem* group : {per_frame, shared}) {
        DcmItem* item = nullptr;
        if (group != nullptr && group->findAndGetSequenceItem(sequence, item, 0).good() && item != nullptr)
            return item;
    }
    return nullptr;
}

/// Image pixel description shared by all frames of a file.
struct PixelFormat {
    std::size_t rows = 0;
    std::size_t columns = 0;
    unsigned bits_stored = 16;
    unsigned high_bit = 15;
    bool is_signed = false;
    std::optional<std::int32_t> padding;
};

Status ReadPixelFormat(const std::filesystem::path& file, DcmDataset& ds, PixelFormat& format) {
    const auto rows = GetLong(ds, DCM_Rows), columns = GetLong(ds, DCM_Columns);
    const auto allocated = GetLong(ds, DCM_BitsAllocated), stored = GetLong(ds, DCM_BitsStored);
    if (!rows || !columns || *rows <= 0 || *columns <= 0)
        return Invalid(file, "Rows or Columns missing or zero");
    if (GetLong(ds, DCM_SamplesPerPixel).value_or(1) != 1)
        return Invalid(file, "SamplesPerPixel is not 1");
    if (allocated.value_or(0) != 16 || !stored || *stored < 1 || *stored > 16)
        return Invalid(file, fmt::format("unsupported BitsAllocated {} / BitsStored {} (16 / 1-16 expected)",
                                         allocated.value_or(0), stored.value_or(0)));
    format.rows = static_cast<std::size_t>(*rows);
    format.columns = static_cast<std::size_t>(*columns);
    format.bits_stored = static_cast<unsigned>(*stored);
    const long high_bit = GetLong(ds, DCM_HighBit).value_or(*stored - 1);
    if (high_bit < *stored - 1 || high_bit > 15)
        return Invalid(file, fmt::format("HighBit {} is inconsistent with BitsStored {}", high_bit, *stored));
    format.high_bit = static_cast<unsigned>(high_bit);
    format.is_signed = GetLong(ds, DCM_PixelRepresentation).value_or(0) == 1;
    if (const auto padding = GetLong(ds, DCM_PixelPaddingValue)) {
        // US or SS in the file: take the 16-bit pattern and interpret it like a stored value.
        format.padding = InterpretStoredValue(static_cast<std::uint16_t>(*padding & 0xFFFF), format.bits_stored,
                                              format.bits_stored - 1, format.is_signed);
    }
    return Status::Ok();
}

/// Attributes of one plane; each item argument is where that attribute lives
/// (the dataset itself for a single-frame image, functional group items for Enhanced CT).
Status ReadPlane(const std::filesystem::path& file, DcmItem* position, DcmItem* orientation, DcmItem* measures,
                 DcmItem* transform, DcmItem* tilt, CtSlice& slice) {
    const auto ipp = GetDoubles<3>(position, DCM_ImagePositionPatient);
    const auto iop = GetDoubles<6>(orientation, DCM_ImageOrientationPatient);
    const auto spacing = GetDoubles<2>(measures, DCM_PixelSpacing);
    if (!ipp || !iop || !spacing)
        return Invalid(file, fmt::format("{} missing (frame {})",
                                         !ipp   ? "ImagePositionPatient"
                                         : !iop ? "ImageOrientationPatient"
                                                : "PixelSpacing",
                                         slice.frame_index));
    slice.image_position = *ipp;
    slice.image_orientation = *iop;
    slice.pixel_spacing = *spacing;
    if (const auto slope = GetDoubles<1>(transform, DCM_RescaleSlope))
        slice.rescale_slope = (*slope)[0];
    if (const auto intercept = GetDoubles<1>(transform, DCM_RescaleIntercept))
        slice.rescale_intercept = (*intercept)[0];
    if (const auto gantry = GetDoubles<1>(tilt, DCM_GantryDetectorTilt))
        slice.gantry_tilt_deg = (*gantry)[0];
    return Status::Ok();
}

/// Largest element read by the header pass; Pixel Data (and any other bulk data) stays on disk.
constexpr Uint32 kHeaderReadLength = 4096;

/// What the pixel pass needs to find one file's frames again.
struct FileLayout {
    std::filesystem::path file;
    PixelFormat format;
    std::size_t frames = 1;
    /// For native little-endian Pixel Data that ends the file: the byte offset of its value,
    /// so the pixel pass reads frames straight from the file without a second parse.
    std::optional<std::uint64_t> native_offset;
};

Status Load(const std::filesystem::path& file, DcmFileFormat& dicom, Uint32 max_read_length = DCM_MaxReadLength) {
    const OFCondition loaded = dicom.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, max_read_length);
    if (loaded.bad())
        return Status::Error(ErrorCode::CannotUnderstand,
                             fmt::format("{}: cannot parse dataset: {}", file.string(), loaded.text()));
    return Status::Ok();
}

/// Appends one header-only CtSlice per frame of `ds` (pixels left empty) and fills `layout`.
Status ReadHeaders(const std::filesystem::path& file, DcmDataset& ds, std::vector<CtSlice>& out,
                   FileLayout& layout) {
    const std::string sop_class = GetString(ds, DCM_SOPClassUID);
    const bool enhanced =
        sop_class == UID_EnhancedCTImageStorage || sop_class == UID_LegacyConvertedEnhancedCTImageStorage;
    if (!enhanced && sop_class != UID_CTImageStorage)
        return Invalid(file, fmt::format("SOP class {} is not a CT image", sop_class));

    layout.file = file;
    if (Status s = ReadPixelFormat(file, ds, layout.format); !s)
        return s;
    const PixelFormat& format = layout.format;
    const long frames = GetLong(ds, DCM_NumberOfFrames).value_or(1);
    if (frames < 1 || (!enhanced && frames != 1))
        return Invalid(file, fmt::format("NumberOfFrames {} for SOP class {}", frames, sop_class));
    layout.frames = static_cast<std::size_t>(frames);

    const std::string series_uid = GetString(ds, DCM_SeriesInstanceUID);
    const std::string frame_of_reference = GetString(ds, DCM_FrameOfReferenceUID);
    DcmItem* shared = nullptr;
    if (enhanced)
        ds.findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0);
    for (long f = 0; f < frames; ++f) {
        CtSlice slice;
        slice.sop_instance_uid = GetString(ds, DCM_SOPInstanceUID);
        slice.frame_index = static_cast<std::size_t>(f);
        slice.modality = GetString(ds, DCM_Modality);
        slice.series_instance_uid = series_uid;
        slice.frame_of_reference_uid = frame_of_reference;
        slice.image_type = GetString(ds, DCM_ImageType);
        slice.rows = format.rows;
        slice.columns = format.columns;
        slice.pixel_padding_value = format.padding;
        Status status;
        if (enhanced) {
            DcmItem* per_frame = nullptr;
            if (ds.findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, per_frame, static_cast<int>(f)).bad())
                per_frame = nullptr;
            if (DcmItem* frame_type = FunctionalGroup(per_frame, shared, DCM_CTImageFrameTypeSequence))
                if (std::string value = GetString(*frame_type, DCM_FrameType); !value.empty())
                    slice.image_type = value;
            status = ReadPlane(file, FunctionalGroup(per_frame, shared, DCM_PlanePositionSequence),
                               FunctionalGroup(per_frame, shared, DCM_PlaneOrientationSequence),
                               FunctionalGroup(per_frame, shared, DCM_PixelMeasuresSequence),
                               FunctionalGroup(per_frame, shared, DCM_PixelValueTransformationSequence),
                               FunctionalGroup(per_frame, shared, DCM_CTAcquisitionDetailsSequence), slice);
        } else {
            status = ReadPlane(file, &ds, &ds, &ds, &ds, &ds, slice);
        }
        if (!status)
            return status;
        out.push_back(std::move(slice));
    }
    return Status::Ok();
}

/// Decodes (if compressed) the pixel data of a fully loaded file: all frames, little endian.
Status DecodedPixels(const FileLayout& layout, DcmDataset& ds, const Uint16*& raw) {
    const E_TransferSyntax original = ds.getOriginalXfer();
    if (ds.chooseRepresentation(EXS_LittleEndianExplicit, nullptr).bad() ||
        !ds.canWriteXfer(EXS_LittleEndianExplicit))
        return Invalid(layout.file,
                       fmt::format("cannot decode pixel data in transfer syntax {}", DcmXfer(original).getXferName()));
    unsigned long count = 0;
    raw = nullptr;
    const std::size_t plane = layout.format.rows * layout.format.columns;
    if (ds.findAndGetUint16Array(DCM_PixelData, raw, &count).bad() || raw == nullptr || count < plane * layout.frames)
        return Invalid(layout.file, fmt::format("Pixel Data missing or shorter than {} frames of {}x{}", layout.frames,
                                                layout.format.rows, layout.format.columns));
    return Status::Ok();
}

/// Finds where native Pixel Data's value starts when it is the last element of the file:
/// file size minus value length, confirmed by the tag and length bytes in front of it.
/// Anything else (trailing elements, padding, other encodings) leaves `native_offset` unset
/// and the pixel pass goes through DCMTK.
void LocateNativePixels(FileLayout& layout, DcmDataset& ds) {
    static_assert(std::endian::native == std::endian::little, "native reads assume a little-endian host");
    const E_TransferSyntax xfer = ds.getOriginalXfer();
    const bool explicit_vr = xfer == EXS_LittleEndianExplicit;
    if (!explicit_vr && xfer != EXS_LittleEndianImplicit)
        return;
    DcmElement* pixel_data = nullptr;
    if (ds.card() == 0 || ds.findAndGetElement(DCM_PixelData, pixel_data).bad() ||
        ds.getElement(ds.card() - 1) != pixel_data)
        return;
    const std::uint64_t length = pixel_data->getLength();
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(layout.file, ec);
    const std::size_t header = explicit_vr ? 12 : 8;
    if (ec || length == 0 || size < length + header)
        return;
    const std::uint64_t offset = size - length;
    std::array<unsigned char, 12> bytes{};
    const int fd = ::open(layout.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    const ssize_t got = ::pread(fd, bytes.data(), header, static_cast<off_t>(offset - header));
    ::close(fd);
    if (got != static_cast<ssize_t>(header))
        return;
    const bool tag_ok = bytes[0] == 0xE0 && bytes[1] == 0x7F && bytes[2] == 0x10 && bytes[3] == 0x00;
    const bool vr_ok = !explicit_vr || ((bytes[4] == 'O' && (bytes[5] == 'W' || bytes[5] == 'B')) && bytes[6] == 0 &&
                                        bytes[7] == 0);
    std::uint32_t stored_length = 0;
    std::memcpy(&stored_length, bytes.data() + header - 4, 4);
    if (tag_ok && vr_ok && stored_length == length)
        layout.native_offset = offset;
}

/// Reads frame `frame` of native little-endian Pixel Data at `layout.native_offset`.
Status ReadNativeFrame(const FileLayout& layout, std::size_t frame, std::vector<Uint16>& buffer) {
    const std::size_t plane = layout.format.rows * layout.format.columns;
    buffer.resize(plane);
    const int fd = ::open(layout.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return Invalid(layout.file, fmt::format("cannot open: {}", std::strerror(errno)));
    auto* dest = reinterpret_cast<char*>(buffer.data()); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    std::size_t done = 0;
    const std::size_t bytes = plane * sizeof(Uint16);
    const std::uint64_t start = *layout.native_offset + frame * bytes;
    while (done < bytes) {
        const ssize_t got = ::pread(fd, dest + done, bytes - done, static_cast<off_t>(start + done));
        if (got <= 0) {
            const int error = errno;
            ::close(fd);
            return Invalid(layout.file, got == 0 ? std::string("Pixel Data shorter than announced")
                                                 : fmt::format("cannot read Pixel Data: {}", std::strerror(error)));
        }
        done += static_cast<std::size_t>(got);
    }
    ::close(fd);
    return Status::Ok();
}

/// What the header pass can check without reading the pixels: a decoder exists for the
/// transfer syntax, and native Pixel Data is long enough.
Status CheckPixelData(const FileLayout& layout, DcmDataset& ds) {
    const E_TransferSyntax original = ds.getOriginalXfer();
    if (DcmXfer(original).isEncapsulated() && !DcmCodecList::canChangeCoding(original, EXS_LittleEndianExplicit))
        return Invalid(layout.file,
                       fmt::format("cannot decode pixel data in transfer syntax {}", DcmXfer(original).getXferName()));
    DcmElement* pixel_data = nullptr;
    const std::size_t bytes = layout.format.rows * layout.format.columns * layout.frames * 2;
    if (ds.findAndGetElement(DCM_PixelData, pixel_data).bad() || pixel_data == nullptr ||
        (!DcmXfer(original).isEncapsulated() && pixel_data->getLength() < bytes))
        return Invalid(layout.file, fmt::format("Pixel Data missing or shorter than {} frames of {}x{}", layout.frames,
                                                layout.format.rows, layout.format.columns));
    return Status::Ok();
}

/// Frame `frame` of decoded 16-bit samples to HU, with the exact stored-value semantics of
/// InterpretStoredValue (branch-free sign extension: (v ^ s) - s with s the sign bit).
/// Cloned for AVX2 (selected at load time on CPUs that have it): with SSE2 alone the
/// 32-bit clamp is emulated and this loop dominated reading a series.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void FrameToHu(const Uint16* raw, const PixelFormat& format, std::size_t frame, const CtSlice& header,
               std::span<std::int16_t> out) {
    const Uint16* source = raw + frame * out.size();
    const unsigned shift = format.high_bit + 1 - format.bits_stored;
    const std::uint32_t mask = (1U << format.bits_stored) - 1U;
    const std::int32_t sign = format.is_signed ? static_cast<std::int32_t>(1U << (format.bits_stored - 1)) : 0;
    const double slope = header.rescale_slope;
    const double intercept = header.rescale_intercept;
    if (shift == 0 && format.is_signed && format.bits_stored == 16) { // whole words: no sign extension by hand
        processing::StoredToHu([source](std::size_t p) { return std::int32_t{static_cast<std::int16_t>(source[p])}; },
                               slope, intercept, format.padding, out);
        return;
    }
    if (shift == 0 && !format.is_signed) { // e.g. 12 bits stored in the low bits
        processing::StoredToHu([source, mask](std::size_t p) { return static_cast<std::int32_t>(source[p] & mask); },
                               slope, intercept, format.padding, out);
        return;
    }
    processing::StoredToHu(
        [source, shift, mask, sign](std::size_t p) {
            return static_cast<std::int32_t>(((static_cast<std::uint32_t>(source[p]) >> shift) & mask) ^
                                             static_cast<std::uint32_t>(sign)) -
                   sign;
        },
        slope, intercept, format.padding, out);
}

/// Decodes slices from their files on demand. A single-frame file is loaded by the call that
/// needs it, into its own DcmFileFormat, so calls run in parallel; a multi-frame file is loaded
/// once, kept (under its own mutex) until all its frames have been read, then released.
class DicomPixelSource final : public processing::SlicePixelSource {
public:
    DicomPixelSource(std::vector<FileLayout> files, std::vector<std::size_t> slice_file,
                     const std::vector<CtSlice>& headers)
        : files_(std::move(files)), slice_file_(std::move(slice_file)), headers_(headers),
          shared_(files_.size()) {
        for (std::size_t f = 0; f < files_.size(); ++f)
            if (files_[f].frames > 1)
                shared_[f] = std::make_unique<SharedFile>();
    }

    bool ReadHu(std::size_t index, std::span<std::int16_t> out, std::string& error) override {
        const std::size_t f = slice_file_[index];
        const bool shared = shared_[f] && !files_[f].native_offset;
        Status status = shared ? ReadShared(f, index, out) : ReadSingle(f, index, out);
        if (status)
            return true;
        const std::lock_guard lock(failure_mutex_);
        if (first_failure_.IsOk())
            first_failure_ = status;
        error = std::move(status.message);
        return false;
    }

    /// The first read failure, as a Status naming the file.
    Status FirstFailure() const {
        const std::lock_guard lock(failure_mutex_);
        return first_failure_;
    }

private:
    struct SharedFile {
        std::mutex mutex;
        std::unique_ptr<DcmFileFormat> dicom;
        const Uint16* raw = nullptr;
        std::size_t frames_left = 0;
    };

    Status ReadSingle(std::size_t f, std::size_t index, std::span<std::int16_t> out) const {
        const FileLayout& layout = files_[f];
        if (layout.native_offset) {
            thread_local std::vector<Uint16> buffer;
            const std::size_t frame = headers_[index].frame_index;
            if (Status s = ReadNativeFrame(layout, frame, buffer); !s)
                return s;
            FrameToHu(buffer.data(), layout.format, 0, headers_[index], out);
            return Status::Ok();
        }
        DcmFileFormat dicom;
        if (Status s = Load(layout.file, dicom); !s)
            return s;
        const Uint16* raw = nullptr;
        if (Status s = DecodedPixels(layout, *dicom.getDataset(), raw); !s)
            return s;
        FrameToHu(raw, layout.format, headers_[index].frame_index, headers_[index], out);
        return Status::Ok();
    }

    Status ReadShared(std::size_t f, std::size_t index, std::span<std::int16_t> out) {
        const FileLayout& layout = files_[f];
        SharedFile& shared = *shared_[f];
        const std::lock_guard lock(shared.mutex);
        if (!shared.dicom) {
            auto dicom = std::make_unique<DcmFileFormat>();
            if (Status s = Load(layout.file, *dicom); !s)
                return s;
            if (Status s = DecodedPixels(layout, *dicom->getDataset(), shared.raw); !s)
                return s;
            shared.dicom = std::move(dicom);
            shared.frames_left = layout.frames;
        }
        FrameToHu(shared.raw, layout.format, headers_[index].frame_index, headers_[index], out);
        if (--shared.frames_left == 0) { // a frame read twice (duplicate check) only costs a reload
            shared.dicom.reset();
            shared.raw = nullptr;
        }
        return Status::Ok();
    }

    std::vector<FileLayout> files_;
    std::vector<std::size_t> slice_file_;
    const std::vector<CtSlice>& headers_;
    std::vector<std::unique_ptr<SharedFile>> shared_;
    mutable std::mutex failure_mutex_;
    Status first_failure_;
};

/// Full read: headers plus every plane's stored values.
Status ReadFile(const std::filesystem::path& file, std::vector<CtSlice>& out) {
    DcmFileFormat dicom;
    if (Status s = Load(file, dicom); !s)
        return s;
    DcmDataset& ds = *dicom.getDataset();
    FileLayout layout;
    const std::size_t first = out.size();
    if (Status s = ReadHeaders(file, ds, out, layout); !s)
        return s;
    const Uint16* raw = nullptr;
    if (Status s = DecodedPixels(layout, ds, raw); !s)
        return s;
    const PixelFormat& format = layout.format;
    const std::size_t plane = format.rows * format.columns;
    for (std::size_t f = 0; f < layout.frames; ++f) {
        CtSlice& slice = out[first + f];
        slice.pixels.resize(plane);
        const Uint16* source = raw + f * plane;
        for (std::size_t p = 0; p < plane; ++p)
            slice.pixels[p] = InterpretStoredValue(source[p], format.bits_stored, format.high_bit, format.is_signed);
    }
    return Status::Ok();
}

} // namespace

std::int32_t InterpretStoredValue(std::uint16_t raw, unsigned bits_stored, unsigned high_bit, bool is_signed) {
    const unsigned shift = high_bit + 1 - bits_stored;
    const std::uint32_t mask = (1U << bits_stored) - 1U;
    const std::uint32_t value = (static_cast<std::uint32_t>(raw) >> shift) & mask;
    if (is_signed && (value & (1U << (bits_stored - 1))) != 0)
        return static_cast<std::int32_t>(value) - static_cast<std::int32_t>(1U << bits_stored);
    return static_cast<std::int32_t>(value);
}

CtSliceReadResult ReadCtSlices(const std::vector<std::filesystem::path>& files) {
    RegisterDecoders();
    CtSliceReadResult result;
    for (const std::filesystem::path& file : files) {
        result.status = ReadFile(file, result.slices);
        if (!result.status) {
            result.slices.clear();
            return result;
        }
    }
    return result;
}

CtSeriesAssembly AssembleCtSeriesFromFiles(const std::vector<std::filesystem::path>& files,
                                           const processing::AssemblyOptions& options) {
    RegisterDecoders();
    CtSeriesAssembly result;
    // Header pass, in parallel; the first failing file in the caller's order is reported.
    struct FileHeaders {
        Status status;
        FileLayout layout;
        std::vector<CtSlice> slices;
    };
    std::vector<FileHeaders> per_file(files.size());
    processing::ParallelFor(files.size(), 0, [&](std::size_t i) {
        FileHeaders& h = per_file[i];
        DcmFileFormat dicom;
        h.status = Load(files[i], dicom, kHeaderReadLength);
        if (h.status)
            h.status = ReadHeaders(files[i], *dicom.getDataset(), h.slices, h.layout);
        if (h.status)
            h.status = CheckPixelData(h.layout, *dicom.getDataset());
        if (h.status)
            LocateNativePixels(h.layout, *dicom.getDataset());
    });
    std::vector<CtSlice> headers;
    std::vector<FileLayout> layouts;
    std::vector<std::size_t> slice_file;
    for (FileHeaders& h : per_file) {
        if (!h.status) {
            result.status = std::move(h.status);
            return result;
        }
        slice_file.insert(slice_file.end(), h.slices.size(), layouts.size());
        std::move(h.slices.begin(), h.slices.end(), std::back_inserter(headers));
        layouts.push_back(std::move(h.layout));
    }
    // The source refers to `headers`, which AssembleCtVolume receives as a copy: the copy
    // carries no pixels, so it costs only the header strings.
    DicomPixelSource source(std::move(layouts), std::move(slice_file), headers);
    result.assembly = processing::AssembleCtVolume(headers, source, options);
    if (result.assembly.issue == processing::AssemblyIssue::UnreadablePixels) {
        result.status = source.FirstFailure();
        if (result.status.IsOk())
            result.status = Status::Error(ErrorCode::InvalidDataset, result.assembly.reason);
    }
    return result;
}

} // namespace radnode::dicom_node
