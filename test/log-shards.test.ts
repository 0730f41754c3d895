// The log in shards: a part that reaches its bound rolls over and every route still reads across the
// parts (lists in order, with cursors); each shard finds its own lost work; the hot path asks D1 nothing.
import { createExecutionContext, runDurableObjectAlarm, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { metered, readMeter } from '../src/meter';
import { forgetParts, partsOf, shardDb } from '../src/store/log-shards';
import { insertEvent } from '../src/store/events';
import { createDeliveries, handleMessage } from './support/stored';
import { apiJson, env, eventually, newApplication, receiver } from './support/helpers';
import { logDb, shardOf } from './support/log';
import { queueDrained } from './support/quiet';

/** A request to the Worker with `bindings` (a smaller shard bound, the meter). */
async function call(bindings: typeof env, path: string, init: RequestInit & { json?: unknown; token: string }) {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${init.token}`);
  headers.set('content-type', 'application/json');
  const res = await worker.fetch(new Request(`https://edgehook.test${path}`, { ...init, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) }), bindings, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx); // the fan-out after the response
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('log shards', () => {
  it('rolls a full part over to the next; lists, reads and deliveries go across both, in order, with cursors', async () => {
    const app = await newApplication('Rollover');
    const r = receiver('rollover');
    await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: r.url, events: ['roll.*'] } });
    const big = { blob: 'x'.repeat(20_000) }; // a few SQLite pages an event
    const first = await call(env, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'roll.one', data: big }, token: app.key });
    expect(first.status).toBe(202);
    // A bound just above part 0's size now: it takes one more event, then refuses the next.
    const size = await env.LOG_SHARDS.getByName(`${app.id}/0`).size();
    const small = { ...env, LOG_SHARD_BOUND_BYTES: String(size + 1) };
    const ids = [first.body.id as string];
    for (const n of [2, 3, 4]) {
      const sent = await call(small, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'roll.more', data: { ...big, n } }, token: app.key });
      expect(sent.status).toBe(202);
      ids.push(sent.body.id);
    }
    forgetParts(app.id);
    const parts = await partsOf(env, app.id);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.at(-1)!.full_at_ms).not.toBeNull(); // part 0 takes no new events
    // Every event is in one of the parts, and the first is in part 0.
    const partOf = async (id: string) => {
      for (const p of parts) if (await shardDb(env, p.name).prepare('SELECT 1 AS one FROM events WHERE id = ?').bind(id).first()) return p.part;
      return null;
    };
    const holders = await Promise.all(ids.map(partOf));
    expect(holders[0]).toBe(0);
    expect(new Set(holders).size).toBeGreaterThanOrEqual(2);

    // The list, one a page: newest first across both parts, each cursor leading on.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; next_cursor: string | null } } = await apiJson(`/v1/applications/${app.id}/events?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: app.key });
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.next_cursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([...ids].reverse());
    // Each is read by id, and each reached the receiver (the consumer reads every part).
    for (const id of ids) expect((await apiJson(`/v1/applications/${app.id}/events/${id}`, { token: app.key })).body.id).toBe(id);
    await eventually(async () => (await r.log()).length === 4);
    const deliveries = (await apiJson(`/v1/applications/${app.id}/deliveries?limit=2`, { token: app.key })).body;
    expect(deliveries.data).toHaveLength(2);
    const rest = (await apiJson(`/v1/applications/${app.id}/deliveries?limit=10&cursor=${deliveries.next_cursor}`, { token: app.key })).body;
    expect([...deliveries.data, ...rest.data].map((d: { event_id: string }) => d.event_id)).toEqual([...ids].reverse());
    expect(rest.next_cursor).toBeNull();
  });

  it('keeps an Idempotency-Key across a rollover: a replay is answered from the part before', async () => {
    const app = await newApplication('Rollover keys');
    const big = { blob: 'y'.repeat(20_000) };
    const headers = { 'idempotency-key': 'across-parts' };
    const first = await call(env, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'roll.key', data: big }, token: app.key, headers });
    const size = await env.LOG_SHARDS.getByName(`${app.id}/0`).size();
    const small = { ...env, LOG_SHARD_BOUND_BYTES: String(size) }; // part 0 is full now
    const other = await call(small, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'roll.other', data: {} }, token: app.key });
    expect(other.status).toBe(202);
    forgetParts(app.id);
    expect((await partsOf(env, app.id)).length).toBe(2);
    const ctx = createExecutionContext();
    const replay = await worker.fetch(
      new Request(`https://edgehook.test/v1/applications/${app.id}/events`, { method: 'POST', headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ type: 'roll.key', data: big }) }),
      small,
      ctx,
    );
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as { id: string }).id).toBe(first.body.id);
    await waitOnExecutionContext(ctx);
  });

  it('finds lost work per shard: its alarm queues an overdue delivery and resumes a stalled fan-out of its own log only', async () => {
    const A = await newApplication('Lost A');
    const B = await newApplication('Lost B');
    const ra = receiver('lost-a');
    const rb = receiver('lost-b');
    const subA = (await apiJson(`/v1/applications/${A.id}/subscriptions`, { method: 'POST', json: { url: ra.url, events: ['lost.*'] } })).body;
    await apiJson(`/v1/applications/${B.id}/subscriptions`, { method: 'POST', json: { url: rb.url, events: ['lost.*'] } });
    const past = Date.now() - 180_000; // overdue by more than the grace period
    // A: a delivery whose message was never sent. B: an event whose fan-out never ran.
    const evA = `evt_lostA${past}`;
    const dbA = await logDb(A.id);
    await insertEvent(dbA, { id: evA, application_id: A.id, type: 'lost.a', data: '{}', callback_url: null, created_at: new Date(past).toISOString() }, { key: null, producerId: true, bodyHash: null }, past);
    await createDeliveries(dbA, { id: evA, application_id: A.id }, [subA.id], new Date(past).toISOString());
    await dbA.prepare('UPDATE events SET fanout_done = 1 WHERE id = ?').bind(evA).run();
    const evB = `evt_lostB${past}`;
    await insertEvent(await logDb(B.id), { id: evB, application_id: B.id, type: 'lost.b', data: '{}', callback_url: null, created_at: new Date(past).toISOString() }, { key: null, producerId: true, bodyHash: null }, past);

    // A's alarm: A's delivery goes, and B's event stays as it was.
    expect(await runDurableObjectAlarm(env.LOG_SHARDS.getByName(await shardOf(A.id)))).toBe(true);
    await eventually(async () => (await ra.log()).length === 1);
    await queueDrained([evA]);
    expect(await rb.log()).toEqual([]);
    expect((await apiJson(`/v1/applications/${B.id}/events/${evB}`)).body.deliveries).toEqual([]);
    // B's alarm: its fan-out is resumed and delivered.
    expect(await runDurableObjectAlarm(env.LOG_SHARDS.getByName(await shardOf(B.id)))).toBe(true);
    await eventually(async () => (await rb.log()).length === 1);
    expect(await ra.log()).toHaveLength(1);
  });

  it('asks D1 nothing on the hot path once warm: ingest, fan-out and the attempt go to the shard only', async () => {
    const app = await newApplication('Hot path');
    const r = receiver('hot-path');
    const sub = (await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: r.url, events: ['hot.*'] } })).body as { id: string };
    const m = metered({ ...env, METER: 'true' }) as typeof env;
    const send = () => call(m, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'hot.path', data: { n: 1 } }, token: app.key });
    await send(); // warm-up: the key, the application and the directory are read once
    await eventually(async () => (await r.log()).length === 1);
    readMeter();
    await Promise.all([send(), send(), send()]);
    const ingest = readMeter();
    expect(ingest['d1.queries'] ?? 0).toBe(0);
    expect(ingest['shard.requests']).toBeGreaterThanOrEqual(6); // each event: its insert, its fan-out
    await eventually(async () => (await r.log()).length === 4);
    // An attempt, through the queue handler with the meter on: the shard is read and written, D1 is not.
    const at = new Date().toISOString();
    const evt = `evt_hot${Date.now()}`;
    const db = await logDb(app.id);
    await insertEvent(db, { id: evt, application_id: app.id, type: 'hot.path', data: '{}', callback_url: null, created_at: at }, { key: null, producerId: true, bodyHash: null }, Date.now());
    const [made] = await createDeliveries(db, { id: evt, application_id: app.id }, [sub.id], at);
    await db.prepare('UPDATE events SET fanout_done = 1 WHERE id = ?').bind(evt).run();
    readMeter();
    const result = await handleMessage({ kind: 'deliver', delivery_id: made!.id, generation: 0, subscription_id: sub.id, shard: await shardOf(app.id) }, 'edgehook-deliveries', m);
    expect(result.explicitAcks).toEqual(['m']);
    const attempt = readMeter();
    expect(attempt['d1.queries'] ?? 0).toBe(0);
    expect(attempt['shard.requests']).toBeGreaterThanOrEqual(2); // the batch's read and its record
    await eventually(async () => (await r.log()).length === 5);
  });
});
