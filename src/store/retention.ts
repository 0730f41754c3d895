// Retention: the log's rows older than the window, deleted a bounded chunk at a time (the sweep runs it
// every minute). Deliveries have time-ordered ids, so their oldest are a range of the primary key, and
// so are the attempts of the oldest deliveries (attempts are keyed by their delivery); events may carry a producer's own id, so their oldest are taken by insertion order (rowid,
// which follows `created_at`: both are the time of ingest).
// What is still needed stays: an event whose fan-out is unfinished or with a pending delivery, and
// pending deliveries.
import { newIdAt } from '../utils/ids';
import { CALLBACK_SUBSCRIPTION } from './callbacks';

/**
 * Events are looked for among the oldest `chunk × HEAD_WINDOW` rows: old events still needed (a pending
 * delivery held for weeks) may fill up to three quarters of that window without stopping the others'.
 * The window bounds what a run reads when nothing is old enough.
 */
const HEAD_WINDOW = 4;

export interface Purged {
  events: number;
  deliveries: number;
  attempts: number;
  stats: number;
}

export async function purgeOlderThan(db: D1Database, cutoffMs: number, statsCutoffSeconds: number, chunk: number): Promise<Purged> {
  const cutoffIso = new Date(cutoffMs).toISOString();
  // The events this run removes; their callback deliveries (made when the event completed, so younger
  // than it) go with them, with their attempts, instead of outliving the event they report on.
  const expired = `SELECT e.rowid, e.id FROM (SELECT rowid, id, created_at, fanout_done FROM events ORDER BY rowid LIMIT ?3) e
           WHERE e.created_at < ?1 AND e.fanout_done = 1
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
           LIMIT ?2`;
  const callbacksOf = `SELECT d.id FROM deliveries d WHERE d.subscription_id = ?4 AND d.event_id IN (SELECT id FROM (${expired}))`;
  const [, , events, deliveries, attempts, stats] = await db.batch([
    db.prepare(`DELETE FROM attempts WHERE delivery_id IN (${callbacksOf})`).bind(cutoffIso, chunk, chunk * HEAD_WINDOW, CALLBACK_SUBSCRIPTION),
    db.prepare(`DELETE FROM deliveries WHERE id IN (${callbacksOf})`).bind(cutoffIso, chunk, chunk * HEAD_WINDOW, CALLBACK_SUBSCRIPTION),
    db.prepare(`DELETE FROM events WHERE rowid IN (SELECT rowid FROM (${expired}))`).bind(cutoffIso, chunk, chunk * HEAD_WINDOW),
    db.prepare(`DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE id < ?1 AND status != 'pending' ORDER BY id LIMIT ?2)`).bind(newIdAt('dlv', cutoffMs), chunk),
    db
      .prepare('DELETE FROM attempts WHERE (delivery_id, id) IN (SELECT delivery_id, id FROM attempts WHERE delivery_id < ?1 LIMIT ?2)')
      .bind(newIdAt('dlv', cutoffMs), chunk),
    db
      .prepare(
        `DELETE FROM delivery_stats WHERE (application_id, bucket, subscription_id, event_type) IN
           (SELECT application_id, bucket, subscription_id, event_type FROM delivery_stats WHERE bucket < ?1 LIMIT ?2)`,
      )
      .bind(statsCutoffSeconds, chunk),
  ]);
  const n = (r: D1Result | undefined) => r?.meta.changes ?? 0;
  return { events: n(events), deliveries: n(deliveries), attempts: n(attempts), stats: n(stats) };
}

/**
 * Whether a shard still has work the sweep looks after: a fan-out unfinished or a delivery pending, or
 * rows retention will remove (its alarm stays armed until it has none). Run in the shard, on its SQLite.
 */
export function hasLoggedWork(sql: SqlStorage): boolean {
  const row = sql
    .exec<{ work: number }>(
      `SELECT EXISTS (SELECT 1 FROM events WHERE fanout_done = 0)
           OR EXISTS (SELECT 1 FROM deliveries WHERE status = 'pending')
           OR EXISTS (SELECT 1 FROM events) AS work`,
    )
    .one();
  return row.work === 1;
}
