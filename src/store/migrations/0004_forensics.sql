-- 0004: forensics (docs/security.md, "Forensics and audit"): what each source did per time slice,
-- and the audit log of who read it (and of other sensitive admin actions).

-- One row per source per time slice, written by the activity recorder in one transaction per flush
-- (never per request). A source is a host key (/32, /64) or a subnet key (/24, /48) as CIDR text.
-- At most --forensics-max-sources-per-slice rows per slice (the heaviest are kept); rows older than
-- --forensics-retention-days are deleted.
CREATE TABLE source_activity (
  id                 INTEGER PRIMARY KEY,
  slice_ms           INTEGER NOT NULL,          -- slice start, UTC epoch ms
  slice_end_ms       INTEGER NOT NULL,
  scope              TEXT NOT NULL,             -- host, subnet
  source             TEXT NOT NULL,             -- "127.0.0.66/32", "127.0.0.0/24"
  subnet             TEXT NOT NULL,             -- the subnet key the source lies in
  requests           INTEGER NOT NULL,          -- counted while tracked (a lower bound)
  requests_uncertain INTEGER NOT NULL DEFAULT 0,  -- at most this many more before it was tracked
  first_ms           INTEGER NOT NULL,
  last_ms            INTEGER NOT NULL,
  status_1xx         INTEGER NOT NULL DEFAULT 0,
  status_2xx         INTEGER NOT NULL DEFAULT 0,
  status_3xx         INTEGER NOT NULL DEFAULT 0,
  status_4xx         INTEGER NOT NULL DEFAULT 0,
  status_5xx         INTEGER NOT NULL DEFAULT 0,
  bytes_in           INTEGER NOT NULL DEFAULT 0,
  bytes_out          INTEGER NOT NULL DEFAULT 0,
  paths              TEXT NOT NULL,             -- JSON [["/path", count], ...], most first
  other_paths        INTEGER NOT NULL DEFAULT 0,
  agents             TEXT NOT NULL,             -- JSON [["User-Agent", count], ...]
  other_agents       INTEGER NOT NULL DEFAULT 0,
  user_ids           TEXT NOT NULL,             -- JSON [100, 101]: accounts whose requests authenticated
  more_accounts      INTEGER NOT NULL DEFAULT 0,
  UNIQUE (slice_ms, scope, source)
);
CREATE INDEX source_activity_slice ON source_activity(slice_ms, scope, requests);

-- Who did what that the district must be able to account for: every read of the forensics report
-- or of this log, block-list changes. Appended, never updated; pruned after --audit-retention-days.
CREATE TABLE audit_log (
  id              INTEGER PRIMARY KEY,
  at_ms           INTEGER NOT NULL,
  actor_user_id   INTEGER REFERENCES users(id),  -- NULL for the CLI on the server's machine
  actor           TEXT NOT NULL,                 -- username, or "cli:<os user>"
  actor_ip        TEXT NOT NULL,                 -- client address, or "local" for the CLI
  action          TEXT NOT NULL,                 -- forensics.report, audit.read, block.add, ...
  detail          TEXT NOT NULL                  -- JSON object: window, format, range, reason, ...
);
CREATE INDEX audit_log_at ON audit_log(at_ms);
