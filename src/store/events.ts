// Events and idempotency keys in D1: the only code that knows their SQL.
import { DEFAULT_APPLICATION } from './applications';
import { groupCommit } from './group-commit';

export interface NewEvent {
  id: string;
  application_id: string;
  type: string;
  /** The producer's `data`, as JSON text. */
  data: string;
  callback_url: string | null;
  created_at: string;
  /** Fan out to this subscription only (test events). */
  target_subscription_id?: string | null;
  ordering_key?: string | null;
  /** Fan-out runs counted from the start: 1 when its first run follows at once (ingest), saving that run an update. */
  fanout_runs?: number;
}

export interface EventSummary {
  id: string;
  type: string;
  created_at: string;
}

export interface EventRow extends EventSummary {
  application_id: string;
  data: string;
  callback_url: string | null;
  fanout_done: number;
  /** The KV list cursor of the next page to fan out to; null: the first page. */
  fanout_cursor: string | null;
  target_subscription_id: string | null;
  /** When its data was erased (DELETE /v1/events/{id}): `data` is then `null`. */
  erased_at: string | null;
}

/** An event's row, its values ?1…?9 (`eventValues`); a WHERE may follow. */
const INSERT_EVENT = `INSERT INTO events (id, type, data, callback_url, created_at, fanout_at, target_subscription_id, application_id, ordering_key, fanout_runs)
  SELECT ?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9`;
/** Whether statements store a new event (a full log shard refuses those, and only those). */
export const storesNewEvent = (statements: readonly { sql: string }[]) => statements.some((s) => s.sql.startsWith(INSERT_EVENT));
const eventValues = (e: NewEvent) => [e.id, e.type, e.data, e.callback_url, e.created_at, e.target_subscription_id ?? null, e.application_id, e.ordering_key ?? null, e.fanout_runs ?? 0];

export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * What dedupes an event: the producer's Idempotency-Key and its own event id, either or both. Each is
 * kept for 24 h with the hash of the body it came with. Without either (an id edgehook made), nothing.
 */
export interface EventKeys {
  /** The Idempotency-Key header. */
  key: string | null;
  /** Whether the event id is the producer's own (then it dedupes like a key). */
  producerId: boolean;
  /** Hex SHA-256 of the request body. */
  bodyHash: string | null;
}

/**
 * Stores the event unless its Idempotency-Key (or its own id) was seen within 24 h, in one transaction.
 * Returns the event the key belongs to, whether this call created it, and whether this is a conflict:
 * the key, or the event id, was first used with another body, or the id is another application's.
 * Then nothing was stored and the caller refuses. The key decides which event a send is a replay of;
 * the id is checked too, whether or not either send carried a key, so that a body sent under the id
 * once is the only one ever answered for it. Keys are the caller's, scoped to the application.
 */
