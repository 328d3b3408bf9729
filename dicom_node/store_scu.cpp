#include "dicom_node/store_scu.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmnet/cond.h>
#include <dcmtk/dcmnet/scu.h>
#include <fmt/format.h>

#include "config/log.h"

namespace radnode::dicom_node {
namespace {

/// DICOM allows at most 128 presentation contexts (odd IDs 1..255) per association.
constexpr std::size_t kMaxPresentationContexts = 128;
/// Values longer than this stay unread while the header is parsed.
constexpr Uint32 kMaxLoadedValue = 1024;

Status BadDestination(std::string message) {
    return Status::Error(ErrorCode::InvalidRequest, std::move(message));
}

std::string Hex(std::uint16_t status) {
    return fmt::format("0x{:04X}", status);
}

std::string GetString(DcmItem& item, const DcmTagKey& tag) {
    OFString value;
    if (item.findAndGetOFString(tag, value).bad())
        return {};
    return value.c_str();
}

/// Reads the UIDs and transfer syntax from a file's meta header and dataset; values
/// longer than kMaxLoadedValue (pixel data) stay on disk. (loadFileUntilTag would stop
/// earlier but logs a DCMTK warning for every file.)
bool ReadHeader(FileStoreResult& file, std::string& transfer_syntax) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(file.file, error)) {
        file.reason = "file not found";
        return false;
    }
    DcmFileFormat format;
    const OFCondition loaded = format.loadFile(file.file.c_str(), EXS_Unknown, EGL_noChange, kMaxLoadedValue);
    if (loaded.bad()) {
        file.reason = fmt::format("cannot read the DICOM header: {}", loaded.text());
        return false;
    }
    DcmDataset& dataset = *format.getDataset();
    DcmMetaInfo& meta = *format.getMetaInfo();
    file.sop_class_uid = GetString(dataset, DCM_SOPClassUID);
    if (file.sop_class_uid.empty())
        file.sop_class_uid = GetString(meta, DCM_MediaStorageSOPClassUID);
    file.sop_instance_uid = GetString(dataset, DCM_SOPInstanceUID);
    if (file.sop_instance_uid.empty())
        file.sop_instance_uid = GetString(meta, DCM_MediaStorageSOPInstanceUID);
    file.study_instance_uid = GetString(dataset, DCM_StudyInstanceUID);
    transfer_syntax = GetString(meta, DCM_TransferSyntaxUID);
    if (transfer_syntax.empty())
        transfer_syntax = DcmXfer(dataset.getOriginalXfer()).getXferID();
    if (file.sop_class_uid.empty() || file.sop_instance_uid.empty() || transfer_syntax.empty()) {
        file.reason = "SOP Class UID, SOP Instance UID or transfer syntax missing";
        return false;
    }
    return true;
}

/// Transfer syntaxes proposed for one SOP class, in order, without duplicates.
using ContextMap = std::map<std::string, std::vector<std::string>>;

void AddTransferSyntax(std::vector<std::string>& list, const std::string& uid) {
    if (std::find(list.begin(), list.end(), uid) == list.end())
        list.push_back(uid);
}

/// An association failure as a value: what went wrong, in words a log reader understands.
struct Failure {
    AssociationFailure kind;
    std::string reason;
};

Failure ClassifyNegotiation(const OFCondition& cond, const StoreDestination& destination) {
    const std::string text = cond.text();
    if (cond == DUL_ASSOCIATIONREJECTED)
        return {AssociationFailure::Rejected,
                fmt::format("association rejected by {} (A-ASSOCIATE-RJ; called AE title, calling AE title or "
                            "peer limits)",
                            DescribeDestination(destination))};
    if (cond == NET_EC_NoAcceptablePresentationContexts)
        return {AssociationFailure::NoPresentationContext, "the peer accepted no presentation context"};
    if (cond == DUL_READTIMEOUT || cond == DIMSE_NODATAAVAILABLE || text.find("timed out") != std::string::npos ||
        text.find("Timeout") != std::string::npos)
        return {AssociationFailure::Timeout, fmt::format("timeout connecting or associating: {}", text)};
    return {AssociationFailure::ConnectionFailed,
            fmt::format("connection to {}:{} failed: {}", destination.host, destination.port, text)};
}

