#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace homeroom::domain {

// The content-addressed store of uploaded files (coursework): each blob is named by the SHA-256
// of its bytes, at <root>/<first two hex digits>/<sha256>, so the same bytes are stored once. A
// blob is written to a temporary file under <root>/tmp while it is hashed, then renamed into
// place: a crash leaves at most a temporary file, never a half-written blob under its name.
//
// Every method blocks on the disk: call them on a pool (core/offload.h), never on an I/O thread.
// The store is thread-safe (the root never changes; each Writer is its own file); a Writer is not.
class FileStore {
 public:
  explicit FileStore(std::string root) : root_(std::move(root)) {}

  // Creates the root and its tmp directory and removes temporary files a previous process left.
  // kUnavailable when the directories cannot be made.
  Status Init() const;

  // A blob being written. The destructor removes the temporary file unless Commit() succeeded.
  class Writer {
   public:
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    // Appends bytes and hashes them. kUnavailable when the disk refuses (full, I/O error).
    Status Append(std::string_view bytes);
    // Flushes, names the blob by its hash and returns the hash (64 lowercase hex digits). When
    // the same content is already stored the temporary file is dropped. kUnavailable on a disk
    // error. Call once.
    Result<std::string> Commit();
    uint64_t size() const { return size_; }

   private:
    friend class FileStore;
    Writer(const FileStore& store, std::string temp_path, int fd);
    const FileStore& store_;
    std::string temp_path_;
    int fd_ = -1;
    uint64_t size_ = 0;
    bool committed_ = false;
    struct Hash;
    std::unique_ptr<Hash> hash_;
  };

  // Starts a blob. kUnavailable when the temporary file cannot be created.
  Result<std::unique_ptr<Writer>> Begin() const;

  // Reads a whole blob of at most `max_bytes`. kNotFound when absent (or the name is not a
  // SHA-256), kPayloadTooLarge when larger, kUnavailable on a disk error.
  Result<std::string> Read(std::string_view sha256, uint64_t max_bytes) const;

  // The path of a blob (whether or not it exists). `sha256` must be 64 hex digits.
  std::string PathOf(std::string_view sha256) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace homeroom::domain
