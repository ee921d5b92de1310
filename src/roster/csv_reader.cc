#include "roster/csv_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace homeroom::roster {
namespace {

// Bytes read from the file at a time.
constexpr size_t kChunkBytes = 1 << 20;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A file or string stream as a ByteSource.
class StreamSource final : public ByteSource {
 public:
  explicit StreamSource(std::unique_ptr<std::istream> in) : in_(std::move(in)) {}
  Result<size_t> Read(char* buffer, size_t size) override {
    in_->read(buffer, static_cast<std::streamsize>(size));
    if (in_->bad()) return Status::Internal("read error");
    return static_cast<size_t>(in_->gcount());
  }

 private:
  std::unique_ptr<std::istream> in_;
};

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, overlong 2-byte lead (C0, C1) or past F4
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000)) return false;  // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;                                // surrogate
    if (cp > 0x10FFFF) return false;
    p += extra + 1;
  }
  return true;
}

std::vector<std::string_view> SplitList(std::string_view cell) {
  std::vector<std::string_view> out;
  while (true) {
    size_t comma = cell.find(',');
    std::string_view item = Trim(cell.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    cell.remove_prefix(comma + 1);
  }
  return out;
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> in, std::string name, const CsvLimits& limits,
                     size_t buffer_bytes)
    : in_(std::move(in)), name_(std::move(name)), limits_(limits), buffer_(buffer_bytes) {}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, std::string name,
                                                   const CsvLimits& limits) {
  std::error_code ec;
  uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::NotFound(fmt::format("{}: cannot open: {}", name, ec.message()));
  if (size > limits.max_file_bytes) {
    return Status::PayloadTooLarge(fmt::format("{}: file is {} bytes, over max_file_bytes ({})",
                                               name, size, limits.max_file_bytes));
  }
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) return Status::NotFound(fmt::format("{}: cannot open {}", name, path));
  std::unique_ptr<CsvReader> reader(new CsvReader(std::make_unique<StreamSource>(std::move(in)),
                                                  std::move(name), limits, kChunkBytes));
  HR_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

