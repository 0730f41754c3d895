// Dashboard sign-in and sessions: ten tries a minute per address; a random server-side session in a
// __Host- cookie with idle and absolute expiry, ended by sign-out; every form post checked for its
// origin; every page no-store with a strict Content-Security-Policy; forms validated as the API does.
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { api, env, TOKEN } from './support/helpers';

const ORIGIN = 'https://edgehook.test';

function signIn(token: string, address: string, headers: Record<string, string> = { origin: ORIGIN }) {
  return api('/ui/login', {
    method: 'POST',
    token: null,
    redirect: 'manual',
    headers: { 'cf-connecting-ip': address, ...headers },
    body: new URLSearchParams({ token }),
  });
}

let addresses = 0;
/** A fresh session cookie (`name=value`), from a sign-in of its own client address. */
async function session(): Promise<string> {
  const res = await signIn(TOKEN, `192.0.2.${++addresses}`);
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const page = (path: string, cookie: string, init: RequestInit = {}) =>
  api(path, { ...init, token: null, redirect: 'manual', headers: { cookie, ...(init.headers as Record<string, string>) } });

const signedOut = (res: Response) => res.status === 303 && res.headers.get('location') === '/ui/login';

describe('dashboard sign-in', () => {
  it('refuses an address after ten tries a minute, even with the right token; others still sign in', async () => {
    // The rate limit counts in windows of the wall clock's minutes (locally, and about so on Cloudflare):
    // the eleven tries are made within one, starting after a boundary that is near.
    const leftInMinute = 60_000 - (Date.now() % 60_000);
    if (leftInMinute < 5_000) await new Promise((ok) => setTimeout(ok, leftInMinute + 50));
    const guesser = '203.0.113.7';
    for (let i = 0; i < 10; i++) {
      const res = await signIn(`guess-${i}`, guesser);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      await res.text();
    }
    const refused = await signIn(TOKEN, guesser);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.text()).toContain('Too many sign-in attempts');

    const other = await signIn(TOKEN, '198.51.100.4');
    expect(other.status).toBe(303);
    expect(other.headers.get('set-cookie')).toMatch(/^__Host-edgehook_session=/);
  });
});

describe('dashboard sessions', () => {
  it('is a random id in a __Host- cookie, new at every sign-in, and never the token', async () => {
    const res = await signIn(TOKEN, '192.0.2.200');
    const header = res.headers.get('set-cookie')!;
    expect(header).toMatch(/^__Host-edgehook_session=[A-Za-z0-9_-]{43};/);
    for (const attribute of ['Path=/', 'Secure', 'HttpOnly', 'SameSite=Strict']) expect(header).toContain(attribute);
    expect(header).not.toMatch(/Domain=/i);
    expect(header).not.toContain(TOKEN);
    const [a, b] = [await session(), await session()];
    expect(a).not.toBe(b);
    expect((await page('/', a)).status).toBe(200);
    // D1 holds the id's hash only.
    const rows = await env.DB.prepare('SELECT id_hash FROM dashboard_sessions').all<{ id_hash: string }>();
    expect(rows.results.some((r) => a.endsWith(r.id_hash))).toBe(false);
  });

  it('ends at sign-out: the same cookie opens nothing afterwards', async () => {
    const cookie = await session();
    expect((await page('/ui/deliveries', cookie)).status).toBe(200);
    const out = await page('/ui/logout', cookie, { method: 'POST', headers: { origin: ORIGIN } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-edgehook_session=;/);
    expect(signedOut(await page('/', cookie))).toBe(true);
    expect(signedOut(await page('/ui/deliveries', cookie))).toBe(true);
  });

  it('expires after an hour idle, after 12 hours in all, and when API_TOKEN changes', async () => {
    const idle = await session();
    await env.DB.prepare('UPDATE dashboard_sessions SET seen_at_ms = ? WHERE created_at_ms = (SELECT max(created_at_ms) FROM dashboard_sessions)').bind(Date.now() - 61 * 60_000).run();
    expect(signedOut(await page('/', idle))).toBe(true);

    const old = await session();
    await env.DB.prepare('UPDATE dashboard_sessions SET created_at_ms = ? WHERE created_at_ms = (SELECT max(created_at_ms) FROM dashboard_sessions)').bind(Date.now() - 13 * 3600_000).run();
    expect(signedOut(await page('/', old))).toBe(true);

    const fresh = await session();
    expect((await page('/', fresh)).status).toBe(200);
    const withNewToken = await worker.fetch(new Request(`${ORIGIN}/`, { headers: { cookie: fresh }, redirect: 'manual' }), { ...env, API_TOKEN: 'a-new-token' }, createExecutionContext());
    expect(signedOut(withNewToken)).toBe(true);
    expect(signedOut(await page('/', fresh))).toBe(true); // and it is gone for good
  });

  it('refuses every form post from another origin, sign-in and sign-out included', async () => {
    const cookie = await session();
    const evil = { origin: 'https://evil.example' };
    const login = await signIn(TOKEN, '192.0.2.250', evil);
    expect(login.status).toBe(403);
    expect(login.headers.get('set-cookie')).toBeNull();
    expect((await signIn(TOKEN, '192.0.2.251', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await page('/ui/logout', cookie, { method: 'POST', headers: evil })).status).toBe(403);
    expect((await page('/', cookie)).status).toBe(200); // still signed in
    const create = await page('/ui/subscriptions', cookie, { method: 'POST', headers: evil, body: new URLSearchParams({ url: 'https://example.com/x', events: 'a' }) });
    expect(create.status).toBe(403);
    expect((await env.SUBSCRIPTIONS.list()).keys).toHaveLength(0);
  });

  it('marks every page no-store, with a Content-Security-Policy that allows no inline code but its own', async () => {
    const cookie = await session();
    const pages = [await api('/ui/login', { token: null }), await page('/', cookie), await page('/ui/deliveries', cookie), await page('/ui/events', cookie)];
    pages.push(await page('/ui/subscriptions', cookie, { method: 'POST', headers: { origin: ORIGIN }, body: new URLSearchParams({ url: 'https://example.com/hook', events: 'csp.test' }) }));
    const created = await pages.at(-1)!.clone().text();
    expect(created).toContain('whsec_'); // the one page that shows a new secret
    for (const res of pages) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).not.toContain('unsafe-inline');
      const html = await res.text();
      expect(html).not.toMatch(/\sstyle="/); // inline style attributes would need 'unsafe-inline'
    }
  });

  it('validates the create form with the API schema: the same 422, nothing stored', async () => {
    const cookie = await session();
    const before = (await env.SUBSCRIPTIONS.list()).keys.length;
    for (const events of ['** *.*.* a.*.b', '', ' , ']) {
      const res = await page('/ui/subscriptions', cookie, { method: 'POST', headers: { origin: ORIGIN }, body: new URLSearchParams({ url: 'https://example.com/hook', events }) });
      expect(res.status).toBe(422);
      expect(await res.text()).toMatch(/events/);
    }
    expect((await env.SUBSCRIPTIONS.list()).keys).toHaveLength(before);
  });
});
