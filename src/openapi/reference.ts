// GET /docs: the API reference, rendered in the browser by Scalar (the Hono ecosystem's reference UI,
// @scalar/hono-api-reference) from the live /openapi.json. Offline by construction: its script is one
// of this Worker's static assets (public/docs/scalar, copied from @scalar/api-reference by
// `npm run build`), no web fonts are loaded, and the Content-Security-Policy lets the page reach this
// origin only. "Try it" sends from the reader's browser to this Worker with the token they paste; the
// token is kept in the tab, never sent to or stored by the server except as that request's bearer.
import { Scalar, type ApiReferenceConfiguration } from '@scalar/hono-api-reference';
import type { AppEnv } from '../env';
import { randomToken } from '../utils/hash';

const SCALAR_BUNDLE = '/docs/scalar/standalone.esm.js';

function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'", // the UI injects its styles at run time
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'", // the document and "try it": this Worker only
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** The page: a fresh nonce per answer for its one inline script, and the policy that holds it offline. */
export const apiReference = Scalar<AppEnv>((c) => {
  const nonce = randomToken();
  c.header('content-security-policy', contentSecurityPolicy(nonce));
  c.header('cache-control', 'no-store');
  return {
    url: '/openapi.json',
    bundle: SCALAR_BUNDLE,
    nonce,
    pageTitle: 'edgehook API reference',
    withDefaultFonts: false,
    persistAuth: false,
    authentication: { preferredSecurityScheme: 'bearer' },
    telemetry: false,
    showDeveloperTools: 'never',
    agent: { disabled: true },
    mcp: { disabled: true },
  } as Partial<ApiReferenceConfiguration>;
});
