// The customer portal's access: single-use links made by the API, and the sessions they open. Links and
// session ids are 256 random bits; D1 keeps only their SHA-256.
import type { Env } from '../env';
import type { ApplicationRow } from '../store/applications';
import {
  deletePortalSession,
  getPortalSession,
  insertPortalLink,
  insertPortalSession,
  PORTAL_ABSOLUTE_MS,
  PORTAL_IDLE_MS,
  touchPortalSession,
  useLink,
} from '../store/portal';
import { randomToken, sha256Hex } from '../utils/hash';

/** How stale `seen_at` may get before a request writes it again. */
const TOUCH_EVERY_MS = 60_000;
const LINK_TOKEN = /^ptl_[A-Za-z0-9_-]{43}$/;


/** A single-use link into the application's portal, valid `expiresInS` seconds. */
export async function createPortalLink(env: Env, applicationId: string, origin: string, expiresInS: number, nowMs = Date.now()) {
  const token = `ptl_${randomToken()}`;
  const expiresAtMs = nowMs + expiresInS * 1000;
  await insertPortalLink(env.DB, await sha256Hex(token), applicationId, nowMs, expiresAtMs);
  return { url: `${origin}/portal/enter?token=${token}`, expires_at: new Date(expiresAtMs).toISOString() };
}

export type Entry = { sessionId: string; applicationId: string } | { refused: 'used' | 'expired' | 'unknown' };

/** Uses a link: a new session of its application (the id for the cookie), or why not. */
export async function enterPortal(env: Env, token: string, nowMs = Date.now()): Promise<Entry> {
  if (!LINK_TOKEN.test(token)) return { refused: 'unknown' };
  const use = await useLink(env.DB, await sha256Hex(token), nowMs);
  if ('refused' in use) return use;
  const sessionId = randomToken();
  await insertPortalSession(env.DB, await sha256Hex(sessionId), use.application_id, nowMs);
  return { sessionId, applicationId: use.application_id };
}

/** The application of a live session (renewing its idle time now and then); null when it ended. */
export async function portalSession(env: Env, sessionId: string | undefined, nowMs = Date.now()): Promise<ApplicationRow | null> {
  if (!sessionId || sessionId.length > 64) return null;
  const idHash = await sha256Hex(sessionId);
  const row = await getPortalSession(env.DB, idHash);
  if (!row) return null;
  if (nowMs - row.seen_at_ms > PORTAL_IDLE_MS || nowMs - row.created_at_ms > PORTAL_ABSOLUTE_MS) {
    await deletePortalSession(env.DB, idHash);
    return null;
  }
  if (nowMs - row.seen_at_ms > TOUCH_EVERY_MS) await touchPortalSession(env.DB, idHash, nowMs);
  return row.application;
}

export async function endPortalSession(env: Env, sessionId: string): Promise<void> {
  await deletePortalSession(env.DB, await sha256Hex(sessionId));
}