Failure ClassifyDimse(const OFCondition& cond) {
    const std::string text = cond.text();
    if (cond == DIMSE_NODATAAVAILABLE || cond == DUL_READTIMEOUT)
        return {AssociationFailure::Timeout, fmt::format("no C-STORE response within the DIMSE timeout: {}", text)};
    return {AssociationFailure::Aborted, fmt::format("association lost while sending: {}", text)};
}

/// Errors DcmSCU raises before anything goes on the wire for this file (reading it,
/// converting it to the accepted transfer syntax); the association is still usable.
bool IsLocalFileError(const OFCondition& cond) {
    if (cond.module() != OFM_dcmnet)
        return true;
    // dcmnet's NET_EC_* codes (1000 and up) are DcmSCU's own checks, not network errors.
    return cond == DIMSE_NOVALIDPRESENTATIONCONTEXTID || cond.code() >= 1000;
}

void ApplyStatus(FileStoreResult& file, std::uint16_t status) {
    file.status = status;
    switch (ClassifyStoreStatus(status)) {
    case StatusClass::Success:
        file.outcome = FileOutcome::Sent;
        break;
    case StatusClass::Warning:
        file.outcome = FileOutcome::Sent;
        file.reason = fmt::format("stored with warning {}", Hex(status));
        break;
    case StatusClass::RetryableFailure:
        file.outcome = FileOutcome::Refused;
        file.retryable = true;
        file.reason = fmt::format("refused with {} (out of resources)", Hex(status));
        break;
    case StatusClass::PermanentFailure:
        file.outcome = FileOutcome::Refused;
        file.reason = fmt::format("refused with {}", Hex(status));
        break;
    }
}

void MarkNotAttempted(FileStoreResult& file, const Failure& failure) {
    file.outcome = FileOutcome::NotAttempted;
    file.retryable = true;
    file.reason = failure.reason;
}

void LogFile(const StoreDestination& destination, const FileStoreResult& file) {
    const std::string status = file.status ? Hex(*file.status) : std::string("none");
    const auto level = file.outcome == FileOutcome::Sent && file.reason.empty() ? log::Level::Info : log::Level::Warn;
    RADNODE_LOG_(level, log::Category::Dicom, "C-STORE export",
                 {{"destination", DescribeDestination(destination)},
                  {"outcome", FileOutcomeName(file.outcome)},
                  {"status", status},
                  {"retryable", file.retryable ? "yes" : "no"},
                  {"sop", file.sop_instance_uid},
                  {"sop_class", file.sop_class_uid},
                  {"study", file.study_instance_uid},
                  {"reason", file.reason}});
}

void LogAssociation(const StoreDestination& destination, const StoreResult& result) {
    const bool failed = result.association != AssociationFailure::None;
    RADNODE_LOG_(failed ? log::Level::Warn : log::Level::Info, log::Category::Dicom,
                 failed ? "export association failed" : "export association done",
                 {{"destination", DescribeDestination(destination)},
                  {"association", AssociationFailureName(result.association)},
                  {"files", result.files.size()},
                  {"sent", result.Count(FileOutcome::Sent)},
                  {"refused", result.Count(FileOutcome::Refused)},
                  {"not_attempted", result.Count(FileOutcome::NotAttempted)},
                  {"unreadable", result.Count(FileOutcome::Unreadable)},
                  {"reason", result.association_reason}});
}

Uint32 Seconds(std::chrono::seconds s) {
    return static_cast<Uint32>(std::max<std::chrono::seconds::rep>(s.count(), 1));
}

