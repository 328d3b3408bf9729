#include "dicom_node/dicom_server.h"

#include <cstdlib>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmnet/scppool.h>
#include <dcmtk/oflog/oflog.h>
#include <fmt/format.h>

#include "config/log.h"
#include "dicom_node/sop_classes.h"
#include "dicom_node/storage_scp.h"

namespace radnode::dicom_node {
namespace {

/// The pool hands each accepted connection to a worker thread that runs one StorageScp.
class ScpPool : public DcmBaseSCPPool {
public:
    explicit ScpPool(NodeContext& context) : context_(context) {}

protected:
    class Worker : public DcmBaseSCPWorker, public StorageScp {
    public:
        Worker(ScpPool& pool, NodeContext& context) : DcmBaseSCPWorker(pool), StorageScp(context) {}
        OFCondition setSharedConfig(const DcmSharedSCPConfig& config) override {
            return StorageScp::setSharedConfig(config);
        }
        OFBool busy() override { return StorageScp::isConnected(); }
        OFCondition workerListen(T_ASC_Association* const assoc) override { return StorageScp::run(assoc); }
    };

    DcmBaseSCPWorker* createSCPWorker() override { return new Worker(*this, context_); }

private:
    NodeContext& context_;
};

storage::DuplicatePolicy ParseDuplicatePolicy(const std::string& name) {
    return name == "replace" ? storage::DuplicatePolicy::Replace : storage::DuplicatePolicy::KeepFirst;
}

} // namespace

void ConfigureDcmtkNetwork() {
    // DCMTK 3.6.7 leaves Nagle's algorithm on unless TCP_NODELAY is set; with it on, every
    // C-STORE response waits ~40 ms for a delayed ACK. Force it off for all our sockets.
    ::setenv("TCP_NODELAY", "1", 1);
    dcmDisableGethostbyaddr.set(OFTrue);
    OFLog::configure(OFLogger::WARN_LOG_LEVEL);
}

struct DicomServer::Impl {
    NodeContext context;
    ScpPool pool;

    Impl(const config::Config& config, storage::FileStore& files, std::filesystem::path database_file)
        : context{config,
                  AssociationPolicy(config.ae_title, config.check_called_ae, config.allowed_callers),
                  files,
                  std::move(database_file),
                  ParseDuplicatePolicy(config.duplicate_policy),
                  static_cast<std::uint64_t>(config.min_free_mb) * 1024 * 1024,
                  {}},
          pool(context) {}
};

DicomServer::DicomServer(const config::Config& config, storage::FileStore& files, std::filesystem::path database_file)
    : impl_(std::make_unique<Impl>(config, files, std::move(database_file))) {
    ConfigureDcmtkNetwork();
    DcmSCPConfig& cfg = impl_->pool.getConfig();
    cfg.setAETitle(config.ae_title.c_str());
    cfg.setPort(static_cast<Uint16>(config.dicom_port));
    cfg.setMaxReceivePDULength(static_cast<Uint32>(config.max_pdu));
    cfg.setACSETimeout(static_cast<Uint32>(config.acse_timeout));
    cfg.setDIMSETimeout(static_cast<Uint32>(config.dimse_timeout));
    cfg.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    // Poll for new connections once a second so Stop() takes effect promptly.
    cfg.setConnectionBlockingMode(DUL_NOBLOCK);
    cfg.setConnectionTimeout(1);
    cfg.setHostLookupEnabled(OFFalse);
    cfg.setRespondWithCalledAETitle(OFFalse);

    OFList<OFString> syntaxes;
    for (const TransferSyntax& ts : AcceptedTransferSyntaxes())
        syntaxes.push_back(OFString(ts.uid.data(), ts.uid.size()));
    OFList<OFString> verification;
    verification.push_back(UID_LittleEndianExplicitTransferSyntax);
    verification.push_back(UID_LittleEndianImplicitTransferSyntax);
    cfg.addPresentationContext(UID_VerificationSOPClass, verification);
    for (const SopClass& sop : AcceptedSopClasses())
        cfg.addPresentationContext(OFString(sop.uid.data(), sop.uid.size()), syntaxes);
    impl_->pool.setMaxThreads(static_cast<Uint16>(config.max_associations));
}

DicomServer::~DicomServer() = default;

Status DicomServer::Run() {
    const config::Config& c = impl_->context.config;
    RADNODE_LOG_INFO(Category::Dicom, "listener starting",
                     {{"ae_title", c.ae_title}, {"port", c.dicom_port}, {"max_associations", c.max_associations},
                      {"allowed_callers", impl_->context.policy.DescribeRules()}});
    const OFCondition cond = impl_->pool.listen();
    if (cond.bad())
        return Status::Error(ErrorCode::Internal,
                             fmt::format("cannot listen on DICOM port {}: {}", c.dicom_port, cond.text()));
    RADNODE_LOG_INFO(Category::Dicom, "listener stopped");
    return Status::Ok();
}

void DicomServer::Stop() { impl_->pool.stopAfterCurrentAssociations(); }

const ListenerCounters& DicomServer::Counters() const { return impl_->context.counters; }

} // namespace radnode::dicom_node
