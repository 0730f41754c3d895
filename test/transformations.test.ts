// Transformations: JavaScript a subscription runs on each webhook in a Dynamic Worker (the Worker Loader
// binding, which the Vitest plugin runs in workerd), through HTTP with real receivers on 127.0.0.1: the
// body reshaped and signed as sent, a header added, cancel, each way code can go wrong failing the
// attempt with its error while other subscriptions' deliveries go on, the test route, the refusals, and
// one application's code seeing nothing of another's.
import { createExecutionContext } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { api, apiJson, createSubscription, deliveriesOf, env, eventually, newApplication, receiver, sendEvent, settledDelivery, TOKEN } from './support/helpers';

const withCode = (code: string, enabled = true) => ({ transformation: { code, enabled } });

/** The delivery of `eventId` to `subscriptionId`, with its attempts. */
async function delivery(eventId: string, subscriptionId: string) {
  const d = (await deliveriesOf(eventId)).find((x) => x.subscription_id === subscriptionId)!;
  return (await apiJson(`/v1/deliveries/${d.id}`)).body as { id: string; status: string; attempts: { error: string | null; status_code: number | null }[] };
}

/** Waits for the delivery's first attempt and returns its error. */
const firstError = (eventId: string, subscriptionId: string) =>
  eventually(async () => (await delivery(eventId, subscriptionId)).attempts[0]?.error ?? undefined);

describe('a transformation', () => {
  it('reshapes the body and adds a header; the signature covers the bytes sent, id and timestamp stay edgehook’s', async () => {
    const r = receiver('tf-reshape');
    const code = `export default function ({ event_type, payload, headers }) {
      return { payload: { text: event_type + ': order ' + payload.data.id + ' is ' + payload.data.status }, headers: { ...headers, 'x-slack-style': 'yes' } };
    }`;
    const sub = await createSubscription(r.url, ['tf.reshape'], { headers: { 'x-tenant': 'acme' }, ...withCode(code) });
    const created = (await apiJson(`/v1/subscriptions/${sub.id}`)).body;
    expect(created.transformation).toEqual({ code, enabled: true, version: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const event = await sendEvent('tf.reshape', { id: 'ord_7', status: 'shipped' });
    await settledDelivery(event.id, sub.id);
    const [got] = await r.log();
    expect(got!.body).toBe('{"text":"tf.reshape: order ord_7 is shipped"}');
    expect(got!.headers).toMatchObject({ 'x-slack-style': 'yes', 'x-tenant': 'acme', 'webhook-id': event.id });
    expect(() => new Webhook(sub.secret).verify(got!.body, got!.headers)).not.toThrow();

    // Disabled, the code is kept and the body goes as it is, byte for byte.
    expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: withCode(code, false) })).body.transformation.enabled).toBe(false);
    const plain = await sendEvent('tf.reshape', { id: 'ord_8', status: 'paid' });
    await settledDelivery(plain.id, sub.id);
    const second = (await r.log())[1]!;
    expect(JSON.parse(second.body).data).toEqual({ id: 'ord_8', status: 'paid' });
    expect(second.headers).not.toHaveProperty('x-slack-style');
    // Removed with null.
    expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { transformation: null } })).body.transformation).toBeNull();
  });

  it('cancels: nothing is sent, the delivery ends cancelled, counted so, and recover leaves it alone', async () => {
    const r = receiver('tf-cancel');
    const sub = await createSubscription(r.url, ['tf.cancel'], withCode('export function handler({ payload }) { return payload.data.test ? { cancel: true } : { payload }; }'));
    const dropped = await sendEvent('tf.cancel', { test: true });
    const kept = await sendEvent('tf.cancel', { test: false });
    const cancelled = await settledDelivery(dropped.id, sub.id, 'cancelled');
    await settledDelivery(kept.id, sub.id);
    const log = await r.log();
    expect(log.map((g) => JSON.parse(g.body).data)).toEqual([{ test: false }]);
    const read = await delivery(dropped.id, sub.id);
    expect(read.attempts).toEqual([expect.objectContaining({ status_code: null, error: 'cancelled by the transformation: nothing was sent' })]);
    const listed = (await apiJson(`/v1/deliveries?subscription_id=${sub.id}&status=cancelled`)).body.data;
    expect(listed.map((d: { id: string }) => d.id)).toEqual([cancelled.id]);
    const stats = (await apiJson(`/v1/stats?subscription_id=${sub.id}`)).body;
    expect(stats.totals).toMatchObject({ cancelled: 1, succeeded: 1, failed: 0 });
    const recovered = await apiJson(`/v1/subscriptions/${sub.id}/recover`, { method: 'POST', json: { since: new Date(Date.now() - 60_000).toISOString() } });
    expect(recovered.body).toEqual({ recovering: 0 });
  });

  it('fails the attempt with its error when the code throws, loops, recurses, fetches, never settles or answers too much; others go on', async () => {
    const cases = [
      { name: 'throws', code: 'export default () => { throw new TypeError("no such field"); }', error: 'transformation: it threw TypeError: no such field' },
      { name: 'loops', code: 'export default () => { for (;;) {} }', error: 'transformation: it threw RangeError: iteration budget spent (an endless loop or recursion?)' },
      { name: 'recurses', code: 'function f(n) { try { return f(n + 1); } catch { return f(n + 1); } } export default () => f(0);', error: 'transformation: it threw RangeError: iteration budget spent (an endless loop or recursion?)' },
      { name: 'fetches', code: 'export default async ({ payload }) => { await fetch("http://127.0.0.1:1/"); return { payload }; }', error: /^transformation: it threw .*/ },
      { name: 'never settles', code: 'export default () => new Promise(() => {})', error: 'transformation: it did not finish within 2000 ms' },
      { name: 'answers too much', code: 'export default () => ({ payload: "x".repeat(1024 * 1024 + 1) })', error: 'transformation: its payload is larger than 1048576 bytes' },
      { name: 'answers a string', code: 'export default () => "hello"', error: 'transformation: it returned string, not {payload, headers?} or {cancel: true}' },
      { name: 'sets a refused header', code: 'export default ({ payload }) => ({ payload, headers: { "webhook-id": "forged" } })', error: /^transformation: its headers are refused: .*webhook-id/ },
    ];
    const plain = receiver('tf-plain');
    const other = await createSubscription(plain.url, ['tf.bad']);
    const subs = await Promise.all(cases.map(async (c) => ({ c, r: receiver(`tf-${c.name.replace(/ /g, '-')}`), sub: null as null | { id: string } })));
    for (const s of subs) s.sub = await createSubscription(s.r.url, ['tf.bad'], withCode(s.c.code));
    const event = await sendEvent('tf.bad', { n: 1 });
    await settledDelivery(event.id, other.id);
    for (const s of subs) {
      const error = await firstError(event.id, s.sub!.id);
      if (typeof s.c.error === 'string') expect(error, s.c.name).toBe(s.c.error);
      else expect(error, s.c.name).toMatch(s.c.error);
      expect(await s.r.log(), s.c.name).toEqual([]);
    }
    // Failed attempts follow the retry schedule: fixed code takes effect at the next one.
    const fixed = subs[0]!.sub!.id;
    await apiJson(`/v1/subscriptions/${fixed}`, { method: 'PATCH', json: withCode('export default ({ payload }) => ({ payload: { fixed: payload.data.n } })') });
    await settledDelivery(event.id, fixed, 'succeeded', 30_000).catch(async () => {
      // Its retries may have run out before the fix landed: a redeliver sends it with the fixed code.
      await api(`/v1/deliveries/${(await delivery(event.id, fixed)).id}/redeliver`, { method: 'POST' });
      return settledDelivery(event.id, fixed);
    });
    expect((await subs[0]!.r.log()).at(-1)!.body).toBe('{"fixed":1}');
  });
});

