#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "roster/csv_reader.h"

namespace homeroom::roster {

// Limits on a OneRoster set that comes as a zip archive. Every one is a named setting with a safe
// default: an archive is untrusted input, and a few kilobytes of it can claim (or inflate to)
// gigabytes (a "zip bomb"). Entries are read in place, never extracted to disk, so these bound the
// time and the bytes an import spends on one archive.
struct ArchiveLimits {
  // Most entries (files and folders) in the archive. A set is 7 or 8 files; exports add a few.
  size_t max_entries = 1000;
  // Largest uncompressed entry. The Miami-Dade-sized enrollments.csv is about 200 MB.
  uint64_t max_entry_bytes = uint64_t{1} << 30;
  // Most uncompressed bytes read from the archive in one import, all entries together.
  uint64_t max_total_bytes = uint64_t{4} << 30;
};

// Where the files of a OneRoster set are read from: a folder, or a zip archive read in place.
//
// In an archive, the set's files are found by name at the archive's root, or else inside its one
// top-level folder (exports often wrap the set in a folder); macOS "__MACOSX/" entries are
// ignored. Names are never used as paths on disk, so entries like "../x" are harmless.
//
// Entries are streamed through the CsvReader: memory per open file is the reader's 1 MiB buffer
// plus libzip's inflate state (tens of KiB), whatever the entry's size.
//
// Not thread-safe: a source and the readers it opened belong to one caller. Readers opened from an
// archive keep the archive open, so they may outlive the source.
class RosterSource {
 public:
  virtual ~RosterSource() = default;

  // Opens `path`: a folder, or a file read as a zip archive (whatever its extension). Fails with
  // kNotFound when `path` is neither a folder nor a file, kInvalidArgument when the file is not a
  // readable zip archive (corrupt, truncated, not a zip) or holds two entries of the same name,
  // and kPayloadTooLarge over limits.max_entries. Messages name `path`.
  static Result<std::unique_ptr<RosterSource>> Open(const std::string& path,
                                                    const ArchiveLimits& limits = {});

  // Where the set was looked for, for messages: "/x/set" or "/x/set.zip (zip archive)".
  virtual std::string Describe() const = 0;

  // True when the set has the file `name` ("users.csv").
  virtual bool Has(const std::string& name) const = 0;

  // Opens the file `name` and reads its CSV header; the reader's messages name the file `name`.
  // Fails with kNotFound when there is no such file. Other failures (all with messages that start
  // "<name>:1: (file): "): kInvalidArgument for an encrypted entry, a compression method libzip
  // cannot read, or an entry that cannot be opened; kPayloadTooLarge when the entry's declared
  // size is over max_entry_bytes or would take the import over max_total_bytes; the CsvReader's
  // own failures. While reading, corrupt data (CRC or inflate errors) and sizes past the limits
  // (an entry that inflates to more than it declared) end the reader with such an error.
  virtual Result<std::unique_ptr<CsvReader>> OpenCsv(const std::string& name,
                                                     const CsvLimits& limits) = 0;
};

}  // namespace homeroom::roster
