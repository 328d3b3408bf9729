#include "storage/file_store.h"
#include "storage/temp_file.h"
#include "storage_test_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <unistd.h>

namespace radnode::storage {
namespace {

namespace fs = std::filesystem;
using test::DatasetBytes;
using test::Part10;
using test::ReadFile;
using test::TempDir;
using test::WriteFile;

TEST(StorageFileStore, CreatesItsLayout) {
    TempDir dir;
    FileStore store(dir.Path() / "store");
    EXPECT_TRUE(fs::is_directory(dir.Path() / "store" / "instances"));
    EXPECT_TRUE(fs::is_directory(dir.Path() / "store" / "tmp"));
    EXPECT_EQ(store.Absolute("instances/1/2/3.dcm"), dir.Path() / "store" / "instances/1/2/3.dcm");
    EXPECT_GT(store.FreeBytes(), 0u);
}

TEST(StorageFileStore, TempPathsAreUniqueAndInTheTmpDirectory) {
    TempDir dir;
    FileStore store(dir.Path());
    std::set<fs::path> seen;
    for (int i = 0; i < 1000; ++i) {
        const fs::path temp = store.NewTempPath();
        EXPECT_EQ(temp.parent_path(), dir.Path() / "tmp");
        EXPECT_TRUE(seen.insert(temp).second) << temp;
    }
}

TEST(StorageFileStore, StaleTempFilesAreRemovedAtConstruction) {
    TempDir dir;
    fs::path stale;
    {
        FileStore store(dir.Path());
        stale = store.NewTempPath();
        WriteFile(stale, "half a dataset");
        WriteFile(dir.Path() / "tmp" / "other.part", "x");
    }
    ASSERT_TRUE(fs::exists(stale));
    WriteFile(dir.Path() / "instances" / "kept.dcm", "stored");
    FileStore reopened(dir.Path());
    EXPECT_TRUE(fs::is_empty(dir.Path() / "tmp"));
    EXPECT_TRUE(fs::exists(dir.Path() / "instances" / "kept.dcm"));
}

TEST(StorageFileStore, CommitPlacesTheExactBytesAndConsumesTheTemp) {
    TempDir dir;
    FileStore store(dir.Path());
    const std::string bytes = Part10(DatasetBytes("1.2.3.4", std::string(100'000, '\x5a')));
    const fs::path temp = store.NewTempPath();
    WriteFile(temp, bytes);

    const auto relative = store.RelativePathFor("1.2", "1.2.3", "1.2.3.4");
    ASSERT_TRUE(relative) << relative.GetStatus().message;
    EXPECT_EQ(*relative, "instances/1.2/1.2.3/1.2.3.4.dcm");
    const Status status = store.Commit(temp, *relative);
    ASSERT_TRUE(status) << status.message;
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(ReadFile(store.Absolute(*relative)), bytes);
}

TEST(StorageFileStore, CommitReplacesAnExistingFile) {
    TempDir dir;
    FileStore store(dir.Path());
    const std::string relative = *store.RelativePathFor("1.2", "1.2.3", "1.2.3.4");
    for (const std::string content : {"first version", "second version"}) {
        const fs::path temp = store.NewTempPath();
        WriteFile(temp, content);
        ASSERT_TRUE(store.Commit(temp, relative));
        EXPECT_EQ(ReadFile(store.Absolute(relative)), content);
    }
}

TEST(StorageFileStore, InvalidUidsAreRejected) {
    TempDir dir;
    FileStore store(dir.Path());
    const std::string too_long = "1." + std::string(63, '1');
    for (const std::string uid : {"", "..", ".", "../../etc", "1.2/../3", "1.2.abc", "1..2", ".1.2", "1.2.", "1.2 ",
                                  "1\\2", too_long.c_str()}) {
        const auto relative = store.RelativePathFor("1.2", "1.2.3", uid);
        ASSERT_FALSE(relative) << "accepted '" << uid << "'";
        EXPECT_EQ(relative.GetStatus().code, ErrorCode::InvalidDataset);
        EXPECT_FALSE(store.RelativePathFor(uid, "1.2.3", "1.2.3.4"));
        EXPECT_FALSE(store.RelativePathFor("1.2", uid, "1.2.3.4"));
    }
    EXPECT_TRUE(store.RelativePathFor("1.2", "1.2.3", std::string(64, '7')));
    EXPECT_TRUE(FileStore::IsValidUid("1.2.840.10008.5.1.4.1.1.2"));
}

TEST(StorageFileStore, CommitRefusesPathsThatLeaveTheStore) {
    TempDir dir;
    FileStore store(dir.Path());
    const fs::path temp = store.NewTempPath();
    WriteFile(temp, "x");
    for (const std::string relative : {"../escape.dcm", "/etc/escape.dcm", "instances/../../escape.dcm", "x.dcm"}) {
        const Status status = store.Commit(temp, relative);
        EXPECT_EQ(status.code, ErrorCode::InvalidRequest) << relative;
    }
    EXPECT_TRUE(fs::exists(temp));
}

TEST(StorageFileStore, CommitBelowARegularFileIsAStorageFailureValue) {
    TempDir dir;
    FileStore store(dir.Path());
    WriteFile(dir.Path() / "instances" / "1.2", "a file where a study directory should be");
    const fs::path temp = store.NewTempPath();
    WriteFile(temp, "dataset");
    const Status status = store.Commit(temp, *store.RelativePathFor("1.2", "1.2.3", "1.2.3.4"));
    EXPECT_EQ(status.code, ErrorCode::StorageFailure);
    EXPECT_NE(status.message.find("Not a directory"), std::string::npos) << status.message;
    EXPECT_TRUE(fs::exists(temp)); // left for the caller
}

TEST(StorageFileStore, CommitOfAMissingTempIsAStorageFailureValue) {
    TempDir dir;
    FileStore store(dir.Path());
    const Status status = store.Commit(store.NewTempPath(), "instances/1/2/3.dcm");
    EXPECT_EQ(status.code, ErrorCode::StorageFailure);
    EXPECT_NE(status.message.find("No such file"), std::string::npos) << status.message;
}

TEST(StorageFileStore, CommitOnAFullFilesystemIsOutOfResources) {
    TempDir dir;
    test::TmpfsMount small(dir.Path() / "small", "size=64k,nr_inodes=32");
    if (!small.IsMounted())
        GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
    FileStore store(dir.Path() / "small");
    const fs::path temp = store.NewTempPath();
    WriteFile(temp, "dataset");
    // Use up the remaining inodes: the temp file is complete, the new study/series directories cannot be made.
    for (int i = 0; i < 64; ++i) {
        const fs::path filler = dir.Path() / "small" / fmt::format("filler{}", i);
        const int fd = ::open(filler.c_str(), O_CREAT | O_WRONLY, 0644);
        if (fd < 0)
            break;
        ::close(fd);
    }
    const Status status = store.Commit(temp, *store.RelativePathFor("1.2", "1.2.3", "1.2.3.4"));
    EXPECT_EQ(status.code, ErrorCode::OutOfResources) << status.message;
    EXPECT_NE(status.message.find("No space left"), std::string::npos) << status.message;
    EXPECT_TRUE(fs::exists(temp));
}

TEST(StorageFileStore, RemoveDeletesAStoredFile) {
    TempDir dir;
    FileStore store(dir.Path());
    const std::string relative = *store.RelativePathFor("1.2", "1.2.3", "1.2.3.4");
    const fs::path temp = store.NewTempPath();
    WriteFile(temp, "x");
    ASSERT_TRUE(store.Commit(temp, relative));
    EXPECT_TRUE(store.Remove(relative));
    EXPECT_FALSE(fs::exists(store.Absolute(relative)));
    EXPECT_EQ(store.Remove(relative).code, ErrorCode::StorageFailure);
    EXPECT_EQ(store.Remove("../x").code, ErrorCode::InvalidRequest);
}

TEST(StorageFileStore, TempFileRemovesItsFileUnlessReleased) {
    TempDir dir;
    const fs::path a = dir.Path() / "a.part";
    const fs::path b = dir.Path() / "b.part";
    WriteFile(a, "a");
    WriteFile(b, "b");
    {
        TempFile discarded(a);
        TempFile kept(b);
        EXPECT_EQ(kept.Release(), b);
    }
    EXPECT_FALSE(fs::exists(a));
    EXPECT_TRUE(fs::exists(b));
}

TEST(StorageFileStore, HashIgnoresTheMetaHeader) {
    TempDir dir;
    const std::string dataset = DatasetBytes("1.2.3.4", std::string(300'000, '\x11'));
    WriteFile(dir.Path() / "a.dcm", Part10(dataset, "1.2.276.0.7230010.3.0.3.6.7", "OFFIS_DCMTK_367"));
    WriteFile(dir.Path() / "b.dcm", Part10(dataset, "1.2.3.4.5.6.7.8.9", "RADNODE_999_LONGER"));
    WriteFile(dir.Path() / "raw.bin", dataset);
    WriteFile(dir.Path() / "c.dcm", Part10(DatasetBytes("1.2.3.4", std::string(300'000, '\x12'))));
    ASSERT_NE(ReadFile(dir.Path() / "a.dcm"), ReadFile(dir.Path() / "b.dcm"));

    const std::string a = FileStore::HashDatasetBytes(dir.Path() / "a.dcm");
    EXPECT_EQ(a.size(), 32u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
    EXPECT_EQ(a, FileStore::HashDatasetBytes(dir.Path() / "b.dcm"));
    EXPECT_EQ(a, FileStore::HashDatasetBytes(dir.Path() / "raw.bin")); // no DICM: hashed whole
    EXPECT_NE(a, FileStore::HashDatasetBytes(dir.Path() / "c.dcm"));
}

TEST(StorageFileStore, HashOfAMetaHeaderOnlyFileIsTheEmptyHash) {
    TempDir dir;
    WriteFile(dir.Path() / "meta-only.dcm", Part10(""));
    WriteFile(dir.Path() / "empty.bin", "");
    EXPECT_EQ(FileStore::HashDatasetBytes(dir.Path() / "meta-only.dcm"),
              FileStore::HashDatasetBytes(dir.Path() / "empty.bin"));
}

TEST(StorageFileStore, HashOfAMalformedMetaHeaderThrowsCorrupt) {
    TempDir dir;
    std::string bytes = std::string(128, '\0') + "DICM" + test::Element(0x0002, 0x0001, "OB", std::string("\0\1", 2));
    bytes[128 + 4 + 8] = '\xff'; // 32-bit length → 0xFFFFFFFF (undefined length is not allowed in the meta group)
    bytes[128 + 4 + 9] = '\xff';
    bytes[128 + 4 + 10] = '\xff';
    bytes[128 + 4 + 11] = '\xff';
    WriteFile(dir.Path() / "bad.dcm", bytes);
    try {
        FileStore::HashDatasetBytes(dir.Path() / "bad.dcm");
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_EQ(e.GetKind(), StorageError::Kind::Corrupt);
    }
}

TEST(StorageFileStore, HashOfAMissingFileThrowsIo) {
    TempDir dir;
    try {
        FileStore::HashDatasetBytes(dir.Path() / "missing.dcm");
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_EQ(e.GetKind(), StorageError::Kind::Io);
        EXPECT_EQ(e.Code(), ErrorCode::StorageFailure);
    }
}

} // namespace
} // namespace radnode::storage
