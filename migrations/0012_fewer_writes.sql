-- Fewer rows written per delivery (D1 bills every row written, index entries included).

-- Attempts live in their delivery's key range: (delivery_id, id) is the table itself (WITHOUT ROWID),
-- so an attempt is one row written, not three (row, primary-key index, attempts_delivery). Every read
-- of attempts is by delivery; retention deletes them by their delivery's time-ordered id.
CREATE TABLE attempts_by_delivery (
  delivery_id       TEXT NOT NULL,
  id                TEXT NOT NULL,
  at                TEXT NOT NULL,
  status_code       INTEGER,
  duration_ms       INTEGER NOT NULL,
  error             TEXT,
  response_excerpt  TEXT,
  request_headers   TEXT,
  PRIMARY KEY (delivery_id, id)
) WITHOUT ROWID;
INSERT INTO attempts_by_delivery (delivery_id, id, at, status_code, duration_ms, error, response_excerpt, request_headers)
  SELECT delivery_id, id, at, status_code, duration_ms, error, response_excerpt, request_headers FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_by_delivery RENAME TO attempts;

-- Every list of deliveries is an application's (deliveries_application) or a subscription's
-- (deliveries_subscription, deliveries_subscription_status); the sweep takes the due ones from
-- deliveries_due. No query reads deliveries by status alone any more.
DROP INDEX deliveries_status; -- (the rebuild below would drop it too)

-- Deliveries are their primary key's b-tree (WITHOUT ROWID): a new delivery is one row written fewer
-- (no separate primary-key index). The same columns and indexes otherwise.
CREATE TABLE deliveries_by_id (
  id               TEXT PRIMARY KEY,        -- time-ordered: ORDER BY id DESC is newest first
  event_id         TEXT NOT NULL,
  subscription_id  TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempt_count    INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  generation       INTEGER NOT NULL DEFAULT 0,
  chain_attempts   INTEGER NOT NULL DEFAULT 0, -- attempts on its current retry schedule
  last_attempt_id  TEXT,                       -- the attempt that set its current state
  application_id   TEXT NOT NULL DEFAULT 'default',
  UNIQUE (event_id, subscription_id)
) WITHOUT ROWID;
INSERT INTO deliveries_by_id (id, event_id, subscription_id, status, attempt_count, next_attempt_at, created_at, updated_at, generation, chain_attempts, last_attempt_id, application_id)
  SELECT id, event_id, subscription_id, status, attempt_count, next_attempt_at, created_at, updated_at, generation, chain_attempts, last_attempt_id, application_id FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_by_id RENAME TO deliveries;
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);
CREATE INDEX deliveries_subscription_status ON deliveries (subscription_id, status, created_at);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX deliveries_application ON deliveries (application_id, id);
