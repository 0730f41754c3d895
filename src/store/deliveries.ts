// Deliveries in D1: the only code that knows their SQL.
import { newId } from '../utils/ids';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveryRow {
  id: string;
  event_id: string;
  subscription_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, event_id, subscription_id, status, attempt_count, next_attempt_at, created_at, updated_at';

export interface NewDelivery {
  id: string;
  subscription_id: string;
}

/**
 * Creates the deliveries of `eventId` to `subscriptionIds` (once: re-running adds none) and returns
 * those not yet put on the queue.
 */
export async function createDeliveries(db: D1Database, eventId: string, subscriptionIds: string[], nowIso: string): Promise<NewDelivery[]> {
  if (subscriptionIds.length === 0) return [];
  const nowMs = Date.parse(nowIso);
  const rows = JSON.stringify(subscriptionIds.map((sub) => [newId('dlv', nowMs), sub]));
  const subs = JSON.stringify(subscriptionIds);
  const [, pending] = await db.batch<NewDelivery>([
    db
      .prepare(
        `INSERT OR IGNORE INTO deliveries (id, event_id, subscription_id, created_at, updated_at)
         SELECT json_extract(value, '$[0]'), ?1, json_extract(value, '$[1]'), ?2, ?2 FROM json_each(?3)`,
      )
      .bind(eventId, nowIso, rows),
    db
      .prepare(
        `SELECT id, subscription_id FROM deliveries
         WHERE event_id = ?1 AND enqueued = 0 AND subscription_id IN (SELECT value FROM json_each(?2))`,
      )
      .bind(eventId, subs),
  ]);
  return pending?.results ?? [];
}

export async function markEnqueued(db: D1Database, ids: string[]): Promise<void> {
  await db.prepare('UPDATE deliveries SET enqueued = 1 WHERE id IN (SELECT value FROM json_each(?1))').bind(JSON.stringify(ids)).run();
}

/** What one attempt needs: the delivery with its event's type, data, time and callback. */
export interface DispatchRow {
  id: string;
  event_id: string;
  subscription_id: string;
  status: DeliveryStatus;
  type: string;
  data: string;
  event_created_at: string;
  callback_url: string | null;
  callback_at: string | null;
  callback_payload: string | null;
  /** Until when its subscription's receiver counts as slow (it hung lately), or null. */
  slow_until: string | null;
}

export async function loadForDispatch(db: D1Database, ids: string[]): Promise<Map<string, DispatchRow>> {
  const { results } = await db
    .prepare(
      `SELECT d.id, d.event_id, d.subscription_id, d.status, e.type, e.data, e.created_at AS event_created_at,
              e.callback_url, e.callback_at, e.callback_payload,
              (SELECT h.slow_until FROM subscription_health h WHERE h.subscription_id = d.subscription_id) AS slow_until
       FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.id IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(ids))
    .all<DispatchRow>();
  return new Map(results.map((r) => [r.id, r]));
}

export function getDelivery(db: D1Database, id: string): Promise<DeliveryRow | null> {
  return db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE id = ?1`).bind(id).first<DeliveryRow>();
}

export async function deliveriesOfEvent(db: D1Database, eventId: string): Promise<DeliveryRow[]> {
  const { results } = await db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE event_id = ?1 ORDER BY id`).bind(eventId).all<DeliveryRow>();
  return results;
}

export interface DeliveryFilter {
  event_id?: string;
  subscription_id?: string;
  status?: DeliveryStatus;
  /** The event's type. */
  type?: string;
  limit: number;
  cursor?: string;
}

/** Newest first; the cursor is the last id of the previous page. */
export async function listDeliveries(db: D1Database, f: DeliveryFilter): Promise<{ data: DeliveryRow[]; next_cursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `?${params.length}`));
  };
  if (f.event_id) add('d.event_id = ?', f.event_id);
  if (f.subscription_id) add('d.subscription_id = ?', f.subscription_id);
  if (f.status) add('d.status = ?', f.status);
  if (f.type) add('d.event_id IN (SELECT id FROM events WHERE type = ?)', f.type);
  if (f.cursor) add('d.id < ?', f.cursor);
  params.push(f.limit + 1);
  const columns = COLUMNS.split(', ').map((c) => `d.${c}`).join(', ');
  const sql = `SELECT ${columns} FROM deliveries d ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id DESC LIMIT ?${params.length}`;
  const { results } = await db.prepare(sql).bind(...params).all<DeliveryRow>();
  const data = results.slice(0, f.limit);
  return { data, next_cursor: results.length > f.limit ? data[data.length - 1]!.id : null };
}

/** A final state: only a pending delivery becomes failed. Returns it when it changed. */
export async function markFailed(db: D1Database, id: string, nowIso: string): Promise<{ subscription_id: string; event_id: string } | null> {
  return db
    .prepare(
      "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = ?2 WHERE id = ?1 AND status = 'pending' RETURNING subscription_id, event_id",
    )
    .bind(id, nowIso)
    .first<{ subscription_id: string; event_id: string }>();
}

/** Deliveries created before `beforeIso` whose task never reached the queue, of events whose fan-out finished. */
export async function unqueuedDeliveries(db: D1Database, beforeIso: string, limit: number): Promise<NewDelivery[]> {
  const { results } = await db
    .prepare(
      `SELECT d.id, d.subscription_id FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.enqueued = 0 AND d.created_at < ?1 AND e.fanout_done = 1 ORDER BY d.created_at LIMIT ?2`,
    )
    .bind(beforeIso, limit)
    .all<NewDelivery>();
  return results;
}

/** The failed deliveries of a subscription created at or after `sinceIso`, oldest first. */
export async function failedDeliveryIds(db: D1Database, subscriptionId: string, sinceIso: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT id FROM deliveries WHERE subscription_id = ?1 AND status = 'failed' AND created_at >= ?2 ORDER BY id LIMIT ?3")
    .bind(subscriptionId, sinceIso, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Back to pending for a redelivery; returns the ids that exist. */
export async function reopen(db: D1Database, ids: string[], nowIso: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      "UPDATE deliveries SET status = 'pending', next_attempt_at = ?2, updated_at = ?2 WHERE id IN (SELECT value FROM json_each(?1)) RETURNING id",
    )
    .bind(JSON.stringify(ids), nowIso)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

export interface SuccessRate {
  subscription_id: string;
  succeeded: number;
  failed: number;
  pending: number;
}

/** Per subscription: how its deliveries created since `sinceIso` are doing. */
export async function successRates(db: D1Database, sinceIso: string): Promise<Map<string, SuccessRate>> {
  const { results } = await db
    .prepare(
      `SELECT subscription_id, sum(status = 'succeeded') AS succeeded, sum(status = 'failed') AS failed, sum(status = 'pending') AS pending
       FROM deliveries WHERE created_at >= ?1 GROUP BY subscription_id`,
    )
    .bind(sinceIso)
    .all<SuccessRate>();
  return new Map(results.map((r) => [r.subscription_id, r]));
}
