-- 0016: engagement analytics (docs/api.md, "Analytics"). A daily rollup: one row per section and
-- district-calendar day on which the section had a live session or an assignment due, holding
-- sums only, so that a report over any range and grouping (grade band, school, section, pathway,
-- day) is a SUM over rows and every rate a ratio of two sums. Derived from the live, pathway,
-- coursework and telemetry tables by domain/analytics.h; recomputed, never edited.
CREATE TABLE analytics_section_days (
  day                    TEXT NOT NULL,     -- 'YYYY-MM-DD', the district's calendar
  section_id             INTEGER NOT NULL REFERENCES sections(id),
  school_id              INTEGER NOT NULL REFERENCES orgs(id),
  grade_band             TEXT,              -- 'prek-5', '6-12'; NULL: a section without grades
  pathway                TEXT NOT NULL,     -- the pathway in force that day: built_in, external
  students               INTEGER NOT NULL,  -- active student enrollments when computed
  live_sessions          INTEGER NOT NULL,  -- sessions scheduled that day, not cancelled
  expected_attendances   INTEGER NOT NULL,  -- live_sessions x students
  attendances            INTEGER NOT NULL,  -- (session, student) pairs present
  timed_attendances      INTEGER NOT NULL,  -- of those, with a known duration
  live_seconds           INTEGER NOT NULL,  -- their time, summed
  telemetry_attendances  INTEGER NOT NULL,  -- attendances in Homeroom's own room
  problem_attendances    INTEGER NOT NULL,  -- of those, with a dropped live socket reported
  assignments_due        INTEGER NOT NULL,  -- due that day
  expected_submissions   INTEGER NOT NULL,  -- assignments_due x students
  submissions            INTEGER NOT NULL,
  on_time_submissions    INTEGER NOT NULL,
  graded                 INTEGER NOT NULL,  -- graded submissions of assignments worth points
  grade_centipercent_sum INTEGER NOT NULL,  -- their scores in hundredths of a percent, summed
  PRIMARY KEY (day, section_id)
);
CREATE INDEX analytics_section_days_school ON analytics_section_days(school_id, day);

-- Which days have been computed, and when (a day without activity has no rows but is computed).
CREATE TABLE analytics_days (
  day                    TEXT PRIMARY KEY,
  computed_ms            INTEGER NOT NULL,
  sections               INTEGER NOT NULL   -- rows written
);

-- The rollup reads a day's sessions and assignments by time.
CREATE INDEX live_sessions_starts ON live_sessions(starts_ms);
CREATE INDEX assignments_due ON assignments(due_ms);
