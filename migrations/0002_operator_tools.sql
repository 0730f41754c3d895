-- Test events go to one subscription only; slow receivers get their own delivery lane.

ALTER TABLE events ADD COLUMN target_subscription_id TEXT; -- set: fan out to this subscription only (webhook.test)

CREATE TABLE subscription_health (
  subscription_id  TEXT PRIMARY KEY,
  slow_until       TEXT NOT NULL -- until then, new deliveries to it use the slow lane
);

CREATE INDEX deliveries_subscription_status ON deliveries (subscription_id, status, created_at);
