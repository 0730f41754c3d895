-- Operate it: delivery stats, failing episodes, erased events.

-- Counters per 5-minute bucket, application, subscription and event type, added to in the same
-- transaction that records a batch's attempts: GET /v1/stats sums them and never scans attempts.
-- Outcomes per attempt: succeeded; retrying (failed, another attempt is scheduled); failed (for good).
-- l0…l11 count attempts by duration: ≤10, ≤25, ≤50, ≤100, ≤250, ≤500 ms, ≤1, ≤2.5, ≤5, ≤10, ≤30 s, longer.
CREATE TABLE delivery_stats (
  application_id  TEXT NOT NULL,
  bucket          INTEGER NOT NULL, -- unix seconds of the bucket's start (a multiple of 300)
  subscription_id TEXT NOT NULL,
  event_type      TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  succeeded  INTEGER NOT NULL DEFAULT 0,
  retrying   INTEGER NOT NULL DEFAULT 0,
  failed     INTEGER NOT NULL DEFAULT 0,
  l0 INTEGER NOT NULL DEFAULT 0, l1 INTEGER NOT NULL DEFAULT 0, l2 INTEGER NOT NULL DEFAULT 0, l3 INTEGER NOT NULL DEFAULT 0,
  l4 INTEGER NOT NULL DEFAULT 0, l5 INTEGER NOT NULL DEFAULT 0, l6 INTEGER NOT NULL DEFAULT 0, l7 INTEGER NOT NULL DEFAULT 0,
  l8 INTEGER NOT NULL DEFAULT 0, l9 INTEGER NOT NULL DEFAULT 0, l10 INTEGER NOT NULL DEFAULT 0, l11 INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (application_id, bucket, subscription_id, event_type)
) WITHOUT ROWID;

-- A subscription's failing episode: failed attempts in a row, and since when it counts as failing
-- (set once per episode: subscription.failing; cleared on recovery: subscription.recovered).
ALTER TABLE subscription_health ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscription_health ADD COLUMN failing_since TEXT;

-- DELETE /v1/events/{id}: the data is gone, the record of its deliveries stays.
ALTER TABLE events ADD COLUMN erased_at TEXT;
