#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scp.h>

#include "../temp_dir.h"
#include "dicom_node/dicom_server.h"
#include "dicom_node/store_scu.h"

namespace radnode::dicom_node {
namespace {

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice).
int FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (fd >= 0)
            ::close(fd);
        return 0;
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

/// Connects to and immediately closes 127.0.0.1:port (wakes a blocking accept()).
void Poke(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    (void)::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::close(fd);
}

/// Not a DIMSE status: TestReceiver answers it with an A-ABORT instead of a response.
constexpr Uint16 kAbort = 0xFFFF;

/// A socket that listens on 127.0.0.1 but never accepts or answers: the kernel completes
/// the TCP handshake, the A-ASSOCIATE-RQ goes unanswered.
class SilentListener {
public:
    SilentListener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof(address);
        if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
            ::listen(fd_, 4) == 0 && ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0)
            port_ = ntohs(address.sin_port);
    }
    ~SilentListener() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;
    int Port() const { return port_; }

private:
    int fd_ = -1;
    int port_ = 0;
};

/// An in-process storage SCP on 127.0.0.1 that keeps every dataset it receives and answers
/// the status configured for its SOP class (Success otherwise).
class TestReceiver : public DcmSCP {
public:
    explicit TestReceiver(std::string ae_title, std::map<std::string, Uint16> statuses = {})
        : ae_title_(std::move(ae_title)), statuses_(std::move(statuses)) {
        DcmSCPConfig& config = getConfig();
        config.setAETitle(ae_title_.c_str());
        config.setConnectionBlockingMode(DUL_BLOCK);
        config.setDIMSEBlockingMode(DIMSE_BLOCKING);
        config.setACSETimeout(10);
        config.setDIMSETimeout(10);
        OFList<OFString> syntaxes;
        syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
        syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
        for (const char* sop : {UID_VerificationSOPClass, UID_SecondaryCaptureImageStorage, UID_EnhancedSRStorage,
                                UID_ComprehensiveSRStorage})
            config.addPresentationContext(sop, syntaxes);
    }
    ~TestReceiver() override { Stop(); }
    TestReceiver(const TestReceiver&) = delete;
    TestReceiver& operator=(const TestReceiver&) = delete;

    /// Opens the listen port (retrying if another process took the free port first) and
    /// accepts associations on a thread until Stop().
    bool Start() {
        for (int attempt = 0; attempt < 10 && port_ == 0; ++attempt) {
            const int port = FreePort();
            getConfig().setPort(static_cast<Uint16>(port));
            if (port != 0 && openListenPort().good())
                port_ = port;
        }
        if (port_ == 0)
            return false;
        thread_ = std::thread([this] { acceptAssociations(); });
        return true;
    }

    void Stop() {
        if (!thread_.joinable())
            return;
        stop_ = true;
        Poke(port_);
        thread_.join();
    }

    int Port() const { return port_; }

    std::vector<std::unique_ptr<DcmDataset>> TakeReceived() {
        const std::lock_guard lock(mutex_);
        return std::move(received_);
    }

protected:
    OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) override {
        if (message->CommandField != DIMSE_C_STORE_RQ)
            return DcmSCP::handleIncomingCommand(message, info);
        T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
        DcmDataset* dataset = nullptr;
        const OFCondition received = receiveSTORERequest(request, info.presentationContextID, dataset);
        std::unique_ptr<DcmDataset> owned(dataset);
        if (received.bad())
            return received;
        const auto it = statuses_.find(request.AffectedSOPClassUID);
        const Uint16 status = it == statuses_.end() ? STATUS_Success : it->second;
        if (status == kAbort) {
            abortAssociation();
            return DUL_PEERABORTEDASSOCIATION;
        }
        if (status == STATUS_Success || (status & 0xF000) == 0xB000) {
            const std::lock_guard lock(mutex_);
            received_.push_back(std::move(owned));
        }
        return sendSTOREResponse(info.presentationContextID, request, status);
    }

    OFBool checkCalledAETitleAccepted(const OFString& called_ae) override { return called_ae == ae_title_.c_str(); }
    OFBool stopAfterCurrentAssociation() override { return stop_; }

private:
    std::string ae_title_;
    std::map<std::string, Uint16> statuses_;
    std::atomic<bool> stop_{false};
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<DcmDataset>> received_;
};

