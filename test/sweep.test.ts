// An event answered 202 is never lost: a crashed or lost waitUntil fan-out is re-driven by the cron sweep.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { fanOut } from '../src/delivery/fan-out';
import { HELD_RECHECK_MS, sweep } from '../src/delivery/sweep';
import type { Task } from '../src/delivery/tasks';
import worker from '../src/index';
import { deferHeld } from '../src/store/deliveries';
import { insertEvent } from '../src/store/events';
import { apiJson, createSubscription, deliveriesOf, env, eventually, receiver, sendEvent, settledDelivery, TOKEN } from './support/helpers';
import { storedDelivery } from './support/stored';
import { failing, replacing } from './support/bindings';
import { runSweep } from './support/sweep';
import { queueDrained } from './support/quiet';
import { logDb, shardOf } from './support/log';
import { logAt } from '../src/store/log-shards';

function postEvent(type: string) {
  return new Request('https://edgehook.test/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type, data: { n: 1 } }),
  });
}


async function fanoutRow(id: string) {
  return (await logDb()).prepare('SELECT fanout_done, fanout_runs FROM events WHERE id = ?').bind(id).first<{ fanout_done: number; fanout_runs: number }>();
}

async function storeEvent(id: string, type: string, createdAtMs: number, target?: string) {
  const at = new Date(createdAtMs).toISOString();
  const stored = await insertEvent((await logDb()), { id, application_id: 'default', type, data: '{"n":1}', callback_url: null, created_at: at, target_subscription_id: target ?? null }, { key: null, producerId: true, bodyHash: null }, createdAtMs);
  expect(stored.created).toBe(true);
}

