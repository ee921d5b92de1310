#include "domain/file_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "testing/temp_dir.h"

namespace homeroom::domain {
namespace {

namespace fs = std::filesystem;

// SHA-256 of "hello world".
constexpr const char* kHelloSha =
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

size_t Entries(const fs::path& dir) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); ++it) ++n;
  return n;
}

TEST(FileStore, ABlobWrittenInPiecesIsNamedByTheSha256OfItsBytes) {
  testing::TempDir dir;
  FileStore store(dir.path() + "/files");
  ASSERT_TRUE(store.Init().ok());
  auto writer = store.Begin();
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Append("hello").ok());
  ASSERT_TRUE((*writer)->Append(" world").ok());
  EXPECT_EQ((*writer)->size(), 11u);
  auto sha = (*writer)->Commit();
  ASSERT_TRUE(sha.ok()) << sha.status().ToString();
  EXPECT_EQ(*sha, kHelloSha);
  EXPECT_EQ(store.PathOf(*sha), dir.path() + "/files/b9/" + kHelloSha);
  auto back = store.Read(*sha, 100);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "hello world");
  EXPECT_EQ(Entries(dir.path() + "/files/tmp"), 0u);
}

TEST(FileStore, TheSameBytesTwiceAreOneBlob) {
  testing::TempDir dir;
  FileStore store(dir.path() + "/files");
  ASSERT_TRUE(store.Init().ok());
  for (int i = 0; i < 2; ++i) {
    auto writer = store.Begin();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("hello world").ok());
    EXPECT_EQ((*writer)->Commit().value(), kHelloSha);
  }
  EXPECT_EQ(Entries(dir.path() + "/files/b9"), 1u);
  EXPECT_EQ(Entries(dir.path() + "/files/tmp"), 0u);
}

TEST(FileStore, AnAbandonedUploadLeavesNothingBehind) {
  testing::TempDir dir;
  FileStore store(dir.path() + "/files");
  ASSERT_TRUE(store.Init().ok());
  {
    auto writer = store.Begin();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append("half of it").ok());
    EXPECT_EQ(Entries(dir.path() + "/files/tmp"), 1u);
  }
  EXPECT_EQ(Entries(dir.path() + "/files/tmp"), 0u);
}

TEST(FileStore, ReadsRefuseMissingBadlyNamedAndTooLargeBlobs) {
  testing::TempDir dir;
  FileStore store(dir.path() + "/files");
  ASSERT_TRUE(store.Init().ok());
  EXPECT_EQ(store.Read(kHelloSha, 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store.Read("../../etc/passwd", 100).status().code(), StatusCode::kNotFound);
  auto writer = store.Begin();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("hello world").ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(store.Read(kHelloSha, 5).status().code(), StatusCode::kPayloadTooLarge);
}

TEST(FileStore, InitRemovesTemporaryFilesAPreviousProcessLeft) {
  testing::TempDir dir;
  fs::create_directories(dir.path() + "/files/tmp");
  { std::ofstream(dir.path() + "/files/tmp/upload-leftover") << "partial"; }
  FileStore store(dir.path() + "/files");
  ASSERT_TRUE(store.Init().ok());
  EXPECT_EQ(Entries(dir.path() + "/files/tmp"), 0u);
}

}  // namespace
}  // namespace homeroom::domain