/// Writes a small instance of `sop_class` and returns its path.
std::filesystem::path WriteInstance(const std::filesystem::path& dir, const char* sop_class, const std::string& sop,
                                    E_TransferSyntax xfer = EXS_LittleEndianExplicit) {
    DcmFileFormat file;
    DcmDataset& ds = *file.getDataset();
    ds.putAndInsertString(DCM_SOPClassUID, sop_class);
    ds.putAndInsertString(DCM_SOPInstanceUID, sop.c_str());
    ds.putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.10.1.1");
    ds.putAndInsertString(DCM_SeriesInstanceUID, (sop + ".1").c_str());
    ds.putAndInsertString(DCM_PatientName, "TEST^STORE");
    ds.putAndInsertString(DCM_PatientID, "P-STORE");
    ds.putAndInsertString(DCM_SeriesNumber, "901");
    if (std::string(sop_class) == UID_SecondaryCaptureImageStorage) {
        ds.putAndInsertString(DCM_Modality, "OT");
        ds.putAndInsertString(DCM_ConversionType, "WSD");
        ds.putAndInsertUint16(DCM_Rows, 8);
        ds.putAndInsertUint16(DCM_Columns, 8);
        ds.putAndInsertUint16(DCM_BitsAllocated, 8);
        ds.putAndInsertUint16(DCM_BitsStored, 8);
        ds.putAndInsertUint16(DCM_HighBit, 7);
        ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
        ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
        ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
        Uint8 pixels[64];
        for (int i = 0; i < 64; ++i)
            pixels[i] = static_cast<Uint8>(i * 3);
        ds.putAndInsertUint8Array(DCM_PixelData, pixels, 64);
    } else {
        ds.putAndInsertString(DCM_Modality, "SR");
        ds.putAndInsertString(DCM_ValueType, "CONTAINER");
        ds.putAndInsertString(DCM_ContinuityOfContent, "SEPARATE");
        ds.putAndInsertString(DCM_CompletionFlag, "COMPLETE");
        ds.putAndInsertString(DCM_VerificationFlag, "UNVERIFIED");
        DcmItem* title = nullptr;
        ds.findOrCreateSequenceItem(DCM_ConceptNameCodeSequence, title);
        title->putAndInsertString(DCM_CodeValue, "126000");
        title->putAndInsertString(DCM_CodingSchemeDesignator, "DCM");
        title->putAndInsertString(DCM_CodeMeaning, "Imaging Measurement Report");
    }
    const auto path = dir / (sop + ".dcm");
    EXPECT_TRUE(file.saveFile(path.c_str(), xfer).good());
    return path;
}

