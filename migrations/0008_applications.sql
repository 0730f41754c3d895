-- Applications: the producer's customers. Every subscription, event and delivery belongs to one; what
-- existed before belongs to the built-in `default` application. API keys are stored as hashes only.
CREATE TABLE applications (
  id          TEXT PRIMARY KEY,           -- `app_…`, or `default`
  uid         TEXT UNIQUE,                -- the producer's own id for it, usable wherever the id is
  name        TEXT NOT NULL,
  metadata    TEXT NOT NULL DEFAULT '{}', -- JSON object of strings
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  deleted_at  TEXT,                       -- set: gone for the API; its subscriptions are being removed
  purged_at   TEXT                        -- set once its subscriptions are removed and its pending deliveries failed
);
CREATE INDEX applications_purge ON applications (deleted_at) WHERE deleted_at IS NOT NULL AND purged_at IS NULL;
INSERT INTO applications (id, uid, name, created_at, updated_at)
VALUES ('default', NULL, 'Default application', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

ALTER TABLE events ADD COLUMN application_id TEXT NOT NULL DEFAULT 'default';
CREATE INDEX events_application ON events (application_id, id);
ALTER TABLE deliveries ADD COLUMN application_id TEXT NOT NULL DEFAULT 'default';
CREATE INDEX deliveries_application ON deliveries (application_id, id);

CREATE TABLE api_keys (
  id            TEXT PRIMARY KEY,         -- `key_…`
  name          TEXT NOT NULL,
  scope         TEXT NOT NULL,            -- `operator`, or the id of the one application it may act on
  key_hash      TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the key: the key itself is never stored
  created_at    TEXT NOT NULL,
  last_used_at  TEXT,                     -- to the minute
  revoked_at    TEXT
);
CREATE INDEX api_keys_scope ON api_keys (scope, id);
