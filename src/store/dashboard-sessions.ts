// Dashboard sessions in D1: the only code that knows their SQL. Rows are keyed by a hash of the id.

/** A session unused this long ends. */
export const SESSION_IDLE_MS = 60 * 60_000;
/** A session ends this long after sign-in, however busy. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;

export interface SessionRow {
  token_hash: string;
  created_at_ms: number;
  seen_at_ms: number;
}

export async function insertSession(db: D1Database, idHash: string, tokenHash: string, nowMs: number): Promise<void> {
  await db.prepare('INSERT INTO dashboard_sessions (id_hash, token_hash, created_at_ms, seen_at_ms) VALUES (?1, ?2, ?3, ?3)').bind(idHash, tokenHash, nowMs).run();
}

export function getSession(db: D1Database, idHash: string): Promise<SessionRow | null> {
  return db.prepare('SELECT token_hash, created_at_ms, seen_at_ms FROM dashboard_sessions WHERE id_hash = ?1').bind(idHash).first<SessionRow>();
}

export async function touchSession(db: D1Database, idHash: string, nowMs: number): Promise<void> {
  await db.prepare('UPDATE dashboard_sessions SET seen_at_ms = ?2 WHERE id_hash = ?1').bind(idHash, nowMs).run();
}

export async function deleteSession(db: D1Database, idHash: string): Promise<void> {
  await db.prepare('DELETE FROM dashboard_sessions WHERE id_hash = ?1').bind(idHash).run();
}

/** Removes sessions idle since before `idleBeforeMs` or opened before `openedBeforeMs`; returns how many. */
export async function purgeSessions(db: D1Database, idleBeforeMs: number, openedBeforeMs: number): Promise<number> {
  const r = await db.prepare('DELETE FROM dashboard_sessions WHERE seen_at_ms < ?1 OR created_at_ms < ?2').bind(idleBeforeMs, openedBeforeMs).run();
  return r.meta.changes;
}
