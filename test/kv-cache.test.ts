// KV is a cache of subscriptions, never the truth: a copy missing from it is asked of the subscription's
// object before a delivery fails or a test event is dropped; and an id that names no subscription
// leaves no storage behind in the object it was asked of.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { apiJson, createSubscription, env, eventually, newApplication, receiver, sendEvent, settledDelivery } from './support/helpers';

/** Drops the published copy, as a location that has not seen it yet would read it. */
const dropKvCopy = (id: string) => env.SUBSCRIPTIONS.delete(`sub:${id}`);

const tablesOf = (id: string) =>
  runInDurableObject(env.SUBSCRIPTION_OBJECTS.getByName(id), (_o, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master").one().n);

describe('a subscription missing from KV', () => {
  it('is read from its object by the consumer: the delivery is made, not failed', async () => {
    // An application of its own: the default one's fan-out may still read the `sub:` keys made before applications.
    const A = await newApplication('KV miss');
    const r = receiver('kv-miss-consumer');
    const sub = (await apiJson(`/v1/applications/${A.id}/subscriptions`, { method: 'POST', json: { url: r.url, events: ['kvmiss.consumer'] } })).body;
    await dropKvCopy(sub.id);
    expect(await env.SUBSCRIPTIONS.get(`sub:${sub.id}`)).toBeNull();
    const evt = (await apiJson('/v1/events', { method: 'POST', token: A.key, json: { type: 'kvmiss.consumer', data: { n: 1 } } })).body;
    const done = await eventually(async () => {
      const d = (await apiJson(`/v1/deliveries?event_id=${evt.id}`, { token: A.key })).body.data[0];
      return d?.status !== 'pending' && d;
    });
    expect(done).toMatchObject({ status: 'succeeded', attempt_count: 1 });
    expect((await r.log()).length).toBe(1);
  });

  it('is read from its object by a test event’s fan-out: the test event is delivered', async () => {
    const r = receiver('kv-miss-test');
    const sub = await createSubscription(r.url, ['*']);
    await dropKvCopy(sub.id);
    const test = await apiJson(`/v1/subscriptions/${sub.id}/test`, { method: 'POST' });
    expect(test.status).toBe(202);
    await settledDelivery(test.body.id, sub.id);
    const [got] = await r.log();
    expect(JSON.parse(got!.body).type).toBe('webhook.test');
  });

  it('fails the delivery only when the object says the subscription is gone', async () => {
    const r = receiver('kv-miss-gone');
    await r.script([{ status: 500 }]); // the first attempt fails: the retry finds the subscription deleted
    const sub = await createSubscription(r.url, ['kvmiss.gone']);
    const evt = await sendEvent('kvmiss.gone', {});
    await eventually(async () => (await r.log()).length === 1);
    expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'DELETE' })).status).toBe(204);
    const failed = await settledDelivery(evt.id, sub.id, 'failed');
    expect(failed.attempt_count).toBe(1);
    expect((await r.log()).length).toBe(1);
  });
});

describe('an id that names no subscription', () => {
  it('creates no storage when read, changed, deleted or tested', async () => {
    const id = 'sub_01zzzzzzzzzzzzzzzzzzzzzzzz';
    expect((await apiJson(`/v1/subscriptions/${id}`)).status).toBe(404);
    expect((await apiJson(`/v1/subscriptions/${id}`, { method: 'PATCH', json: { description: 'x' } })).status).toBe(404);
    expect((await apiJson(`/v1/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await apiJson(`/v1/subscriptions/${id}/test`, { method: 'POST' })).status).toBe(404);
    expect((await apiJson(`/v1/subscriptions/${id}/secret`)).status).toBe(404);
    expect(await tablesOf(id)).toBe(0);
  });

  it('while a real one has its tables', async () => {
    const sub = await createSubscription('http://127.0.0.1:9/none', ['kvmiss.real']);
    expect(await tablesOf(sub.id)).toBeGreaterThan(0);
  });
});
