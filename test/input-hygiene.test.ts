// Input is kept as sent or refused with a clear 4xx, never silently changed; rotation never drops a
// live secret; a stored schema never turns ingest into a 5xx; egress is checked again before each send.
import { createExecutionContext } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { rotateSecret } from '../src/services/subscriptions';
import { deliverMessage, storedDelivery } from './support/stored';
import { api, apiJson, createSubscription, env, eventually, newApplication, receiver, settledDelivery, TOKEN } from './support/helpers';
import { logDb } from './support/log';

const storedData = async (id: string) => (await logDb()).prepare('SELECT data FROM events WHERE id = ?').bind(id).first<{ data: string }>();

describe('input kept as sent', () => {
  it('keeps a __proto__ key and the number forms of data, byte for byte, to the receiver', async () => {
    const r = receiver('hygiene-proto');
    const sub = await createSubscription(r.url, ['hygiene.proto']);
    const data = '{ "__proto__": {"polluted": true}, "a": 1, "n": 1.0e2, "s": "caf\\u00e9" }';
    const res = await api('/v1/events', { method: 'POST', body: `{"type":"hygiene.proto","data":${data}}`, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await storedData(id))?.data).toBe(data);
    const read = (await apiJson(`/v1/events/${id}`)).body;
    expect(Object.keys(read.data)).toEqual(['__proto__', 'a', 'n', 's']);
    await settledDelivery(id, sub.id);
    const [got] = await r.log();
    expect(got!.body).toContain(`"data":${data}}`);
    expect(() => new Webhook(sub.secret).verify(got!.body, got!.headers)).not.toThrow();
  });

  it('refuses a reused Idempotency-Key with another body (409), and replays it with the same body', async () => {
    const send = (body: string, key = 'hygiene-key-1') =>
      api('/v1/events', { method: 'POST', body, headers: { 'content-type': 'application/json', 'idempotency-key': key } });
    const first = await send('{"type":"hygiene.key","data":{"amount":10}}');
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    const again = await send('{"type":"hygiene.key","data":{"amount":10}}');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(id);
    const other = await send('{"type":"hygiene.key","data":{"amount":99}}');
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect((await storedData(id))?.data).toBe('{"amount":10}');
    // The same holds for the producer's own event id.
    expect((await apiJson('/v1/events', { method: 'POST', json: { type: 'hygiene.key', id: 'order-7', data: { v: 1 } } })).status).toBe(202);
    expect((await apiJson('/v1/events', { method: 'POST', json: { type: 'hygiene.key', id: 'order-7', data: { v: 2 } } })).status).toBe(409);
  });

  it('accepts POSTs that take no body with an empty one, with or without a content type (as fetch sends them)', async () => {
    const r = receiver('hygiene-bodiless');
    const sub = await createSubscription(r.url, ['hygiene.none']);
    const bare = (path: string, headers: Record<string, string> = {}) =>
      worker.fetch(new Request(`https://edgehook.test${path}`, { method: 'POST', body: new Uint8Array(0), headers: { authorization: `Bearer ${TOKEN}`, ...headers } }), env, createExecutionContext());
    expect((await bare(`/v1/subscriptions/${sub.id}/test`)).status).toBe(202);
    const test = await eventually(async () => (await r.log())[0]);
    const [delivery] = (await apiJson(`/v1/deliveries?subscription_id=${sub.id}`)).body.data;
    await eventually(async () => (await apiJson(`/v1/deliveries/${delivery.id}`)).body.status === 'succeeded');
    expect((await bare(`/v1/deliveries/${delivery.id}/redeliver`)).status).toBe(202);
    expect((await bare(`/v1/deliveries/${delivery.id}/redeliver`, { 'content-type': 'application/json' })).status).toBe(202);
    const rotated = await bare(`/v1/subscriptions/${sub.id}/secret/rotate`);
    expect(rotated.status, await rotated.clone().text()).toBe(200);
    // A route whose body is optional takes an empty one under a JSON content type too (400 before).
    const typed = await bare(`/v1/subscriptions/${sub.id}/secret/rotate`, { 'content-type': 'application/json' });
    expect(typed.status, await typed.clone().text()).toBe(200);
    expect(((await typed.json()) as { secret: string }).secret).toMatch(/^whsec_/);
    const app = await newApplication('hygiene-bodiless');
    const callback = await bare(`/v1/applications/${app.id}/callback-secret/rotate`, { 'content-type': 'application/json' });
    expect(callback.status, await callback.clone().text()).toBe(200);
    expect(test.headers['webhook-id']).toMatch(/^evt_/);
  });
});

