// The log's queries and the indexes they use (EXPLAIN QUERY PLAN): after the indexes dropped to write
// fewer rows, every hot query still searches an index, none scans a table, in D1's old log and in a
// log shard (whose tables lost the indexes that lead with application_id: a shard has one application).
import { describe, expect, it } from 'vitest';
import { env } from './support/helpers';
import { logDb } from './support/log';

const planIn = async (db: D1Database, sql: string, ...binds: unknown[]) =>
  (await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...binds).all<{ detail: string }>()).results.map((r) => r.detail).join(' | ');
const plan = (sql: string, ...binds: unknown[]) => planIn(env.DB, sql, ...binds);

// [what, the query, the index it must use]
const QUERIES: [string, string, unknown[], RegExp][] = [
  ['an application’s deliveries, newest first', "SELECT id FROM deliveries WHERE application_id = ? ORDER BY id DESC LIMIT 50", ['a'], /deliveries_application/],
  ['an application’s deliveries by status', "SELECT id FROM deliveries WHERE application_id = ? AND status = ? ORDER BY id DESC LIMIT 50", ['a', 'failed'], /deliveries_application/],
  ['a subscription’s deliveries, newest first', "SELECT id FROM deliveries WHERE subscription_id = ? ORDER BY id DESC LIMIT 50", ['s'], /deliveries_subscription/],
  ['FIFO: a subscription’s pending deliveries', "SELECT 1 FROM deliveries WHERE subscription_id = ? AND status = 'pending' AND id != ?", ['s', 'd'], /deliveries_subscription_status/],
  ['the sweep: overdue pending deliveries', "SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at < ? ORDER BY next_attempt_at, id LIMIT 1000", ['x'], /deliveries_due/],
  ['the sweep: held deliveries looked at again later', "UPDATE deliveries SET next_attempt_at = ?2 FROM (SELECT value ->> '$.id' AS id, value ->> '$.generation' AS generation FROM json_each(?1)) AS h WHERE deliveries.id = h.id AND deliveries.generation = h.generation AND deliveries.status = 'pending'", ['[]', 'x'], /SEARCH deliveries USING PRIMARY KEY \(id=\?\)/],
  ['an event’s deliveries', 'SELECT id FROM deliveries WHERE event_id = ?', ['e'], /sqlite_autoindex_deliveries|event_id/],
  // The attempts table's and the latest, in the delivery's own row.
  ['a delivery’s attempts', 'SELECT id FROM all_attempts WHERE delivery_id = ? ORDER BY id', ['d'], /SEARCH attempts USING PRIMARY KEY \(delivery_id=\?\).*SEARCH deliveries USING PRIMARY KEY \(id=\?\)/],
  ['an application’s events, newest first', 'SELECT id FROM events WHERE application_id = ? ORDER BY id DESC LIMIT 50', ['a'], /events_application/],
  ['the sweep: stalled fan-outs', 'SELECT id FROM events WHERE fanout_done = 0 AND fanout_at < ? ORDER BY fanout_at, id LIMIT 50', ['x'], /events_fanout_due/],
  ['stats of an application over a window', 'SELECT sum(attempts) FROM delivery_stats WHERE application_id = ? AND bucket >= ? AND bucket < ?', ['a', 0, 1], /PRIMARY KEY/],
];

describe('query plans', () => {
  for (const [what, sql, binds, index] of QUERIES) {
    it(`${what}: ${index.source}`, async () => {
      const detail = await plan(sql, ...binds);
      console.log(`${what}: ${detail}`);
      expect(detail).toMatch(index);
      expect(detail).not.toMatch(/(^| \| )SCAN (deliveries|events|attempts)\b/);
    });
  }
});

// In a shard, an application's lists are the whole table's, newest first by primary key.
const SHARD_QUERIES: [string, string, unknown[], RegExp][] = [
  ['the application’s deliveries, newest first', 'SELECT id FROM deliveries ORDER BY id DESC LIMIT 50', [], /SCAN deliveries USING PRIMARY KEY|SCAN deliveries$/],
  ...QUERIES.filter(([, sql]) => !sql.includes('application_id')),
  ['the application’s events, newest first', 'SELECT id FROM events ORDER BY id DESC LIMIT 50', [], /sqlite_autoindex_events_1/],
];

describe('query plans in a log shard', () => {
  for (const [what, sql, binds, index] of SHARD_QUERIES) {
    it(`${what}: ${index.source}`, async () => {
      const detail = await planIn(await logDb('default'), sql, ...binds);
      console.log(`shard: ${what}: ${detail}`);
      expect(detail).toMatch(index);
      // Newest-first walks of a whole table go by its key with a LIMIT; nothing else may scan.
      if (!/ORDER BY id DESC LIMIT/.test(sql)) expect(detail).not.toMatch(/(^| \| )SCAN (deliveries|events|attempts)\b/);
      if (/LIMIT/.test(sql)) expect(detail).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/); // a page is read in order, not sorted
    });
  }
});
