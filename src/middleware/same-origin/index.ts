// Form posts must come from this origin: `Origin` when the browser sends one, else `Sec-Fetch-Site`
// (a browser sends `Origin: null` under some referrer policies and in sandboxed frames; then it is
// Sec-Fetch-Site that tells). A request with neither is not a browser's cross-site one. Used by the
// dashboard and the portal.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../env';

export const sameOrigin = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (c.req.method === 'POST') {
    const sent = c.req.header('origin');
    const origin = sent === 'null' ? undefined : sent;
    const site = c.req.header('sec-fetch-site');
    const foreign = origin !== undefined ? origin !== new URL(c.req.url).origin : site !== undefined && site !== 'same-origin' && site !== 'none';
    if (foreign) return c.text('Cross-origin form refused.', 403);
  }
  await next();
};
