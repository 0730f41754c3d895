// API keys in D1: the only code that knows their SQL. A key is stored as its SHA-256 only.
import { freshCache } from '../utils/fresh-cache';

export const OPERATOR_SCOPE = 'operator';

export interface ApiKeyRow {
  id: string;
  name: string;
  /** `operator`, or the id of the one application the key may act on. */
  scope: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = 'id, name, scope, created_at, last_used_at, revoked_at';

export async function insertApiKey(db: D1Database, key: Omit<ApiKeyRow, 'last_used_at' | 'revoked_at'>, keyHash: string): Promise<void> {
  await db
    .prepare('INSERT INTO api_keys (id, name, scope, key_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)')
    .bind(key.id, key.name, key.scope, keyHash, key.created_at)
    .run();
}

/** The live key with this hash: not revoked, and of a live application unless it is an operator key. */
export function findLiveKey(db: D1Database, keyHash: string): Promise<Pick<ApiKeyRow, 'id' | 'scope' | 'last_used_at'> | null> {
  return db
    .prepare(
      `SELECT k.id, k.scope, k.last_used_at FROM api_keys k
       WHERE k.key_hash = ?1 AND k.revoked_at IS NULL
         AND (k.scope = 'operator' OR EXISTS (SELECT 1 FROM applications a WHERE a.id = k.scope AND a.deleted_at IS NULL))`,
    )
    .bind(keyHash)
    .first();
}

/** Stamps its use, at most once a minute (a write per request would cost more than it tells). */
export async function touchApiKey(db: D1Database, id: string, nowMs: number): Promise<void> {
  await db
    .prepare('UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?3)')
    .bind(id, new Date(nowMs).toISOString(), new Date(nowMs - 60_000).toISOString())
    .run();
}

export function getApiKey(db: D1Database, id: string): Promise<ApiKeyRow | null> {
  return db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?1`).bind(id).first<ApiKeyRow>();
}

/** Newest first, optionally of one scope; the cursor is the last id of the previous page. */
export async function listApiKeys(db: D1Database, f: { scope?: string; limit: number; cursor?: string }): Promise<{ data: ApiKeyRow[]; next_cursor: string | null }> {
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM api_keys WHERE (?1 IS NULL OR scope = ?1) AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3`)
    .bind(f.scope ?? null, f.cursor ?? null, f.limit + 1)
    .all<ApiKeyRow>();
  const data = results.slice(0, f.limit);
  return { data, next_cursor: results.length > f.limit ? data[data.length - 1]!.id : null };
}

/** Revokes it at once; the key as it is now, or null when there is no such key. */
export function revokeApiKey(db: D1Database, id: string, nowIso: string): Promise<ApiKeyRow | null> {
  return db
    .prepare(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1 RETURNING ${COLUMNS}`)
    .bind(id, nowIso)
    .first<ApiKeyRow>();
}

/**
 * Live keys as this isolate last read them, by hash, for KEY_CACHE_MS: a request does not query D1 for
 * its key. A key revoked here is forgotten at once; revoked elsewhere, it is refused within KEY_CACHE_MS.
 */
export const KEY_CACHE_MS = 10_000;
type LiveKey = Awaited<ReturnType<typeof findLiveKey>>;
const keys = freshCache<LiveKey>(KEY_CACHE_MS);

/** Forgets this isolate's copies of the keys of `scope` (its application was deleted: they are refused at once here). */
export const forgetKeysOf = (scope: string) => keys.forget((key) => key?.scope === scope);

export const liveKey = (db: D1Database, hash: string, nowMs: number): Promise<LiveKey> => keys.get(hash, nowMs, () => findLiveKey(db, hash));

/** Forgets this isolate's copy of key `id` (revoked here: refused on the next request). */
export const forgetKey = (id: string) => keys.forget((key) => key?.id === id);
