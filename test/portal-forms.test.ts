// The portal's forms keep what they do not show: a subscription saved unchanged is unchanged (patterns
// outside the catalogue, operational types, filter, headers, limits); so do the dashboard's (it has
// no edit form: its buttons change the one field they name). And the application's callback secret is
// shown and rotated in the portal.
import { describe, expect, it } from 'vitest';
import { api, apiJson, newApplication, TOKEN } from './support/helpers';
import { enter, link, page } from './support/portal-browser';

/** The edit form's fields as the browser would post them back: URL, description and the ticked event types. */
function formOf(html: string): Record<string, string | string[]> {
  const form = html.slice(html.indexOf('<h2 id="edit">'), html.indexOf('<h2 id="recover">'));
  const value = (name: string) => form.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1] ?? '';
  const events = [...form.matchAll(/<input type="checkbox" name="events" value="([^"]+)" checked/g)].map((m) => m[1]!);
  return { url: value('url'), description: value('description'), events };
}

describe('portal forms', () => {
  it('saving a subscription unchanged changes nothing', async () => {
    const A = await newApplication('Forms');
    const made = await apiJson(`/v1/applications/${A.id}/subscriptions`, {
      method: 'POST',
      json: {
        url: 'https://example.com/forms',
        events: ['order.*', 'not.catalogued', 'subscription.disabled'],
        description: 'kept',
        filter: { amount: { $gt: 10 } },
        headers: { 'x-tenant': 'acme' },
        rate_limit: { per_second: 5, burst: 2 },
        ordering: 'fifo',
      },
    });
    expect(made.status).toBe(201);
    const before = (await apiJson(`/v1/applications/${A.id}/subscriptions/${made.body.id}`)).body;
    const cookie = await enter((await link(A.id)).body.url);
    const html = await (await page(`/portal/subscriptions/${made.body.id}`, cookie)).text();
    const form = formOf(html);
    expect(form.events).toEqual(['order.*', 'not.catalogued', 'subscription.disabled']);
    const saved = await page(`/portal/subscriptions/${made.body.id}`, cookie, { form });
    expect(saved.status).toBe(303);
    const after = (await apiJson(`/v1/applications/${A.id}/subscriptions/${made.body.id}`)).body;
    expect({ ...after, updated_at: before.updated_at }).toEqual(before);
    // And one pattern unticked goes, the rest stay.
    await page(`/portal/subscriptions/${made.body.id}`, cookie, { form: { ...form, events: ['order.*'] } });
    expect((await apiJson(`/v1/applications/${A.id}/subscriptions/${made.body.id}`)).body.events).toEqual(['order.*']);
  });

  it("the dashboard's buttons change the field they name and nothing else", async () => {
    const made = await apiJson('/v1/subscriptions', {
      method: 'POST',
      json: { url: 'https://example.com/dash-forms', events: ['order.*', 'not.catalogued', 'subscription.disabled'], filter: { amount: { $gt: 10 } }, headers: { 'x-tenant': 'acme' }, rate_limit: { per_second: 5, burst: 2 }, ordering: 'fifo' },
    });
    const before = (await apiJson(`/v1/subscriptions/${made.body.id}`)).body;
    const signIn = await api('/ui/login', { method: 'POST', token: null, redirect: 'manual', headers: { origin: 'https://edgehook.test', 'cf-connecting-ip': '192.0.2.77' }, body: new URLSearchParams({ token: TOKEN }) });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    for (const action of ['disable', 'enable', 'pause', 'resume']) {
      const res = await api(`/ui/subscriptions/${made.body.id}/${action}`, { method: 'POST', token: null, redirect: 'manual', headers: { cookie, origin: 'https://edgehook.test' } });
      expect(res.status, action).toBe(303);
    }
    const after = (await apiJson(`/v1/subscriptions/${made.body.id}`)).body;
    expect({ ...after, updated_at: before.updated_at }).toEqual(before);
  });

  it('show and rotate the application’s callback secret', async () => {
    const A = await newApplication('Forms callbacks');
    const cookie = await enter((await link(A.id)).body.url);
    const shown = await (await page('/portal/callback-secret', cookie, { form: {} })).text();
    const secret = (await apiJson(`/v1/applications/${A.id}/callback-secret`, { token: A.key })).body.secret;
    expect(shown).toContain(`value="${secret}"`);
    const rotated = await (await page('/portal/callback-secret/rotate', cookie, { form: {} })).text();
    const next = (await apiJson(`/v1/applications/${A.id}/callback-secret`, { token: A.key })).body.secret;
    expect(next).not.toBe(secret);
    expect(rotated).toContain(`value="${next}"`);
  });
});
