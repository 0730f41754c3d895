-- Dashboard sessions, server-side: the cookie holds a random id; D1 keeps only its hash, with the expiries.
CREATE TABLE dashboard_sessions (
  id_hash        TEXT PRIMARY KEY,  -- hex SHA-256 of the cookie's session id
  token_hash     TEXT NOT NULL,     -- hex SHA-256 of the API_TOKEN it was opened with: a new token ends it
  created_at_ms  INTEGER NOT NULL,
  seen_at_ms     INTEGER NOT NULL   -- last use, for the idle expiry
);
CREATE INDEX dashboard_sessions_seen ON dashboard_sessions (seen_at_ms);