describe('rotation keeps every live secret', () => {
  it('keeps the first secret signing through 9 rotations in a day, refuses a 10th (409), and takes it again once one expired', async () => {
    const r = receiver('hygiene-rotate');
    const sub = await createSubscription(r.url, ['hygiene.rotate']);
    const t0 = Date.now();
    const secrets = [sub.secret];
    for (let i = 1; i <= 9; i++) secrets.push(((await rotateSecret(env, 'default', sub.id, undefined, t0 + i * 60_000)) as { secret: string }).secret);
    const refused = await apiJson(`/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/10 secrets still sign/);
    expect((await apiJson(`/v1/subscriptions/${sub.id}/secret`)).body.secret).toBe(secrets[9]);

    // An attempt now carries ten signatures, and every one of the ten secrets verifies it.
    await deliverMessage((await storedDelivery(sub.id, 'hygiene.rotate')).deliveryId);
    const [got] = await r.log();
    expect(got!.headers['webhook-signature']!.split(' ')).toHaveLength(10);
    for (const secret of secrets) expect(() => new Webhook(secret).verify(got!.body, got!.headers)).not.toThrow();

    // 24 h after the first rotation its overlap ended: a rotation is taken again.
    await expect(rotateSecret(env, 'default', sub.id, undefined, t0 + 24 * 3600_000 + 61_000)).resolves.toMatchObject({ secret: expect.stringMatching(/^whsec_/) });
  });
});

describe('schemas and egress', () => {
  it('never answers 500 for an event whose stored schema cannot be used: the type lists why, and is not enforced', async () => {
    const now = new Date().toISOString();
    // Stored before registration checked references: a $ref that points nowhere.
    await env.DB.prepare('INSERT INTO event_types (name, description, schema, created_at, updated_at) VALUES (?, NULL, ?, ?, ?)')
      .bind('hygiene.broken', JSON.stringify({ type: 'object', properties: { x: { $ref: '#/$defs/gone' } } }), now, now)
      .run();
    const { status } = await apiJson('/v1/events', { method: 'POST', json: { type: 'hygiene.broken', data: { x: 1 } } });
    expect(status).toBe(202);
    expect((await apiJson('/v1/event-types/hygiene.broken')).body.schema_problem).toMatch(/does not resolve/);
    expect((await (await logDb()).prepare("SELECT count(*) AS n FROM events WHERE type = 'hygiene.broken'").first<{ n: number }>())!.n).toBe(1);
  });

  it('checks the receiver URL again before each send (production settings), and sends nothing when refused', async () => {
    const r = receiver('hygiene-egress');
    const sub = await createSubscription(r.url, ['hygiene.egress']); // allowed when created (tests allow loopback)
    const { deliveryId } = await storedDelivery(sub.id, 'hygiene.egress');
    expect((await deliverMessage(deliveryId, 0, { ...env, ALLOW_INSECURE_URLS: 'false' })).explicitAcks).toEqual(['m']);
    expect(await r.log()).toEqual([]);
    expect((await apiJson(`/v1/deliveries/${deliveryId}`)).body).toMatchObject({ status: 'failed', attempt_count: 0 });
  });
});