export async function insertEvent(db: D1Database, event: NewEvent, keys: EventKeys, nowMs: number): Promise<{ event: EventSummary; created: boolean; conflict: boolean }> {
  const summary = { id: event.id, type: event.type, created_at: event.created_at };
  if (keys.key === null && !keys.producerId) {
    // An id edgehook has just made: nothing to dedupe, no key to keep (one row written fewer, and its indexes).
    await groupCommit(db, [db.prepare(INSERT_EVENT).bind(...eventValues(event))], { bytes: event.data.length });
    return { event: summary, created: true, conflict: false };
  }
  // The default application keeps the keys it had before applications; another's are prefixed with its id.
  const scoped = (k: string) => (event.application_id === DEFAULT_APPLICATION ? k : `${event.application_id}/${k}`);
  const byKey = keys.key !== null ? scoped(`key:${keys.key}`) : null;
  const byId = keys.producerId ? scoped(`id:${event.id}`) : null;
  const hash = keys.bodyHash;
  const otherApplication = 'EXISTS (SELECT 1 FROM events WHERE id = ?2 AND application_id != ?5)';
  const [, , , inserted, answer] = (await groupCommit(db, [
    db.prepare('DELETE FROM idempotency_keys WHERE key IN (?1, ?2) AND created_at_ms < ?3').bind(byKey, byId, nowMs - IDEMPOTENCY_WINDOW_MS),
    // The id's row first, unless the key belongs to another event already (then this send replays that one).
    db
      .prepare(
        `INSERT INTO idempotency_keys (key, event_id, created_at_ms, body_hash)
         SELECT ?1, ?2, ?3, ?4 WHERE ?1 IS NOT NULL AND NOT ${otherApplication}
           AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE key = ?6 AND event_id != ?2)
         ON CONFLICT (key) DO NOTHING`,
      )
      .bind(byId, event.id, nowMs, hash, event.application_id, byKey),
    // The key's row, unless the event exists already and its id was first sent with another body.
    db
      .prepare(
        `INSERT INTO idempotency_keys (key, event_id, created_at_ms, body_hash)
         SELECT ?1, ?2, ?3, ?4 WHERE ?1 IS NOT NULL AND NOT ${otherApplication}
           AND (?6 IS NULL OR coalesce((SELECT body_hash FROM idempotency_keys WHERE key = ?6 AND event_id = ?2), ?4) IS ?4)
         ON CONFLICT (key) DO NOTHING`,
      )
      .bind(byKey, event.id, nowMs, hash, event.application_id, byId),
    // Stored only if every key it came with is this event's and the id is new.
    db
      .prepare(
        `${INSERT_EVENT} WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = ?1)
           AND (?10 IS NULL OR (SELECT event_id FROM idempotency_keys WHERE key = ?10) = ?1)
           AND (?11 IS NULL OR (SELECT event_id FROM idempotency_keys WHERE key = ?11) = ?1)`,
      )
      .bind(...eventValues(event), byKey, byId),
    db
      .prepare(
        `SELECT k.key, e.id, e.type, e.created_at, k.body_hash FROM idempotency_keys k JOIN events e ON e.id = k.event_id
         WHERE k.key IN (?1, ?2) AND e.application_id = ?3`,
      )
      .bind(byKey, byId, event.application_id),
  ], { bytes: event.data.length })) as D1Result<EventSummary & { key: string; body_hash: string | null }>[];
  const rows = answer?.results ?? [];
  const primary = rows.find((r) => r.key === (byKey ?? byId));
  // The producer's event id is taken by another application's event: refused like a reused key, storing nothing.
  if (!primary) return { event: summary, created: false, conflict: true };
  const created = (inserted?.meta.changes ?? 0) === 1;
  const { key: _k, body_hash: _h, ...first } = primary;
  // Every key that names the event answered must have come with this body (a hash erased with its data matches any).
  const differs = (r: { body_hash: string | null }) => hash !== null && r.body_hash !== null && r.body_hash !== hash;
  const conflict = !created && rows.some((r) => r.id === first.id && differs(r));
  return { event: first, created, conflict };
}

/**
 * Whether a send is a replay of an event stored here under one of its keys within the window (the part
 * of the log before the newest, asked first while the newest is younger than the window). Null: not
 * here. Nothing is written.
 */
export async function replayOf(db: D1Database, event: NewEvent, keys: EventKeys, nowMs: number): Promise<{ event: EventSummary; created: false; conflict: boolean } | null> {
  const scoped = (k: string) => (event.application_id === DEFAULT_APPLICATION ? k : `${event.application_id}/${k}`);
  const byKey = keys.key !== null ? scoped(`key:${keys.key}`) : null;
  const byId = keys.producerId ? scoped(`id:${event.id}`) : null;
  const { results: rows } = await db
    .prepare(
      `SELECT k.key, e.id, e.type, e.created_at, k.body_hash FROM idempotency_keys k JOIN events e ON e.id = k.event_id
       WHERE k.key IN (?1, ?2) AND e.application_id = ?3 AND k.created_at_ms >= ?4`,
    )
    .bind(byKey, byId, event.application_id, nowMs - IDEMPOTENCY_WINDOW_MS)
    .all<EventSummary & { key: string; body_hash: string | null }>();
  const primary = rows.find((r) => r.key === (byKey ?? byId)) ?? rows[0];
  if (!primary) return null;
  const { key: _k, body_hash: _h, ...first } = primary;
  const hash = keys.bodyHash;
  const differs = (r: { body_hash: string | null }) => hash !== null && r.body_hash !== null && r.body_hash !== hash;
  return { event: first, created: false, conflict: rows.some((r) => r.id === first.id && differs(r)) };
}

const EVENT_COLUMNS = 'id, application_id, type, data, callback_url, created_at, fanout_done, fanout_cursor, target_subscription_id, erased_at';

