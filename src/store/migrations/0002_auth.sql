-- 0002: sign-in lookups that 0001 did not index (docs/security.md, "Sign-in").

-- Forensics: everything one source address tried, newest last.
CREATE INDEX auth_events_ip ON auth_events(ip, at_ms);

-- Pruning sessions that ended (DeleteSessionsEndedBefore).
CREATE INDEX auth_sessions_expires ON auth_sessions(expires_ms);
