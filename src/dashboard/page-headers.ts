// Headers on every dashboard answer: never cached (a page may show a new secret), and a
// Content-Security-Policy that runs only the layout's own script and style (by hash: no
// 'unsafe-inline'), loads nothing from elsewhere and may not be framed.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { cspHash } from '../utils/hash';
import { SCRIPT, STYLE } from './layout';


let policy: Promise<string> | undefined;
const contentSecurityPolicy = () =>
  (policy ??= (async () =>
    [
      "default-src 'none'",
      `script-src ${await cspHash(SCRIPT)}`,
      `style-src ${await cspHash(STYLE)}`,
      "connect-src 'self'", // the live lists re-fetch their own page
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '))());

export const pageHeaders = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  c.header('cache-control', 'no-store');
  c.header('content-security-policy', await contentSecurityPolicy());
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  await next();
};
