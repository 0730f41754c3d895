-- Event types with their JSON Schemas, and the event.completed callback state of each event.

CREATE TABLE event_types (
  name         TEXT PRIMARY KEY,
  description  TEXT,
  schema       TEXT,          -- JSON Schema (draft 2020-12) of `data`, as JSON text
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);

ALTER TABLE events ADD COLUMN callback_state TEXT;    -- NULL until claimed, once, when every delivery is final
ALTER TABLE events ADD COLUMN callback_at TEXT;       -- when it was claimed: the callback's timestamp
ALTER TABLE events ADD COLUMN callback_payload TEXT;  -- the deliveries summary, frozen at the claim

CREATE INDEX deliveries_unqueued ON deliveries (created_at) WHERE enqueued = 0;
