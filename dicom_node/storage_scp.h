#pragma once
/// One association's C-ECHO / C-STORE provider (DCMTK edge; included only by
/// dicom_server.cpp). Stores each instance durably before answering Success.

#include <memory>
#include <optional>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/scpthrd.h>

#include "config/errors.h"
#include "dicom_node/node_context.h"
#include "storage/database.h"

namespace radnode::dicom_node {

class StorageScp : public DcmThreadSCP {
public:
    explicit StorageScp(NodeContext& context);
    ~StorageScp() override;

protected:
    OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) override;
    OFBool checkCalledAETitleAccepted(const OFString& called_ae) override;
    OFBool checkCallingAETitleAccepted(const OFString& calling_ae) override;
    void notifyAssociationAcknowledge() override;
    void notifyAssociationTermination() override;
    void notifyAbortRequest() override;

private:
    /// Receives, validates and persists one instance; returns the DIMSE status to answer.
    Uint16 Store(T_DIMSE_C_StoreRQ& request, T_ASC_PresentationContextID presentation_id, OFCondition& network);
    Status Persist(const std::filesystem::path& temp, storage::InstanceRecord& record, bool& duplicate);
    Uint16 RefuseWithoutStoring(T_DIMSE_C_StoreRQ& request, T_ASC_PresentationContextID presentation_id,
                                OFCondition& network);
    storage::Database& Connection();

    NodeContext& context_;
    std::optional<storage::Database> database_;
    std::string peer_ae_;
    std::string peer_ip_;
    std::uint64_t stored_ = 0, duplicates_ = 0, rejected_ = 0;
};

} // namespace radnode::dicom_node
