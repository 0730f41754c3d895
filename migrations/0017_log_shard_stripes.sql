-- A part of an application's log may be several shards at once (its stripes): events with an ordering key
-- go to the stripe their key hashes to, those without to stripe 0, so each FIFO lane is one sequence and
-- a hot application's writes spread over several objects. The directory gets a row per shard.
CREATE TABLE log_shards_striped (
  application_id  TEXT NOT NULL,
  part            INTEGER NOT NULL,
  stripe          INTEGER NOT NULL DEFAULT 0,
  stripes         INTEGER NOT NULL DEFAULT 1,  -- how many the part has (every row of the part says the same)
  created_at_ms   INTEGER NOT NULL,
  full_at_ms      INTEGER,                     -- set on every stripe of the part when one refused a new event
  PRIMARY KEY (application_id, part, stripe)
) WITHOUT ROWID;
INSERT INTO log_shards_striped (application_id, part, stripe, stripes, created_at_ms, full_at_ms)
  SELECT application_id, part, 0, 1, created_at_ms, full_at_ms FROM log_shards;
DROP TABLE log_shards;
ALTER TABLE log_shards_striped RENAME TO log_shards;
CREATE INDEX log_shards_recent ON log_shards (created_at_ms);

ALTER TABLE log_sweep_round ADD COLUMN stripe INTEGER;
