#include "roster/roster_source.h"

#include <fmt/format.h>
#include <zip.h>

#include <filesystem>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace homeroom::roster {
namespace {

namespace fs = std::filesystem;

class FolderSource final : public RosterSource {
 public:
  explicit FolderSource(std::string path) : path_(std::move(path)) {}

  std::string Describe() const override { return path_; }

  bool Has(const std::string& name) const override {
    std::error_code ec;
    return fs::exists(path_ + "/" + name, ec);
  }

  Result<std::unique_ptr<CsvReader>> OpenCsv(const std::string& name,
                                             const CsvLimits& limits) override {
    return CsvReader::Open(path_ + "/" + name, name, limits);
  }

 private:
  const std::string path_;
};

struct ArchiveCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }  // read-only: nothing to write
};
struct EntryCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

// What the entries of one archive share: the open archive and the bytes read from it so far.
struct Archive {
  std::unique_ptr<zip_t, ArchiveCloser> zip;
  std::string path;
  ArchiveLimits limits;
  uint64_t total_read = 0;
};

// One entry, inflated as the CsvReader asks for bytes, with the limits checked on the bytes
// actually produced (an entry's declared size may lie).
class EntrySource final : public ByteSource {
 public:
  EntrySource(std::shared_ptr<Archive> archive, zip_file_t* file, std::string entry)
      : archive_(std::move(archive)), file_(file), entry_(std::move(entry)) {}

  Result<size_t> Read(char* buffer, size_t size) override {
    zip_int64_t got = zip_fread(file_.get(), buffer, size);
    if (got < 0) {
      return Status::InvalidArgument(fmt::format("entry '{}' of {} is corrupt: {}", entry_,
                                                 archive_->path, zip_file_strerror(file_.get())));
    }
    const auto n = static_cast<uint64_t>(got);
    read_ += n;
    archive_->total_read += n;
    if (read_ > archive_->limits.max_entry_bytes) {
      return Status::PayloadTooLarge(
          fmt::format("entry '{}' inflates to more than max_entry_bytes ({})", entry_,
                      archive_->limits.max_entry_bytes));
    }
    if (archive_->total_read > archive_->limits.max_total_bytes) {
      return Status::PayloadTooLarge(
          fmt::format("entry '{}' takes the archive past max_total_bytes ({}) uncompressed", entry_,
                      archive_->limits.max_total_bytes));
    }
    return static_cast<size_t>(n);
  }

 private:
  std::shared_ptr<Archive> archive_;  // outlives file_ (members are destroyed in reverse)
  std::unique_ptr<zip_file_t, EntryCloser> file_;
  const std::string entry_;
  uint64_t read_ = 0;
};

