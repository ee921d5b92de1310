-- 0011: teacher feedback (docs/api.md, "Teacher feedback"). What teachers tell the district about
-- live teaching: a rating, a category and a text, with the school and grade band it speaks for, so
-- that administrators can read entries and compare schools and grade bands.
CREATE TABLE teacher_feedback (
  id          INTEGER PRIMARY KEY,
  teacher_id  INTEGER NOT NULL REFERENCES users(id),
  school_id   INTEGER REFERENCES orgs(id),      -- NULL: a teacher without a school
  section_id  INTEGER REFERENCES sections(id),  -- NULL: about teaching in general
  grade_band  TEXT,                             -- 'prek-5', '6-12'; NULL: both or no grades
  rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  category    TEXT NOT NULL,                    -- connectivity | platform | content | other
  text        TEXT NOT NULL,
  created_ms  INTEGER NOT NULL
);
CREATE INDEX teacher_feedback_created ON teacher_feedback(created_ms);
CREATE INDEX teacher_feedback_teacher ON teacher_feedback(teacher_id, created_ms);