describe('sweep', () => {
  it('delivers an event whose waitUntil fan-out threw', async () => {
    const r = receiver('sweep-throw');
    const sub = await createSubscription(r.url, ['sweep.throw']);
    // KV fails under the fan-out, as a platform outage would: it cannot list the subscriptions.
    const broken = { ...env, SUBSCRIPTIONS: failing(env.SUBSCRIPTIONS, 'list') } as typeof env;
    const ctx = createExecutionContext();
    const res = await worker.fetch(postEvent('sweep.throw'), broken, ctx);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await waitOnExecutionContext(ctx);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 0, fanout_runs: 1 });
    expect(await r.log()).toEqual([]);

    // Within the grace period the sweep leaves it alone; after it, the sweep re-drives it.
    await runSweep(Date.now());
    expect((await fanoutRow(id))?.fanout_runs).toBe(1);
    await runSweep(Date.now() + 120_000);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 1, fanout_runs: 2 });
    await settledDelivery(id, sub.id);
    expect((await r.log()).map((l) => l.headers['webhook-id'])).toEqual([id]);
  });

  it('delivers an event whose fan-out could not queue its deliveries', async () => {
    const r = receiver('sweep-noqueue');
    const sub = await createSubscription(r.url, ['sweep.noqueue']);
    // The queue fails under the fan-out: its page's delivery and its step are stored together, the message is not sent.
    const broken = { ...env, DELIVERIES: failing(env.DELIVERIES, 'send', 'sendBatch') } as typeof env;
    const ctx = createExecutionContext();
    const res = await worker.fetch(postEvent('sweep.noqueue'), broken, ctx);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await waitOnExecutionContext(ctx);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 1, fanout_runs: 1 });
    const [stored] = await deliveriesOf(id);
    expect(stored).toMatchObject({ subscription_id: sub.id, status: 'pending', attempt_count: 0 });

    // The delivery is due in D1: within the grace period the sweep leaves it alone; after it, it queues it.
    expect((await sweep(env, Date.now())).requeued).toBe(0);
    expect((await sweep(env, Date.now() + 120_000)).requeued).toBe(1);
    await settledDelivery(id, sub.id);
    expect((await r.log()).map((l) => l.headers['webhook-id'])).toEqual([id]);
  });

  it('leaves what flow control holds to its object, and looks at it again an hour later; a lost delivery of the same subscription it queues', async () => {
    const r = receiver('sweep-held');
    const sub = await createSubscription(r.url, ['sweep.held']);
    await apiJson(`/v1/subscriptions/${sub.id}/pause`, { method: 'POST' });
    const held = await Promise.all([1, 2, 3].map(async (i) => (await deliveriesOf((await sendEvent('sweep.held', { i })).id))));
    await eventually(async () => (await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting === 3);
    const heldIds = held.flat().map((d) => d.id);
    const { deliveryId: lost } = await storedDelivery(sub.id, 'sweep.held'); // its message never went
    // The shard sweeps itself (asked by the cron): its report says what it queued again and what it left held.
    const t = Date.now() + 120_000; // all four overdue
    const first = await sweep(env, t);
    expect(first.held).toBe(3);
    expect(first.requeued).toBe(1); // the lost one only: no copy of a held delivery's message
    const due = await (await logDb()).prepare('SELECT id, next_attempt_at FROM deliveries WHERE id IN (SELECT value FROM json_each(?))').bind(JSON.stringify(heldIds)).all<{ next_attempt_at: string }>();
    expect(due.results.map((d) => Date.parse(d.next_attempt_at))).toEqual(heldIds.map(() => t + HELD_RECHECK_MS));
    await eventually(async () => (await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting === 4); // the lost one reached the object

    // A minute later only the one queued last time is overdue again: the object holds it now, so it stays there too.
    const second = await sweep(env, t + 120_000);
    expect(second.held).toBe(1);
    expect(second.requeued).toBe(0);
    await queueDrained();
    expect(await r.log()).toEqual([]);

    // An hour later the sweep asks about them again (they still wait: still left alone).
    const third = await sweep(env, t + HELD_RECHECK_MS + 120_000);
    expect(third.held).toBe(3); // the three deferred an hour ago (the lost one was deferred a minute later)
    expect(third.requeued).toBe(0);

    await apiJson(`/v1/subscriptions/${sub.id}/resume`, { method: 'POST' });
    const log = await eventually(async () => {
      const l = await r.log();
      return l.length >= 4 && l;
    });
    expect(log).toHaveLength(4);
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting).toBe(0);
  });

  it('looks again later only at a held delivery that has not moved on since the sweep took it', async () => {
    const sub = await createSubscription('http://127.0.0.1:9/never', ['sweep.defer']);
    const { deliveryId } = await storedDelivery(sub.id, 'sweep.defer');
    const at = async () => (await (await logDb()).prepare('SELECT next_attempt_at FROM deliveries WHERE id = ?').bind(deliveryId).first<{ next_attempt_at: string }>())!.next_attempt_at;
    const before = await at();
    await deferHeld((await logDb()), [{ id: deliveryId, generation: 1 }], '2099-01-01T00:00:00.000Z'); // its chain moved on meanwhile
    expect(await at()).toBe(before);
    await deferHeld((await logDb()), [{ id: deliveryId, generation: 0 }], '2099-01-01T00:00:00.000Z');
    expect(await at()).toBe('2099-01-01T00:00:00.000Z');
  });

  it('delivers an event whose waitUntil never ran', async () => {
    const r = receiver('sweep-lost');
    const sub = await createSubscription(r.url, ['sweep.lost']);
    // What a request leaves behind when the isolate dies right after its response: the stored event only.
    const now = Date.now();
    const id = `evt_lost${now}`;
    const stored = await insertEvent((await logDb()), { id, application_id: 'default', type: 'sweep.lost', data: '{"n":1}', callback_url: null, created_at: new Date(now).toISOString() }, { key: null, producerId: true, bodyHash: null }, now);
    expect(stored.created).toBe(true);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 0, fanout_runs: 0 });

    await runSweep(now + 120_000);
    await settledDelivery(id, sub.id);
    await eventually(async () => (await r.log()).length === 1);
    // A second sweep finds nothing left to do and sends nothing again.
    await runSweep(now + 240_000);
    await queueDrained([id]);
    expect(await r.log()).toHaveLength(1);
    expect(await fanoutRow(id)).toEqual({ fanout_done: 1, fanout_runs: 1 });
  });

  it('purges idempotency keys older than 24 h', async () => {
    const old = Date.now() - 25 * 3600_000;
    await (await logDb()).prepare('INSERT INTO idempotency_keys (key, event_id, created_at_ms) VALUES (?, ?, ?)').bind('key:old', 'evt_x', old).run();
    await runSweep(Date.now());
    expect(await (await logDb()).prepare("SELECT key FROM idempotency_keys WHERE key = 'key:old'").first()).toBeNull();
  });

  it('resumes a fan-out of many pages from its saved cursor, never from the first page again', async () => {
    const receivers = Array.from({ length: 5 }, (_, i) => receiver(`sweep-page-${i}`));
    for (const r of receivers) await createSubscription(r.url, ['sweep.pages']);
    const paged = { ...env, FANOUT_PAGE_SIZE: '2' };
    // The queue takes deliveries but not the message that continues the fan-out on its next page.
    const stuck = {
      sendBatch: (m: Iterable<MessageSendRequest<Task>>) => env.DELIVERIES.sendBatch(m),
      send: () => Promise.reject(new Error('queue unavailable')),
    } as unknown as Queue<Task>;
    const now = Date.now();
    const id = `evt_pages${now}`;
    await storeEvent(id, 'sweep.pages', now);
    await expect(fanOut({ ...paged, DELIVERIES: stuck }, logAt(env, await shardOf()), id, null, now)).rejects.toThrow('queue unavailable');
    const cursorRow = async () => (await logDb()).prepare('SELECT fanout_cursor, fanout_done FROM events WHERE id = ?').bind(id).first<{ fanout_cursor: string | null; fanout_done: number }>();
    const stalled = await cursorRow();
    expect(stalled).toMatchObject({ fanout_done: 0 });
    expect(stalled!.fanout_cursor).not.toBeNull();
    const firstPage = (await deliveriesOf(id)).length;
    expect(firstPage).toBeLessThanOrEqual(2);

    // A second run of the first page (what the sweep did before) changes nothing and queues nothing.
    await fanOut(paged, logAt(env, await shardOf()), id, null, now);
    expect(await deliveriesOf(id)).toHaveLength(firstPage);
    expect(await cursorRow()).toEqual(stalled);

    await runSweep(now + 120_000, paged);
    await eventually(async () => (await Promise.all(receivers.map((r) => r.log()))).every((l) => l.length === 1));
    expect(await fanoutRow(id)).toEqual({ fanout_done: 1, fanout_runs: 1 }); // the sweep's run (the first was not ingest's)
    const deliveries = await deliveriesOf(id);
    expect(deliveries).toHaveLength(5);
    expect(new Set(deliveries.map((d) => d.subscription_id)).size).toBe(5);
    await queueDrained([id]);
    for (const r of receivers) expect(await r.log()).toHaveLength(1);
  });

  it('finishes a newer fan-out although 60 older ones fail every time', async () => {
    const r = receiver('sweep-starve');
    const sub = await createSubscription(r.url, ['sweep.starve']);
    const now = Date.now();
    // Their fan-out always throws: the subscription they target has an id longer than a KV key may be.
    const unreadable = `sub_${'x'.repeat(600)}`;
    for (let i = 0; i < 60; i++) await storeEvent(`evt_bad${String(i).padStart(2, '0')}_${now}`, 'sweep.bad', now - 600_000 + i, unreadable);
    const newer = `evt_newer${now}`;
    await storeEvent(newer, 'sweep.starve', now - 300_000);

    const first = await sweepReport(now);
    expect(first).toMatchObject({ redriven: 0, failed: 50 });
    expect((await fanoutRow(newer))?.fanout_done).toBe(0);
    // The 50 that failed went to the back of the line: the next sweep reaches the newer event.
    const second = await sweepReport(now + 1000);
    expect(second).toMatchObject({ redriven: 1, failed: 10 });
    expect((await fanoutRow(newer))?.fanout_done).toBe(1);
    await settledDelivery(newer, sub.id);
  });
});

/** The sweep's report, read from what it logs. */
async function sweepReport(atMs: number): Promise<Record<string, number>> {
  const spy = vi.spyOn(console, 'log');
  try {
    await runSweep(atMs);
    const line = spy.mock.calls.map((c) => String(c[0])).find((l) => l.includes('"msg":"sweep"'));
    return JSON.parse(line!) as Record<string, number>;
  } finally {
    spy.mockRestore();
  }
}
