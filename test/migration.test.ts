// Data from before applications carries on: the previous schema's rows (in a database of their own,
// migrated here), subscriptions as the previous version left them in KV and in their objects, and
// today's clients' requests. Everything lands in the default application and is delivered.
import { createExecutionContext, evictDurableObject, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { fanOut } from '../src/delivery/fan-out';
import { sweep } from '../src/delivery/sweep';
import worker from '../src/index';
import { sealSecret } from '../src/signing/secret-box';
import { forgetLegacyIndexState } from '../src/store/subscriptions';
import { sha256Hex } from '../src/utils/hash';
import { newId } from '../src/utils/ids';
import { applyD1Migrations } from 'cloudflare:test';
import { env, eventually, receiver, TOKEN } from './support/helpers';
import { deliverMessage } from './support/stored';
import { logAt, openShard, shardDb } from '../src/store/log-shards';

const legacy = { ...env, DB: env.LEGACY_DB };
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** A request to the Worker running on the migrated database, as today's clients make it. */
async function call(path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${TOKEN}`);
  const res = await worker.fetch!(new Request(`https://edgehook.test${path}`, { ...init, headers }) as never, legacy, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** A subscription as the previous version stored it: no application, old list metadata. */
async function legacySubscription(id: string, url: string) {
  const now = new Date().toISOString();
  const doc = { id, url, events: ['*'], description: null, metadata: {}, disabled: false, github_signature: false, created_at: now, updated_at: now, secrets: [{ value: await sealSecret(env, id, SECRET), expires_at: null }] };
  await env.SUBSCRIPTIONS.put(`sub:${id}`, JSON.stringify(doc), { metadata: { e: ['*'], d: false } });
  return doc;
}

const r = receiver('legacy');
const kvOnly = newId('sub'); // made before subscriptions had objects: only its KV copy
const withObject = newId('sub'); // made by the previous version: an object whose table has no application column
const old = { delivered: 'evt_old_delivered', pending: 'evt_old_pending', stalled: 'evt_old_stalled' };
let pendingDelivery = '';
const bodyOfDelivered = JSON.stringify({ type: 'legacy.order', data: { n: 1 } });

beforeAll(async () => {
  forgetLegacyIndexState();
  await applyD1Migrations(env.LEGACY_DB, env.TEST_MIGRATIONS.filter((m) => m.name < '0008'));
  const at = new Date(Date.now() - 600_000).toISOString();
  await legacySubscription(kvOnly, r.url);
  const doc = await legacySubscription(withObject, r.url);
  const stub = env.SUBSCRIPTION_OBJECTS.getByName(withObject);
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec('DROP TABLE IF EXISTS subscription'); // an object made before applications, its table without the column
    state.storage.sql.exec('CREATE TABLE subscription (id TEXT PRIMARY KEY, doc TEXT, version INTEGER NOT NULL)');
    state.storage.sql.exec('INSERT INTO subscription (id, doc, version) VALUES (?, ?, 3)', withObject, JSON.stringify(doc));
  });
  await evictDurableObject(stub);

  pendingDelivery = newId('dlv');
  const db = env.LEGACY_DB;
  await db.batch([
    db.prepare("INSERT INTO events (id, type, data, created_at, fanout_done, fanout_at) VALUES (?1, 'legacy.order', '{\"n\":1}', ?2, 1, ?2)").bind(old.delivered, at),
    db.prepare('INSERT INTO idempotency_keys (key, event_id, created_at_ms, body_hash) VALUES (?1, ?2, ?3, ?4)').bind('key:order-1', old.delivered, Date.now() - 60_000, await sha256Hex(bodyOfDelivered)),
    db.prepare("INSERT INTO events (id, type, data, created_at, fanout_done, fanout_at) VALUES (?1, 'legacy.order', '{\"n\":2}', ?2, 1, ?2)").bind(old.pending, at),
    db.prepare("INSERT INTO deliveries (id, event_id, subscription_id, status, next_attempt_at, created_at, updated_at) VALUES (?1, ?2, ?3, 'pending', ?4, ?4, ?4)").bind(pendingDelivery, old.pending, kvOnly, at),
    db.prepare("INSERT INTO events (id, type, data, created_at, fanout_done, fanout_at) VALUES (?1, 'legacy.order', '{\"n\":3}', ?2, 0, ?2)").bind(old.stalled, at),
  ]);
  await applyD1Migrations(env.LEGACY_DB, env.TEST_MIGRATIONS);
});

