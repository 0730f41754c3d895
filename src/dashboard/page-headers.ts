// Headers on every dashboard answer: never cached (a page may show a new secret), and a
// Content-Security-Policy that runs only the layout's own script and style (by hash: no
// 'unsafe-inline'), loads nothing from elsewhere and may not be framed.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { toBase64, utf8 } from '../signing/encoding';
import { SCRIPT, STYLE } from './layout';

const sha256 = async (text: string) => `'sha256-${toBase64(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text))))}'`;

let policy: Promise<string> | undefined;
const contentSecurityPolicy = () =>
  (policy ??= (async () =>
    [
      "default-src 'none'",
      `script-src ${await sha256(SCRIPT)}`,
      `style-src ${await sha256(STYLE)}`,
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