/// The dataset's bytes in Explicit VR Little Endian, for a content comparison that
/// ignores the meta header and the transfer syntax used on the wire.
std::string DatasetBytes(DcmDataset& dataset, const std::filesystem::path& scratch) {
    EXPECT_TRUE(dataset.saveFile(scratch.c_str(), EXS_LittleEndianExplicit).good());
    std::ifstream in(scratch, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string GetString(DcmItem& item, const DcmTagKey& tag) {
    OFString value;
    item.findAndGetOFString(tag, value);
    return value.c_str();
}

StoreDestination Local(const std::string& ae, int port) {
    StoreDestination destination;
    destination.ae_title = ae;
    destination.host = "127.0.0.1";
    destination.port = port;
    destination.connect_timeout = std::chrono::seconds(5);
    destination.dimse_timeout = std::chrono::seconds(10);
    return destination;
}

class StoreScuTest : public ::testing::Test {
protected:
    /// As the node does at start-up: TCP_NODELAY on every socket, DCMTK logging at WARN.
    static void SetUpTestSuite() { ConfigureDcmtkNetwork(); }

    test::TempDir dir_{"radnode-store-scu"};
};

TEST_F(StoreScuTest, SendsEveryFileAndTheyArriveUnchanged) {
    TestReceiver receiver("PACS");
    ASSERT_TRUE(receiver.Start());
    const std::vector<std::filesystem::path> files = {
        WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.1.2"),
        WriteInstance(dir_.Path(), UID_SecondaryCaptureImageStorage, "1.2.826.0.1.3680043.10.1.3"),
        WriteInstance(dir_.Path(), UID_ComprehensiveSRStorage, "1.2.826.0.1.3680043.10.1.4", EXS_LittleEndianImplicit),
    };
    const StoreResult result = SendFiles(Local("PACS", receiver.Port()), files);
    receiver.Stop();

    EXPECT_EQ(result.association, AssociationFailure::None) << result.association_reason;
    ASSERT_EQ(result.files.size(), 3u);
    for (const FileStoreResult& file : result.files) {
        EXPECT_EQ(file.outcome, FileOutcome::Sent) << file.file << ": " << file.reason;
        ASSERT_TRUE(file.status.has_value());
        EXPECT_EQ(*file.status, 0x0000);
        EXPECT_FALSE(file.retryable);
        EXPECT_EQ(file.study_instance_uid, "1.2.826.0.1.3680043.10.1.1");
    }
    EXPECT_EQ(result.files[1].sop_class_uid, UID_SecondaryCaptureImageStorage);
    EXPECT_TRUE(result.AllSent());

    auto received = receiver.TakeReceived();
    ASSERT_EQ(received.size(), 3u);
    for (std::size_t i = 0; i < files.size(); ++i) {
        DcmFileFormat original;
        ASSERT_TRUE(original.loadFile(files[i].c_str()).good());
        DcmDataset& sent = *original.getDataset();
        DcmDataset& got = *received[i];
        EXPECT_EQ(GetString(got, DCM_SOPInstanceUID), GetString(sent, DCM_SOPInstanceUID));
        EXPECT_EQ(GetString(got, DCM_SOPClassUID), GetString(sent, DCM_SOPClassUID));
        EXPECT_EQ(GetString(got, DCM_PatientID), "P-STORE");
        EXPECT_EQ(GetString(got, DCM_SeriesNumber), "901");
        EXPECT_EQ(DatasetBytes(got, dir_.Path() / "got.bin"), DatasetBytes(sent, dir_.Path() / "sent.bin")) << files[i];
    }
}

TEST_F(StoreScuTest, NobodyListeningLeavesEveryFileRetryable) {
    const int port = FreePort();
    ASSERT_NE(port, 0);
    const std::vector<std::filesystem::path> files = {
        WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.2.1"),
        WriteInstance(dir_.Path(), UID_SecondaryCaptureImageStorage, "1.2.826.0.1.3680043.10.2.2"),
    };
    const StoreResult result = SendFiles(Local("PACS", port), files);
    EXPECT_EQ(result.association, AssociationFailure::ConnectionFailed) << result.association_reason;
    ASSERT_EQ(result.files.size(), 2u);
    for (const FileStoreResult& file : result.files) {
        EXPECT_EQ(file.outcome, FileOutcome::NotAttempted);
        EXPECT_TRUE(file.retryable);
        EXPECT_FALSE(file.status.has_value());
        EXPECT_NE(file.reason.find("connection"), std::string::npos) << file.reason;
        EXPECT_NE(file.reason.find(std::to_string(port)), std::string::npos) << file.reason;
    }
}

TEST_F(StoreScuTest, RejectedCalledAeTitleIsRetryableAndSaysSo) {
    TestReceiver receiver("PACS");
    ASSERT_TRUE(receiver.Start());
    const StoreResult result =
        SendFiles(Local("NOT-PACS", receiver.Port()),
                  {WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.3.1")});
    receiver.Stop();
    EXPECT_EQ(result.association, AssociationFailure::Rejected) << result.association_reason;
    ASSERT_EQ(result.files.size(), 1u);
    EXPECT_EQ(result.files[0].outcome, FileOutcome::NotAttempted);
    EXPECT_TRUE(result.files[0].retryable);
    EXPECT_NE(result.files[0].reason.find("rejected"), std::string::npos) << result.files[0].reason;
    EXPECT_NE(result.files[0].reason.find("NOT-PACS@127.0.0.1"), std::string::npos) << result.files[0].reason;
    EXPECT_TRUE(receiver.TakeReceived().empty());
}

TEST_F(StoreScuTest, FailureStatusRefusesOnlyThatFile) {
    TestReceiver receiver("PACS", {{UID_SecondaryCaptureImageStorage, 0xA900}, {UID_ComprehensiveSRStorage, 0xA700}});
    ASSERT_TRUE(receiver.Start());
    const std::vector<std::filesystem::path> files = {
        WriteInstance(dir_.Path(), UID_SecondaryCaptureImageStorage, "1.2.826.0.1.3680043.10.4.1"),
        WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.4.2"),
        WriteInstance(dir_.Path(), UID_ComprehensiveSRStorage, "1.2.826.0.1.3680043.10.4.3"),
    };
    const StoreResult result = SendFiles(Local("PACS", receiver.Port()), files);
    receiver.Stop();
    EXPECT_EQ(result.association, AssociationFailure::None) << result.association_reason;
    ASSERT_EQ(result.files.size(), 3u);
    EXPECT_EQ(result.files[0].outcome, FileOutcome::Refused);
    EXPECT_EQ(result.files[0].status, std::optional<std::uint16_t>(0xA900));
    EXPECT_FALSE(result.files[0].retryable);
    EXPECT_NE(result.files[0].reason.find("0xA900"), std::string::npos) << result.files[0].reason;
    EXPECT_EQ(result.files[1].outcome, FileOutcome::Sent) << result.files[1].reason;
    EXPECT_EQ(result.files[2].outcome, FileOutcome::Refused);
    EXPECT_EQ(result.files[2].status, std::optional<std::uint16_t>(0xA700));
    EXPECT_TRUE(result.files[2].retryable);
    EXPECT_EQ(result.Count(FileOutcome::Sent), 1u);
    auto received = receiver.TakeReceived();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(GetString(*received[0], DCM_SOPInstanceUID), "1.2.826.0.1.3680043.10.4.2");
}

TEST_F(StoreScuTest, WarningStatusCountsAsSentAndIsRecorded) {
    TestReceiver receiver("PACS", {{UID_EnhancedSRStorage, 0xB007}});
    ASSERT_TRUE(receiver.Start());
    const StoreResult result =
        SendFiles(Local("PACS", receiver.Port()),
                  {WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.5.1")});
    receiver.Stop();
    ASSERT_EQ(result.files.size(), 1u);
    EXPECT_EQ(result.files[0].outcome, FileOutcome::Sent);
    EXPECT_EQ(result.files[0].status, std::optional<std::uint16_t>(0xB007));
    EXPECT_FALSE(result.files[0].retryable);
}

TEST_F(StoreScuTest, UnreadableFileIsReportedAndTheOthersAreSent) {
    TestReceiver receiver("PACS");
    ASSERT_TRUE(receiver.Start());
    const auto not_dicom = dir_.Path() / "notes.txt";
    std::ofstream(not_dicom) << "not a DICOM file";
    const StoreResult result =
        SendFiles(Local("PACS", receiver.Port()),
                  {dir_.Path() / "missing.dcm", not_dicom,
                   WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.6.1")});
    receiver.Stop();
    ASSERT_EQ(result.files.size(), 3u);
    EXPECT_EQ(result.files[0].outcome, FileOutcome::Unreadable);
    EXPECT_FALSE(result.files[0].retryable);
    EXPECT_EQ(result.files[1].outcome, FileOutcome::Unreadable);
    EXPECT_EQ(result.files[2].outcome, FileOutcome::Sent) << result.files[2].reason;
    EXPECT_EQ(receiver.TakeReceived().size(), 1u);
}

TEST_F(StoreScuTest, UnsupportedSopClassIsRefusedWithoutStatus) {
    TestReceiver receiver("PACS");
    ASSERT_TRUE(receiver.Start());
    const StoreResult result =
        SendFiles(Local("PACS", receiver.Port()),
                  {WriteInstance(dir_.Path(), UID_SegmentationStorage, "1.2.826.0.1.3680043.10.7.1"),
                   WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.7.2")});
    receiver.Stop();
    ASSERT_EQ(result.files.size(), 2u);
    EXPECT_EQ(result.files[0].outcome, FileOutcome::Refused);
    EXPECT_FALSE(result.files[0].status.has_value());
    EXPECT_FALSE(result.files[0].retryable);
    EXPECT_NE(result.files[0].reason.find("presentation context"), std::string::npos) << result.files[0].reason;
    EXPECT_EQ(result.files[1].outcome, FileOutcome::Sent) << result.files[1].reason;
}

TEST_F(StoreScuTest, PeerThatNeverAnswersTimesOutRetryably) {
    const SilentListener listener;
    ASSERT_NE(listener.Port(), 0);
    StoreDestination destination = Local("PACS", listener.Port());
    destination.connect_timeout = std::chrono::seconds(1); // bounds the A-ASSOCIATE-AC wait
    const StoreResult result =
        SendFiles(destination, {WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.8.1")});
    EXPECT_EQ(result.association, AssociationFailure::Timeout) << result.association_reason;
    ASSERT_EQ(result.files.size(), 1u);
    EXPECT_EQ(result.files[0].outcome, FileOutcome::NotAttempted);
    EXPECT_TRUE(result.files[0].retryable);
    EXPECT_NE(result.files[0].reason.find("timeout"), std::string::npos) << result.files[0].reason;
}

TEST_F(StoreScuTest, AbortMidBatchLeavesTheRestRetryable) {
    TestReceiver receiver("PACS", {{UID_SecondaryCaptureImageStorage, kAbort}});
    ASSERT_TRUE(receiver.Start());
    const StoreResult result =
        SendFiles(Local("PACS", receiver.Port()),
                  {WriteInstance(dir_.Path(), UID_EnhancedSRStorage, "1.2.826.0.1.3680043.10.9.1"),
                   WriteInstance(dir_.Path(), UID_SecondaryCaptureImageStorage, "1.2.826.0.1.3680043.10.9.2"),
                   WriteInstance(dir_.Path(), UID_ComprehensiveSRStorage, "1.2.826.0.1.3680043.10.9.3")});
    receiver.Stop();
    EXPECT_EQ(result.association, AssociationFailure::Aborted) << result.association_reason;
    ASSERT_EQ(result.files.size(), 3u);
    EXPECT_EQ(result.files[0].outcome, FileOutcome::Sent) << result.files[0].reason;
    for (std::size_t i = 1; i < 3; ++i) {
        EXPECT_EQ(result.files[i].outcome, FileOutcome::NotAttempted) << i;
        EXPECT_TRUE(result.files[i].retryable) << i;
        EXPECT_FALSE(result.files[i].status.has_value()) << i;
    }
    EXPECT_EQ(receiver.TakeReceived().size(), 1u);
}

TEST(StoreScuStatus, ClassifiesResponseStatuses) {
    EXPECT_EQ(ClassifyStoreStatus(0x0000), StatusClass::Success);
    EXPECT_EQ(ClassifyStoreStatus(0xB000), StatusClass::Warning);
    EXPECT_EQ(ClassifyStoreStatus(0xB006), StatusClass::Warning);
    EXPECT_EQ(ClassifyStoreStatus(0xB007), StatusClass::Warning);
    EXPECT_EQ(ClassifyStoreStatus(0xA700), StatusClass::RetryableFailure);
    EXPECT_EQ(ClassifyStoreStatus(0xA7FF), StatusClass::RetryableFailure);
    EXPECT_EQ(ClassifyStoreStatus(0xA900), StatusClass::PermanentFailure);
    EXPECT_EQ(ClassifyStoreStatus(0xC000), StatusClass::PermanentFailure);
    EXPECT_EQ(ClassifyStoreStatus(0xC123), StatusClass::PermanentFailure);
    EXPECT_EQ(ClassifyStoreStatus(0x0122), StatusClass::PermanentFailure);
}

TEST(StoreScuDestination, ParsesAeHostAndPort) {
    const auto parsed = ParseDestination("ORTHANC@pacs.example.org:4242");
    ASSERT_TRUE(parsed.status) << parsed.status.message;
    EXPECT_EQ(parsed.destination.ae_title, "ORTHANC");
    EXPECT_EQ(parsed.destination.host, "pacs.example.org");
    EXPECT_EQ(parsed.destination.port, 4242);
    EXPECT_EQ(parsed.destination.calling_ae, "RADNODE");
    EXPECT_EQ(parsed.destination.connect_timeout, std::chrono::seconds(10));
    EXPECT_EQ(parsed.destination.dimse_timeout, std::chrono::seconds(60));
    EXPECT_EQ(DescribeDestination(parsed.destination), "ORTHANC@pacs.example.org:4242");

    const auto ipv6 = ParseDestination("PACS@[::1]:104");
    ASSERT_TRUE(ipv6.status) << ipv6.status.message;
    EXPECT_EQ(ipv6.destination.host, "::1");
    EXPECT_EQ(ipv6.destination.port, 104);
    EXPECT_EQ(DescribeDestination(ipv6.destination), "PACS@[::1]:104");

    EXPECT_TRUE(ParseDestination("A@h:1").status);
    EXPECT_TRUE(ParseDestination("SIXTEEN_CHARS_AE@127.0.0.1:65535").status);
}

TEST(StoreScuDestination, RejectsBadText) {
    for (const char* text :
         {"", "PACS", "PACS@host", "@host:104", "PACS@:104", "PACS@host:", "PACS@host:0", "PACS@host:65536",
          "PACS@host:-1", "PACS@host:10x", "PACS@host: 104", "SEVENTEEN_CHARS_A@host:104", "PA\\CS@host:104",
          "    @host:104", "PACS@::1:104", "PACS@[::1]104", "PA\tCS@host:104"}) {
        const auto parsed = ParseDestination(text);
        EXPECT_FALSE(parsed.status) << "'" << text << "' was accepted";
        EXPECT_EQ(parsed.status.code, ErrorCode::InvalidRequest) << text;
        EXPECT_FALSE(parsed.status.message.empty()) << text;
    }
}

} // namespace
} // namespace radnode::dicom_node
