-- 0010: coursework (docs/api.md, "Coursework"). Files are named references to content-addressed
-- blobs under the data directory (files/<sha256[0:2]>/<sha256>; domain/file_store.h): the same
-- bytes uploaded twice are one blob and two rows, and each row counts against its owner's quota.
-- Assignments belong to a section, with attachments; a student's submission of an assignment is one
-- row (replaced on resubmission), with its files and, once graded, its score and comment.
CREATE TABLE files (
  id              INTEGER PRIMARY KEY,
  owner_id        INTEGER NOT NULL REFERENCES users(id),
  sha256          TEXT NOT NULL,             -- hex, the blob's name
  size_bytes      INTEGER NOT NULL,
  content_type    TEXT NOT NULL,             -- from the allowlist
  name            TEXT NOT NULL,             -- the uploader's file name, cleaned
  created_ms      INTEGER NOT NULL
);
CREATE INDEX files_owner ON files(owner_id);
CREATE INDEX files_sha256 ON files(sha256);

CREATE TABLE assignments (
  id              INTEGER PRIMARY KEY,
  section_id      INTEGER NOT NULL REFERENCES sections(id),
  title           TEXT NOT NULL,
  instructions    TEXT NOT NULL,
  due_ms          INTEGER NOT NULL,          -- UTC; set and shown in the district's time zone
  points          INTEGER NOT NULL,
  created_by      INTEGER NOT NULL REFERENCES users(id),
  created_ms      INTEGER NOT NULL
);
CREATE INDEX assignments_section ON assignments(section_id, due_ms);

CREATE TABLE assignment_files (
  assignment_id   INTEGER NOT NULL REFERENCES assignments(id),
  file_id         INTEGER NOT NULL REFERENCES files(id),
  PRIMARY KEY (assignment_id, file_id)
);
CREATE INDEX assignment_files_file ON assignment_files(file_id);

CREATE TABLE submissions (
  id              INTEGER PRIMARY KEY,
  assignment_id   INTEGER NOT NULL REFERENCES assignments(id),
  student_id      INTEGER NOT NULL REFERENCES users(id),
  body            TEXT NOT NULL,             -- the student's text ('' when only files)
  submitted_ms    INTEGER NOT NULL,          -- the latest (re)submission
  late            INTEGER NOT NULL,          -- 1 when submitted after the due date
  score_centi     INTEGER,                   -- hundredths of a point; NULL until graded
  comment         TEXT,
  graded_by       INTEGER REFERENCES users(id),
  graded_ms       INTEGER,
  UNIQUE (assignment_id, student_id)
);
CREATE INDEX submissions_student ON submissions(student_id);
-- The "to grade" queue: ungraded submissions by assignment.
CREATE INDEX submissions_ungraded ON submissions(assignment_id, submitted_ms) WHERE score_centi IS NULL;

CREATE TABLE submission_files (
  submission_id   INTEGER NOT NULL REFERENCES submissions(id),
  file_id         INTEGER NOT NULL REFERENCES files(id),
  PRIMARY KEY (submission_id, file_id)
);
CREATE INDEX submission_files_file ON submission_files(file_id);
