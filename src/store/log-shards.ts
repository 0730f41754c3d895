// Where the log lives: each application's events, deliveries and attempts are in its log shards, SQLite
// Durable Objects named `<application>/<part>[.<stripe>]`. New events go to the application's newest
// part, to the stripe their ordering key hashes to; a part one of whose shards reaches its bound takes
// no more and the next one opens. The directory of parts is in D1 and cached
// in the isolate, so the hot path reads it once per application and isolate (and again after a rollover).
// The log from before shards stays in D1 (`legacyLog`) until retention has removed it.
import { settings } from '../config';
import type { Env } from '../env';
import { remoteD1 } from './shard-db';
import type { ShardAnswer, ShardRunner } from './sql-statements';
import { freshCache } from '../utils/fresh-cache';

export interface ShardRef {
  /** The object's name: `<application>/<part>`, and `.<stripe>` after it for stripes past 0. */
  name: string;
  application_id: string;
  part: number;
  /** Which of its part's `stripes` it is: events with an ordering key go to the one the key hashes to, others to 0. */
  stripe: number;
  stripes: number;
  created_at_ms: number;
  /** When its part refused a new event (then only its existing events' deliveries still change there). */
  full_at_ms: number | null;
}

export const shardName = (applicationId: string, part: number, stripe = 0) => `${applicationId}/${part}${stripe > 0 ? `.${stripe}` : ''}`;

/** The application a shard name belongs to. */
export const applicationOfShard = (name: string) => name.slice(0, name.lastIndexOf('/'));

/** The stripe of `stripes` that events of ordering key `key` go to (null: none, stripe 0): one sequence per lane. */
export function stripeOf(key: string | null | undefined, stripes: number): number {
  if (!key || stripes <= 1) return 0;
  let h = 0x811c9dc5; // FNV-1a, 32 bits: stable across isolates and releases
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % stripes;
}

/** The shards of part `part` among an application's (`partsOf`), in stripe order. */
const shardsOfPart = (refs: ShardRef[], part: number) => refs.filter((r) => r.part === part);

/** The shards of the part before `part` (none for the application's first). */
function partBefore(refs: ShardRef[], part: number): ShardRef[] {
  const before = refs.find((r) => r.part < part)?.part;
  return before === undefined ? [] : shardsOfPart(refs, before);
}

/** Of one part's shards (at least one), the one events of ordering key `key` go to. */
const stripeFor = (shards: ShardRef[], key: string | null) => shards[stripeOf(key, shards.length)] ?? shards[0]!;

/** How long an isolate trusts its copy of an application's parts (a rollover refreshes it at once). */
export const DIRECTORY_TTL_MS = 30_000;

const parts = freshCache<ShardRef[]>(DIRECTORY_TTL_MS);
const views = new WeakMap<object, Map<string, D1Database>>();

const COLUMNS = 'application_id, part, stripe, stripes, created_at_ms, full_at_ms';
const asRef = (r: Omit<ShardRef, 'name'>): ShardRef => ({ ...r, name: shardName(r.application_id, r.part, r.stripe) });

/** An application's shards, newest part first, each part's stripes in order (none before its first event). */
export const partsOf = (env: Env, applicationId: string, nowMs = Date.now()): Promise<ShardRef[]> =>
  parts.get(applicationId, nowMs, async () => {
    const { results } = await env.DB.prepare(`SELECT ${COLUMNS} FROM log_shards WHERE application_id = ?1 ORDER BY part DESC, stripe`)
      .bind(applicationId)
      .all<Omit<ShardRef, 'name'>>();
    return results.map(asRef);
  });

/** Forgets what this isolate knows of an application's parts (after it changed them). */
export const forgetParts = (applicationId: string) => parts.forget(applicationId);

/**
 * The shard named `name`, as a D1Database for the store's functions (one call to it per statement or
 * batch; ingest's inserts and fan-out's steps share it, so they go together under group commit).
 */
export function shardDb(env: Env, name: string): D1Database {
  let byName = views.get(env.LOG_SHARDS);
  if (!byName) views.set(env.LOG_SHARDS, (byName = new Map()));
  const bound = settings(env).logShardBoundBytes;
  const key = `${bound}:${name}`;
  let db = byName.get(key);
  if (!db) {
    if (byName.size > 10_000) byName.clear();
    const ns = env.LOG_SHARDS;
    // A stub per call (making one is no I/O): a view outlives the request that made it.
    const runner: ShardRunner = { run: (statements, options) => ns.getByName(name).run(statements, options) as Promise<ShardAnswer> };
    db = remoteD1(runner, name, bound);
    byName.set(key, db);
  }
  return db;
}

