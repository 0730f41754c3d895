// The log in shards: a part that reaches its bound rolls over and every route still reads across the
// parts (lists in order, with cursors); a hot application spreads over a part's stripes; each shard
// finds its own lost work; the hot path asks D1 nothing.
import { createExecutionContext, runDurableObjectAlarm, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { metered, readMeter } from '../src/meter';
import { forgetParts, partsOf, shardDb, shardsAfter, type ShardRef } from '../src/store/log-shards';
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

/** The shard among `shards` that holds event `id`, if any. */
async function holderOf(shards: ShardRef[], id: string): Promise<ShardRef | null> {
  for (const s of shards) if (await shardDb(env, s.name).prepare('SELECT 1 AS one FROM events WHERE id = ?').bind(id).first()) return s;
  return null;
}

/** The ids of a list, walked `limit` a page through its cursors (at most `most`). */
async function walk(path: string, token: string, limit: number, most: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { data: { id: string }[]; next_cursor: string | null } } = await apiJson(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    seen.push(...page.body.data.map((e) => e.id));
    cursor = page.body.next_cursor;
  } while (cursor && seen.length < most);
  return seen;
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
    const holders = await Promise.all(ids.map(async (id) => (await holderOf(parts, id))?.part ?? null));
    expect(holders[0]).toBe(0);
    expect(new Set(holders).size).toBeGreaterThanOrEqual(2);

    // The list, one a page: newest first across both parts, each cursor leading on.
    const seen = await walk(`/v1/applications/${app.id}/events`, app.key, 1, 10);
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
  it('spreads a hot application over the stripes of a part: by ordering key, each lane one sequence, read and swept as one', async () => {
    const app = await newApplication('Hot stripes');
    const r = receiver('stripes');
    const f = receiver('stripes-fifo');
    // The first attempt it gets fails (event 0's, in part 0, most likely: lane '' then waits across the
    // rollover), and so does n = 1's in lane b.
    await f.script([{ status: 500 }], { match: { text: '"n":1,', status: 500, times: 1 } });
    await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: r.url, events: ['hot.*'] } });
    await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: f.url, events: ['hot.*'], ordering: 'fifo' } });
    const first = await call(env, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'hot.one', data: { n: 0, key: null } }, token: app.key });
    expect(first.status).toBe(202);
    // The operator raises the stripes: the next event rolls the application over to a part with four.
    const striped = { ...env, LOG_SHARD_STRIPES: '4' };
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const sent: { id: string; key: string | null }[] = [{ id: first.body.id, key: null }];
    for (let n = 1; n <= 24; n++) {
      const key = n % 6 === 0 ? null : keys[n % keys.length]!;
      const res = await call(striped, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'hot.more', data: { n, key }, ...(key ? { ordering_key: key } : {}) }, token: app.key, headers: n === 7 ? { 'idempotency-key': 'hot-7' } : {} });
      expect(res.status).toBe(202);
      sent.push({ id: res.body.id, key });
    }
    forgetParts(app.id);
    const shards = await partsOf(env, app.id);
    const part1 = shards.filter((s) => s.part === 1);
    expect(part1.map((s) => s.name)).toEqual([`${app.id}/1`, `${app.id}/1.1`, `${app.id}/1.2`, `${app.id}/1.3`]);
    expect(shards.find((s) => s.part === 0)!.full_at_ms).not.toBeNull();

    // Each event is in one shard; a key's events all in the same one, those without a key in stripe 0; several shards hold some.
    const where = await Promise.all(sent.slice(1).map(async (e) => ({ ...e, shard: (await holderOf(shards, e.id))?.name ?? null })));
    expect(where.every((e) => e.shard !== null)).toBe(true);
    for (const key of keys) expect(new Set(where.filter((e) => e.key === key).map((e) => e.shard)).size).toBe(1);
    expect(new Set(where.filter((e) => e.key === null).map((e) => e.shard))).toEqual(new Set([`${app.id}/1`]));
    expect(new Set(where.map((e) => e.shard)).size).toBeGreaterThanOrEqual(3);

    // An Idempotency-Key sent again is a replay, found in its stripe; sent with another body (another
    // ordering key: another stripe), the key's reuse is found there still and refused.
    const again = await call(striped, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'hot.more', data: { n: 7, key: 'h' }, ordering_key: 'h' }, token: app.key, headers: { 'idempotency-key': 'hot-7' } });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(sent[7]!.id);
    const reused = await call(striped, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'hot.more', data: { n: 7, key: 'h' }, ordering_key: 'zz-other' }, token: app.key, headers: { 'idempotency-key': 'hot-7' } });
    expect(reused.status).toBe(409);

    // The list, two a page, newest first across the five shards.
    const seen = await walk(`/v1/applications/${app.id}/events`, app.key, 2, 40);
    expect(seen).toEqual(sent.map((e) => e.id).reverse());
    // Filtered by type, still across them.
    const more = (await apiJson(`/v1/applications/${app.id}/events?type=hot.more&limit=100`, { token: app.key })).body.data as { id: string }[];
    expect(more.map((e) => e.id)).toEqual(sent.slice(1).map((e) => e.id).reverse());

    // Every event reached both receivers; the FIFO one in each lane's order, through the retry of n = 1.
    const dataOf = (body: string) => (JSON.parse(body) as { data: { n: number; key: string | null } }).data;
    const fifo = await eventually(async () => {
      const l = await f.log();
      return l.filter((x) => x.answer === 200).length >= 25 && l;
    }, 30_000);
    for (const key of [...keys, null]) {
      const ns = fifo.filter((x) => x.answer === 200).map((x) => dataOf(x.body)).filter((d) => d.key === key).map((d) => d.n);
      expect(ns).toEqual([...ns].sort((a, b) => a - b));
    }
    await eventually(async () => (await r.log()).filter((x) => x.answer === 200).length === 25, 30_000);
    await queueDrained();
    // The sweep's round reaches each stripe: the directory lists the five shards.
    const listed = (await shardsAfter(env, null, 1000)).filter((s) => s.application_id === app.id).map((s) => s.name);
    expect(listed).toEqual([`${app.id}/0`, ...part1.map((s) => s.name)]);
  });
  it('keeps FIFO across a rollover: a lane waits for an earlier event still pending in the part before', async () => {
    const app = await newApplication('FIFO rollover');
    const f = receiver('fifo-rollover');
    const sub = (await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: f.url, events: ['lane.*'], ordering: 'fifo' } })).body as { id: string };
    // Part 0 holds an earlier event whose delivery is pending and has not reached the subscription's object yet.
    const at = Date.now() - 5_000;
    const early = `evt_early${at}`;
    const db0 = await logDb(app.id);
    await insertEvent(db0, { id: early, application_id: app.id, type: 'lane.early', data: '{"which":"early"}', callback_url: null, created_at: new Date(at).toISOString() }, { key: null, producerId: true, bodyHash: null }, at);
    const [pending] = await createDeliveries(db0, { id: early, application_id: app.id }, [sub.id], new Date(at).toISOString());
    await db0.prepare('UPDATE events SET fanout_done = 1 WHERE id = ?').bind(early).run();
    // Two stripes: the next event rolls over to part 1; it must wait in lane '' for the one in part 0.
    const later = await call({ ...env, LOG_SHARD_STRIPES: '2' }, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'lane.later', data: { which: 'later' } }, token: app.key });
    expect(later.status).toBe(202);
    forgetParts(app.id);
    expect((await partsOf(env, app.id)).map((s) => s.part)).toEqual([1, 1, 0]);
    await eventually(async () => (await apiJson(`/v1/applications/${app.id}/subscriptions/${sub.id}`, { token: app.key })).body.waiting === 1);
    expect(await f.log()).toEqual([]);
    // The earlier one's message arrives: it goes, and then the later one.
    await handleMessage({ kind: 'deliver', delivery_id: pending!.id, generation: 0, subscription_id: sub.id, shard: `${app.id}/0` }, 'edgehook-deliveries');
    const log = await eventually(async () => {
      const l = await f.log();
      return l.length >= 2 && l;
    }, 30_000);
    expect(log.map((x) => (JSON.parse(x.body) as { data: { which: string } }).data.which)).toEqual(['early', 'later']);
  });
  it('refuses only new events in a full shard: its events’ deliveries still change there', async () => {
    const app = await newApplication('Full shard');
    const r = receiver('full-shard');
    await apiJson(`/v1/applications/${app.id}/subscriptions`, { method: 'POST', json: { url: r.url, events: ['full.*'] } });
    const first = await call(env, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'full.one', data: { n: 1 } }, token: app.key });
    await eventually(async () => (await r.log()).length === 1);
    const [delivery] = (await apiJson(`/v1/applications/${app.id}/events/${first.body.id}`, { token: app.key })).body.deliveries as { id: string }[];
    const full = { ...env, LOG_SHARD_BOUND_BYTES: String(await env.LOG_SHARDS.getByName(`${app.id}/0`).size()) };
    // A new event is refused by part 0 and stored in part 1 ...
    const second = await call(full, `/v1/applications/${app.id}/events`, { method: 'POST', json: { type: 'full.two', data: { n: 2 } }, token: app.key });
    expect(second.status).toBe(202);
    expect(await shardDb(full, `${app.id}/0`).prepare('SELECT 1 AS one FROM events WHERE id = ?').bind(second.body.id).first()).toBeNull();
    // ... while a redeliver of part 0's delivery is written there, on the same view, and goes out.
    const again = await call(full, `/v1/applications/${app.id}/deliveries/${delivery!.id}/redeliver`, { method: 'POST', token: app.key });
    expect(again.status).toBe(202);
    await eventually(async () => (await r.log()).filter((x) => JSON.parse(x.body).data.n === 1).length === 2);
    await eventually(async () => (await r.log()).length === 3);
  });
});
