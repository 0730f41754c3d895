// Dashboard sign-in: the API token, exchanged for a session cookie that holds an HMAC of it (never the
// token itself, never in a URL). No expiry: it lasts for the browser session. Rotating API_TOKEN ends it.
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../env';
import { toBase64, utf8 } from '../signing/encoding';

const COOKIE = 'edgehook_session';

async function sessionValue(token: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8(token), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8('edgehook dashboard session v1')));
  return toBase64(mac).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export async function tokenIsValid(c: Context<AppEnv>, token: string): Promise<boolean> {
  return Boolean(c.env.API_TOKEN) && (await timingSafeEqual(token, c.env.API_TOKEN!));
}

export async function startSession(c: Context<AppEnv>): Promise<void> {
  setCookie(c, COOKIE, await sessionValue(c.env.API_TOKEN!), {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: new URL(c.req.url).protocol === 'https:',
  });
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, COOKIE, { path: '/' });
}

/** Pages need a session; without one they send the browser to the sign-in page. */
export const requireSession = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const cookie = getCookie(c, COOKIE);
  const valid = cookie !== undefined && c.env.API_TOKEN !== undefined && (await timingSafeEqual(cookie, await sessionValue(c.env.API_TOKEN)));
  if (!valid) return c.redirect('/ui/login', 303);
  await next();
};

/** Forms post only from this origin (the SameSite=Strict cookie already says so; this says it twice). */
export const sameOrigin = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const origin = c.req.header('origin');
  if (c.req.method === 'POST' && origin && origin !== new URL(c.req.url).origin) return c.text('Cross-origin form refused.', 403);
  await next();
};