Result<std::unique_ptr<CsvReader>> CsvReader::FromSource(std::unique_ptr<ByteSource> source,
                                                         std::string name,
                                                         const CsvLimits& limits) {
  std::unique_ptr<CsvReader> reader(
      new CsvReader(std::move(source), std::move(name), limits, kChunkBytes));
  HR_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

Result<std::unique_ptr<CsvReader>> CsvReader::FromString(std::string data, std::string name,
                                                         const CsvLimits& limits) {
  if (data.size() > limits.max_file_bytes) {
    return Status::PayloadTooLarge(fmt::format("{}: file is {} bytes, over max_file_bytes ({})",
                                               name, data.size(), limits.max_file_bytes));
  }
  // Small inputs (tests, fuzzing) get a buffer of their size; BOM detection needs 3 bytes.
  size_t buffer_bytes = std::clamp<size_t>(data.size(), 4, kChunkBytes);
  auto in = std::make_unique<std::istringstream>(std::move(data));
  std::unique_ptr<CsvReader> reader(new CsvReader(std::make_unique<StreamSource>(std::move(in)),
                                                  std::move(name), limits, buffer_bytes));
  HR_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

std::optional<size_t> CsvReader::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

bool CsvReader::Refill() {
  if (eof_) return false;
  Result<size_t> got = in_->Read(buffer_.data(), buffer_.size());
  pos_ = 0;
  if (!got.ok()) {
    read_error_ = got.status();
    eof_ = true;
    end_ = 0;
    return false;
  }
  end_ = *got;
  bytes_read_ += end_;
  if (end_ == 0) eof_ = true;
  // A stream that grows past the limit while being read (Open checked the size up front).
  if (bytes_read_ > limits_.max_file_bytes) {
    eof_ = true;
    end_ = 0;
  }
  return end_ > 0;
}

inline int CsvReader::Peek() {
  if (pos_ == end_ && !Refill()) return -1;
  return static_cast<unsigned char>(buffer_[pos_]);
}

inline int CsvReader::Get() {
  if (pos_ == end_ && !Refill()) return -1;
  return static_cast<unsigned char>(buffer_[pos_++]);
}

Status CsvReader::Error(StatusCode code, size_t column, std::string_view message) const {
  std::string column_name = column < header_.size() && !header_[column].empty()
                                ? header_[column]
                                : fmt::format("column {}", column + 1);
  return Status(code, fmt::format("{}:{}: {}: {}", name_, record_line_, column_name, message));
}

Status CsvReader::SourceError() const {
  return Status(read_error_.code(),
                fmt::format("{}:{}: (file): {}", name_, record_line_, read_error_.message()));
}

Status CsvReader::FinishField(size_t column) {
  if (!IsValidUtf8(fields_[column])) {
    return Error(StatusCode::kInvalidArgument, column, "invalid UTF-8 (save the file as UTF-8)");
  }
  return Status::Ok();
}

Status CsvReader::ReadHeader() {
  // The UTF-8 byte-order mark Excel and several SIS exports put first.
  if (Peek() == 0xEF && end_ - pos_ >= 3 && static_cast<unsigned char>(buffer_[pos_ + 1]) == 0xBB &&
      static_cast<unsigned char>(buffer_[pos_ + 2]) == 0xBF) {
    pos_ += 3;
  }
  HR_ASSIGN_OR_RETURN(bool any, ParseRecord());
  if (!any) {
    return Status::InvalidArgument(
        fmt::format("{}:1: (file): the file is empty (no header)", name_));
  }
  header_.clear();
  for (size_t i = 0; i < field_count_; ++i) header_.emplace_back(Trim(fields_[i]));
  return Status::Ok();
}

Result<bool> CsvReader::Next() {
  if (failed_) return false;
  Result<bool> r = ParseRecord();
  if (!r.ok()) failed_ = true;
  return r;
}

Result<bool> CsvReader::ParseRecord() {
  field_count_ = 0;
  // Skip empty lines (a trailing newline, blank lines between records).
  while (true) {
    int c = Peek();
    if (c == -1) {
      if (!read_error_.ok()) {
        record_line_ = physical_line_;
        return SourceError();
      }
      if (bytes_read_ > limits_.max_file_bytes) {
        record_line_ = physical_line_;
        return Error(StatusCode::kPayloadTooLarge, 0,
                     fmt::format("file is over max_file_bytes ({})", limits_.max_file_bytes));
      }
      return false;
    }
    if (c == '\n') {
      Get();
      ++physical_line_;
    } else if (c == '\r') {
      Get();
      if (Peek() == '\n') Get();
      ++physical_line_;
    } else {
      break;
    }
  }
  record_line_ = physical_line_;
  size_t column = 0;
  while (true) {
    if (column >= limits_.max_columns) {
      return Error(
          StatusCode::kPayloadTooLarge, column,
          fmt::format("more than max_columns ({}) fields in one record", limits_.max_columns));
    }
    if (fields_.size() <= column) fields_.emplace_back();
    std::string& field = fields_[column];
    field.clear();
    if (Peek() == '"') {
      Get();
      while (true) {
        int c = Get();
        if (c == -1) {
          if (!read_error_.ok()) return SourceError();
          return Error(StatusCode::kInvalidArgument, column,
                       "a quoted field is not closed before the end of the file");
        }
        if (c == '"') {
          if (Peek() != '"') break;
          Get();
        } else if (c == '\n') {
          ++physical_line_;
        } else if (c == '\r' && Peek() != '\n') {
          ++physical_line_;
        }
        field.push_back(static_cast<char>(c));
        if (field.size() > limits_.max_field_bytes) {
          return Error(
              StatusCode::kPayloadTooLarge, column,
              fmt::format("field is longer than max_field_bytes ({})", limits_.max_field_bytes));
        }
      }
      int c = Peek();
      if (c != ',' && c != '\n' && c != '\r' && c != -1) {
        return Error(StatusCode::kInvalidArgument, column,
                     "text after a closing quote (quotes inside a quoted field must be doubled)");
      }
    } else {
      while (true) {
        if (pos_ == end_ && !Refill()) break;
        // Copy the run of ordinary bytes at once: most fields are unquoted and short.
        size_t start = pos_;
        while (pos_ < end_) {
          char ch = buffer_[pos_];
          if (ch == ',' || ch == '\n' || ch == '\r') break;
          ++pos_;
        }
        field.append(buffer_.data() + start, pos_ - start);
        if (field.size() > limits_.max_field_bytes) {
          return Error(
              StatusCode::kPayloadTooLarge, column,
              fmt::format("field is longer than max_field_bytes ({})", limits_.max_field_bytes));
        }
        if (pos_ < end_) break;
      }
    }
    HR_RETURN_IF_ERROR(FinishField(column));
    ++column;
    int c = Get();
    if (c == ',') continue;
    if (c == '\r') {
      if (Peek() == '\n') Get();
      ++physical_line_;
    } else if (c == '\n') {
      ++physical_line_;
    }
    break;
  }
  field_count_ = column;
  // A record cut short by a failing source is not a record.
  if (!read_error_.ok()) return SourceError();
  if (bytes_read_ > limits_.max_file_bytes) {
    return Error(StatusCode::kPayloadTooLarge, 0,
                 fmt::format("file is over max_file_bytes ({})", limits_.max_file_bytes));
  }
  return true;
}

}  // namespace homeroom::roster
