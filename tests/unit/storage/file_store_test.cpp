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
using test::dataset_bytes;
using test::part10;
using test::read_file;
using test::TempDir;
using test::write_file;

TEST(StorageFileStore, CreatesItsLayout) {
    TempDir dir;
    FileStore store(dir.path() / "store");
    EXPECT_TRUE(fs::is_directory(dir.path() / "store" / "instances"));
    EXPECT_TRUE(fs::is_directory(dir.path() / "store" / "tmp"));
    EXPECT_EQ(store.absolute("instances/1/2/3.dcm"), dir.path() / "store" / "instances/1/2/3.dcm");
    EXPECT_GT(store.free_bytes(), 0u);
}

TEST(StorageFileStore, TempPathsAreUniqueAndInTheTmpDirectory) {
    TempDir dir;
    FileStore store(dir.path());
    std::set<fs::path> seen;
    for (int i = 0; i < 1000; ++i) {
        const fs::path temp = store.new_temp_path();
        EXPECT_EQ(temp.parent_path(), dir.path() / "tmp");
        EXPECT_TRUE(seen.insert(temp).second) << temp;
    }
}

TEST(StorageFileStore, StaleTempFilesAreRemovedAtConstruction) {
    TempDir dir;
    fs::path stale;
    {
        FileStore store(dir.path());
        stale = store.new_temp_path();
        write_file(stale, "half a dataset");
        write_file(dir.path() / "tmp" / "other.part", "x");
    }
    ASSERT_TRUE(fs::exists(stale));
    write_file(dir.path() / "instances" / "kept.dcm", "stored");
    FileStore reopened(dir.path());
    EXPECT_TRUE(fs::is_empty(dir.path() / "tmp"));
    EXPECT_TRUE(fs::exists(dir.path() / "instances" / "kept.dcm"));
}

