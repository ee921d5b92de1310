-- 0001: the district's roster, accounts and sessions.
-- Conventions (docs/architecture.md, Storage): integer ids, UTC epoch milliseconds (*_ms),
-- calendar dates as 'YYYY-MM-DD' text, booleans as 0/1 integers, SQL in the common subset of
-- SQLite and PostgreSQL. Rows are never deleted by an import: `active` = 0 keeps history.
-- Grade levels are integers: -1 pre-K (PK, TK, PS), 0 kindergarten, 1..12, 13; NULL for Other.

CREATE TABLE orgs (
  id              INTEGER PRIMARY KEY,
  sourced_id      TEXT NOT NULL UNIQUE,
  name            TEXT NOT NULL,
  type            TEXT NOT NULL,             -- district, school, department, local, state, national
  identifier      TEXT,
  parent_id       INTEGER REFERENCES orgs(id),
  low_grade       INTEGER,                   -- schools: the grade range taught, from their classes
  high_grade      INTEGER,
  active          INTEGER NOT NULL DEFAULT 1,
  updated_ms      INTEGER NOT NULL
);
CREATE INDEX orgs_type ON orgs(type, active);

CREATE TABLE academic_sessions (
  id              INTEGER PRIMARY KEY,
  sourced_id      TEXT NOT NULL UNIQUE,
  title           TEXT NOT NULL,
  type            TEXT NOT NULL,             -- schoolYear, semester, term, gradingPeriod
  start_date      TEXT NOT NULL,
  end_date        TEXT NOT NULL,
  parent_id       INTEGER REFERENCES academic_sessions(id),
  school_year     INTEGER NOT NULL,
  active          INTEGER NOT NULL DEFAULT 1,
  updated_ms      INTEGER NOT NULL
);

CREATE TABLE courses (
  id              INTEGER PRIMARY KEY,
  sourced_id      TEXT NOT NULL UNIQUE,
  title           TEXT NOT NULL,
  course_code     TEXT,
  grades          TEXT,                      -- as exported, comma-separated
  org_id          INTEGER NOT NULL REFERENCES orgs(id),
  school_year_id  INTEGER REFERENCES academic_sessions(id),
  active          INTEGER NOT NULL DEFAULT 1,
  updated_ms      INTEGER NOT NULL
);

CREATE TABLE sections (
  id              INTEGER PRIMARY KEY,
  sourced_id      TEXT NOT NULL UNIQUE,
  title           TEXT NOT NULL,
  course_id       INTEGER NOT NULL REFERENCES courses(id),
  school_id       INTEGER NOT NULL REFERENCES orgs(id),
  class_code      TEXT,
  class_type      TEXT NOT NULL,             -- homeroom, scheduled
  location        TEXT,
  periods         TEXT,
  grades          TEXT,                      -- as exported, comma-separated
  low_grade       INTEGER,
  high_grade      INTEGER,
  active          INTEGER NOT NULL DEFAULT 1,
  updated_ms      INTEGER NOT NULL
);
CREATE INDEX sections_school ON sections(school_id, active);

CREATE TABLE section_terms (
  section_id      INTEGER NOT NULL REFERENCES sections(id),
  session_id      INTEGER NOT NULL REFERENCES academic_sessions(id),
  PRIMARY KEY (section_id, session_id)
);

CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  sourced_id      TEXT NOT NULL UNIQUE,
  username        TEXT NOT NULL,
  username_key    TEXT NOT NULL UNIQUE,      -- lower-cased username: sign-in is case-insensitive
  role            TEXT NOT NULL,             -- student, teacher, guardian, school_admin, district_admin
  source_role     TEXT NOT NULL,             -- the OneRoster role as exported (aide, parent, ...)
  given_name      TEXT NOT NULL,
  family_name     TEXT NOT NULL,
  middle_name     TEXT,
  identifier      TEXT,
  email           TEXT,
  grades          TEXT,
  grade_level     INTEGER,                   -- students: their (lowest) grade level
  enabled         INTEGER NOT NULL DEFAULT 1,
  active          INTEGER NOT NULL DEFAULT 1,
  password_hash   TEXT,                      -- Argon2id string; NULL until set or activated
  password_set_ms INTEGER,
  updated_ms      INTEGER NOT NULL
);
CREATE INDEX users_role ON users(role, active);
CREATE INDEX users_family_name ON users(family_name);