/// Runs one association over the readable files; fills their outcomes.
void SendOnAssociation(const StoreDestination& destination, const ContextMap& contexts,
                       std::vector<FileStoreResult*>& pending, StoreResult& result) {
    DcmSCU scu;
    scu.setAETitle(destination.calling_ae.c_str());
    scu.setPeerAETitle(destination.ae_title.c_str());
    scu.setPeerHostName(destination.host.c_str());
    scu.setPeerPort(static_cast<Uint16>(destination.port));
    scu.setACSETimeout(Seconds(destination.connect_timeout));
    scu.setConnectionTimeout(static_cast<Sint32>(Seconds(destination.connect_timeout)));
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu.setDIMSETimeout(Seconds(destination.dimse_timeout));
    scu.setDatasetConversionMode(OFTrue);
    for (const auto& [sop_class, transfer_syntaxes] : contexts) {
        OFList<OFString> list;
        for (const std::string& uid : transfer_syntaxes)
            list.push_back(uid.c_str());
        scu.addPresentationContext(sop_class.c_str(), list);
    }

    auto fail_all_from = [&](std::size_t first, const Failure& failure) {
        result.association = failure.kind;
        result.association_reason = failure.reason;
        for (std::size_t i = first; i < pending.size(); ++i)
            MarkNotAttempted(*pending[i], failure);
    };

    OFCondition cond = scu.initNetwork();
    if (cond.bad()) {
        fail_all_from(
            0, {AssociationFailure::ConnectionFailed, fmt::format("cannot initialise the network: {}", cond.text())});
        return;
    }
    cond = scu.negotiateAssociation();
    if (cond.bad()) {
        const Failure failure = ClassifyNegotiation(cond, destination);
        if (failure.kind == AssociationFailure::NoPresentationContext) {
            result.association = failure.kind;
            result.association_reason = failure.reason;
            for (FileStoreResult* file : pending) {
                file->outcome = FileOutcome::Refused;
                file->reason = fmt::format("{} accepted no presentation context for SOP class {}",
                                           DescribeDestination(destination), file->sop_class_uid);
            }
            if (scu.isConnected())
                scu.releaseAssociation();
            return;
        }
        fail_all_from(0, failure);
        return;
    }

    for (std::size_t i = 0; i < pending.size(); ++i) {
        FileStoreResult& file = *pending[i];
        const T_ASC_PresentationContextID context = scu.findAnyPresentationContextID(file.sop_class_uid.c_str(), "");
        if (context == 0) {
            file.outcome = FileOutcome::Refused;
            file.reason = fmt::format("{} accepted no presentation context for SOP class {}",
                                      DescribeDestination(destination), file.sop_class_uid);
            continue;
        }
        Uint16 status = 0;
        cond = scu.sendSTORERequest(context, file.file.c_str(), nullptr, status);
        if (cond.good()) {
            ApplyStatus(file, status);
            continue;
        }
        if (!scu.isConnected() || !IsLocalFileError(cond)) {
            // The association is unusable: this file's fate is unknown (the peer may have
            // stored it), a resend is harmless, so it and the rest are retried later.
            fail_all_from(i, ClassifyDimse(cond));
            if (scu.isConnected()) {
                // After an A-ABORT from the peer only the local state is freed (the
                // deprecated closeAssociation is the one DcmSCU call that does just that).
                if (cond == DUL_PEERABORTEDASSOCIATION)
                    scu.closeAssociation(DCMSCU_PEER_ABORTED_ASSOCIATION);
                else
                    scu.abortAssociation();
            }
            return;
        }
        // A local problem with this file only (it cannot be read or converted for the
        // accepted transfer syntax); the association stays usable for the others.
        file.outcome = FileOutcome::Refused;
        file.reason = fmt::format("not sent: {}", cond.text());
    }
    scu.releaseAssociation();
}

} // namespace

ParseDestinationResult ParseDestination(std::string_view text) {
    ParseDestinationResult result;
    const std::size_t at = text.find('@');
    if (at == std::string_view::npos)
        return {BadDestination(fmt::format("destination '{}' is not AE@host:port", text)), {}};
    const std::string_view ae = text.substr(0, at);
    const std::string_view rest = text.substr(at + 1);
    if (ae.empty() || ae.size() > 16)
        return {BadDestination(fmt::format("AE title '{}' must have 1 to 16 characters", ae)), {}};
    for (const char c : ae)
        if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E)
            return {BadDestination(fmt::format("AE title '{}' contains a backslash or a control character", ae)), {}};
    if (ae.find_first_not_of(' ') == std::string_view::npos)
        return {BadDestination("AE title must not be only spaces"), {}};
    std::string_view host;
    std::string_view port_text;
    if (!rest.empty() && rest.front() == '[') {
        const std::size_t close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return {BadDestination(fmt::format("destination '{}' is not AE@[host]:port", text)), {}};
        host = rest.substr(1, close - 1);
        port_text = rest.substr(close + 2);
    } else {
        const std::size_t colon = rest.rfind(':');
        if (colon == std::string_view::npos)
            return {BadDestination(fmt::format("destination '{}' has no port (AE@host:port)", text)), {}};
        host = rest.substr(0, colon);
        port_text = rest.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            return {BadDestination(fmt::format("IPv6 host in '{}' must be in brackets", text)), {}};
    }
    if (host.empty())
        return {BadDestination(fmt::format("destination '{}' has an empty host", text)), {}};
    int port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535)
        return {BadDestination(fmt::format("port '{}' must be a number from 1 to 65535", port_text)), {}};
    result.destination.ae_title = std::string(ae);
    result.destination.host = std::string(host);
    result.destination.port = port;
    return result;
}

