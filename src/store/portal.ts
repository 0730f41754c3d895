// Portal links and portal sessions in D1: the only code that knows their SQL. Only hashes are stored.
import { parseApplication, type ApplicationRow } from './applications';

/** A portal session unused this long ends. */
export const PORTAL_IDLE_MS = 30 * 60_000;
/** A portal session ends this long after its link was opened, however busy. */
export const PORTAL_ABSOLUTE_MS = 8 * 60 * 60_000;

export async function insertPortalLink(db: D1Database, tokenHash: string, applicationId: string, nowMs: number, expiresAtMs: number): Promise<void> {
  await db
    .prepare('INSERT INTO portal_links (token_hash, application_id, created_at_ms, expires_at_ms) VALUES (?1, ?2, ?3, ?4)')
    .bind(tokenHash, applicationId, nowMs, expiresAtMs)
    .run();
}

export type LinkUse = { application_id: string } | { refused: 'used' | 'expired' | 'unknown' };

/**
 * Uses a link, once: of any number of concurrent openings one gets the application (if it is still
 * live); the others, and any later one, learn why not.
 */
export async function useLink(db: D1Database, tokenHash: string, nowMs: number): Promise<LinkUse> {
  const [used, row] = await db.batch<{ application_id?: string; used_at_ms?: number | null; expires_at_ms?: number }>([
    db
      .prepare(
        `UPDATE portal_links SET used_at_ms = ?2
         WHERE token_hash = ?1 AND used_at_ms IS NULL AND expires_at_ms > ?2
           AND EXISTS (SELECT 1 FROM applications a WHERE a.id = portal_links.application_id AND a.deleted_at IS NULL)
         RETURNING application_id`,
      )
      .bind(tokenHash, nowMs),
    db.prepare('SELECT used_at_ms, expires_at_ms FROM portal_links WHERE token_hash = ?1').bind(tokenHash),
  ]);
  const applicationId = used?.results[0]?.application_id;
  if (applicationId) return { application_id: applicationId };
  const link = row?.results[0];
  if (!link) return { refused: 'unknown' };
  if (link.used_at_ms !== null && link.used_at_ms !== undefined) return { refused: 'used' };
  return { refused: link.expires_at_ms! <= nowMs ? 'expired' : 'unknown' }; // unknown: its application was deleted
}

export async function insertPortalSession(db: D1Database, idHash: string, applicationId: string, nowMs: number): Promise<void> {
  await db
    .prepare('INSERT INTO portal_sessions (id_hash, application_id, created_at_ms, seen_at_ms) VALUES (?1, ?2, ?3, ?3)')
    .bind(idHash, applicationId, nowMs)
    .run();
}

export interface PortalSessionRow {
  created_at_ms: number;
  seen_at_ms: number;
  application: ApplicationRow;
}

/** The session with its (live) application, in one query; null when there is none or its application is gone. */
export async function getPortalSession(db: D1Database, idHash: string): Promise<PortalSessionRow | null> {
  const row = await db
    .prepare(
      `SELECT s.created_at_ms, s.seen_at_ms, a.id, a.uid, a.name, a.metadata, a.portal, a.created_at, a.updated_at
       FROM portal_sessions s JOIN applications a ON a.id = s.application_id AND a.deleted_at IS NULL
       WHERE s.id_hash = ?1`,
    )
    .bind(idHash)
    .first<{ created_at_ms: number; seen_at_ms: number } & Parameters<typeof parseApplication>[0]>();
  if (!row) return null;
  const { created_at_ms, seen_at_ms, ...app } = row;
  return { created_at_ms, seen_at_ms, application: parseApplication(app) };
}

export async function touchPortalSession(db: D1Database, idHash: string, nowMs: number): Promise<void> {
  await db.prepare('UPDATE portal_sessions SET seen_at_ms = ?2 WHERE id_hash = ?1').bind(idHash, nowMs).run();
}

export async function deletePortalSession(db: D1Database, idHash: string): Promise<void> {
  await db.prepare('DELETE FROM portal_sessions WHERE id_hash = ?1').bind(idHash).run();
}

/** Removes ended sessions and links expired a day ago; returns how many rows went. */
export async function purgePortal(db: D1Database, nowMs: number): Promise<number> {
  const [sessions, links] = await db.batch([
    db.prepare('DELETE FROM portal_sessions WHERE seen_at_ms < ?1 OR created_at_ms < ?2').bind(nowMs - PORTAL_IDLE_MS, nowMs - PORTAL_ABSOLUTE_MS),
    db.prepare('DELETE FROM portal_links WHERE expires_at_ms < ?1').bind(nowMs - 86_400_000),
  ]);
  return (sessions?.meta.changes ?? 0) + (links?.meta.changes ?? 0);
}
