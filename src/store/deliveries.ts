// Deliveries in D1: the only code that knows their SQL.
import { newId } from '../utils/ids';
import { CALLBACK_SUBSCRIPTION } from './callbacks';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

export interface DeliveryRow {
  id: string;
  application_id: string;
  event_id: string;
  subscription_id: string;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, application_id, event_id, subscription_id, status, attempt_count, next_attempt_at, created_at, updated_at';

/** A delivery as a queue message names it: its id, where it goes, and its generation (the fencing token). */
export interface QueuedDelivery {
  id: string;
  subscription_id: string;
  generation: number;
}

const QUEUED = 'id, subscription_id, generation';

/** An event's place in the order events were stored (FIFO): its time, then D1's rowid, as one sortable text. */
const EVENT_SEQ = "e.created_at || '|' || printf('%016d', e.rowid)";

/**
 * Creates the deliveries of `eventId` to `subscriptionIds` (at least one), due at once; RETURNING those
 * this statement created: a fan-out page run twice (or by two runs at once) creates and queues each once.
 */
export function createDeliveriesStatement(
  db: D1Database,
  event: { id: string; application_id: string },
  subscriptionIds: string[],
  nowIso: string,
): D1PreparedStatement {
  const nowMs = Date.parse(nowIso);
  const rows = JSON.stringify(subscriptionIds.map((sub) => [newId('dlv', nowMs), sub]));
  return db
    .prepare(
      `INSERT OR IGNORE INTO deliveries (id, event_id, subscription_id, next_attempt_at, created_at, updated_at, application_id)
       SELECT json_extract(value, '$[0]'), ?1, json_extract(value, '$[1]'), ?2, ?2, ?2, ?4 FROM json_each(?3)
       RETURNING ${QUEUED}`,
    )
    .bind(event.id, nowIso, rows, event.application_id);
}

/** What one attempt needs: the delivery with its event's type, data, time and callback. */
export interface DispatchRow {
  id: string;
  event_id: string;
  subscription_id: string;
  status: DeliveryStatus;
  /** The fencing token: only a message of this generation may attempt it. */
  generation: number;
  /** Attempts made on its current retry schedule. */
  chain_attempts: number;
  type: string;
  data: string;
  event_created_at: string;
  callback_url: string | null;
  callback_at: string | null;
  callback_payload: string | null;
  /** Until when its subscription's receiver counts as slow (it hung lately), or null. */
  slow_until: string | null;
  /** The event's ordering key (FIFO lanes), and its place in the order events were stored. */
  application_id: string;
  ordering_key: string | null;
  event_seq: string;
  /** When the event's data was erased (then nothing more of it is sent). */
  erased_at: string | null;
}

export async function loadForDispatch(db: D1Database, ids: string[]): Promise<Map<string, DispatchRow>> {
  const { results } = await db
    .prepare(
      `SELECT d.id, d.application_id, d.event_id, d.subscription_id, d.status, d.generation, d.chain_attempts, e.type, e.data, e.created_at AS event_created_at,
              e.callback_url, e.callback_at, e.callback_payload, e.ordering_key, e.erased_at,
              ${EVENT_SEQ} AS event_seq,
              (SELECT h.slow_until FROM subscription_health h WHERE h.subscription_id = d.subscription_id) AS slow_until
       FROM deliveries d JOIN events e ON e.id = d.event_id
       WHERE d.id IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(ids))
    .all<DispatchRow>();
  return new Map(results.map((r) => [r.id, r]));
}

/** The delivery; with `applicationId`, only if it is of that application. */
/** The delivery; one whose event retention has removed (it outlived it by moments) reads as missing. */
export function getDelivery(db: D1Database, id: string, applicationId?: string): Promise<DeliveryRow | null> {
  return db
    .prepare(`SELECT ${COLUMNS} FROM deliveries d WHERE id = ?1 AND (?2 IS NULL OR application_id = ?2) AND EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id)`)
    .bind(id, applicationId ?? null)
    .first<DeliveryRow>();
}

export async function deliveriesOfEvent(db: D1Database, eventId: string): Promise<DeliveryRow[]> {
  const { results } = await db.prepare(`SELECT ${COLUMNS} FROM deliveries WHERE event_id = ?1 ORDER BY id`).bind(eventId).all<DeliveryRow>();
  return results;
}

export interface DeliveryFilter {
  /** Absent: every application's (the operator dashboard). */
  application_id?: string;
  event_id?: string;
  subscription_id?: string;
  status?: DeliveryStatus;
  /** The event's type. */
  type?: string;
  /** Leave out the producer's event.completed callbacks. */
  without_callbacks?: boolean;
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
  if (f.application_id) add('d.application_id = ?', f.application_id);
  if (f.event_id) add('d.event_id = ?', f.event_id);
  if (f.subscription_id) add('d.subscription_id = ?', f.subscription_id);
  if (f.status) add('d.status = ?', f.status);
  if (f.type) add('d.event_id IN (SELECT id FROM events WHERE type = ?)', f.type);
  if (f.without_callbacks) add('d.subscription_id != ?', CALLBACK_SUBSCRIPTION);
  if (f.cursor) add('d.id < ?', f.cursor);
  params.push(f.limit + 1);
  const columns = COLUMNS.split(', ').map((c) => `d.${c}`).join(', ');
  const sql = `SELECT ${columns} FROM deliveries d ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id DESC LIMIT ?${params.length}`;
  const { results } = await db.prepare(sql).bind(...params).all<DeliveryRow>();
  const data = results.slice(0, f.limit);
  return { data, next_cursor: results.length > f.limit ? data[data.length - 1]!.id : null };
}


/**
 * A final state: only a pending delivery becomes failed, and only of `generation` when one is given (a
 * message of an older chain changes nothing). Returns it when it changed.
 */
export async function markFailed(db: D1Database, id: string, generation: number | null, nowIso: string): Promise<{ id: string; subscription_id: string; event_id: string; application_id: string } | null> {
  return db
    .prepare(
      `UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, generation = generation + 1, updated_at = ?2
       WHERE id = ?1 AND status = 'pending' AND (?3 IS NULL OR generation = ?3) RETURNING id, subscription_id, event_id, application_id`,
    )
    .bind(id, nowIso, generation)
    .first<{ id: string; subscription_id: string; event_id: string; application_id: string }>();
}

/** Fails the pending deliveries of a deleted application, 5,000 a statement. */
export async function failPendingOfApplication(db: D1Database, applicationId: string, nowIso: string): Promise<void> {
  let changed: number;
  do {
    const r = await db
      .prepare(
        `UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, generation = generation + 1, updated_at = ?2
         WHERE id IN (SELECT id FROM deliveries WHERE application_id = ?1 AND status = 'pending' LIMIT 5000)`,
      )
      .bind(applicationId, nowIso)
      .run();
    changed = r.meta.changes;
  } while (changed === 5000);
}

/**
 * The sweep's half of "the queue only schedules": pending deliveries whose next attempt is overdue
 * since before `beforeIso` (their message was lost, or never sent), oldest first, at most `limit`.
 * Each is stamped due `nowIso`, so it is not taken again for another grace period and the next sweep
 * starts with the ones behind it: nothing stuck at the front blocks the rest.
 */
export async function takeOverdue(db: D1Database, beforeIso: string, nowIso: string, limit: number): Promise<QueuedDelivery[]> {
  const { results } = await db
    .prepare(
      `UPDATE deliveries SET next_attempt_at = ?2
       WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at < ?1 ORDER BY next_attempt_at, id LIMIT ?3)
       RETURNING ${QUEUED}`,
    )
    .bind(beforeIso, nowIso, limit)
    .all<QueuedDelivery>();
  return results;
}

/**
 * Deliveries that flow control holds, as taken by `takeOverdue`: the sweep looks at them again at
 * `untilIso` (their subscription's object sends them when their turn comes). One that has moved on
 * since (an attempt recorded, a redeliver) keeps its own next attempt.
 */
export async function deferHeld(db: D1Database, held: Pick<QueuedDelivery, 'id' | 'generation'>[], untilIso: string): Promise<void> {
  await db
    .prepare(
      `UPDATE deliveries SET next_attempt_at = ?2
       FROM (SELECT value ->> '$.id' AS id, value ->> '$.generation' AS generation FROM json_each(?1)) AS h
       WHERE deliveries.id = h.id AND deliveries.generation = h.generation AND deliveries.status = 'pending'`,
    )
    .bind(JSON.stringify(held.map((d) => ({ id: d.id, generation: d.generation }))), untilIso)
    .run();
}

/** The failed deliveries of a subscription created at or after `sinceIso`, oldest first. */
export async function failedDeliveryIds(db: D1Database, subscriptionId: string, sinceIso: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT id FROM deliveries WHERE subscription_id = ?1 AND status = 'failed' AND created_at >= ?2 ORDER BY id LIMIT ?3")
    .bind(subscriptionId, sinceIso, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}


/**
 * One attempt now, on each delivery's one chain: a final delivery goes back to pending for one last
 * attempt (`lastStep` attempts count as made on its schedule, so a failure fails it again); a pending
 * one waiting for a later retry is moved to now. Either way its generation moves on, so the message it
 * had (if any) becomes stale. A pending delivery already due (an attempt on its way, or a concurrent
 * redeliver's) is left alone, unless it is overdue since before `overdueBeforeIso` (its message was lost).
 * Returns the deliveries to queue, with their new generation.
 */
export async function reopen(db: D1Database, ids: string[], nowIso: string, lastStep: number, overdueBeforeIso: string): Promise<QueuedDelivery[]> {
  if (ids.length === 0) return [];
  const { results } = await db
    .prepare(
      `UPDATE deliveries SET status = 'pending', generation = generation + 1, next_attempt_at = ?2, updated_at = ?2,
         chain_attempts = CASE WHEN status = 'pending' THEN chain_attempts ELSE ?3 END
       WHERE id IN (SELECT value FROM json_each(?1))
         AND (status != 'pending' OR next_attempt_at > ?2 OR next_attempt_at < ?4)
       RETURNING ${QUEUED}`,
    )
    .bind(JSON.stringify(ids), nowIso, lastStep, overdueBeforeIso)
    .all<QueuedDelivery>();
  return results;
}

/**
 * FIFO: whether an earlier event of the same ordering lane may still have a delivery to this
 * subscription on its way: one that is pending, or an earlier event of the application whose fan-out
 * has not finished (it may not have made its deliveries yet). Fan-out and the queue do not keep order.
 */
export async function hasEarlierPending(db: D1Database, row: Pick<DispatchRow, 'id' | 'subscription_id' | 'application_id' | 'event_seq' | 'ordering_key'>): Promise<boolean> {
  const found = await db
    .prepare(
      `SELECT 1 WHERE EXISTS (
         SELECT 1 FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.subscription_id = ?1 AND d.status = 'pending' AND d.id != ?2
           AND coalesce(e.ordering_key, '') = ?4 AND ${EVENT_SEQ} < ?3)
       OR EXISTS (
         SELECT 1 FROM events e WHERE e.fanout_done = 0 AND e.application_id = ?5 AND e.target_subscription_id IS NULL
           AND coalesce(e.ordering_key, '') = ?4 AND ${EVENT_SEQ} < ?3)`,
    )
    .bind(row.subscription_id, row.id, row.event_seq, row.ordering_key ?? '', row.application_id)
    .first();
  return found !== null;
}
