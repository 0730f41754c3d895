// The customer portal inside workerd: single-use links, the partitioned session cookie, pages scoped to
// the session's application (another application's objects are 404 and stay unchanged), form origins,
// headers, and the session's expiry with an injected clock.
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { enterPortal, portalSession } from '../src/services/portal';
import { api, apiJson, env, newApplication, receiver } from './support/helpers';
import { enter, link, page } from './support/portal-browser';

describe('customer portal', () => {
  it('makes single-use links that expire within minutes, for an operator or the application’s own key only', async () => {
    const A = await newApplication('Portal A');
    const B = await newApplication('Portal B');
    const made = await link(A.id);
    expect(made.status).toBe(201);
    expect(made.body.url).toMatch(/^https:\/\/edgehook\.test\/portal\/enter\?token=ptl_[A-Za-z0-9_-]{43}$/);
    const ttl = Date.parse(made.body.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
    expect((await link(A.id, A.key)).status).toBe(201);
    expect((await apiJson('/v1/portal-links', { method: 'POST', token: A.key })).status).toBe(201); // flat: the key's own application
    expect((await link(A.id, B.key)).status).toBe(404);
    expect((await link(A.id, undefined, { expires_in: 3600 })).status).toBe(422);

    const cookie = await enter(made.body.url);
    const home = await page('/portal/', cookie);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Portal A · Webhooks');

    // A second use, an unknown token and an expired link are refused with a clear page.
    const again = await page(new URL(made.body.url).pathname + new URL(made.body.url).search, null);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link was used already');
    expect(again.headers.get('set-cookie')).toBeNull();
    const unknown = await page('/portal/enter?token=ptl_' + 'x'.repeat(43), null);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('This link is not valid');
    const short = await link(A.id, undefined, { expires_in: 1 });
    await new Promise((ok) => setTimeout(ok, 1100));
    const expired = await page(new URL(short.body.url).pathname + new URL(short.body.url).search, null);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This link has expired');
    // Nothing of a link or a session is stored in clear.
    const token = new URL(made.body.url).searchParams.get('token')!;
    const rows = JSON.stringify((await env.DB.prepare('SELECT * FROM portal_links').all()).results) + JSON.stringify((await env.DB.prepare('SELECT * FROM portal_sessions').all()).results);
    expect(rows).not.toContain(token.slice(4));
    expect(rows).not.toContain(cookie.split('=')[1]);
  });

  it('scopes every page to the session’s application: another application’s objects are 404 and unchanged', async () => {
    const A = await newApplication('Scoped A');
    const B = await newApplication('Scoped B');
    const rB = receiver('portal-b');
    const subB = await apiJson(`/v1/applications/${B.id}/subscriptions`, { method: 'POST', json: { url: rB.url, events: ['*'] } });
    const evB = await apiJson(`/v1/applications/${B.id}/events`, { method: 'POST', json: { type: 'p.x', data: {} } });
    const dlvB = await (async () => {
      for (let i = 0; i < 50; i++) {
        const d = (await apiJson(`/v1/applications/${B.id}/events/${evB.body.id}`)).body.deliveries[0];
        if (d) return d.id as string;
        await new Promise((ok) => setTimeout(ok, 50));
      }
      throw new Error('no delivery');
    })();
    const before = JSON.stringify((await apiJson(`/v1/applications/${B.id}/subscriptions/${subB.body.id}`)).body);
    const cookie = await enter((await link(A.id)).body.url);
    const s = subB.body.id;
    // Every portal route of the app's own route table that names an object, with B's object in it.
    const routes = [...new Set(app.routes.filter((r) => r.path.startsWith('/portal/') && r.path.includes(':id') && r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
    expect(routes.length).toBeGreaterThanOrEqual(11);
    const FORMS: Record<string, Record<string, string>> = {
      '/portal/subscriptions/:id': { url: 'https://example.com/taken', events: '*' },
      '/portal/subscriptions/:id/recover': { since: '2026-01-01T00:00' },
      '/portal/subscriptions/:id/delete': { confirm: 'yes' },
    };
    for (const route of routes) {
      const [method, pattern] = route.split(' ') as [string, string];
      const path = pattern.replace(':id', pattern.startsWith('/portal/deliveries') ? dlvB : s);
      const res = await page(path, cookie, method === 'POST' ? { form: FORMS[pattern] ?? {} } : {});
      expect(res.status, route).toBe(404);
      const html = await res.text();
      expect(html).toContain('not yours to see');
      expect(html).not.toContain(rB.url);
    }
    const list = await (await page(`/portal/deliveries?subscription_id=${s}`, cookie)).text();
    expect(list).not.toContain(dlvB);
    expect(JSON.stringify((await apiJson(`/v1/applications/${B.id}/subscriptions/${s}`)).body)).toBe(before);
    expect((await rB.log()).length).toBe(1); // only B's own event
  });

  it('creates, edits, tests and deletes a subscription through its forms; refuses a form from another origin', async () => {
    const A = await newApplication('Forms A');
    await apiJson('/v1/event-types', { method: 'POST', json: { name: 'portal.order', description: 'An order changed', schema: { type: 'object', properties: { id: { type: 'string', examples: ['ord_9'] } } } } });
    const r = receiver('portal-forms');
    const cookie = await enter((await link(A.id)).body.url);
    const catalog = await (await page('/portal/catalog', cookie)).text();
    expect(catalog).toContain('An order changed');
    expect(catalog).toContain('&quot;id&quot;: &quot;ord_9&quot;');

    const foreign = await page('/portal/subscriptions', cookie, { form: { url: r.url, events: ['*'] }, headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    const bad = await page('/portal/subscriptions', cookie, { form: { url: 'http://169.254.169.254/', events: ['*'] } });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/url/);
    expect((await apiJson(`/v1/applications/${A.id}/subscriptions`)).body.data).toEqual([]);

    const made = await page('/portal/subscriptions', cookie, { form: { url: r.url, events: ['portal.order', 'webhook.test'], description: 'mine' } });
    expect(made.status).toBe(200);
    const subs = (await apiJson(`/v1/applications/${A.id}/subscriptions`)).body.data;
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ url: r.url, events: ['portal.order', 'webhook.test'], description: 'mine', application_id: A.id });
    const secret = (await apiJson(`/v1/applications/${A.id}/subscriptions/${subs[0].id}/secret`)).body.secret;
    expect(await made.text()).toContain(secret);
    expect(made.headers.get('cache-control')).toBe('no-store');

    const tested = await page(`/portal/subscriptions/${subs[0].id}/test`, cookie, { form: {} });
    expect(tested.status).toBe(303);
    await (async () => {
      for (let i = 0; i < 100 && (await r.log()).length === 0; i++) await new Promise((ok) => setTimeout(ok, 50));
    })();
    expect(JSON.parse((await r.log())[0]!.body).type).toBe('webhook.test');

    expect((await page(`/portal/subscriptions/${subs[0].id}`, cookie, { form: { url: r.url, events: ['*'], description: '' } })).status).toBe(303);
    expect((await apiJson(`/v1/applications/${A.id}/subscriptions/${subs[0].id}`)).body).toMatchObject({ events: ['*'], description: null });
    expect((await page(`/portal/subscriptions/${subs[0].id}/delete`, cookie, { form: { confirm: 'yes' } })).status).toBe(200);
    expect((await apiJson(`/v1/applications/${A.id}/subscriptions/${subs[0].id}`)).status).toBe(404);
  });

  it('sends its headers: no-store, a CSP with no script and frame-ancestors from the application', async () => {
    const created = await apiJson('/v1/applications', { method: 'POST', json: { name: 'Framed', portal: { allowed_origins: ['https://app.acme.example', 'http://localhost:5173'], theme: 'dark', accent_color: '#ffcc00' } } });
    expect(created.body.portal).toEqual({ allowed_origins: ['https://app.acme.example', 'http://localhost:5173'], theme: 'dark', accent_color: '#ffcc00' });
    const bad = await apiJson(`/v1/applications/${created.body.id}`, { method: 'PATCH', json: { portal: { allowed_origins: ["https://x.example; script-src *"] } } });
    expect(bad.status).toBe(422);
    const cookie = await enter((await link(created.body.id)).body.url);
    const res = await page('/portal/', cookie);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain('frame-ancestors https://app.acme.example http://localhost:5173');
    const html = await res.text();
    expect(html).toContain('data-theme="dark"');
    expect(html).toContain('--accent:#ffcc00;--on-accent:#000000'); // dark text on a light accent
    expect(html).not.toContain('<script');

    const plain = await newApplication('Unframed');
    const res2 = await page('/portal/', await enter((await link(plain.id)).body.url));
    expect(res2.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('ends a session after 30 minutes idle or 8 hours in all (injected clock), and at sign-out', async () => {
    const A = await newApplication('Expiry');
    const url = (await link(A.id)).body.url;
    const t0 = Date.now();
    const entry = await enterPortal(env, new URL(url).searchParams.get('token')!, t0);
    if ('refused' in entry) throw new Error('refused');
    expect((await portalSession(env, entry.sessionId, t0 + 29 * 60_000))?.id).toBe(A.id);
    expect(await portalSession(env, entry.sessionId, t0 + 29 * 60_000 + 31 * 60_000)).toBeNull(); // idle since the touch at +29 min
    const busy = await enterPortal(env, new URL((await link(A.id)).body.url).searchParams.get('token')!, t0);
    if ('refused' in busy) throw new Error('refused');
    for (let m = 20; m < 8 * 60; m += 20) expect((await portalSession(env, busy.sessionId, t0 + m * 60_000))?.id).toBe(A.id);
    expect(await portalSession(env, busy.sessionId, t0 + 8 * 3600_000 + 1)).toBeNull();

    const cookie = await enter((await link(A.id)).body.url);
    const out = await page('/portal/sign-out', cookie, { form: {} });
    expect(await out.text()).toContain('Signed out');
    const after = await page('/portal/', cookie);
    expect(after.status).toBe(401);
    expect(await after.text()).toContain('Your session has ended');

    // Deleting the application ends its sessions.
    const live = await enter((await link(A.id)).body.url);
    await apiJson(`/v1/applications/${A.id}`, { method: 'DELETE' });
    expect((await page('/portal/', live)).status).toBe(401);
  });
});
