-- 0007: what each user chose for themselves, kept by the server so that it follows them from
-- device to device (docs/api.md, "Preferences"). One row per user who chose anything; a column per
-- preference, NULL when not chosen. An import never touches it.
CREATE TABLE user_preferences (
  user_id         INTEGER PRIMARY KEY REFERENCES users(id),
  language        TEXT,                      -- 'en', 'es', 'ht' (domain/preferences.h)
  updated_ms      INTEGER NOT NULL
);
