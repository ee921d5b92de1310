#include "domain/file_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

namespace homeroom::domain {
namespace {

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

struct FileStore::Writer::Hash {
  crypto_hash_sha256_state state;
};

Status FileStore::Init() const {
  std::error_code ec;
  std::filesystem::create_directories(root_ + "/tmp", ec);
  if (ec) return Status::Unavailable("cannot create " + root_ + "/tmp: " + ec.message(), 5);
  // Uploads cut short by a crash; nothing refers to them.
  for (const auto& entry : std::filesystem::directory_iterator(root_ + "/tmp", ec)) {
    std::error_code ignored;
    std::filesystem::remove(entry.path(), ignored);
  }
  return Status::Ok();
}

std::string FileStore::PathOf(std::string_view sha256) const {
  return root_ + "/" + std::string(sha256.substr(0, 2)) + "/" + std::string(sha256);
}

Result<std::unique_ptr<FileStore::Writer>> FileStore::Begin() const {
  unsigned char nonce[12];
  randombytes_buf(nonce, sizeof(nonce));
  char hex[sizeof(nonce) * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), nonce, sizeof(nonce));
  std::string path = root_ + "/tmp/upload-" + hex;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return Status::Unavailable(Errno("cannot create an upload file"), 5);
  return std::unique_ptr<Writer>(new Writer(*this, std::move(path), fd));
}

FileStore::Writer::Writer(const FileStore& store, std::string temp_path, int fd)
    : store_(store), temp_path_(std::move(temp_path)), fd_(fd), hash_(std::make_unique<Hash>()) {
  crypto_hash_sha256_init(&hash_->state);
}

FileStore::Writer::~Writer() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

Status FileStore::Writer::Append(std::string_view bytes) {
  if (fd_ < 0) return Status::Internal("append to a closed upload");
  crypto_hash_sha256_update(&hash_->state, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(Errno("cannot write an upload"), 5);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    size_ += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Result<std::string> FileStore::Writer::Commit() {
  if (fd_ < 0) return Status::Internal("commit of a closed upload");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&hash_->state, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
  std::string sha(hex);
  if (::fsync(fd_) != 0) return Status::Unavailable(Errno("cannot flush an upload"), 5);
  ::close(fd_);
  fd_ = -1;
  const std::string final_path = store_.PathOf(sha);
  std::error_code ec;
  std::filesystem::create_directories(store_.root_ + "/" + sha.substr(0, 2), ec);
  if (ec) return Status::Unavailable("cannot create a blob directory: " + ec.message(), 5);
  struct stat st;
  if (::stat(final_path.c_str(), &st) == 0) return sha;  // same content already stored
  if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) {
    return Status::Unavailable(Errno("cannot store an upload"), 5);
  }
  committed_ = true;
  return sha;
}

Result<std::string> FileStore::Read(std::string_view sha256, uint64_t max_bytes) const {
  if (!IsSha256Hex(sha256)) return Status::NotFound("no such file");
  const std::string path = PathOf(sha256);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("the file's content is missing from the store");
    return Status::Unavailable(Errno("cannot open a stored file"), 5);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Status::Unavailable(Errno("cannot stat a stored file"), 5);
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Status::PayloadTooLarge("the stored file is larger than the download limit");
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::Unavailable(Errno("cannot read a stored file"), 5);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return out;
}

}  // namespace homeroom::domain
