// The importer reading a OneRoster set from a zip archive: real archives written with libzip into
// a temp dir, imported into a real SQLite store.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zip.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "roster/importer.h"
#include "store/database.h"
#include "testing/temp_dir.h"

namespace homeroom::roster {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// The good fixture set as (file name, content) pairs.
std::vector<std::pair<std::string, std::string>> GoodSet() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& e : fs::directory_iterator(std::string(HOMEROOM_ROSTER_FIXTURES) + "/good")) {
    files.emplace_back(e.path().filename().string(), ReadFile(e.path().string()));
  }
  return files;
}

struct ZipOptions {
  std::string folder;  // entries go under "<folder>/" when set
  zip_int32_t method = ZIP_CM_DEFLATE;
  std::vector<std::string> extra_folders;  // empty folder entries added at the root
};

// Writes `files` as a zip archive at `path` with libzip.
void WriteZip(const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& files,
              const ZipOptions& options = {}) {
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(zip, nullptr) << "zip_open " << error;
  std::string prefix;
  if (!options.folder.empty()) {
    prefix = options.folder + "/";
    ASSERT_GE(zip_dir_add(zip, options.folder.c_str(), ZIP_FL_ENC_UTF_8), 0);
  }
  for (const std::string& dir : options.extra_folders) {
    ASSERT_GE(zip_dir_add(zip, dir.c_str(), ZIP_FL_ENC_UTF_8), 0);
  }
  for (const auto& [name, content] : files) {
    // ZIP_SOURCE_BUFFER does not copy: the content lives in `files` until zip_close.
    zip_source_t* src = zip_source_buffer(zip, content.data(), content.size(), 0);
    ASSERT_NE(src, nullptr);
    zip_int64_t index = zip_file_add(zip, (prefix + name).c_str(), src, ZIP_FL_ENC_UTF_8);
    ASSERT_GE(index, 0) << zip_strerror(zip);
    ASSERT_EQ(zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), options.method, 0),
              0);
  }
  ASSERT_EQ(zip_close(zip), 0) << zip_strerror(zip);
}

// Finds `name`'s central directory record in the archive bytes and calls `patch` with the offsets
// of its central record and of its local header.
template <typename Patch>
void PatchEntry(std::string& bytes, const std::string& name, Patch patch) {
  for (size_t at = bytes.find("PK\x01\x02"); at != std::string::npos;
       at = bytes.find("PK\x01\x02", at + 4)) {
    auto u16 = [&](size_t o) {
      return static_cast<size_t>(static_cast<unsigned char>(bytes[o])) |
             static_cast<size_t>(static_cast<unsigned char>(bytes[o + 1])) << 8;
    };
    size_t name_len = u16(at + 28);
    if (bytes.compare(at + 46, name_len, name) != 0) continue;
    size_t local = u16(at + 42) | u16(at + 44) << 16;
    patch(at, local);
    return;
  }
  ADD_FAILURE() << name << " not in the archive";
}

class ZipImport {
 public:
  ZipImport() {
    auto db = store::Database::Open({.path = dir_.path() + "/h.db", .readers = 1}, nullptr);
    HR_CHECK(db.ok(), "open the test database");
    db_ = std::move(db).value();
    auto conn = db_->OpenConnection();
    HR_CHECK(conn.ok(), "open a connection");
    conn_ = std::move(conn).value();
  }

  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  Result<ImportReport> Import(const std::string& path, ArchiveLimits limits = {}) {
    ImportOptions options;
    options.path = path;
    options.now_ms = ++now_ms_;
    options.archive_limits = limits;
    return ImportOneRoster(*conn_, options);
  }

  int64_t Int(const std::string& sql) {
    auto st = conn_->Prepare(sql);
    EXPECT_TRUE(st.ok()) << sql;
    if (!st.ok()) return -1;
    auto row = (*st)->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    if (!row.ok() || !*row) return -1;
    return (*st)->IsNull(0) ? -999 : (*st)->Int(0);
  }
  // Row counts, active counts and latest update of what the importer writes.
  std::string Snapshot() {
    std::string out;
    for (const char* t : {"orgs", "academic_sessions", "courses", "sections", "users",
                          "enrollments", "user_orgs", "guardian_links"}) {
      out += fmt::format("{}:{}/{} ", t, Int(fmt::format("SELECT COUNT(*) FROM {}", t)),
                         Int(fmt::format("SELECT SUM(active) FROM {}", t)));
    }
    out += fmt::format("users_updated:{} import_runs:{}", Int("SELECT MAX(updated_ms) FROM users"),
                       Int("SELECT COUNT(*) FROM import_runs"));
    return out;
  }

  // Imports the good folder so that later failures have something to leave unchanged.
  void ImportGoodFolder() {
    auto r = Import(std::string(HOMEROOM_ROSTER_FIXTURES) + "/good");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->applied) << r->Summary();
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<sql::Connection> conn_;
  int64_t now_ms_ = 1000;
};

