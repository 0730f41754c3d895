// A callback delivery never outlives its event: retention takes it (and its attempts) with the event,
// and a delivery whose event is gone reads as missing on every route and page (404, never 500, and a
// redeliver cannot leave it pending for ever). A file of its own: retention takes the oldest events.
import { describe, expect, it } from 'vitest';
import { api, apiJson, env, eventually, receiver, sendEvent, TOKEN } from './support/helpers';
import { runSweep } from './support/sweep';
import { logDb } from './support/log';

const DAY = 86_400_000;

/** An event with a callback, once its callback delivery has succeeded: the ids of both. */
async function completedWithCallback(label: string) {
  const r = receiver(label);
  const event = await sendEvent('retcb.done', {}, {}, { callback_url: r.url });
  const callback = await eventually(async () => {
    const cb = (await apiJson(`/v1/events/${event.id}`)).body.callback;
    return cb?.status === 'succeeded' && cb;
  });
  return { eventId: event.id, callbackId: callback.id as string };
}

const count = async (sql: string, id: string) => (await env.DB.prepare(sql).bind(id).first<{ n: number }>())!.n;

describe('callback deliveries under retention', () => {
  it('go with their event, attempts and all', async () => {
    const { eventId, callbackId } = await completedWithCallback('retcb-swept');
    await (await logDb()).prepare("INSERT INTO attempts (id, delivery_id, at, status_code, duration_ms) VALUES ('atm_retcb_earlier', ?1, ?2, 500, 3)").bind(callbackId, new Date().toISOString()).run();
    await runSweep(Date.now() + 31 * DAY);
    expect(await count('SELECT count(*) AS n FROM events WHERE id = ?1', eventId)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM deliveries WHERE id = ?1', callbackId)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM attempts WHERE delivery_id = ?1', callbackId)).toBe(0);
  });

  it('whose event is gone read as missing: 404 on the API and the dashboard, and no redeliver', async () => {
    const { eventId, callbackId } = await completedWithCallback('retcb-orphan');
    // As retention left it before callbacks went with their events.
    await (await logDb()).prepare('DELETE FROM events WHERE id = ?1').bind(eventId).run();
    expect((await apiJson(`/v1/deliveries/${callbackId}`)).status).toBe(404);
    expect((await apiJson(`/v1/deliveries/${callbackId}/redeliver`, { method: 'POST' })).status).toBe(404);
    expect(await (await logDb()).prepare('SELECT status FROM deliveries WHERE id = ?1').bind(callbackId).first()).toEqual({ status: 'succeeded' });
    const login = await api('/ui/login', { method: 'POST', token: null, redirect: 'manual', headers: { 'cf-connecting-ip': '192.0.2.77', origin: 'https://edgehook.test' }, body: new URLSearchParams({ token: TOKEN }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const pageOf = (path: string, init: RequestInit = {}) => api(path, { ...init, token: null, redirect: 'manual', headers: { cookie, origin: 'https://edgehook.test', ...(init.headers as Record<string, string>) } });
    expect((await pageOf(`/ui/deliveries/${callbackId}`)).status).toBe(404);
    expect((await pageOf(`/ui/deliveries/${callbackId}/redeliver`, { method: 'POST', body: new URLSearchParams({}) })).status).toBe(404);
    expect((await pageOf('/ui/deliveries')).status).toBe(200);
  });
});