describe('the transformation test route', () => {
  it('runs saved code or given code on a sample (the catalogue’s example by default) and sends nothing', async () => {
    await apiJson('/v1/event-types', { method: 'POST', json: { name: 'tf.sample', schema: { type: 'object', properties: { sku: { type: 'string', examples: ['SKU-1'] } } } } });
    const r = receiver('tf-route');
    const sub = await createSubscription(r.url, ['tf.sample'], withCode('export default ({ payload }) => ({ payload: { sku: payload.data.sku }, headers: { "x-one": "1" } })'));
    const path = `/v1/subscriptions/${sub.id}/transformation/test`;
    const saved = await apiJson(path, { method: 'POST', json: { event_type: 'tf.sample' } });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ ok: true, cancel: false, body: '{"sku":"SKU-1"}', headers: { 'x-one': '1' } });
    const given = await apiJson(path, { method: 'POST', json: { event_type: 'tf.sample', payload: { sku: 'B' }, code: 'export default ({ payload }) => payload.data.sku === "B" ? { cancel: true } : { payload }' } });
    expect(given.body).toEqual({ ok: true, cancel: true });
    const broken = await apiJson(path, { method: 'POST', json: { event_type: 'tf.sample', code: 'export default () => { throw new Error("nope"); }' } });
    expect(broken.body).toEqual({ ok: false, error: 'transformation: it threw Error: nope' });
    const unparsable = await apiJson(path, { method: 'POST', json: { event_type: 'tf.sample', code: 'export default (' } });
    expect(unparsable.status).toBe(422);
    expect(unparsable.body.errors[0].path).toBe('code');
    // The saved code is unchanged, and nothing was sent.
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.transformation.code).toContain('x-one');
    expect(await r.log()).toEqual([]);
    const none = await createSubscription(r.url, ['tf.sample']);
    expect((await apiJson(`/v1/subscriptions/${none.id}/transformation/test`, { method: 'POST', json: { event_type: 'tf.sample' } })).status).toBe(409);
  });
});

