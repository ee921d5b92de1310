-- 0013: diagnostics (docs/api.md, "Diagnostics"). Support reads one user's live joins and leaves
-- across every session: an index by user, so that a timeline does not scan the district's
-- attendance.
CREATE INDEX attendance_intervals_user ON attendance_intervals(user_id, joined_ms);
