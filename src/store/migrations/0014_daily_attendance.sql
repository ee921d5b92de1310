-- 0014: daily attendance (docs/api.md, "Daily attendance"). A student is present for a school day
-- in a section when the district's policy says so from what they did that day (minutes in the
-- section's live sessions, work submitted, the external meeting link opened), unless a teacher
-- overrode the day with a reason. Nothing here is derived: the days are computed when asked.

-- Every (re)submission, kept when a resubmission replaces the row of submissions: the day a
-- student submitted work must still count after they resubmit on another day.
CREATE TABLE submission_events (
  id              INTEGER PRIMARY KEY,
  assignment_id   INTEGER NOT NULL REFERENCES assignments(id),
  student_id      INTEGER NOT NULL REFERENCES users(id),
  submitted_ms    INTEGER NOT NULL
);
CREATE INDEX submission_events_assignment ON submission_events(assignment_id, submitted_ms);
CREATE INDEX submission_events_student ON submission_events(student_id, submitted_ms);

-- The district's policy; one row (id 1), absent until a district admin first sets it (the
-- defaults of domain/daily_attendance.h apply until then).
CREATE TABLE attendance_policy (
  id                    INTEGER PRIMARY KEY CHECK (id = 1),
  min_live_minutes      INTEGER NOT NULL,   -- minutes in live sessions that make a day present
  count_submissions     INTEGER NOT NULL,   -- 1: work submitted that day makes it present
  count_external_opens  INTEGER NOT NULL,   -- 1: opening an external session's link does
  updated_by            INTEGER NOT NULL REFERENCES users(id),
  updated_ms            INTEGER NOT NULL
);

-- A teacher's (or admin's) decision for one student, section and day; replaced by a later one.
-- Every change is also in the audit log (action "attendance.override").
CREATE TABLE attendance_overrides (
  section_id      INTEGER NOT NULL REFERENCES sections(id),
  student_id      INTEGER NOT NULL REFERENCES users(id),
  day             TEXT NOT NULL,             -- 'YYYY-MM-DD', the district's calendar
  status          TEXT NOT NULL,             -- 'present', 'absent'
  reason          TEXT NOT NULL,
  set_by          INTEGER NOT NULL REFERENCES users(id),
  set_ms          INTEGER NOT NULL,
  PRIMARY KEY (section_id, day, student_id)
);
