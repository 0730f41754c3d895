// Headers on every portal answer: never cached, and a Content-Security-Policy with no script at all,
// the layout's two styles by hash, forms to this origin only, and framing allowed to the application's
// `portal.allowed_origins` only (none when there are none).
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import { cspHash } from '../utils/hash';
import { DEFAULT_PORTAL, type PortalSettings } from '../store/applications';
import { accentStyle, STYLE } from './layout';

let layoutHash: Promise<string> | undefined;

/** `frameAncestors`: the portal settings of the application the page is of; null: a page of no application (may be framed by anyone: it holds nothing and does nothing). */
export async function setPortalHeaders(c: Context<AppEnv>, portal: PortalSettings | null): Promise<void> {
  const accent = await cspHash(accentStyle(portal ?? DEFAULT_PORTAL));
  const ancestors = portal === null ? '*' : portal.allowed_origins.length > 0 ? portal.allowed_origins.join(' ') : "'none'";
  c.header('cache-control', 'no-store');
  c.header(
    'content-security-policy',
    [
      "default-src 'none'",
      `style-src ${await (layoutHash ??= cspHash(STYLE))} ${accent}`,
      "form-action 'self'",
      "base-uri 'none'",
      `frame-ancestors ${ancestors}`,
    ].join('; '),
  );
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
}
