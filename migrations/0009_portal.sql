-- The customer portal: single-use links that open a session scoped to one application, the sessions
-- (only hashes of their secrets are stored), and each application's portal settings.
CREATE TABLE portal_links (
  token_hash      TEXT PRIMARY KEY,   -- hex SHA-256 of the link's token
  application_id  TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  expires_at_ms   INTEGER NOT NULL,
  used_at_ms      INTEGER             -- set by its one use
);
CREATE INDEX portal_links_expiry ON portal_links (expires_at_ms);

CREATE TABLE portal_sessions (
  id_hash         TEXT PRIMARY KEY,   -- hex SHA-256 of the cookie's session id
  application_id  TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  seen_at_ms      INTEGER NOT NULL
);
CREATE INDEX portal_sessions_seen ON portal_sessions (seen_at_ms);

-- {"allowed_origins": [...], "theme": "light"|"dark"|"auto", "accent_color": "#rrggbb"}
ALTER TABLE applications ADD COLUMN portal TEXT NOT NULL DEFAULT '{}';
