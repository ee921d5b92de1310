-- 0005: the guard's operator-made rules (docs/security.md, "Defenses" > "Detection and blocking"):
-- blocked and allowed network ranges, and the under-attack mode setting. Every node reads them
-- every few seconds, so a change made on one node or by the CLI reaches all of them. Automatic
-- blocks made by the detector live in each node's memory only (they expire in minutes).

CREATE TABLE guard_rules (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL,             -- 'block' or 'allow'
  cidr            TEXT NOT NULL,             -- canonical form, e.g. '203.0.113.0/24'
  reason          TEXT NOT NULL,
  created_by      TEXT NOT NULL,             -- 'user:12 district' (API) or 'cli:alice' (CLI)
  created_ms      INTEGER NOT NULL,
  expires_ms      INTEGER,                   -- NULL: until removed
  UNIQUE (kind, cidr)
);

-- Named settings an operator changes at run time ('attack_mode': auto, on, off).
CREATE TABLE guard_settings (
  name            TEXT PRIMARY KEY,
  value           TEXT NOT NULL,
  updated_by      TEXT NOT NULL,
  updated_ms      INTEGER NOT NULL
);
