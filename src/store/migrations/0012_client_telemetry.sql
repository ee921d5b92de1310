-- 0012: client telemetry (docs/api.md, "Client telemetry"). What the web app saw on a user's
-- device: errors, live-socket disconnects with their reasons, round-trip samples and page-load
-- timings. Support staff read it beside the server's own records to tell a user why something
-- failed (the diagnostics timeline). Kept for --telemetry-retention-days, then pruned.
CREATE TABLE client_events (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  kind         TEXT NOT NULL,     -- error | ws_disconnect | rtt | page_load
  at_ms        INTEGER NOT NULL,  -- when it happened, by the device's clock (bounded by the server)
  received_ms  INTEGER NOT NULL,
  ip           TEXT NOT NULL,     -- the address the report came from
  user_agent   TEXT NOT NULL,
  page         TEXT NOT NULL,     -- the app's path, e.g. /room/12
  detail       TEXT NOT NULL      -- the kind's fields, a JSON object checked by the server
);
CREATE INDEX client_events_user ON client_events(user_id, at_ms);
CREATE INDEX client_events_received ON client_events(received_ms);