/** The statements that add part `part` of the application, with `stripes` shards. */
function addPart(env: Env, applicationId: string, part: number, stripes: number, nowMs: number): D1PreparedStatement[] {
  return Array.from({ length: stripes }, (_, stripe) =>
    env.DB.prepare('INSERT OR IGNORE INTO log_shards (application_id, part, stripe, stripes, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)').bind(applicationId, part, stripe, stripes, nowMs),
  );
}

export interface OpenShard {
  /** The shard this event goes to. */
  ref: ShardRef;
  db: D1Database;
  /** The other shards where a replay of a send may be: the other stripes of its part, then the part before's. */
  siblings: ShardRef[];
  previous: ShardRef[];
}

/**
 * The shard a new event of the application goes to: the stripe of its ordering key in the newest part
 * (made at the first event, with LOG_SHARD_STRIPES stripes), as a view whose writes are refused with
 * ShardFull once the shard has reached its bound. A part with fewer stripes than the setting asks for
 * is rolled over, so that raising it spreads a hot application from its next event on.
 */
export async function openShard(env: Env, applicationId: string, orderingKey: string | null, nowMs = Date.now()): Promise<OpenShard> {
  const wanted = settings(env).logShardStripes;
  let refs = await partsOf(env, applicationId, nowMs);
  if (refs.length === 0) {
    await env.DB.batch(addPart(env, applicationId, 0, wanted, nowMs));
    forgetParts(applicationId);
    refs = await partsOf(env, applicationId, nowMs);
  } else if (refs[0]!.stripes < wanted) {
    await rollOver(env, refs[0]!, nowMs);
    refs = await partsOf(env, applicationId, nowMs);
  }
  const current = shardsOfPart(refs, refs[0]!.part);
  const ref = stripeFor(current, orderingKey);
  return { ref, db: shardDb(env, ref.name), siblings: current.filter((r) => r !== ref), previous: partBefore(refs, ref.part) };
}

/** A shard refused a new event: its part is marked full and the next part opens (once, whoever asks first). */
export async function rollOver(env: Env, full: ShardRef, nowMs = Date.now()): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('UPDATE log_shards SET full_at_ms = coalesce(full_at_ms, ?3) WHERE application_id = ?1 AND part = ?2').bind(full.application_id, full.part, nowMs),
    ...addPart(env, full.application_id, full.part + 1, settings(env).logShardStripes, nowMs),
  ]);
  forgetParts(full.application_id);
}

/**
 * FIFO across a rollover: the shard of the part before `shard` where earlier events of ordering key
 * `key` went (their deliveries may still be pending there). Null for an application's first part.
 */
export async function earlierShardOf(env: Env, shard: string, key: string | null, nowMs = Date.now()): Promise<Log | null> {
  const refs = await partsOf(env, applicationOfShard(shard), nowMs);
  const here = refs.find((r) => r.name === shard);
  const previous = here ? partBefore(refs, here.part) : [];
  return previous.length === 0 ? null : logAt(env, stripeFor(previous, key).name);
}

export type SweepCursor = { application_id: string; part: number; stripe: number };

/** Every shard in the directory after `after` (`<application>/<part>/<stripe>` order), at most `limit`: for fan-ins and the sweep. */
export async function shardsAfter(env: Env, after: SweepCursor | null, limit: number): Promise<ShardRef[]> {
  const { results } = await env.DB.prepare(
    `SELECT ${COLUMNS} FROM log_shards
     WHERE ?1 IS NULL OR (application_id, part, stripe) > (?1, ?2, ?3) ORDER BY application_id, part, stripe LIMIT ?4`,
  )
    .bind(after?.application_id ?? null, after?.part ?? 0, after?.stripe ?? 0, limit)
    .all<Omit<ShardRef, 'name'>>();
  return results.map(asRef);
}

/** Removes a shard from the directory (retention erased it). */
export async function dropFromDirectory(env: Env, ref: ShardRef): Promise<void> {
  await env.DB.prepare('DELETE FROM log_shards WHERE application_id = ?1 AND part = ?2 AND stripe = ?3 AND full_at_ms IS NOT NULL')
    .bind(ref.application_id, ref.part, ref.stripe)
    .run();
  forgetParts(ref.application_id);
}

