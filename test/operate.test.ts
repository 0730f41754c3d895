// Operating it: stats from counters (equal to the attempts made), erasing an event's data, payload
// filters at fan-out, custom headers. (Retention: retention.test.ts.)
import { describe, expect, it } from 'vitest';
import { hourlySeries } from '../src/services/stats';
import { apiJson, createSubscription, env, eventually, newApplication, receiver, sendEvent, settledDelivery } from './support/helpers';
import { queueDrained } from './support/quiet';
import { logDb } from './support/log';

describe('stats', () => {
  it('equal a count of the attempts made, by application, subscription, event type and window', async () => {
    const app = await newApplication('stats');
    const at = `/v1/applications/${app.id}`;
    const ok = receiver('stats-ok');
    const flaky = receiver('stats-flaky');
    await flaky.script([{ status: 500 }, { status: 503 }], { status: 200 });
    const okSub = (await apiJson(`${at}/subscriptions`, { method: 'POST', json: { url: ok.url, events: ['st.*'] } })).body;
    const flakySub = (await apiJson(`${at}/subscriptions`, { method: 'POST', json: { url: flaky.url, events: ['st.a'] } })).body;
    const ids: string[] = [];
    for (const type of ['st.a', 'st.a', 'st.b']) ids.push((await apiJson(`${at}/events`, { method: 'POST', json: { type, data: {} } })).body.id);
    // Every delivery final: 3 to ok (1 attempt each), 2 to flaky (the first takes 3 attempts).
    await eventually(async () => {
      const n = await (await logDb(app.id)).prepare(`SELECT count(*) AS n FROM deliveries WHERE application_id = ? AND status = 'succeeded'`).bind(app.id).first<{ n: number }>();
      return n!.n === 5;
    }, 20_000);
    const count = async (where: string, ...binds: string[]) =>
      (await logDb(app.id)).prepare(
        `SELECT count(*) AS attempts, sum(a.status_code BETWEEN 200 AND 299) AS succeeded FROM all_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN events e ON e.id = d.event_id WHERE d.application_id = ? ${where}`,
      )
        .bind(app.id, ...binds)
        .first<{ attempts: number; succeeded: number }>();
    const all = await count('');
    expect(all).toEqual({ attempts: 7, succeeded: 5 });

    const stats = (await apiJson(`${at}/stats?window=1h`)).body;
    expect(stats).toMatchObject({ application_id: app.id, window: '1h', bucket_seconds: 300, subscription_id: null, event_type: null });
    expect(stats.buckets).toHaveLength(12);
    expect(stats.totals).toMatchObject({ attempts: all!.attempts, succeeded: all!.succeeded, retrying: 2, failed: 0, success_rate: 5 / 7 });
    expect(stats.totals.latency_ms.p50).toBeGreaterThanOrEqual(0);
    expect(stats.totals.latency_ms.p95).toBeGreaterThanOrEqual(stats.totals.latency_ms.p50);
    // The buckets add up to the totals.
    const sum = (k: string) => stats.buckets.reduce((n: number, b: any) => n + b[k], 0);
    expect([sum('attempts'), sum('succeeded'), sum('retrying')]).toEqual([7, 5, 2]);

    const bySub = (await apiJson(`${at}/stats?window=24h&subscription_id=${flakySub.id}`)).body;
    expect(bySub.buckets).toHaveLength(24);
    expect(bySub.buckets.reduce((n: number, b: any) => n + b.attempts, 0)).toBe(bySub.totals.attempts); // hours add up too
    expect(bySub.totals).toMatchObject({ attempts: (await count('AND d.subscription_id = ?', flakySub.id))!.attempts, succeeded: 2, retrying: 2 });
    const byType = (await apiJson(`${at}/stats?window=7d&event_type=st.b`)).body;
    expect(byType.buckets).toHaveLength(28);
    expect(byType.totals).toMatchObject({ attempts: (await count("AND e.type = 'st.b'"))!.attempts, succeeded: 1 });
    expect((await apiJson(`${at}/stats?window=24h&subscription_id=${okSub.id}&event_type=st.a`)).body.totals.attempts).toBe(2);
    // Another application's stats say nothing of these; a bad window is 400.
    expect((await apiJson('/v1/stats?window=1h')).body.totals.attempts).not.toBe(undefined);
    expect((await apiJson(`/v1/stats?window=1h&subscription_id=${flakySub.id}`)).body.totals.attempts).toBe(0);
    expect((await apiJson(`${at}/stats?window=2h`)).status).toBe(400);
    expect((await apiJson(`${at}/stats`, { token: app.key })).status).toBe(200);
    // The dashboard's sparklines: 24 hours per subscription, the same counts.
    const series = await hourlySeries(env, app.id);
    expect(series.get(flakySub.id)).toHaveLength(24);
    expect(series.get(flakySub.id)!.reduce((n, b) => n + b.attempts, 0)).toBe(bySub.totals.attempts);
    expect(series.get(okSub.id)!.reduce((n, b) => n + b.succeeded, 0)).toBe(3);
  });
});

