#include "dicom_node/storage_scp.h"

#include <system_error>

#include <fmt/format.h>

#include "config/log.h"
#include "dicom_node/instance_reader.h"
#include "storage/instance_store.h"

namespace radnode::dicom_node {
namespace {

std::string ToString(const char* s) { return s ? std::string{s} : std::string{}; }

void RemoveQuietly(const std::filesystem::path& p) {
    std::error_code ignored;
    std::filesystem::remove(p, ignored);
}

} // namespace

StorageScp::StorageScp(NodeContext& context) : context_(context) {}

StorageScp::~StorageScp() = default;

storage::Database& StorageScp::Connection() {
    // One SQLite connection per worker, opened on first use (style: one connection per thread).
    if (!database_)
        database_.emplace(storage::Database::Open(context_.database_file));
    return *database_;
}

OFBool StorageScp::checkCalledAETitleAccepted(const OFString& called_ae) {
    if (context_.policy.AcceptsCalled(called_ae.c_str()))
        return OFTrue;
    context_.counters.associations_rejected++;
    RADNODE_LOG_WARN(Category::Dicom, "association rejected: called AE title is not ours",
                     {{"called_ae", called_ae.c_str()}, {"calling_ae", getPeerAETitle().c_str()},
                      {"peer", getPeerIP().c_str()}});
    return OFFalse;
}

OFBool StorageScp::checkCallingAETitleAccepted(const OFString& calling_ae) {
    const std::string ip = getPeerIP().c_str();
    if (context_.policy.AcceptsCaller(calling_ae.c_str(), ip))
        return OFTrue;
    context_.counters.associations_rejected++;
    RADNODE_LOG_WARN(Category::Dicom, "association rejected: calling AE title/host not in dicom.allowed_callers",
                     {{"calling_ae", calling_ae.c_str()}, {"peer", ip}, {"allowed", context_.policy.DescribeRules()}});
    return OFFalse;
}

void StorageScp::notifyAssociationAcknowledge() {
    peer_ae_ = getPeerAETitle().c_str();
    peer_ip_ = getPeerIP().c_str();
    stored_ = duplicates_ = rejected_ = 0;
    context_.counters.associations++;
    RADNODE_LOG_INFO(Category::Dicom, "association accepted", {{"calling_ae", peer_ae_}, {"peer", peer_ip_}});
}

void StorageScp::notifyAbortRequest() {
    RADNODE_LOG_WARN(Category::Dicom, "association aborted by peer", {{"calling_ae", peer_ae_}, {"peer", peer_ip_}});
}

void StorageScp::notifyAssociationTermination() {
    if (peer_ae_.empty())
        return; // refused during negotiation: already logged
    RADNODE_LOG_INFO(Category::Dicom, "association ended",
                     {{"calling_ae", peer_ae_}, {"peer", peer_ip_}, {"stored", stored_}, {"duplicates", duplicates_},
                      {"rejected", rejected_}});
    peer_ae_.clear();
    // Connections are cheap; do not hold a WAL reader open between associations.
    database_.reset();
}

OFCondition StorageScp::handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) {
    if (message->CommandField != DIMSE_C_STORE_RQ)
        return DcmThreadSCP::handleIncomingCommand(message, info); // C-ECHO and refusals of the rest
    T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
    OFCondition network = EC_Normal;
    const Uint16 status = Store(request, info.presentationContextID, network);
    if (network.bad())
        return network; // the association is unusable; DcmSCP aborts it
    return sendSTOREResponse(info.presentationContextID, request, status);
}

Uint16 StorageScp::RefuseWithoutStoring(T_DIMSE_C_StoreRQ& request, T_ASC_PresentationContextID presentation_id,
                                        OFCondition& network) {
    // The dataset must still be read off the wire before the response can be sent.
    DcmDataset* dataset = nullptr;
    network = receiveSTORERequest(request, presentation_id, dataset);
    delete dataset;
    return GetErrorInfo(ErrorCode::OutOfResources).dimse_status;
}

