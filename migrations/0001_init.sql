-- The delivery log. Times are ISO-8601 UTC strings unless the column name ends in _ms.

CREATE TABLE events (
  id            TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  data          TEXT NOT NULL,              -- the producer's JSON, as received
  callback_url  TEXT,
  created_at    TEXT NOT NULL,
  fanout_done   INTEGER NOT NULL DEFAULT 0, -- 1 once every matching subscription has a queued delivery
  fanout_runs   INTEGER NOT NULL DEFAULT 0  -- how often the fan-out was started (waitUntil + sweeps)
);
CREATE INDEX events_fanout_pending ON events (created_at) WHERE fanout_done = 0;

CREATE TABLE idempotency_keys (
  key            TEXT PRIMARY KEY,
  event_id       TEXT NOT NULL,
  created_at_ms  INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at_ms);

CREATE TABLE deliveries (
  id               TEXT PRIMARY KEY,        -- time-ordered: ORDER BY id DESC is newest first
  event_id         TEXT NOT NULL,
  subscription_id  TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempt_count    INTEGER NOT NULL DEFAULT 0,
  enqueued         INTEGER NOT NULL DEFAULT 0, -- 1 once its first task is on the queue
  next_attempt_at  TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  UNIQUE (event_id, subscription_id)
);
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);
CREATE INDEX deliveries_status ON deliveries (status, id);

CREATE TABLE attempts (
  id                TEXT PRIMARY KEY,
  delivery_id       TEXT NOT NULL,
  at                TEXT NOT NULL,
  status_code       INTEGER,
  duration_ms       INTEGER NOT NULL,
  error             TEXT,
  response_excerpt  TEXT
);
CREATE INDEX attempts_delivery ON attempts (delivery_id, id);
