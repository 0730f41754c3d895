// The portal session's cookie: `__Host-edgehook_portal`, Secure, HttpOnly, SameSite=None and
// Partitioned (CHIPS), so that it works inside a cross-site iframe with third-party cookies blocked: it
// is kept for the embedding site only. It holds a random id; the session lives in D1 (its hash only).
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../env';
import { portalSession } from '../services/portal';

const COOKIE = 'edgehook_portal';
const OPTIONS = { prefix: 'host', secure: true, path: '/', httpOnly: true, sameSite: 'None', partitioned: true } as const;

export const sessionCookie = (c: Context<AppEnv>) => getCookie(c, COOKIE, 'host');
export const setSessionCookie = (c: Context<AppEnv>, id: string) => setCookie(c, COOKIE, id, OPTIONS);
export const clearSessionCookie = (c: Context<AppEnv>) => deleteCookie(c, COOKIE, OPTIONS);

/** Pages need a live session: its application is `c.var.portal`; without one, `ended` answers. */
export const requirePortalSession =
  (ended: (c: Context<AppEnv>) => Response | Promise<Response>): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const app = await portalSession(c.env, sessionCookie(c));
    if (!app) return ended(c);
    c.set('portal', app);
    await next();
  };