std::string DescribeDestination(const StoreDestination& destination) {
    const bool ipv6 = destination.host.find(':') != std::string::npos;
    return ipv6 ? fmt::format("{}@[{}]:{}", destination.ae_title, destination.host, destination.port)
                : fmt::format("{}@{}:{}", destination.ae_title, destination.host, destination.port);
}

std::string_view FileOutcomeName(FileOutcome outcome) {
    switch (outcome) {
    case FileOutcome::Sent:
        return "sent";
    case FileOutcome::Refused:
        return "refused";
    case FileOutcome::NotAttempted:
        return "not_attempted";
    case FileOutcome::Unreadable:
        return "unreadable";
    }
    return "unknown";
}

std::string_view AssociationFailureName(AssociationFailure failure) {
    switch (failure) {
    case AssociationFailure::None:
        return "ok";
    case AssociationFailure::ConnectionFailed:
        return "connection_failed";
    case AssociationFailure::Timeout:
        return "timeout";
    case AssociationFailure::Rejected:
        return "rejected";
    case AssociationFailure::NoPresentationContext:
        return "no_presentation_context";
    case AssociationFailure::Aborted:
        return "aborted";
    }
    return "unknown";
}

StatusClass ClassifyStoreStatus(std::uint16_t status) {
    if (status == 0x0000)
        return StatusClass::Success;
    // 0xB000 coercion, 0xB006 elements discarded, 0xB007 data set does not match SOP class;
    // 0x0001 and any other 0xBxxx are warnings too: the peer kept the instance.
    if (status == 0x0001 || (status & 0xF000) == 0xB000)
        return StatusClass::Warning;
    if ((status & 0xFF00) == 0xA700)
        return StatusClass::RetryableFailure;
    return StatusClass::PermanentFailure;
}

std::size_t StoreResult::Count(FileOutcome outcome) const {
    return static_cast<std::size_t>(
        std::count_if(files.begin(), files.end(), [&](const FileStoreResult& f) { return f.outcome == outcome; }));
}

StoreResult SendFiles(const StoreDestination& destination, const std::vector<std::filesystem::path>& files) {
    StoreResult result;
    result.files.resize(files.size());
    ContextMap contexts;
    std::vector<FileStoreResult*> pending;
    for (std::size_t i = 0; i < files.size(); ++i) {
        FileStoreResult& file = result.files[i];
        file.file = files[i];
        std::string transfer_syntax;
        if (!ReadHeader(file, transfer_syntax)) {
            file.outcome = FileOutcome::Unreadable;
            continue;
        }
        const bool known = contexts.count(file.sop_class_uid) > 0;
        if (!known && contexts.size() == kMaxPresentationContexts) {
            // Left for the next call: the caller retries what was not attempted.
            MarkNotAttempted(file, {AssociationFailure::None, "more SOP classes than one association can carry"});
            continue;
        }
        std::vector<std::string>& list = contexts[file.sop_class_uid];
        AddTransferSyntax(list, transfer_syntax);
        pending.push_back(&file);
    }
    for (auto& [sop_class, list] : contexts) {
        AddTransferSyntax(list, UID_LittleEndianExplicitTransferSyntax);
        AddTransferSyntax(list, UID_LittleEndianImplicitTransferSyntax);
    }
    if (!pending.empty())
        SendOnAssociation(destination, contexts, pending, result);
    for (const FileStoreResult& file : result.files)
        LogFile(destination, file);
    LogAssociation(destination, result);
    return result;
}

} // namespace radnode::dicom_node
