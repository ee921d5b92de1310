-- 0006: finding live sessions whose room is gone (LiveSessionIdsPastEnd): a session started but
-- never joined, or whose room was lost in a restart, is ended by the app's sweep. Only live rows
-- are indexed, so the index stays as small as the number of sessions live at once.
CREATE INDEX live_sessions_live_ends ON live_sessions(ends_ms) WHERE status = 'live';
