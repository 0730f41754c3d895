// Applications in D1: the only code that knows their SQL.
import type { StoredSecret } from './secret-rotation';
import { freshCache } from '../utils/fresh-cache';

/** The built-in application: what requests that name none act on, and where everything made before applications lives. */
export const DEFAULT_APPLICATION = 'default';

/** Ids edgehook makes for applications; anything else in an `{app}` path segment is a `uid`. */
export const APPLICATION_ID = /^app_[0-9a-z]{26}$/;

/** How the application's customer portal looks and where it may be embedded. */
export interface PortalSettings {
  /** Origins allowed to frame the portal (`frame-ancestors`); none: it may not be framed. */
  allowed_origins: string[];
  theme: 'light' | 'dark' | 'auto';
  /** `#rrggbb`. */
  accent_color: string;
}

export const DEFAULT_PORTAL: PortalSettings = { allowed_origins: [], theme: 'auto', accent_color: '#0550ae' };

export interface ApplicationRow {
  id: string;
  uid: string | null;
  name: string;
  metadata: Record<string, string>;
  portal: PortalSettings;
  created_at: string;
  updated_at: string;
}

type Stored = Omit<ApplicationRow, 'metadata' | 'portal'> & { metadata: string; portal: string };

const COLUMNS = 'id, uid, name, metadata, portal, created_at, updated_at';
export const parseApplication = (row: Stored): ApplicationRow => ({
  ...row,
  metadata: JSON.parse(row.metadata) as Record<string, string>,
  portal: { ...DEFAULT_PORTAL, ...(JSON.parse(row.portal) as Partial<PortalSettings>) },
});
const parse = parseApplication;

/**
 * Applications as this isolate last read them, for APPLICATION_CACHE_MS: a request names one, and does
 * not query D1 for it each time. Any change made here forgets them all at once (read-your-writes here);
 * one made elsewhere is seen within APPLICATION_CACHE_MS.
 */
export const APPLICATION_CACHE_MS = 10_000;
const cached = freshCache<ApplicationRow | null>(APPLICATION_CACHE_MS);
export const forgetApplications = () => cached.clear();

/** Runs a change of applications, then forgets this isolate's copies (whether or not it changed any). */
async function changing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    forgetApplications();
  }
}

/** `findApplication`, from this isolate's copy when it is fresh. */
export const findApplicationCached = (db: D1Database, idOrUid: string, nowMs = Date.now()): Promise<ApplicationRow | null> =>
  cached.get(idOrUid, nowMs, () => findApplication(db, idOrUid));

/** A live application by its id or its uid. */
export async function findApplication(db: D1Database, idOrUid: string): Promise<ApplicationRow | null> {
  const byId = idOrUid === DEFAULT_APPLICATION || APPLICATION_ID.test(idOrUid);
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM applications WHERE ${byId ? 'id' : 'uid'} = ?1 AND deleted_at IS NULL`)
    .bind(idOrUid)
    .first<Stored>();
  return row ? parse(row) : null;
}

/** Inserts it; false when its uid is taken. */
export async function insertApplication(db: D1Database, app: ApplicationRow): Promise<boolean> {
  const r = await changing(() =>
    db
      .prepare(`INSERT INTO applications (${COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING`)
      .bind(app.id, app.uid, app.name, JSON.stringify(app.metadata), JSON.stringify(app.portal), app.created_at, app.updated_at)
      .run(),
  );
  return r.meta.changes === 1;
}

export type ApplicationFields = Partial<Pick<ApplicationRow, 'uid' | 'name' | 'metadata' | 'portal'>>;

/** Changes the given fields of a live application; `conflict` when the new uid is taken. */
export async function updateApplication(db: D1Database, id: string, fields: ApplicationFields, nowIso: string): Promise<{ app: ApplicationRow | null; conflict: boolean }> {
  try {
    const row = await changing(() =>
      db
        .prepare(
          `UPDATE applications SET
             uid = CASE WHEN ?2 THEN ?3 ELSE uid END,
             name = coalesce(?4, name),
             metadata = coalesce(?5, metadata),
             portal = coalesce(?7, portal),
             updated_at = ?6
           WHERE id = ?1 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
        )
        .bind(id, fields.uid !== undefined ? 1 : 0, fields.uid ?? null, fields.name ?? null, fields.metadata ? JSON.stringify(fields.metadata) : null, nowIso, fields.portal ? JSON.stringify(fields.portal) : null)
        .first<Stored>(),
    );
    return { app: row ? parse(row) : null, conflict: false };
  } catch (err) {
    if (/UNIQUE constraint failed/.test(String(err))) return { app: null, conflict: true };
    throw err;
  }
}