describe('migration to applications', () => {
  it('puts the previous rows in the default application', async () => {
    const app = await env.LEGACY_DB.prepare("SELECT id, name FROM applications WHERE id = 'default'").first();
    expect(app).toEqual({ id: 'default', name: 'Default application' });
    const { results } = await env.LEGACY_DB.prepare('SELECT DISTINCT application_id FROM deliveries UNION SELECT DISTINCT application_id FROM events').all();
    expect(results).toEqual([{ application_id: 'default' }]);
  });

  it("serves today's clients the same: lists, reads, replays of an old Idempotency-Key", async () => {
    const list = await call('/v1/subscriptions');
    expect(list.status).toBe(200);
    expect(list.body.data.map((s: { id: string }) => s.id).sort()).toEqual([kvOnly, withObject].sort());
    for (const id of [kvOnly, withObject]) {
      const one = await call(`/v1/subscriptions/${id}`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id, application_id: 'default', url: r.url });
      expect((await call(`/v1/subscriptions/${id}/secret`)).body.secret).toBe(SECRET);
    }
    const replay = await call('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'order-1' }, body: bodyOfDelivered });
    expect(replay.status).toBe(202);
    expect(replay.body.id).toBe(old.delivered);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(`/v1/events/${old.pending}`)).body.deliveries[0]).toMatchObject({ id: pendingDelivery, application_id: 'default', status: 'pending' });
  });

  it('delivers the pending delivery, the stalled fan-out and a new event, before and after the sweep indexes the old subscriptions', async () => {
    // The old pending delivery.
    expect(await deliverMessage(pendingDelivery, 0, legacy, null)).toMatchObject({ explicitAcks: ['m'] });
    // The stalled fan-out reaches both old subscriptions while they are not indexed yet.
    await fanOut(legacy, logAt(legacy, null), old.stalled, null);
    const stalled = (await call(`/v1/events/${old.stalled}`)).body.deliveries as { id: string; subscription_id: string }[];
    expect(stalled.map((d) => d.subscription_id).sort()).toEqual([kvOnly, withObject].sort());
    for (const d of stalled) await deliverMessage(d.id, 0, legacy, null);

    // The sweep gives them their index entries (through their objects); fan-out then reads the index.
    const report = await sweep(legacy, Date.now());
    expect(report.indexed).toBe(2);
    expect((await env.SUBSCRIPTIONS.list({ prefix: 'app:default:' })).keys.map((k) => k.name).sort()).toEqual([`app:default:${kvOnly}`, `app:default:${withObject}`].sort());
    expect(await env.SUBSCRIPTIONS.get('meta:application-index')).toBe('done');
    forgetLegacyIndexState();
    const fresh = await call('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'legacy.order', data: { n: 4 } }) });
    expect(fresh.status).toBe(202);
    const freshDeliveries = await eventually(async () => {
      const d = (await call(`/v1/events/${fresh.body.id}`)).body.deliveries as { id: string }[];
      return d.length === 2 && d;
    });
    // A new event lives in a log shard: its messages name the shard, and the queue's consumer delivers them.
    await eventually(async () => {
      const d = (await call(`/v1/events/${fresh.body.id}`)).body.deliveries as { status: string }[];
      return d.length === freshDeliveries.length && d.every((x) => x.status === 'succeeded');
    });

    // It is in the default application's shard, not in D1's old log.
    expect(await env.LEGACY_DB.prepare('SELECT 1 AS one FROM events WHERE id = ?').bind(fresh.body.id).first()).toBeNull();
    expect(await shardDb(legacy, (await openShard(legacy, 'default', null)).ref.name).prepare('SELECT 1 AS one FROM events WHERE id = ?').bind(fresh.body.id).first()).toEqual({ one: 1 });

    const log = await r.log();
    const wh = new Webhook(SECRET);
    const got = log.map((l) => (wh.verify(l.body, l.headers) as { data: { n: number } }).data.n).sort();
    expect(got).toEqual([2, 3, 3, 4, 4]);

    // The old delivery, final now in D1's old log, is re-driven from there: one attempt, through the queue.
    const again = await call(`/v1/deliveries/${pendingDelivery}/redeliver`, { method: 'POST' });
    expect(again.status).toBe(202);
    // Its message names no shard: the consumer looks in D1's old log (driven here on that database).
    const { generation } = (await env.LEGACY_DB.prepare('SELECT generation FROM deliveries WHERE id = ?').bind(pendingDelivery).first<{ generation: number }>())!;
    expect(await deliverMessage(pendingDelivery, generation, legacy, null)).toMatchObject({ explicitAcks: ['m'] });
    await eventually(async () => (await r.log()).length === 6);
    const redelivered = (await r.log()).at(-1)!;
    expect((wh.verify(redelivered.body, redelivered.headers) as { data: { n: number } }).data.n).toBe(2);
    await eventually(async () => (await call(`/v1/events/${old.pending}`)).body.deliveries[0].status === 'succeeded');
  });
});