class ZipSource final : public RosterSource {
 public:
  static Result<std::unique_ptr<RosterSource>> Open(const std::string& path,
                                                    const ArchiveLimits& limits) {
    int code = 0;
    zip_t* raw = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
    if (!raw) {
      zip_error_t error;
      zip_error_init_with_code(&error, code);
      std::string message = fmt::format("{} is not a folder nor a readable zip archive: {}", path,
                                        zip_error_strerror(&error));
      zip_error_fini(&error);
      return Status::InvalidArgument(std::move(message));
    }
    auto archive = std::make_shared<Archive>();
    archive->zip.reset(raw);
    archive->path = path;
    archive->limits = limits;

    zip_int64_t count = zip_get_num_entries(raw, 0);
    if (count < 0) return Status::InvalidArgument(fmt::format("{}: cannot list entries", path));
    if (static_cast<uint64_t>(count) > limits.max_entries) {
      return Status::PayloadTooLarge(
          fmt::format("{}: {} entries, over max_entries ({})", path, count, limits.max_entries));
    }
    std::unique_ptr<ZipSource> source(new ZipSource(std::move(archive)));
    std::set<std::string, std::less<>> top_level;
    bool any_at_root = false;
    for (zip_int64_t i = 0; i < count; ++i) {
      const char* c_name = zip_get_name(raw, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
      if (!c_name) {
        return Status::InvalidArgument(
            fmt::format("{}: entry {} has no readable name: {}", path, i, zip_strerror(raw)));
      }
      std::string_view name(c_name);
      if (name.empty() || name.starts_with("__MACOSX/")) continue;
      size_t slash = name.find('/');
      if (slash == std::string_view::npos) {
        any_at_root = true;
      } else {
        top_level.emplace(name.substr(0, slash));
      }
      if (name.back() == '/') continue;  // a folder
      auto [it, inserted] =
          source->entries_.emplace(std::string(name), static_cast<zip_uint64_t>(i));
      if (!inserted) {
        return Status::InvalidArgument(
            fmt::format("{}: two entries are named '{}'; which one is meant?", path, name));
      }
    }
    // The set at the root, or else in the archive's one top-level folder.
    if (!source->entries_.contains("manifest.csv") && !any_at_root && top_level.size() == 1) {
      source->prefix_ = *top_level.begin() + "/";
    }
    return std::unique_ptr<RosterSource>(std::move(source));
  }

  std::string Describe() const override {
    return prefix_.empty() ? fmt::format("{} (zip archive)", archive_->path)
                           : fmt::format("{} (zip archive, folder {})", archive_->path, prefix_);
  }

  bool Has(const std::string& name) const override { return entries_.contains(prefix_ + name); }

  Result<std::unique_ptr<CsvReader>> OpenCsv(const std::string& name,
                                             const CsvLimits& limits) override {
    const std::string entry = prefix_ + name;
    auto it = entries_.find(entry);
    if (it == entries_.end()) {
      return Status::NotFound(
          fmt::format("{}:1: (file): no entry '{}' in {}", name, entry, archive_->path));
    }
    zip_t* zip = archive_->zip.get();
    auto fail = [&](StatusCode code, std::string_view why) {
      return Status(code, fmt::format("{}:1: (file): entry '{}' {}", name, entry, why));
    };
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip, it->second, 0, &st) != 0) {
      return fail(StatusCode::kInvalidArgument,
                  fmt::format("cannot be read: {}", zip_strerror(zip)));
    }
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
      return fail(StatusCode::kInvalidArgument, "is encrypted; export the set without a password");
    }
    if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method, 0)) {
      return fail(StatusCode::kInvalidArgument,
                  fmt::format("uses compression method {}, which cannot be read here; "
                              "use deflate (the usual zip compression) or none",
                              st.comp_method));
    }
    if (st.valid & ZIP_STAT_SIZE) {
      const ArchiveLimits& lim = archive_->limits;
      if (st.size > lim.max_entry_bytes) {
        return fail(StatusCode::kPayloadTooLarge,
                    fmt::format("is {} bytes uncompressed, over max_entry_bytes ({})", st.size,
                                lim.max_entry_bytes));
      }
      if (archive_->total_read + st.size > lim.max_total_bytes) {
        return fail(StatusCode::kPayloadTooLarge,
                    fmt::format("is {} bytes uncompressed, which takes the archive past "
                                "max_total_bytes ({})",
                                st.size, lim.max_total_bytes));
      }
    }
    zip_file_t* file = zip_fopen_index(zip, it->second, 0);
    if (!file) {
      return fail(StatusCode::kInvalidArgument,
                  fmt::format("cannot be opened: {}", zip_strerror(zip)));
    }
    return CsvReader::FromSource(std::make_unique<EntrySource>(archive_, file, entry), name,
                                 limits);
  }

 private:
  explicit ZipSource(std::shared_ptr<Archive> archive) : archive_(std::move(archive)) {}

  std::shared_ptr<Archive> archive_;                       // shared with the entries being read
  std::string prefix_;                                     // "" or "<the one top-level folder>/"
  std::unordered_map<std::string, zip_uint64_t> entries_;  // file entries by full name
};

}  // namespace

Result<std::unique_ptr<RosterSource>> RosterSource::Open(const std::string& path,
                                                         const ArchiveLimits& limits) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return std::unique_ptr<RosterSource>(new FolderSource(path));
  if (!fs::is_regular_file(path, ec)) {
    return Status::NotFound(fmt::format("{} is not a folder nor a .zip file", path));
  }
  return ZipSource::Open(path, limits);
}

}  // namespace homeroom::roster