describe('erasing an event', () => {
  it('removes its data from every route at once; its deliveries stay recorded, and one not yet made is not made', async () => {
    const r = receiver('erase');
    const held = receiver('erase-held');
    const sub = await createSubscription(r.url, ['erase.me']);
    const paused = await createSubscription(held.url, ['erase.me']);
    await apiJson(`/v1/subscriptions/${paused.id}/pause`, { method: 'POST' });
    const secret = 'jane.doe+4711@example.com';
    const event = await sendEvent('erase.me', { email: secret });
    await settledDelivery(event.id, sub.id);
    const erased = await apiJson(`/v1/events/${event.id}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ id: event.id, data: null, erased_at: expect.any(String) });
    expect((await apiJson(`/v1/events/${event.id}`, { method: 'DELETE' })).status).toBe(200); // twice: harmless
    const one = (await apiJson(`/v1/events/${event.id}`)).body;
    expect(one.data).toBeNull();
    expect(one.deliveries.map((d: { subscription_id: string }) => d.subscription_id).sort()).toEqual([sub.id, paused.id].sort());
    const listed = (await apiJson('/v1/events?type=erase.me')).body.data;
    expect(listed[0]).toMatchObject({ id: event.id, data: null });
    // Resumed: the held delivery is not made with data that is gone; it fails.
    await apiJson(`/v1/subscriptions/${paused.id}/resume`, { method: 'POST' });
    await settledDelivery(event.id, paused.id, 'failed');
    expect(await held.log()).toEqual([]);
    for (const path of [`/v1/events/${event.id}`, '/v1/events?type=erase.me', `/v1/deliveries?event_id=${event.id}`]) {
      expect(JSON.stringify((await apiJson(path)).body)).not.toContain(secret);
    }
    // Nowhere in D1 any more (the receiver's own copy is the receiver's).
    const tables = (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'").all<{ name: string }>()).results;
    for (const { name } of tables) {
      const rows = JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
      expect(rows.includes(secret), name).toBe(false);
    }
    expect((await apiJson('/v1/events/evt_nope', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('payload filters', () => {
  it('send only the events whose data matches, and refuse a bad expression with 422 naming its path', async () => {
    const r = receiver('filtered');
    const sub = await createSubscription(r.url, ['flt.*'], { filter: { 'customer.tier': { $in: ['gold', 'platinum'] }, $or: [{ amount: { $gte: 100 } }, { rush: true }] } });
    expect(sub).toMatchObject({ filter: { 'customer.tier': { $in: ['gold', 'platinum'] } } });
    const docs = [
      { n: 1, customer: { tier: 'gold' }, amount: 150 },
      { n: 2, customer: { tier: 'gold' }, amount: 50 },
      { n: 3, customer: { tier: 'silver' }, amount: 500 },
      { n: 4, customer: { tier: 'platinum' }, amount: 1, rush: true },
      { n: 5, amount: 1000 },
    ];
    for (const d of docs) await sendEvent('flt.order', d);
    await eventually(async () => (await r.log()).length >= 2);
    await queueDrained();
    expect((await r.log()).map((l) => JSON.parse(l.body).data.n).sort()).toEqual([1, 4]);

    const bad = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: r.url, events: ['flt.*'], filter: { $and: [{ a: 1 }, { amount: { $gt: true } }] } } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ path: 'filter.$and.1.amount.$gt', message: '$gt compares with a number or a string' }]);
    const badPatch = await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { filter: { $where: 'x' } } });
    expect(badPatch.status).toBe(422);
    expect(badPatch.body.errors[0].path).toBe('filter.$where');
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.filter).toMatchObject({ 'customer.tier': { $in: ['gold', 'platinum'] } }); // unchanged

    // A filter too large for the index's metadata: fan-out reads the subscription instead, with the same result.
    const big = receiver('filtered-big');
    await createSubscription(big.url, ['fltbig.go'], { filter: { code: { $in: Array.from({ length: 100 }, (_, i) => `code-${String(i).padStart(4, '0')}`) } } });
    await sendEvent('fltbig.go', { code: 'code-0042' });
    await sendEvent('fltbig.go', { code: 'code-9999' });
    await eventually(async () => (await big.log()).length >= 1);
    await queueDrained();
    expect((await big.log()).map((l) => JSON.parse(l.body).data.code)).toEqual(['code-0042']);
    // Lifted: every event of its types again.
    expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { filter: null } })).body.filter).toBeNull();
  });
});

describe('custom headers', () => {
  it('are sent with every attempt, credential-like values masked wherever shown, and edgehook’s own and hop-by-hop names refused', async () => {
    const r = receiver('headers');
    const sub = await createSubscription(r.url, ['hdr.go'], { headers: { Authorization: 'Bearer rcv_s3cret', 'X-Tenant': 'acme' } });
    expect(sub).toMatchObject({ headers: { Authorization: '********', 'X-Tenant': 'acme' } });
    const event = await sendEvent('hdr.go', {});
    const d = await settledDelivery(event.id, sub.id);
    const [got] = await r.log();
    expect(got!.headers).toMatchObject({ authorization: 'Bearer rcv_s3cret', 'x-tenant': 'acme', 'webhook-id': event.id });
    const attempt = (await apiJson(`/v1/deliveries/${d.id}`)).body.attempts[0];
    expect(attempt.request_headers).toMatchObject({ Authorization: '********', 'X-Tenant': 'acme' });
    expect(JSON.stringify((await apiJson(`/v1/deliveries/${d.id}`)).body)).not.toContain('rcv_s3cret');
    // Sent back masked, the stored value stays; a new value replaces it.
    await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { headers: { Authorization: '********', 'X-Tenant': 'globex' } } });
    await sendEvent('hdr.go', {});
    await eventually(async () => (await r.log()).length >= 2);
    expect((await r.log())[1]!.headers).toMatchObject({ authorization: 'Bearer rcv_s3cret', 'x-tenant': 'globex' });

    for (const name of ['webhook-id', 'Webhook-Signature', 'x-hub-signature-256', 'Host', 'content-length', 'Connection', 'transfer-encoding', 'upgrade', 'content-type']) {
      const refused = await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { headers: { [name]: 'x' } } });
      expect(refused.status, name).toBe(422);
      expect(refused.body.errors[0].path, name).toBe(`headers.${name}`);
    }
    for (const [name, value] of [['x-ok', 'a\r\nb'], ['bad name', 'v']]) {
      expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { headers: { [name!]: value } } })).status).toBe(422);
    }
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.headers).toEqual({ Authorization: '********', 'X-Tenant': 'globex' });
  });
});
