// The whole pipeline through the real runtime: ingest, fan-out, queue, signed HTTP to local receivers.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateSecret } from '../src/signing/secret';
import { apiJson, createSubscription, deliveriesOf, env, eventually, receiver, sendEvent, settledDelivery } from './support/helpers';
import { queueDrained } from './support/quiet';
import { logDb } from './support/log';

describe('delivery', () => {
  it('delivers a signed request that the standardwebhooks package verifies, byte for byte', async () => {
    const r = receiver('verify');
    const sub = await createSubscription(r.url, ['order.updated']);
    const event = await sendEvent('order.updated', { order_id: 'ord_1', note: 'héllo ✓', n: 1.5 });

    const [got] = await eventually(async () => {
      const log = await r.log();
      return log.length > 0 && log;
    });
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['user-agent']).toMatch(/^edgehook\/\d+\.\d+\.\d+$/);
    expect(got!.headers['webhook-id']).toBe(event.id);
    expect(Math.abs(Number(got!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(got!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(got!.headers['x-hub-signature-256']).toBeUndefined();

    const payload = new Webhook(sub.secret).verify(got!.body, got!.headers) as Record<string, unknown>;
    expect(payload).toEqual({ type: 'order.updated', timestamp: event.created_at, data: { order_id: 'ord_1', note: 'héllo ✓', n: 1.5 } });
    // A wrong secret or a changed byte must fail verification.
    expect(() => new Webhook(generateSecret()).verify(got!.body, got!.headers)).toThrow();
    expect(() => new Webhook(sub.secret).verify(`${got!.body} `, got!.headers)).toThrow();

    const delivery = await settledDelivery(event.id, sub.id);
    const { body } = await apiJson(`/v1/deliveries/${delivery.id}`);
    expect(body).toMatchObject({ event_id: event.id, subscription_id: sub.id, status: 'succeeded', attempt_count: 1, next_attempt_at: null });
    expect(body.attempts).toHaveLength(1);
    expect(body.attempts[0]).toMatchObject({ status_code: 200, error: null, response_excerpt: 'answered 200' });
    expect(body.attempts[0].id).toMatch(/^atm_/);
  });

  it('fans out to exactly the matching subscriptions: exact, prefix.*, *, and skips disabled ones', async () => {
    const exact = receiver('exact');
    const prefix = receiver('prefix');
    const all = receiver('all');
    const other = receiver('other');
    const otherPrefix = receiver('other-prefix');
    const disabled = receiver('disabled');
    const a = await createSubscription(exact.url, ['invoice.paid']);
    const b = await createSubscription(prefix.url, ['invoice.*']);
    const c = await createSubscription(all.url, ['*']);
    const o1 = await createSubscription(other.url, ['invoice.paid.late', 'invoice']);
    const o2 = await createSubscription(otherPrefix.url, ['invoices.*']);
    const off = await createSubscription(disabled.url, ['*']);
    expect((await apiJson(`/v1/subscriptions/${off.id}`, { method: 'PATCH', json: { disabled: true } })).body.disabled).toBe(true);

    const event = await sendEvent('invoice.paid', { amount: 10 });
    // Subscriptions of earlier tests in this file exist too: count only this test's.
    const mine = new Set([a.id, b.id, c.id]);
    await eventually(async () => {
      const ds = (await deliveriesOf(event.id)).filter((d) => mine.has(d.subscription_id));
      return ds.length === 3 && ds.every((d) => d.status === 'succeeded');
    });
    const all_ = await deliveriesOf(event.id);
    expect(all_.filter((d) => [o1.id, o2.id, off.id].includes(d.subscription_id))).toEqual([]);
    for (const r of [exact, prefix, all]) expect((await r.log()).map((l) => l.headers['webhook-id'])).toEqual([event.id]);
    for (const r of [other, otherPrefix, disabled]) expect(await r.log()).toEqual([]);
  });

  it('retries a failing receiver with the same webhook-id until it answers 200', async () => {
    const r = receiver('flaky');
    await r.script([{ status: 500 }, { status: 503, body: 'try later' }]);
    const sub = await createSubscription(r.url, ['ping']);
    const event = await sendEvent('ping', { n: 1 });

    const delivery = await settledDelivery(event.id, sub.id, 'succeeded', 30_000);
    const log = await r.log();
    expect(log).toHaveLength(3);
    expect(new Set(log.map((l) => l.headers['webhook-id']))).toEqual(new Set([event.id]));
    // Each attempt is signed anew with its own timestamp; every one verifies.
    for (const l of log) expect(() => new Webhook(sub.secret).verify(l.body, l.headers)).not.toThrow();

    const { body } = await apiJson(`/v1/deliveries/${delivery.id}`);
    expect(body.attempt_count).toBe(3);
    expect(body.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 503, 200]);
    expect(body.attempts[1].response_excerpt).toBe('try later');
    // The test schedule is 1 s between attempts (±20 %).
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(700);
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const target = receiver('redirect-target');
    const r = receiver('redirect');
    await r.script([{ status: 302, headers: { location: target.url } }]);
    const sub = await createSubscription(r.url, ['moved']);
    const event = await sendEvent('moved', {});
    const delivery = await settledDelivery(event.id, sub.id, 'succeeded', 30_000);
    const { body } = await apiJson(`/v1/deliveries/${delivery.id}`);
    expect(body.attempts.map((a: { status_code: number; error: string }) => [a.status_code, a.error])).toEqual([
      [302, 'redirect not followed'],
      [200, null],
    ]);
    expect(await target.log()).toEqual([]);
  });

  it('answers 202 for a repeated Idempotency-Key with the first answer and fans out once', async () => {
    const r = receiver('idem');
    await createSubscription(r.url, ['idem.test']);
    const headers = { 'idempotency-key': `key-${crypto.randomUUID()}` };
    const first = await apiJson('/v1/events', { method: 'POST', json: { type: 'idem.test', data: { n: 1 } }, headers });
    const second = await apiJson('/v1/events', { method: 'POST', json: { type: 'idem.test', data: { n: 1 } }, headers });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.res.headers.get('idempotent-replayed')).toBe('true');

    await eventually(async () => (await r.log()).length === 1);
    await queueDrained([first.body.id]); // a second fan-out's delivery would have been attempted by now
    expect(await r.log()).toHaveLength(1);
    const row = await (await logDb()).prepare('SELECT fanout_runs FROM events WHERE id = ?').bind(first.body.id).first<{ fanout_runs: number }>();
    expect(row?.fanout_runs).toBe(1);
    const stored = await (await logDb()).prepare("SELECT count(*) AS n FROM events WHERE type = 'idem.test'").first<{ n: number }>();
    expect(stored?.n).toBe(1);
  });

  it('treats a producer-given id as the idempotency key', async () => {
    const r = receiver('given-id');
    await createSubscription(r.url, ['given']);
    const id = `msg_${crypto.randomUUID().replaceAll('-', '')}`;
    const a = await sendEvent('given', { n: 1 }, {}, { id });
    const b = await sendEvent('given', { n: 1 }, {}, { id });
    expect(a).toEqual(b);
    expect(a.id).toBe(id);
    await eventually(async () => (await r.log()).length === 1);
    expect((await r.log())[0]!.headers['webhook-id']).toBe(id);
  });

  it('redelivers with the same webhook-id', async () => {
    const r = receiver('redeliver');
    const sub = await createSubscription(r.url, ['again']);
    const event = await sendEvent('again', {});
    const delivery = await settledDelivery(event.id, sub.id);
    const res = await apiJson(`/v1/deliveries/${delivery.id}/redeliver`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('pending');
    const log = await eventually(async () => {
      const l = await r.log();
      return l.length >= 2 && l;
    });
    expect(log.map((l) => l.headers['webhook-id'])).toEqual([event.id, event.id]);
    await eventually(async () => (await apiJson(`/v1/deliveries/${delivery.id}`)).body.attempts.length === 2);
  });
});