/** Newest first; the cursor is the last id of the previous page. (`default` sorts first.) */
export async function listApplications(db: D1Database, limit: number, cursor?: string): Promise<{ data: ApplicationRow[]; next_cursor: string | null }> {
  const { results } = await db
    .prepare(`SELECT ${COLUMNS} FROM applications WHERE deleted_at IS NULL AND (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2`)
    .bind(cursor ?? null, limit + 1)
    .all<Stored>();
  const data = results.slice(0, limit).map(parse);
  return { data, next_cursor: results.length > limit ? data[data.length - 1]!.id : null };
}

/**
 * Deletes a live application for the API at once: frees its uid and revokes its API keys, in one
 * transaction. Removing its subscriptions and stopping its deliveries follows (`purgeApplication`).
 */
export async function markApplicationDeleted(db: D1Database, id: string, nowIso: string): Promise<boolean> {
  const [deleted] = await changing(() =>
    db.batch([
      db.prepare('UPDATE applications SET deleted_at = ?2, uid = NULL WHERE id = ?1 AND deleted_at IS NULL').bind(id, nowIso),
      db.prepare('UPDATE api_keys SET revoked_at = ?2 WHERE scope = ?1 AND revoked_at IS NULL').bind(id, nowIso),
    ]),
  );
  return (deleted?.meta.changes ?? 0) === 1;
}

/** Deleted applications whose subscriptions and deliveries are not yet all dealt with, oldest first. */
export async function applicationsToPurge(db: D1Database, limit: number): Promise<{ id: string; deleted_at: string }[]> {
  const { results } = await db
    .prepare('SELECT id, deleted_at FROM applications WHERE deleted_at IS NOT NULL AND purged_at IS NULL ORDER BY deleted_at LIMIT ?1')
    .bind(limit)
    .all<{ id: string; deleted_at: string }>();
  return results;
}

export async function markApplicationPurged(db: D1Database, id: string, nowIso: string): Promise<void> {
  await changing(() => db.prepare('UPDATE applications SET purged_at = ?2 WHERE id = ?1').bind(id, nowIso).run());
}

/** An application's callback secrets as stored (JSON text; null: none made yet), or undefined when it is not live. */
export async function readCallbackSecrets(db: D1Database, id: string): Promise<string | null | undefined> {
  const row = await db.prepare('SELECT callback_secrets FROM applications WHERE id = ?1 AND deleted_at IS NULL').bind(id).first<{ callback_secrets: string | null }>();
  return row ? row.callback_secrets : undefined;
}

/** Replaces them if they are still `before` (of two concurrent writers, one wins); false otherwise. */
export async function writeCallbackSecrets(db: D1Database, id: string, before: string | null, after: StoredSecret[]): Promise<boolean> {
  const r = await db
    .prepare('UPDATE applications SET callback_secrets = ?3 WHERE id = ?1 AND deleted_at IS NULL AND callback_secrets IS ?2')
    .bind(id, before, JSON.stringify(after))
    .run();
  return r.meta.changes === 1;
}

/** Live applications with callback secrets stored, by id after `afterId`, for the re-sealing after a key rotation. */
export async function callbackSecretsPage(db: D1Database, afterId: string, limit: number): Promise<{ id: string; callback_secrets: string }[]> {
  const { results } = await db
    .prepare('SELECT id, callback_secrets FROM applications WHERE id > ?1 AND callback_secrets IS NOT NULL AND deleted_at IS NULL ORDER BY id LIMIT ?2')
    .bind(afterId, limit)
    .all<{ id: string; callback_secrets: string }>();
  return results;
}
