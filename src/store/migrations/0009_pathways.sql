-- 0009: alternate pathways (docs/api.md, "Pathways"). Who decides whether a section's live classes
-- run in Homeroom's own room or in an external meeting (Teams, Zoom, ...): rules set by the
-- district, a school or a section's teacher, scoped by grade band and effective from a date; the
-- most specific rule in force wins (domain/pathways.h). Each section's external meeting link, and
-- each time a student opened it (their attendance for an external session).
CREATE TABLE pathway_rules (
  id              INTEGER PRIMARY KEY,
  scope           TEXT NOT NULL,             -- 'district', 'school', 'section'
  scope_id        INTEGER,                   -- orgs.id of the school, sections.id; NULL: district
  grade_band      TEXT,                      -- 'prek-5', '6-12'; NULL: every grade
  pathway         TEXT NOT NULL,             -- 'built_in', 'external'
  effective_from  TEXT NOT NULL,             -- 'YYYY-MM-DD', the district's calendar
  created_by      INTEGER NOT NULL REFERENCES users(id),
  created_ms      INTEGER NOT NULL
);
CREATE INDEX pathway_rules_scope ON pathway_rules(scope, scope_id);

CREATE TABLE section_meeting_links (
  section_id      INTEGER PRIMARY KEY REFERENCES sections(id),
  url             TEXT NOT NULL,
  updated_by      INTEGER NOT NULL REFERENCES users(id),
  updated_ms      INTEGER NOT NULL
);

CREATE TABLE external_opens (
  session_id      INTEGER NOT NULL REFERENCES live_sessions(id),
  user_id         INTEGER NOT NULL REFERENCES users(id),
  first_ms        INTEGER NOT NULL,
  last_ms         INTEGER NOT NULL,
  opens           INTEGER NOT NULL,
  PRIMARY KEY (session_id, user_id)
);