/** The event; with `applicationId`, only if it is of that application. */
export function getEvent(db: D1Database, id: string, applicationId?: string): Promise<EventRow | null> {
  return db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?1 AND (?2 IS NULL OR application_id = ?2)`)
    .bind(id, applicationId ?? null)
    .first<EventRow>();
}

export interface EventListItem extends EventSummary {
  application_id: string;
  data: string;
  callback_url: string | null;
  erased_at: string | null;
}

/**
 * An application's events (every application's when none is given), newest first by id, optionally of
 * one type; the cursor is the last id of the previous page. Ids are time-ordered when edgehook makes
 * them; a producer's own ids sort where they fall.
 */
export async function listEvents(db: D1Database, f: { application_id?: string; type?: string; limit: number; cursor?: string }): Promise<{ data: EventListItem[]; next_cursor: string | null }> {
  const { results } = await db
    .prepare(
      `SELECT id, application_id, type, data, callback_url, created_at, erased_at FROM events
       WHERE (?1 IS NULL OR application_id = ?1) AND (?2 IS NULL OR type = ?2) AND (?3 IS NULL OR id < ?3)
       ORDER BY id DESC LIMIT ?4`,
    )
    .bind(f.application_id ?? null, f.type ?? null, f.cursor ?? null, f.limit + 1)
    .all<EventListItem>();
  const data = results.slice(0, f.limit);
  return { data, next_cursor: results.length > f.limit ? data[data.length - 1]!.id : null };
}


/**
 * Moves a fan-out on from the page at `cursor` to the page at `next` (null: finished), if it still
 * stands at `cursor`: of two runs of the same page, one moves it on and the other stops there.
 */
export function advanceFanout(db: D1Database, id: string, cursor: string | null, next: string | null, nowIso: string): D1PreparedStatement {
  return db
    .prepare('UPDATE events SET fanout_cursor = ?3, fanout_done = (?3 IS NULL), fanout_at = ?4 WHERE id = ?1 AND fanout_done = 0 AND fanout_cursor IS ?2')
    .bind(id, cursor, next, nowIso);
}

/**
 * Unfinished fan-outs that have not moved since before `beforeIso`, oldest first, at most `limit`, with
 * the cursor each stands at. Each is counted as a new run and stamped `nowIso`: one that keeps failing
 * goes to the back of the line instead of blocking the ones behind it.
 */
export async function takeStalledFanouts(db: D1Database, beforeIso: string, nowIso: string, limit: number): Promise<{ id: string; fanout_cursor: string | null }[]> {
  const { results } = await db
    .prepare(
      `UPDATE events SET fanout_at = ?2, fanout_runs = fanout_runs + 1
       WHERE id IN (SELECT id FROM events WHERE fanout_done = 0 AND fanout_at < ?1 ORDER BY fanout_at, id LIMIT ?3)
       RETURNING id, fanout_cursor`,
    )
    .bind(beforeIso, nowIso, limit)
    .all<{ id: string; fanout_cursor: string | null }>();
  return results;
}

export async function purgeIdempotencyKeys(db: D1Database, nowMs: number): Promise<number> {
  const r = await db.prepare('DELETE FROM idempotency_keys WHERE created_at_ms < ?1').bind(nowMs - IDEMPOTENCY_WINDOW_MS).run();
  return r.meta.changes;
}

/** The type of each of `ids` (for listing deliveries with their event type). */
export async function eventTypesOf(db: D1Database, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { results } = await db
    .prepare('SELECT id, type FROM events WHERE id IN (SELECT value FROM json_each(?1))')
    .bind(JSON.stringify([...new Set(ids)]))
    .all<{ id: string; type: string }>();
  return new Map(results.map((r) => [r.id, r.type]));
}

/**
 * Erases an event's data at once (a person's data): `data` becomes null, and the hash of the body it was
 * sent with is dropped from its idempotency keys. The event and its deliveries stay. False: no such event.
 */
export async function eraseEvent(db: D1Database, id: string, applicationId: string, nowIso: string): Promise<boolean> {
  const [erased] = await db.batch([
    db.prepare("UPDATE events SET data = 'null', erased_at = coalesce(erased_at, ?3) WHERE id = ?1 AND application_id = ?2").bind(id, applicationId, nowIso),
    db.prepare('UPDATE idempotency_keys SET body_hash = NULL WHERE event_id = ?1 AND body_hash IS NOT NULL').bind(id),
  ]);
  return (erased?.meta.changes ?? 0) > 0;
}
