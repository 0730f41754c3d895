-- D1 is the truth, the queue only schedules. Every queue message of a delivery carries its generation
-- (a fencing token): a message whose generation is not the delivery's current one changes nothing.
-- A pending delivery always has a next_attempt_at, so one overdue by more than the grace period is
-- one whose message was lost, and the sweep queues it again. That replaces the `enqueued` flag.
ALTER TABLE deliveries ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN chain_attempts INTEGER NOT NULL DEFAULT 0; -- attempts on its current retry schedule
ALTER TABLE deliveries ADD COLUMN last_attempt_id TEXT;  -- the attempt that set its current state
UPDATE deliveries SET chain_attempts = attempt_count;
UPDATE deliveries SET next_attempt_at = created_at WHERE status = 'pending' AND next_attempt_at IS NULL;
DROP INDEX deliveries_unqueued;
ALTER TABLE deliveries DROP COLUMN enqueued;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'pending';

-- A fan-out of many pages saves where it is: the sweep resumes it from there, never from page 1.
ALTER TABLE events ADD COLUMN fanout_cursor TEXT; -- the KV list cursor of the next page; NULL: the first
ALTER TABLE events ADD COLUMN fanout_at TEXT;     -- when the fan-out last moved on, or was last re-driven
UPDATE events SET fanout_at = created_at;
DROP INDEX events_fanout_pending;
CREATE INDEX events_fanout_due ON events (fanout_at, id) WHERE fanout_done = 0;
