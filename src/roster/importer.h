#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "roster/csv_reader.h"
#include "roster/roster_source.h"
#include "store/sql.h"

namespace homeroom::roster {

struct ImportOptions {
  // The set: a folder with manifest.csv and the entity files, or a zip archive of them (at its
  // root or in its one top-level folder; see roster_source.h).
  std::string path;
  int64_t now_ms = 0;
  // At most this many problems are listed in the report; all are counted.
  size_t max_reported_problems = 1000;
  // Validate and compute the counts, then roll back instead of committing.
  bool dry_run = false;
  // Page cache of the import's SQLite connection while it runs (restored afterwards): a full
  // district's indexes are written far faster when they stay in memory. Counts in peak memory.
  size_t db_cache_bytes = size_t{64} << 20;
  // Limits for every CSV file of the set.
  CsvLimits csv_limits;
  // Limits when `path` is a zip archive (entries, uncompressed bytes per entry and in total).
  ArchiveLimits archive_limits;
  // When set, the import's counters (see kImporterMetrics in importer.cc) are registered here.
  metrics::Registry* metrics = nullptr;
};

struct EntityCounts {
  int64_t created = 0, updated = 0, deactivated = 0, unchanged = 0;
};

struct ImportReport {
  bool applied = false;  // committed (false on problems and on a dry run)
  bool dry_run = false;
  // "users.csv:14: orgSourcedIds: unknown org 'sch-99'", at most max_reported_problems of them.
  std::vector<std::string> problems;
  int64_t problem_count = 0;  // all problems, including those not listed
  // By entity: orgs, academicSessions, courses, classes, users, enrollments, guardianLinks.
  std::map<std::string, EntityCounts> counts;

  // A human table of created / updated / deactivated / unchanged per entity; with problems, the
  // listed problems and an "N more problems" line.
  std::string Summary() const;
  // The counts as JSON (stored in import_runs.summary).
  std::string SummaryJson() const;
};

// Imports the OneRoster 1.1 CSV set in options.path into the roster tables on `conn`.
//
// Validates the whole set first, then applies it in ONE transaction that this function begins and
// commits (or rolls back). When any problem is found nothing changes and the report lists every
// problem as "file:line: column: message"; that is still an OK Result (report.applied == false).
// Re-importing the same set changes nothing (every row counted unchanged). Rows are never deleted:
// a row missing from a bulk file, or marked tobedeleted in a delta file, is deactivated.
//
// Returns an error Status only when the set or the database cannot be read or written at all
// (path missing, not a readable zip archive, over ArchiveLimits::max_entries, I/O error, SQL
// error); the transaction is then rolled back. A file of the set that cannot be read (an encrypted,
// corrupt or over-limit archive entry) is a problem of that file.
//
// The transaction holds the database's write lock for the whole import: other writers wait (and
// time out) meanwhile. Not thread-safe on `conn` (it belongs to the caller's thread).
Result<ImportReport> ImportOneRoster(sql::Connection& conn, const ImportOptions& options);

}  // namespace homeroom::roster
