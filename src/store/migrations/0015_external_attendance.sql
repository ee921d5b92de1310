-- 0015: reconciled attendance of external meetings (docs/api.md, "Pathways" > "Reconciling an
-- external meeting"). A teacher uploads the meeting platform's attendance report for a session;
-- each participant matched to a student of the section is a row here, replacing the rows of any
-- earlier upload for that session (one transaction: all of a report or none of it).
CREATE TABLE external_attendance (
  session_id      INTEGER NOT NULL REFERENCES live_sessions(id),
  user_id         INTEGER NOT NULL REFERENCES users(id),
  seconds         INTEGER NOT NULL,          -- time in the meeting, all of their joins summed
  matched_by      TEXT NOT NULL,             -- 'email', 'username', 'name'
  uploaded_by     INTEGER NOT NULL REFERENCES users(id),
  uploaded_ms     INTEGER NOT NULL,
  PRIMARY KEY (session_id, user_id)
);