Uint16 StorageScp::Store(T_DIMSE_C_StoreRQ& request, T_ASC_PresentationContextID presentation_id,
                         OFCondition& network) {
    const std::string sop_uid = ToString(request.AffectedSOPInstanceUID);
    if (context_.files.FreeBytes() < context_.min_free_bytes) {
        rejected_++;
        context_.counters.instances_rejected++;
        RADNODE_LOG_ERROR(Category::Dicom, "C-STORE refused: free disk space below storage.min_free_mb",
                          {{"sop", sop_uid}, {"free_bytes", context_.files.FreeBytes()},
                           {"min_free_mb", context_.config.min_free_mb}, {"status", "0xA700"}});
        return RefuseWithoutStoring(request, presentation_id, network);
    }

    const std::filesystem::path temp = context_.files.NewTempPath();
    network = receiveSTORERequest(request, presentation_id, OFString{temp.c_str()});
    if (network.bad()) {
        RemoveQuietly(temp);
        RADNODE_LOG_ERROR(Category::Dicom, "C-STORE receive failed; association will be aborted",
                          {{"sop", sop_uid}, {"calling_ae", peer_ae_}, {"reason", network.text()}});
        return 0;
    }

    const StoreRequestInfo info{ToString(request.AffectedSOPClassUID), sop_uid, peer_ae_, peer_ip_};
    ReadResult read = ReadReceivedInstance(temp, info);
    Status status = read.status;
    bool duplicate = false;
    if (status) {
        try {
            status = Persist(temp, read.record, duplicate);
        } catch (const std::exception& e) {
            status = Status::Error(ErrorCode::StorageFailure, e.what());
        }
    }
    RemoveQuietly(temp); // no-op when the file was moved into the store
    const ErrorInfo& error = GetErrorInfo(status.code);
    if (!status) {
        rejected_++;
        context_.counters.instances_rejected++;
        RADNODE_LOG_ERROR(Category::Dicom, "C-STORE rejected",
                          {{"reason", status.message}, {"code", error.name},
                           {"status", fmt::format("0x{:04X}", error.dimse_status)}, {"sop", sop_uid},
                           {"study", read.record.study_uid}, {"calling_ae", peer_ae_}});
        return error.dimse_status;
    }
    if (duplicate) {
        duplicates_++;
        context_.counters.instances_duplicate++;
    } else {
        stored_++;
        context_.counters.instances_stored++;
        context_.counters.bytes_stored += read.record.file_size;
    }
    RADNODE_LOG_DEBUG(Category::Dicom, duplicate ? "instance already stored" : "instance stored",
                      {{"sop", sop_uid}, {"series", read.record.series_uid}, {"study", read.record.study_uid}});
    return error.dimse_status;
}

Status StorageScp::Persist(const std::filesystem::path& temp, storage::InstanceRecord& record, bool& duplicate) {
    storage::InstanceIndex index(Connection());
    storage::InstanceStore store(context_.files, index);
    record.file_size = std::filesystem::file_size(temp);
    const auto outcome = store.Store(temp, record, context_.duplicate_policy);
    if (!outcome)
        return outcome.GetStatus();
    switch (*outcome) {
    case storage::PutOutcome::Inserted:
        break;
    case storage::PutOutcome::IdenticalDuplicate:
        duplicate = true;
        break;
    case storage::PutOutcome::KeptExisting:
        duplicate = true;
        RADNODE_LOG_WARN(Category::Dicom, "instance re-sent with different content; keeping the first (keep_first)",
                         {{"sop", record.sop_instance_uid}, {"study", record.study_uid}});
        break;
    case storage::PutOutcome::Replaced:
        RADNODE_LOG_WARN(Category::Dicom, "instance re-sent with different content; replaced (replace)",
                         {{"sop", record.sop_instance_uid}, {"study", record.study_uid}});
        break;
    }
    return Status::Ok();
}

} // namespace radnode::dicom_node