describe('refusals', () => {
  it('refuses code over 64 KiB, code that does not parse and edgehook’s own names with 422, changing nothing', async () => {
    const r = receiver('tf-refuse');
    const sub = await createSubscription(r.url, ['tf.refuse']);
    const big = `export default (x) => x; // ${'x'.repeat(64 * 1024)}`;
    for (const [code, path] of [
      [big, 'transformation.code'],
      ['export default function (', 'transformation.code'],
      ['let __eh$n = 1e12; export default (x) => x;', 'transformation.code'],
    ] as const) {
      const res = await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: withCode(code) });
      expect(res.status, code.slice(0, 40)).toBe(422);
      expect(res.body.errors[0].path).toBe(path);
    }
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.transformation).toBeNull();
  });

  it('answers 422 saying why where the deployment has no Worker Loader binding, and works as before without one', async () => {
    const bare = { ...env, LOADER: undefined };
    const call = (path: string, method: string, json: unknown) =>
      worker.fetch(new Request(`https://edgehook.test${path}`, { method, body: JSON.stringify(json), headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }), bare, createExecutionContext());
    const r = receiver('tf-noloader');
    const refused = await call('/v1/subscriptions', 'POST', { url: r.url, events: ['tf.noloader'], ...withCode('export default (x) => x') });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/Worker Loader binding/);
    const made = await call('/v1/subscriptions', 'POST', { url: r.url, events: ['tf.noloader'] });
    expect(made.status).toBe(201);
    const { id } = (await made.json()) as { id: string };
    const event = await sendEvent('tf.noloader', { n: 1 });
    await settledDelivery(event.id, id);
  });
});

describe('isolation', () => {
  it('keeps one application’s code from seeing another’s data: each subscription runs in an isolate of its own', async () => {
    // The same code in both: it remembers every payload it saw in a module variable and sends them all.
    const code = 'const seen = []; export default ({ payload }) => { seen.push(payload.data.secret); return { payload: { seen } }; }';
    const [a, b] = await Promise.all([newApplication('tf-iso-a'), newApplication('tf-iso-b')]);
    const ra = receiver('tf-iso-a');
    const rb = receiver('tf-iso-b');
    const as = (key: string, path: string, json: unknown) => apiJson(path, { method: 'POST', json, token: key });
    const subA = (await as(a.key, '/v1/subscriptions', { url: ra.url, events: ['tf.iso'], ...withCode(code) })).body;
    const subB = (await as(b.key, '/v1/subscriptions', { url: rb.url, events: ['tf.iso'], ...withCode(code) })).body;
    const ea = (await as(a.key, '/v1/events', { type: 'tf.iso', data: { secret: 'a-1' } })).body;
    await eventually(async () => (await ra.log()).length === 1);
    const eb = (await as(b.key, '/v1/events', { type: 'tf.iso', data: { secret: 'b-1' } })).body;
    await eventually(async () => (await rb.log()).length === 1);
    expect(JSON.parse((await ra.log())[0]!.body)).toEqual({ seen: ['a-1'] });
    expect(JSON.parse((await rb.log())[0]!.body)).toEqual({ seen: ['b-1'] });
    // Trying the same code as another application's key gets an isolate of that application's own.
    const tried = await as(b.key, `/v1/subscriptions/${subB.id}/transformation/test`, { event_type: 'tf.iso', payload: { secret: 'b-2' }, code });
    expect(JSON.parse(tried.body.body)).toEqual({ seen: ['b-2'] });
    expect([ea.id, eb.id, subA.id]).toHaveLength(3);
    // And no bindings: the isolate's env is empty, so edgehook's KV, D1, queues and objects are out of reach.
    const envKeys = await as(b.key, `/v1/subscriptions/${subB.id}/transformation/test`, {
      event_type: 'tf.iso',
      code: 'import { env } from "cloudflare:workers"; export default () => ({ payload: { keys: Object.keys(env), fetch: typeof globalThis.fetch } })',
    });
    expect(JSON.parse(envKeys.body.body)).toEqual({ keys: [], fetch: 'function' });
  });
});