-- Which orgs (schools, the district) a user belongs to.
CREATE TABLE user_orgs (
  user_id         INTEGER NOT NULL REFERENCES users(id),
  org_id          INTEGER NOT NULL REFERENCES orgs(id),
  active          INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (user_id, org_id)
);
CREATE INDEX user_orgs_org ON user_orgs(org_id, user_id);

CREATE TABLE enrollments (
  id              INTEGER PRIMARY KEY,
  sourced_id      TEXT NOT NULL UNIQUE,
  section_id      INTEGER NOT NULL REFERENCES sections(id),
  user_id         INTEGER NOT NULL REFERENCES users(id),
  role            TEXT NOT NULL,             -- student, teacher, administrator, proctor
  is_primary      INTEGER NOT NULL DEFAULT 0,
  begin_date      TEXT,
  end_date        TEXT,
  active          INTEGER NOT NULL DEFAULT 1,
  updated_ms      INTEGER NOT NULL
);
CREATE INDEX enrollments_section ON enrollments(section_id, active, role);
CREATE INDEX enrollments_user ON enrollments(user_id, active);

-- One two-way link per guardian and student, whichever direction the export filled.
CREATE TABLE guardian_links (
  guardian_id     INTEGER NOT NULL REFERENCES users(id),
  student_id      INTEGER NOT NULL REFERENCES users(id),
  active          INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (guardian_id, student_id)
);
CREATE INDEX guardian_links_student ON guardian_links(student_id);

CREATE TABLE import_runs (
  id              INTEGER PRIMARY KEY,
  started_ms      INTEGER NOT NULL,
  finished_ms     INTEGER NOT NULL,
  source_system   TEXT,
  summary         TEXT NOT NULL               -- JSON: created/updated/deactivated per entity
);

-- Signed-in devices. Only a hash of the token is stored.
CREATE TABLE auth_sessions (
  id              INTEGER PRIMARY KEY,
  token_hash      BLOB NOT NULL UNIQUE,
  user_id         INTEGER NOT NULL REFERENCES users(id),
  created_ms      INTEGER NOT NULL,
  last_seen_ms    INTEGER NOT NULL,
  expires_ms      INTEGER NOT NULL,
  remember        INTEGER NOT NULL DEFAULT 0,
  ip              TEXT,
  user_agent      TEXT,
  revoked_ms      INTEGER
);
CREATE INDEX auth_sessions_user ON auth_sessions(user_id);

-- One-time activation codes for first sign-in. Only a hash of the code is stored.
CREATE TABLE activation_codes (
  id              INTEGER PRIMARY KEY,
  code_hash       BLOB NOT NULL UNIQUE,
  user_id         INTEGER NOT NULL REFERENCES users(id),
  created_ms      INTEGER NOT NULL,
  expires_ms      INTEGER NOT NULL,
  used_ms         INTEGER
);
CREATE INDEX activation_codes_user ON activation_codes(user_id);

-- Sign-in events: successes, failures and throttles, for support and forensics.
CREATE TABLE auth_events (
  id              INTEGER PRIMARY KEY,
  at_ms           INTEGER NOT NULL,
  user_id         INTEGER,
  username        TEXT,
  ip              TEXT NOT NULL,
  kind            TEXT NOT NULL,             -- login_ok, login_failed, login_throttled, logout, activated
  detail          TEXT
);
CREATE INDEX auth_events_user ON auth_events(user_id, at_ms);
CREATE INDEX auth_events_at ON auth_events(at_ms);
