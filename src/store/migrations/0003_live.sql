-- 0003: live classes: the schedule (one-off sessions and weekly series) and attendance intervals.
-- Times are UTC epoch milliseconds; a series keeps its local pattern (days, HH:MM, dates) and the
-- zone it was expanded in, so that an edit of the series re-derives each occurrence's instant.

-- A weekly pattern; its occurrences are rows of live_sessions with this series_id.
CREATE TABLE live_series (
  id              INTEGER PRIMARY KEY,
  section_id      INTEGER NOT NULL REFERENCES sections(id),
  title           TEXT NOT NULL,
  days            TEXT NOT NULL,             -- "mon,wed,fri"
  start_time      TEXT NOT NULL,             -- local "HH:MM" in time_zone
  end_time        TEXT NOT NULL,
  from_date       TEXT NOT NULL,             -- 'YYYY-MM-DD', inclusive
  until_date      TEXT NOT NULL,             -- 'YYYY-MM-DD', inclusive
  time_zone       TEXT NOT NULL,             -- IANA name, e.g. America/New_York
  created_by      INTEGER NOT NULL REFERENCES users(id),
  created_ms      INTEGER NOT NULL
);

CREATE TABLE live_sessions (
  id              INTEGER PRIMARY KEY,
  section_id      INTEGER NOT NULL REFERENCES sections(id),
  series_id       INTEGER REFERENCES live_series(id),
  title           TEXT NOT NULL,
  starts_ms       INTEGER NOT NULL,
  ends_ms         INTEGER NOT NULL,
  status          TEXT NOT NULL DEFAULT 'scheduled',  -- scheduled, live, ended, cancelled
  waiting_room    INTEGER NOT NULL DEFAULT 0,
  started_ms      INTEGER,
  ended_ms        INTEGER,                   -- ended or cancelled
  created_by      INTEGER NOT NULL REFERENCES users(id),
  created_ms      INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL
);
CREATE INDEX live_sessions_section ON live_sessions(section_id, starts_ms);
CREATE INDEX live_sessions_series ON live_sessions(series_id, starts_ms);

-- One row per presence interval of a participant in a session. left_ms is NULL while open;
-- last_seen_ms moves with heartbeats, so a restart closes an open interval where it was last seen.
CREATE TABLE attendance_intervals (
  id              INTEGER PRIMARY KEY,
  session_id      INTEGER NOT NULL REFERENCES live_sessions(id),
  user_id         INTEGER NOT NULL REFERENCES users(id),
  joined_ms       INTEGER NOT NULL,
  left_ms         INTEGER,
  last_seen_ms    INTEGER NOT NULL
);
CREATE INDEX attendance_intervals_session ON attendance_intervals(session_id, user_id, joined_ms);
CREATE INDEX attendance_intervals_open ON attendance_intervals(left_ms, session_id);
