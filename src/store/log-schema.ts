// The tables of one log shard (a SQLite Durable Object holding one application's events, deliveries and
// attempts): today's D1 log tables, less what a single application does not need (the indexes that
// lead with application_id). Versioned: a shard applies what it has not applied yet, in order.

/** The deliveries table under `name`, its status one of `statuses`. */
const deliveriesTable = (name: string, statuses: readonly string[]) => `
CREATE TABLE ${name} (
  id               TEXT PRIMARY KEY,
  event_id         TEXT NOT NULL,
  subscription_id  TEXT NOT NULL,
  status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (${statuses.map((x) => `'${x}'`).join(', ')})),
  attempt_count    INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  generation       INTEGER NOT NULL DEFAULT 0,
  chain_attempts   INTEGER NOT NULL DEFAULT 0,
  last_attempt_id  TEXT,
  application_id   TEXT NOT NULL DEFAULT 'default',
  last_attempt     TEXT,
  UNIQUE (event_id, subscription_id)
) WITHOUT ROWID;`;
const V1_STATUSES = ['pending', 'succeeded', 'failed'] as const;

const DELIVERY_INDEXES = `
CREATE INDEX deliveries_subscription ON deliveries (subscription_id, id);
CREATE INDEX deliveries_subscription_status ON deliveries (subscription_id, status, created_at);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE status = 'pending';`;

const ALL_ATTEMPTS_VIEW = `
CREATE VIEW all_attempts AS
  SELECT delivery_id, id, at, status_code, duration_ms, error, response_excerpt, request_headers FROM attempts
  UNION ALL
  SELECT id AS delivery_id,
         last_attempt ->> '$.id', last_attempt ->> '$.at', last_attempt ->> '$.status_code', last_attempt ->> '$.duration_ms',
         last_attempt ->> '$.error', last_attempt ->> '$.response_excerpt', last_attempt ->> '$.request_headers'
  FROM deliveries WHERE last_attempt IS NOT NULL;`;

const V1 = `
CREATE TABLE events (
  id            TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  data          TEXT NOT NULL,
  callback_url  TEXT,
  created_at    TEXT NOT NULL,
  fanout_done   INTEGER NOT NULL DEFAULT 0,
  fanout_runs   INTEGER NOT NULL DEFAULT 0,
  target_subscription_id TEXT, callback_state TEXT, callback_at TEXT, callback_payload TEXT,
  fanout_cursor TEXT, fanout_at TEXT, application_id TEXT NOT NULL DEFAULT 'default', ordering_key TEXT, erased_at TEXT
);
CREATE INDEX events_fanout_due ON events (fanout_at, id) WHERE fanout_done = 0;
CREATE TABLE idempotency_keys (
  key            TEXT PRIMARY KEY,
  event_id       TEXT NOT NULL,
  created_at_ms  INTEGER NOT NULL,
  body_hash      TEXT
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at_ms);
${deliveriesTable('deliveries', V1_STATUSES)}
${DELIVERY_INDEXES}
CREATE TABLE attempts (
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
${ALL_ATTEMPTS_VIEW}
CREATE TABLE delivery_stats (
  application_id  TEXT NOT NULL,
  bucket          INTEGER NOT NULL,
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
CREATE TABLE subscription_health (
  subscription_id  TEXT PRIMARY KEY,
  slow_until       TEXT NOT NULL,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  failing_since TEXT
) WITHOUT ROWID;
`;

// V2: `cancelled`, the final state of a delivery its transformation cancelled (nothing was sent). SQLite
// cannot change a CHECK in place: the table is made again, its rows copied, its indexes and view remade.
const V2 = `
DROP VIEW all_attempts;
${deliveriesTable('deliveries_v2', [...V1_STATUSES, 'cancelled'])}
INSERT INTO deliveries_v2 SELECT * FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_v2 RENAME TO deliveries;
${DELIVERY_INDEXES}
${ALL_ATTEMPTS_VIEW}
ALTER TABLE delivery_stats ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
`;

/** Each version's DDL, in order; a shard records how many it has applied. */
export const LOG_SCHEMA: readonly string[] = [V1, V2];

/** Brings a shard's SQLite up to the newest schema (a fresh shard makes every table at once). */
export function applyLogSchema(sql: SqlStorage): void {
  sql.exec('CREATE TABLE IF NOT EXISTS log_schema (version INTEGER NOT NULL)');
  const row = sql.exec<{ version: number }>('SELECT version FROM log_schema').toArray()[0];
  const applied = row?.version ?? 0;
  if (applied >= LOG_SCHEMA.length) return;
  for (const ddl of LOG_SCHEMA.slice(applied)) sql.exec(ddl);
  if (row) sql.exec('UPDATE log_schema SET version = ?', LOG_SCHEMA.length);
  else sql.exec('INSERT INTO log_schema (version) VALUES (?)', LOG_SCHEMA.length);
}