TEST(StorageFileStore, CommitPlacesTheExactBytesAndConsumesTheTemp) {
    TempDir dir;
    FileStore store(dir.path());
    const std::string bytes = part10(dataset_bytes("1.2.3.4", std::string(100'000, '\x5a')));
    const fs::path temp = store.new_temp_path();
    write_file(temp, bytes);

    const auto relative = store.relative_path_for("1.2", "1.2.3", "1.2.3.4");
    ASSERT_TRUE(relative) << relative.status().message;
    EXPECT_EQ(*relative, "instances/1.2/1.2.3/1.2.3.4.dcm");
    const Status status = store.commit(temp, *relative);
    ASSERT_TRUE(status) << status.message;
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(read_file(store.absolute(*relative)), bytes);
}

TEST(StorageFileStore, CommitReplacesAnExistingFile) {
    TempDir dir;
    FileStore store(dir.path());
    const std::string relative = *store.relative_path_for("1.2", "1.2.3", "1.2.3.4");
    for (const std::string content : {"first version", "second version"}) {
        const fs::path temp = store.new_temp_path();
        write_file(temp, content);
        ASSERT_TRUE(store.commit(temp, relative));
        EXPECT_EQ(read_file(store.absolute(relative)), content);
    }
}

TEST(StorageFileStore, InvalidUidsAreRejected) {
    TempDir dir;
    FileStore store(dir.path());
    const std::string too_long = "1." + std::string(63, '1');
    for (const std::string uid : {"", "..", ".", "../../etc", "1.2/../3", "1.2.abc", "1..2", ".1.2", "1.2.", "1.2 ",
                                  "1\\2", too_long.c_str()}) {
        const auto relative = store.relative_path_for("1.2", "1.2.3", uid);
        ASSERT_FALSE(relative) << "accepted '" << uid << "'";
        EXPECT_EQ(relative.status().code, ErrorCode::InvalidDataset);
        EXPECT_FALSE(store.relative_path_for(uid, "1.2.3", "1.2.3.4"));
        EXPECT_FALSE(store.relative_path_for("1.2", uid, "1.2.3.4"));
    }
    EXPECT_TRUE(store.relative_path_for("1.2", "1.2.3", std::string(64, '7')));
    EXPECT_TRUE(FileStore::is_valid_uid("1.2.840.10008.5.1.4.1.1.2"));
}

TEST(StorageFileStore, CommitRefusesPathsThatLeaveTheStore) {
    TempDir dir;
    FileStore store(dir.path());
    const fs::path temp = store.new_temp_path();
    write_file(temp, "x");
    for (const std::string relative : {"../escape.dcm", "/etc/escape.dcm", "instances/../../escape.dcm", "x.dcm"}) {
        const Status status = store.commit(temp, relative);
        EXPECT_EQ(status.code, ErrorCode::InvalidRequest) << relative;
    }
    EXPECT_TRUE(fs::exists(temp));
}

TEST(StorageFileStore, CommitBelowARegularFileIsAStorageFailureValue) {
    TempDir dir;
    FileStore store(dir.path());
    write_file(dir.path() / "instances" / "1.2", "a file where a study directory should be");
    const fs::path temp = store.new_temp_path();
    write_file(temp, "dataset");
    const Status status = store.commit(temp, *store.relative_path_for("1.2", "1.2.3", "1.2.3.4"));
    EXPECT_EQ(status.code, ErrorCode::StorageFailure);
    EXPECT_NE(status.message.find("Not a directory"), std::string::npos) << status.message;
    EXPECT_TRUE(fs::exists(temp)); // left for the caller
}

TEST(StorageFileStore, CommitOfAMissingTempIsAStorageFailureValue) {
    TempDir dir;
    FileStore store(dir.path());
    const Status status = store.commit(store.new_temp_path(), "instances/1/2/3.dcm");
    EXPECT_EQ(status.code, ErrorCode::StorageFailure);
    EXPECT_NE(status.message.find("No such file"), std::string::npos) << status.message;
}

TEST(StorageFileStore, CommitOnAFullFilesystemIsOutOfResources) {
    TempDir dir;
    test::TmpfsMount small(dir.path() / "small", "size=64k,nr_inodes=32");
    if (!small.mounted())
        GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
    FileStore store(dir.path() / "small");
    const fs::path temp = store.new_temp_path();
    write_file(temp, "dataset");
    // Use up the remaining inodes: the temp file is complete, the new study/series directories cannot be made.
    for (int i = 0; i < 64; ++i) {
        const fs::path filler = dir.path() / "small" / fmt::format("filler{}", i);
        const int fd = ::open(filler.c_str(), O_CREAT | O_WRONLY, 0644);
        if (fd < 0)
            break;
        ::close(fd);
    }
    const Status status = store.commit(temp, *store.relative_path_for("1.2", "1.2.3", "1.2.3.4"));
    EXPECT_EQ(status.code, ErrorCode::OutOfResources) << status.message;
    EXPECT_NE(status.message.find("No space left"), std::string::npos) << status.message;
    EXPECT_TRUE(fs::exists(temp));
}

TEST(StorageFileStore, RemoveDeletesAStoredFile) {
    TempDir dir;
    FileStore store(dir.path());
    const std::string relative = *store.relative_path_for("1.2", "1.2.3", "1.2.3.4");
    const fs::path temp = store.new_temp_path();
    write_file(temp, "x");
    ASSERT_TRUE(store.commit(temp, relative));
    EXPECT_TRUE(store.remove(relative));
    EXPECT_FALSE(fs::exists(store.absolute(relative)));
    EXPECT_EQ(store.remove(relative).code, ErrorCode::StorageFailure);
    EXPECT_EQ(store.remove("../x").code, ErrorCode::InvalidRequest);
}

TEST(StorageFileStore, TempFileRemovesItsFileUnlessReleased) {
    TempDir dir;
    const fs::path a = dir.path() / "a.part";
    const fs::path b = dir.path() / "b.part";
    write_file(a, "a");
    write_file(b, "b");
    {
        TempFile discarded(a);
        TempFile kept(b);
        EXPECT_EQ(kept.release(), b);
    }
    EXPECT_FALSE(fs::exists(a));
    EXPECT_TRUE(fs::exists(b));
}

TEST(StorageFileStore, HashIgnoresTheMetaHeader) {
    TempDir dir;
    const std::string dataset = dataset_bytes("1.2.3.4", std::string(300'000, '\x11'));
    write_file(dir.path() / "a.dcm", part10(dataset, "1.2.276.0.7230010.3.0.3.6.7", "OFFIS_DCMTK_367"));
    write_file(dir.path() / "b.dcm", part10(dataset, "1.2.3.4.5.6.7.8.9", "RADNODE_999_LONGER"));
    write_file(dir.path() / "raw.bin", dataset);
    write_file(dir.path() / "c.dcm", part10(dataset_bytes("1.2.3.4", std::string(300'000, '\x12'))));
    ASSERT_NE(read_file(dir.path() / "a.dcm"), read_file(dir.path() / "b.dcm"));

    const std::string a = FileStore::hash_dataset_bytes(dir.path() / "a.dcm");
    EXPECT_EQ(a.size(), 32u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
    EXPECT_EQ(a, FileStore::hash_dataset_bytes(dir.path() / "b.dcm"));
    EXPECT_EQ(a, FileStore::hash_dataset_bytes(dir.path() / "raw.bin")); // no DICM: hashed whole
    EXPECT_NE(a, FileStore::hash_dataset_bytes(dir.path() / "c.dcm"));
}

TEST(StorageFileStore, HashOfAMetaHeaderOnlyFileIsTheEmptyHash) {
    TempDir dir;
    write_file(dir.path() / "meta-only.dcm", part10(""));
    write_file(dir.path() / "empty.bin", "");
    EXPECT_EQ(FileStore::hash_dataset_bytes(dir.path() / "meta-only.dcm"),
              FileStore::hash_dataset_bytes(dir.path() / "empty.bin"));
}

TEST(StorageFileStore, HashOfAMalformedMetaHeaderThrowsCorrupt) {
    TempDir dir;
    std::string bytes = std::string(128, '\0') + "DICM" + test::element(0x0002, 0x0001, "OB", std::string("\0\1", 2));
    bytes[128 + 4 + 8] = '\xff'; // 32-bit length → 0xFFFFFFFF (undefined length is not allowed in the meta group)
    bytes[128 + 4 + 9] = '\xff';
    bytes[128 + 4 + 10] = '\xff';
    bytes[128 + 4 + 11] = '\xff';
    write_file(dir.path() / "bad.dcm", bytes);
    try {
        FileStore::hash_dataset_bytes(dir.path() / "bad.dcm");
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_EQ(e.kind(), StorageError::Kind::Corrupt);
    }
}

TEST(StorageFileStore, HashOfAMissingFileThrowsIo) {
    TempDir dir;
    try {
        FileStore::hash_dataset_bytes(dir.path() / "missing.dcm");
        FAIL();
    } catch (const StorageError& e) {
        EXPECT_EQ(e.kind(), StorageError::Kind::Io);
        EXPECT_EQ(e.code(), ErrorCode::StorageFailure);
    }
}

} // namespace
} // namespace radnode::storage
