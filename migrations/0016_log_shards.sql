-- The log moves to SQLite Durable Objects (log shards); D1 keeps the control plane and this directory
-- of the shards. An application writes its new events to its newest part; a part that reaches its bound
-- takes no more (full_at_ms) and the next part opens. The log tables above stay for the events,
-- deliveries and attempts stored before the move: readable and re-drivable until retention removes them.
CREATE TABLE log_shards (
  application_id  TEXT NOT NULL,
  part            INTEGER NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  full_at_ms      INTEGER,           -- set when it refused a new event: it only ages out from then on
  PRIMARY KEY (application_id, part)
) WITHOUT ROWID;

-- Where the cron's round of shards stopped (each run asks the next few shards to sweep themselves).
CREATE TABLE log_sweep_round (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  application_id  TEXT,
  part            INTEGER
);
