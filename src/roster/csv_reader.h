#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace homeroom::roster {

// Limits on one CSV file. Every one is a named setting with a safe default: a roster file is
// untrusted input, and these bound the memory a malformed or hostile file can take.
struct CsvLimits {
  // Longest field, in bytes after unquoting. Names, ids and lists are far shorter.
  size_t max_field_bytes = 64 * 1024;
  // Most fields in one record (the widest OneRoster file has 19 columns plus vendor columns).
  size_t max_columns = 512;
  // Largest file. The Miami-Dade-sized enrollments.csv is about 200 MB.
  uint64_t max_file_bytes = uint64_t{4} << 30;
};

// Where a CsvReader's bytes come from: a file, a string, an entry of a zip archive (see
// roster_source.h). Not thread-safe: one source belongs to one reader.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `buffer`. Returns how many were read (0 only at the end), or an
  // error (I/O error, corrupt data, a limit) whose message reads well after "<name>:<line>: (file):
  // ".
  virtual Result<size_t> Read(char* buffer, size_t size) = 0;
};

// Reads an RFC 4180 CSV file one record at a time, the way roster exports really look: an optional
// UTF-8 byte-order mark, CRLF or LF line endings, quoted fields with commas, doubled quotes ("")
// and line breaks. Columns are found by header name, so their order does not matter and extra
// vendor columns are simply never asked for. Every field must be valid UTF-8.
//
// Streaming: the file is read in fixed-size chunks, so memory is bounded by the limits above, not
// by the file's size.
//
// Errors come back as kInvalidArgument (kPayloadTooLarge for a limit) with a message that starts
// with "<name>:<line>: <column>: ", the physical line where the offending record starts, ready to
// be shown as an import problem. After an error the reader stops.
//
// Not thread-safe: one reader belongs to one caller.
class CsvReader {
 public:
  // Opens `path` and reads its header. `name` is used in messages (e.g. "users.csv"). Fails with
  // kNotFound when the file cannot be opened, kPayloadTooLarge over max_file_bytes, and
  // kInvalidArgument when the header is malformed or the file is empty.
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, std::string name,
                                                 const CsvLimits& limits = {});
  // Reads from `source`, which is read to its end or to the first error. An error of the source
  // (corrupt archive entry, limit) ends the reading with that error, prefixed "<name>:<line>:
  // (file): ", instead of looking like the end of the file. Same other failures as Open.
  static Result<std::unique_ptr<CsvReader>> FromSource(std::unique_ptr<ByteSource> source,
                                                       std::string name,
                                                       const CsvLimits& limits = {});
  // Reads from an in-memory copy of `data` (tests, fuzzing). Same failures as Open.
  static Result<std::unique_ptr<CsvReader>> FromString(std::string data, std::string name,
                                                       const CsvLimits& limits = {});

  // The header's column names, as written (BOM removed, surrounding spaces trimmed).
  const std::vector<std::string>& header() const { return header_; }
  // The index of a column by exact name, or nullopt when the file has no such column.
  std::optional<size_t> ColumnIndex(std::string_view name) const;

  // Reads the next record. Returns true with a record, false at the end of the file, or an error.
  // Lines that are completely empty are skipped.
  Result<bool> Next();
  // Fields of the current record.
  size_t field_count() const { return field_count_; }
  // The field at `index`, or "" when the record has fewer fields.
  std::string_view Field(size_t index) const {
    return index < field_count_ ? std::string_view(fields_[index]) : std::string_view();
  }
  // The field of column `index` when present (nullopt column = "").
  std::string_view Field(std::optional<size_t> index) const {
    return index ? Field(*index) : std::string_view();
  }
  // The physical line (1-based) where the current record starts.
  int64_t line() const { return record_line_; }
  const std::string& name() const { return name_; }

 private:
  CsvReader(std::unique_ptr<ByteSource> in, std::string name, const CsvLimits& limits,
            size_t buffer_bytes);
  Status ReadHeader();
  // Parses one record into fields_. Returns false at the end of input.
  Result<bool> ParseRecord();
  int Get();   // next byte or -1
  int Peek();  // next byte without consuming it, or -1
  bool Refill();
  Status Error(StatusCode code, size_t column, std::string_view message) const;
  Status FinishField(size_t column);
  // read_error_ as "<name>:<record_line_>: (file): <message>".
  Status SourceError() const;

  std::unique_ptr<ByteSource> in_;
  Status read_error_;  // the source's error, returned once the buffered bytes are parsed
  const std::string name_;
  const CsvLimits limits_;

  std::vector<char> buffer_;
  size_t pos_ = 0;
  size_t end_ = 0;
  uint64_t bytes_read_ = 0;
  bool eof_ = false;

  int64_t physical_line_ = 1;  // the line of the next byte
  int64_t record_line_ = 0;
  std::vector<std::string> header_;
  std::vector<std::string> fields_;  // reused between records; only field_count_ are current
  size_t field_count_ = 0;
  bool failed_ = false;
};

// Splits a OneRoster list cell ("s1,s2", already unquoted by the reader) into its items, trimming
// spaces around each and dropping empty items. Views point into `cell`.
std::vector<std::string_view> SplitList(std::string_view cell);

// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

}  // namespace homeroom::roster