// The good set with one user renamed: importing it would change the database.
std::vector<std::pair<std::string, std::string>> ChangedSet() {
  auto files = GoodSet();
  for (auto& [name, content] : files) {
    if (name != "users.csv") continue;
    size_t line = content.find('\n');
    size_t comma = content.find(",", line + 1);  // the first user's sourcedId ends here
    content.insert(comma, "-renamed");
  }
  return files;
}

bool HasProblem(const ImportReport& r, const std::string& prefix, const std::string& part) {
  for (const std::string& p : r.problems) {
    if (p.rfind(prefix, 0) == 0 && p.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(RosterZip, AZipOfTheGoodSetImportsExactlyLikeTheFolder) {
  ZipImport from_folder, from_zip;
  auto folder = from_folder.Import(std::string(HOMEROOM_ROSTER_FIXTURES) + "/good");
  ASSERT_TRUE(folder.ok()) << folder.status().ToString();
  WriteZip(from_zip.Path("set.zip"), GoodSet());
  auto zipped = from_zip.Import(from_zip.Path("set.zip"));
  ASSERT_TRUE(zipped.ok()) << zipped.status().ToString();
  EXPECT_TRUE(zipped->applied) << zipped->Summary();
  EXPECT_EQ(zipped->Summary(), folder->Summary());
  EXPECT_EQ(zipped->SummaryJson(), folder->SummaryJson());
  // Same rows: the folder imported over the zip's import changes nothing.
  auto again = from_zip.Import(std::string(HOMEROOM_ROSTER_FIXTURES) + "/good");
  ASSERT_TRUE(again.ok());
  for (const auto& [entity, c] : again->counts) {
    EXPECT_EQ(c.created + c.updated + c.deactivated, 0) << entity;
  }
}

TEST(RosterZip, ASetInsideOneTopLevelFolderOfTheZipImports) {
  ZipImport f;
  WriteZip(f.Path("export.zip"), GoodSet(), {.folder = "district-export-2024"});
  auto r = f.Import(f.Path("export.zip"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->applied) << r->Summary();
  EXPECT_GT(f.Int("SELECT COUNT(*) FROM users"), 0);
}

TEST(RosterZip, StoredEntriesAndMacOsMetadataFoldersAreRead) {
  ZipImport f;
  WriteZip(f.Path("set.zip"), GoodSet(),
           {.folder = "set", .method = ZIP_CM_STORE, .extra_folders = {"__MACOSX/"}});
  auto r = f.Import(f.Path("set.zip"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->applied) << r->Summary();
}

TEST(RosterZip, AFileThatIsNotAZipIsAClearErrorAndChangesNothing) {
  ZipImport f;
  f.ImportGoodFolder();
  const std::string before = f.Snapshot();
  WriteFile(f.Path("set.zip"), "sourcedId,status\nthis is not a zip archive\n");
  auto r = f.Import(f.Path("set.zip"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("not a folder nor a readable zip archive"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RosterZip, ATruncatedZipIsAClearErrorAndChangesNothing) {
  ZipImport f;
  f.ImportGoodFolder();
  const std::string before = f.Snapshot();
  WriteZip(f.Path("full.zip"), ChangedSet());
  std::string bytes = ReadFile(f.Path("full.zip"));
  WriteFile(f.Path("set.zip"), bytes.substr(0, bytes.size() / 2));
  auto r = f.Import(f.Path("set.zip"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("readable zip archive"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RosterZip, ACorruptEntryIsAProblemOfThatFileAndChangesNothing) {
  ZipImport f;
  f.ImportGoodFolder();
  const std::string before = f.Snapshot();
  WriteZip(f.Path("set.zip"), ChangedSet(), {.method = ZIP_CM_STORE});
  std::string bytes = ReadFile(f.Path("set.zip"));
  // Flip a byte of users.csv's stored data: its CRC no longer matches.
  size_t at = bytes.find("-renamed");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = 'R';
  WriteFile(f.Path("set.zip"), bytes);
  auto r = f.Import(f.Path("set.zip"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->applied);
  EXPECT_TRUE(HasProblem(*r, "users.csv:", "(file): entry 'users.csv' of ")) << r->Summary();
  EXPECT_TRUE(HasProblem(*r, "users.csv:", "is corrupt")) << r->Summary();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RosterZip, AZipWithoutAManifestIsAProblemAndChangesNothing) {
  ZipImport f;
  f.ImportGoodFolder();
  const std::string before = f.Snapshot();
  auto files = ChangedSet();
  std::erase_if(files, [](const auto& file) { return file.first == "manifest.csv"; });
  WriteZip(f.Path("set.zip"), files);
  auto r = f.Import(f.Path("set.zip"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->applied);
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_EQ(r->problems[0].rfind("manifest.csv:1: (file): not found in ", 0), 0u) << r->Summary();
  EXPECT_NE(r->problems[0].find("(zip archive)"), std::string::npos) << r->Summary();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RosterZip, AnEntryOverMaxEntryBytesIsAProblemNamingTheLimitAndTheEntry) {
  ZipImport f;
  f.ImportGoodFolder();
  const std::string before = f.Snapshot();
  auto files = ChangedSet();
  uint64_t largest = 0;
  for (const auto& [name, content] : files) largest = std::max<uint64_t>(largest, content.size());
  WriteZip(f.Path("set.zip"), files);
  auto r = f.Import(f.Path("set.zip"), {.max_entry_bytes = largest - 1});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->applied);
  EXPECT_TRUE(
      HasProblem(*r, "", fmt::format("bytes uncompressed, over max_entry_bytes ({})", largest - 1)))
      << r->Summary();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RosterZip, AnEntryInflatingPastItsDeclaredSizeIsStoppedAtTheLimit) {
  ZipImport f;
  f.ImportGoodFolder();
  const std::string before = f.Snapshot();
  WriteZip(f.Path("set.zip"), ChangedSet(), {.method = ZIP_CM_STORE});
  std::string bytes = ReadFile(f.Path("set.zip"));
  // users.csv claims 16 bytes uncompressed, in both headers, but holds far more.
  PatchEntry(bytes, "users.csv", [&](size_t central, size_t local) {
    for (size_t o : {central + 24, local + 22}) {
      bytes[o] = 16;
      bytes[o + 1] = bytes[o + 2] = bytes[o + 3] = 0;
    }
  });
  WriteFile(f.Path("set.zip"), bytes);
  // A limit every other file is within and users.csv's real size is not.
  uint64_t limit = 0, users_size = 0;
  for (const auto& [name, content] : ChangedSet()) {
    (name == "users.csv" ? users_size : limit) =
        std::max<uint64_t>(name == "users.csv" ? users_size : limit, content.size());
  }
  ASSERT_GT(users_size, limit);
  auto r = f.Import(f.Path("set.zip"), {.max_entry_bytes = limit});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->applied);
  EXPECT_TRUE(HasProblem(
      *r, "users.csv:",
      fmt::format("(file): entry 'users.csv' inflates to more than max_entry_bytes ({})", limit)))
      << r->Summary();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RosterZip, TooManyEntriesIsAnErrorNamingTheLimitAndChangesNothing) {
  ZipImport f;
  f.ImportGoodFolder();
  const std::string before = f.Snapshot();
  WriteZip(f.Path("set.zip"), ChangedSet());
  auto r = f.Import(f.Path("set.zip"), {.max_entries = 3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPayloadTooLarge);
  EXPECT_NE(r.status().message().find("over max_entries (3)"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RosterZip, TheTotalOfAllEntriesIsBoundedByMaxTotalBytes) {
  ZipImport f;
  f.ImportGoodFolder();
  const std::string before = f.Snapshot();
  WriteZip(f.Path("set.zip"), ChangedSet());
  auto r = f.Import(f.Path("set.zip"), {.max_total_bytes = 200});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->applied);
  EXPECT_TRUE(HasProblem(*r, "", "max_total_bytes (200)")) << r->Summary();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RosterZip, AnUnsupportedCompressionMethodIsAProblemOfThatFile) {
  ZipImport f;
  WriteZip(f.Path("set.zip"), GoodSet(), {.method = ZIP_CM_STORE});
  std::string bytes = ReadFile(f.Path("set.zip"));
  // Method 6 ("imploded", 1990s PKZIP) in both headers: libzip does not read it.
  PatchEntry(bytes, "users.csv", [&](size_t central, size_t local) {
    bytes[central + 10] = 6;
    bytes[local + 8] = 6;
  });
  WriteFile(f.Path("set.zip"), bytes);
  auto r = f.Import(f.Path("set.zip"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->applied);
  EXPECT_TRUE(HasProblem(*r, "users.csv:1: (file): ", "compression method 6")) << r->Summary();
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM users"), 0);
}

TEST(RosterZip, AnEncryptedEntryIsAProblemOfThatFile) {
  if (!zip_encryption_method_supported(ZIP_EM_AES_256, 1)) {
    GTEST_SKIP() << "this libzip cannot write AES-encrypted entries";
  }
  ZipImport f;
  const std::string path = f.Path("set.zip");
  WriteZip(path, GoodSet());
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), 0, &error);
  ASSERT_NE(zip, nullptr);
  zip_int64_t index = zip_name_locate(zip, "users.csv", 0);
  ASSERT_GE(index, 0);
  ASSERT_EQ(
      zip_file_set_encryption(zip, static_cast<zip_uint64_t>(index), ZIP_EM_AES_256, "secret"), 0);
  ASSERT_EQ(zip_close(zip), 0);
  auto r = f.Import(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->applied);
  EXPECT_TRUE(HasProblem(*r, "users.csv:1: (file): ", "is encrypted")) << r->Summary();
  EXPECT_EQ(f.Int("SELECT COUNT(*) FROM users"), 0);
}

TEST(RosterZip, AMissingPathIsNotFound) {
  ZipImport f;
  auto r = f.Import(f.Path("nowhere.zip"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace homeroom::roster