const LEGACY_TTL_MS = 60_000;
const legacy = new WeakMap<object, { has: boolean; newestKeyMs: number; at: number }>();

async function legacyState(env: Env, nowMs: number) {
  const hit = legacy.get(env.DB);
  if (hit && nowMs - hit.at < LEGACY_TTL_MS) return hit;
  const row = await env.DB.prepare(
    'SELECT EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM deliveries) AS has, (SELECT max(created_at_ms) FROM idempotency_keys) AS newest_key',
  ).first<{ has: number; newest_key: number | null }>();
  const state = { has: row?.has === 1, newestKeyMs: row?.newest_key ?? 0, at: nowMs };
  legacy.set(env.DB, state);
  return state;
}

/** D1's log from before shards while it holds an idempotency key younger than `windowMs`: a send may be a replay of an event there. */
export async function legacyKeys(env: Env, windowMs: number, nowMs = Date.now()): Promise<D1Database | null> {
  const state = await legacyState(env, nowMs);
  return state.has && state.newestKeyMs > nowMs - windowMs ? env.DB : null;
}

/**
 * The log from before shards, in D1, while it holds anything (an isolate looks again each minute): its
 * events and deliveries stay readable and re-drivable until retention has removed them. Null once empty.
 */
export async function legacyLog(env: Env, nowMs = Date.now()): Promise<D1Database | null> {
  return (await legacyState(env, nowMs)).has ? env.DB : null;
}

/** Forgets whether the old log holds anything (tests that load it; retention when it has emptied it). */
export const forgetLegacy = (env: Env) => void legacy.delete(env.DB);

/** One place of the log: a shard (by name), or the log from before shards in D1 (`shard` null). */
export interface Log {
  db: D1Database;
  shard: string | null;
}

/** The log a queue message (or a stored reference) names: its shard, or D1's log when it names none. */
export const logAt = (env: Env, shard: string | null | undefined): Log => (shard ? { db: shardDb(env, shard), shard } : { db: env.DB, shard: null });

/** Where an application's log may be, newest first: its parts, then the log from before shards. */
export async function logSources(env: Env, applicationId: string, nowMs = Date.now()): Promise<Log[]> {
  const [refs, old] = await Promise.all([partsOf(env, applicationId, nowMs), legacyLog(env, nowMs)]);
  return [...refs.map((r) => logAt(env, r.name)), ...(old ? [{ db: old, shard: null }] : [])];
}

/** The first answer that is not null, asking each source in turn (newest first). */
export async function findInLog<T>(sources: Log[], find: (db: D1Database) => Promise<T | null>): Promise<{ log: Log; found: T } | null> {
  for (const log of sources) {
    const found = await find(log.db);
    if (found !== null) return { log, found };
  }
  return null;
}

/**
 * One page of a list that is newest first by id, over several sources: each is asked for a page after the
 * cursor, and the pages are merged. The cursor is the last id given, so it holds across sources.
 */
export async function mergePages<T extends { id: string }>(
  sources: Log[],
  limit: number,
  page: (db: D1Database) => Promise<{ data: T[]; next_cursor: string | null }>,
): Promise<{ data: T[]; next_cursor: string | null }> {
  if (sources.length === 0) return { data: [], next_cursor: null };
  if (sources.length === 1) return page(sources[0]!.db);
  const pages = await Promise.all(sources.map((s) => page(s.db)));
  const all = pages.flatMap((p) => p.data).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const data = all.slice(0, limit);
  const more = all.length > limit || pages.some((p) => p.next_cursor !== null);
  return { data, next_cursor: more && data.length > 0 ? data[data.length - 1]!.id : null };
}

/** The most recently opened shards of every application, at most `limit` (the operator's fan-in), and whether there are more. */
export async function recentShards(env: Env, limit: number): Promise<{ refs: ShardRef[]; more: boolean }> {
  const { results } = await env.DB.prepare(`SELECT ${COLUMNS} FROM log_shards ORDER BY created_at_ms DESC, application_id, part, stripe LIMIT ?1`)
    .bind(limit + 1)
    .all<Omit<ShardRef, 'name'>>();
  return { refs: results.slice(0, limit).map(asRef), more: results.length > limit };
}
