// Dashboard sessions: sign-in with the API token opens a server-side session. The cookie holds a random
// 256-bit id (never the token); D1 keeps only the id's hash, with an idle and an absolute expiry. Signing
// out deletes it, signing in opens a new one, and a new API_TOKEN ends every session opened with the old.
// On https the cookie is `__Host-` (Secure, path /, no Domain). Every form post is checked for its origin.
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../env';
import { deleteSession, getSession, insertSession, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, touchSession } from '../store/dashboard-sessions';
import { randomToken, sha256Hex } from '../utils/hash';

const COOKIE = 'edgehook_session';
/** How stale `seen_at` may get before a request writes it again (the live lists poll every 2 s). */
const TOUCH_EVERY_MS = 60_000;

type C = Context<AppEnv>;

const isHttps = (c: C) => new URL(c.req.url).protocol === 'https:';
const cookieOptions = (c: C) =>
  isHttps(c) ? ({ prefix: 'host', secure: true, path: '/' } as const) : ({ path: '/' } as const); // plain http: local development only

const sessionId = (c: C) => getCookie(c, COOKIE, isHttps(c) ? 'host' : undefined);

export async function tokenIsValid(c: C, token: string): Promise<boolean> {
  return Boolean(c.env.API_TOKEN) && (await timingSafeEqual(token, c.env.API_TOKEN!));
}

/** Opens a new session (ending the one the browser held, if any) and sets its cookie. */
export async function startSession(c: C, nowMs = Date.now()): Promise<void> {
  await endSession(c);
  const id = randomToken();
  await insertSession(c.env.DB, await sha256Hex(id), await sha256Hex(c.env.API_TOKEN!), nowMs);
  setCookie(c, COOKIE, id, { ...cookieOptions(c), httpOnly: true, sameSite: 'Strict' });
}

/** Deletes the session server-side (a copy of the cookie opens nothing any more) and clears the cookie. */
export async function endSession(c: C): Promise<void> {
  const id = sessionId(c);
  if (id === undefined) return;
  await deleteSession(c.env.DB, await sha256Hex(id));
  deleteCookie(c, COOKIE, cookieOptions(c));
}

/** Whether the request carries a live session; renews its idle time now and then. */
async function sessionIsLive(c: C, nowMs: number): Promise<boolean> {
  const id = sessionId(c);
  if (id === undefined || !c.env.API_TOKEN || id.length > 64) return false;
  const idHash = await sha256Hex(id);
  const row = await getSession(c.env.DB, idHash);
  if (!row) return false;
  const expired = nowMs - row.seen_at_ms > SESSION_IDLE_MS || nowMs - row.created_at_ms > SESSION_ABSOLUTE_MS;
  if (expired || row.token_hash !== (await sha256Hex(c.env.API_TOKEN))) {
    await deleteSession(c.env.DB, idHash);
    return false;
  }
  if (nowMs - row.seen_at_ms > TOUCH_EVERY_MS) await touchSession(c.env.DB, idHash, nowMs);
  return true;
}

/** Pages need a session; without one they send the browser to the sign-in page. */
export const requireSession = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (!(await sessionIsLive(c, Date.now()))) return c.redirect('/ui/login', 303);
  await next();
};

export { sameOrigin } from '../middleware/same-origin';
