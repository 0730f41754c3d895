// Flow control per subscription, in its Durable Object: a rate limit held at the receiver, FIFO order
// (per ordering key) through retries, pause and resume; held deliveries are no attempts and no failures.
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { ASK_IF_FINAL } from '../src/objects/flow-gate';
import { describe, expect, it } from 'vitest';
import { apiJson, createSubscription, env, eventually, receiver, sendEvent } from './support/helpers';
import { busiestSecond } from './support/busiest-second';
import { failing } from './support/bindings';
import { deliverMessage, handleMessage, storedDelivery } from './support/stored';
import { admit } from '../src/delivery/leases';
import { SLOW_QUEUE } from '../src/delivery/queues';
import { queueDrained } from './support/quiet';
import { logDb } from './support/log';

async function sendMany(type: string, n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 25) {
    const sent = await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, k) => sendEvent(type, { i: i + k }, {}, extra(i + k))));
    ids.push(...sent.map((e) => e.id));
  }
  return ids;
}

const dataOf = (body: string) => JSON.parse(body).data as { i: number };

/** Where a subscription's deliveries stand: by status in the log, waiting at its object, arrived at its receiver. */
const standing = (subscriptionId: string, r: ReturnType<typeof receiver>) => async () => ({
  log: (await (await logDb()).prepare('SELECT status, attempt_count, count(*) AS n FROM deliveries WHERE subscription_id = ? GROUP BY 1, 2').bind(subscriptionId).all()).results,
  unfanned: (await (await logDb()).prepare('SELECT count(*) AS n FROM events WHERE fanout_done = 0').first<{ n: number }>())?.n,
  waiting: (await apiJson(`/v1/subscriptions/${subscriptionId}`)).body.waiting,
  arrived: (await r.log()).length,
});

describe('flow control', () => {
  it('never sends more than the rate limit, sends everything in about n / rate, and does not slow a neighbour', async () => {
    const limited = receiver('rate-limited');
    const free = receiver('rate-free');
    const sub = await createSubscription(limited.url, ['rate.go'], { rate_limit: { per_second: 20 } });
    expect(sub).toMatchObject({ rate_limit: { per_second: 20, burst: 1 }, ordering: null, paused: false });
    await createSubscription(free.url, ['rate.go']);
    const t0 = Date.now();
    await sendMany('rate.go', 300);
    const freeDone = await eventually(async () => (await free.log()).length >= 300 && Date.now(), 30_000);
    const log = await eventually(async () => {
      const l = await limited.log();
      return l.length >= 300 && l;
    }, 40_000, standing(sub.id, limited));
    const took = Math.max(...log.map((l) => l.at)) - t0;
    const busiest = busiestSecond(log.map((l) => l.at));
    console.log(`rate limit 20/s: 300 in ${(took / 1000).toFixed(1)} s, at most ${busiest} in any second; the neighbour's 300 in ${((freeDone - t0) / 1000).toFixed(1)} s`);
    expect(busiest).toBeLessThanOrEqual(21);
    expect(took).toBeGreaterThan(14_000);
    expect(took).toBeLessThan(25_000);
    expect(freeDone - t0).toBeLessThan(took / 2); // the neighbour was not held back
    expect(new Set(log.map((l) => l.headers['webhook-id'])).size).toBe(300);
    // Held deliveries are not attempts: each made exactly one, and none failed.
    const { results } = await (await logDb()).prepare('SELECT attempt_count, status FROM deliveries WHERE subscription_id = ?').bind(sub.id).all<{ attempt_count: number; status: string }>();
    expect(results.every((r) => r.attempt_count === 1 && r.status === 'succeeded')).toBe(true);
  }, 60_000);

  it('with a burst: a quiet spell lets the burst go at once, and any second holds at most per_second + burst − 1', async () => {
    const r = receiver('rate-burst');
    const sub = await createSubscription(r.url, ['burst.go'], { rate_limit: { per_second: 50, burst: 20 } });
    const t0 = Date.now();
    await sendMany('burst.go', 200);
    const log = await eventually(async () => {
      const l = await r.log();
      return l.length >= 200 && l;
    }, 30_000, standing(sub.id, r));
    const took = Math.max(...log.map((l) => l.at)) - t0;
    const busiest = busiestSecond(log.map((l) => l.at));
    console.log(`rate limit 50/s, burst 20: 200 in ${(took / 1000).toFixed(1)} s, at most ${busiest} in any second`);
    expect(busiest).toBeLessThanOrEqual(50 + 20 - 1);
    expect(took).toBeGreaterThan(((200 - 20) / 50) * 1000);
    expect(new Set(log.map((l) => l.headers['webhook-id'])).size).toBe(200);
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting).toBe(0); // each held one was let go by its object
  });

  it('FIFO: first successful arrivals exactly in event order through a retried head; one key’s failure does not hold up another', async () => {
    const r = receiver('fifo');
    await r.script([{ status: 200 }, { status: 200 }, { status: 500 }, { status: 500 }]); // the 3rd event fails twice
    await createSubscription(r.url, ['fifo.go'], { ordering: 'fifo' });
    for (let i = 0; i < 50; i++) await sendEvent('fifo.go', { i }); // one after another: event order is i
    const log = await eventually(async () => {
      const l = await r.log();
      return l.filter((x) => x.answer === 200).length >= 50 && l;
    }, 30_000);
    expect(log.filter((x) => x.answer === 200).map((x) => dataOf(x.body).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(log.filter((x) => x.answer === 500).map((x) => dataOf(x.body).i)).toEqual([2, 2]);

    // Two keys: key a's first event fails 3 times (then succeeds on its last attempt); key b flows meanwhile.
    const k = receiver('fifo-keys');
    await k.script([], { match: { text: '"i":0', status: 500, times: 3 } });
    await createSubscription(k.url, ['keys.go'], { ordering: 'fifo' });
    for (let i = 0; i < 10; i++) await sendEvent('keys.go', { i, key: i % 2 ? 'b' : 'a' }, {}, { ordering_key: i % 2 ? 'b' : 'a' });
    const keyed = await eventually(async () => {
      const l = await k.log();
      return l.filter((x) => x.answer === 200).length >= 10 && l;
    }, 30_000);
    const ok = keyed.filter((x) => x.answer === 200).map((x) => dataOf(x.body).i);
    expect(ok.filter((i) => i % 2 === 0)).toEqual([0, 2, 4, 6, 8]);
    expect(ok.filter((i) => i % 2 === 1)).toEqual([1, 3, 5, 7, 9]);
    const firstA = keyed.find((x) => x.answer === 200 && dataOf(x.body).i === 0)!.at;
    const lastB = Math.max(...keyed.filter((x) => dataOf(x.body).i % 2 === 1).map((x) => x.at));
    expect(lastB).toBeLessThan(firstA); // all of b arrived while a's head was still being retried
  });

  it('FIFO after a crash between recording the head and settling it: the head’s message again frees the lane', async () => {
    const r = receiver('fifo-crash');
    const sub = await createSubscription(r.url, ['fifocrash.go'], { ordering: 'fifo' });
    const first = await sendEvent('fifocrash.go', { i: 0 });
    await eventually(async () => (await r.log()).length >= 1);
    const [head] = (await apiJson(`/v1/events/${first.id}`)).body.deliveries as { id: string; status: string }[];
    await eventually(async () => (await apiJson(`/v1/deliveries/${head!.id}`)).body.status === 'succeeded');
    // The consumer died after recording the attempt and before settling: the lane still names the head.
    await runInDurableObject(env.SUBSCRIPTION_OBJECTS.getByName(sub.id), (_o, state) => {
      state.storage.sql.exec('INSERT OR REPLACE INTO lanes (lane, head, since_ms) VALUES (?, ?, ?)', '', head!.id, Date.now());
    });
    for (let i = 1; i <= 3; i++) await sendEvent('fifocrash.go', { i });
    await eventually(async () => (await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting >= 3);
    await queueDrained();
    expect((await r.log()).length).toBe(1); // stuck behind the head that never settled
    // The object sends the head's delivery again (no generation); the consumer finds it final and settles it.
    const result = await deliverMessage(head!.id, ASK_IF_FINAL);
    expect(result.explicitAcks).toEqual(['m']);
    const log = await eventually(async () => {
      const l = await r.log();
      return l.length >= 4 && l;
    });
    expect(log.map((l) => dataOf(l.body).i)).toEqual([0, 1, 2, 3]);
  });

  it('a delivery its object sent back is let go by the object, never by an attempt lent meanwhile (which would leave it held there)', async () => {
    const r = receiver('released-lent');
    // Attempts of a roomy burst are lent for 500 ms at a time.
    const sub = await createSubscription(r.url, ['released.go'], { rate_limit: { per_second: 10, burst: 100 } });
    const { eventId, deliveryId } = await storedDelivery(sub.id, 'released.go');
    // This isolate is lent attempts (nothing waits yet), and then the delivery is held and released: as
    // when the object holds one of a batch's deliveries while another of its asks brings a lease back.
    await admit(env, sub.id, { delivery_id: 'asked-first', generation: 0, lane: '', seq: 'asked-first' }, true);
    expect(await admit(env, sub.id, { delivery_id: 'lent', generation: 0, lane: '', seq: 'lent' }, true)).toMatchObject({ by: expect.any(Number) });
    await runInDurableObject(env.SUBSCRIPTION_OBJECTS.getByName(sub.id), (_o, state) => {
      state.storage.sql.exec('INSERT INTO held (delivery_id, generation, lane, seq, released_at_ms) VALUES (?, 0, ?, ?, ?)', deliveryId, '', deliveryId, Date.now());
    });
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting).toBe(1);
    const result = await handleMessage({ kind: 'deliver', delivery_id: deliveryId, generation: 0, subscription_id: sub.id, released: true, shard: 'default/0' }, SLOW_QUEUE);
    expect(result.explicitAcks).toEqual(['m']);
    expect((await r.log()).map((l) => l.headers['webhook-id'])).toEqual([eventId]);
    // The object let it go itself: nothing is left waiting, or counted as on its way back for a minute.
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting).toBe(0);
  });

  it('a queue that fails as the object sends waiting deliveries back: they wait again and go when it works, not a minute later', async () => {
    const r = receiver('release-fails');
    const sub = await createSubscription(r.url, ['relfail.go']);
    await apiJson(`/v1/subscriptions/${sub.id}/pause`, { method: 'POST' });
    for (let i = 0; i < 3; i++) await sendEvent('relfail.go', { i });
    await eventually(async () => (await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting === 3);
    // The object's queue fails, as in an outage, while it is resumed.
    const object = env.SUBSCRIPTION_OBJECTS.getByName(sub.id);
    let real: typeof env | undefined;
    await runInDurableObject(object, (o) => {
      const own = o as unknown as { env: typeof env };
      real = own.env;
      own.env = { ...real, SLOW_DELIVERIES: failing(real.SLOW_DELIVERIES, 'sendBatch') };
    });
    const resumed = await apiJson(`/v1/subscriptions/${sub.id}/resume`, { method: 'POST' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.paused).toBe(false);
    await queueDrained();
    expect(await r.log()).toEqual([]);
    await runInDurableObject(object, (o) => void ((o as unknown as { env: typeof env }).env = real!));
    // The alarm tries again within seconds; a release whose message was lost would wait out its minute.
    const log = await eventually(async () => {
      const l = await r.log();
      return l.length >= 3 && l;
    }, 15_000);
    expect(log.map((l) => dataOf(l.body).i).sort()).toEqual([0, 1, 2]);
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting).toBe(0);
  });

  it('pause holds everything (no attempt, no failure), resume sends it all; GET shows how many wait', async () => {
    const r = receiver('paused');
    const sub = await createSubscription(r.url, ['pause.go']);
    const paused = await apiJson(`/v1/subscriptions/${sub.id}/pause`, { method: 'POST' });
    expect(paused.body.paused).toBe(true);
    await sendMany('pause.go', 100);
    const waiting = await eventually(async () => {
      const s = (await apiJson(`/v1/subscriptions/${sub.id}`)).body;
      return s.waiting >= 100 && s;
    }, 20_000);
    expect(waiting.waiting).toBe(100);
    await queueDrained();
    expect(await r.log()).toEqual([]);
    const held = await (await logDb()).prepare("SELECT count(*) AS n, sum(attempt_count) AS attempts FROM deliveries WHERE subscription_id = ? AND status = 'pending'").bind(sub.id).first();
    expect(held).toEqual({ n: 100, attempts: 0 });

    expect((await apiJson(`/v1/subscriptions/${sub.id}/resume`, { method: 'POST' })).body.paused).toBe(false);
    await eventually(async () => (await r.log()).length >= 100, 20_000);
    const after = await (await logDb()).prepare('SELECT status, attempt_count, count(*) AS n FROM deliveries WHERE subscription_id = ? GROUP BY status, attempt_count').bind(sub.id).all();
    expect(after.results).toEqual([{ status: 'succeeded', attempt_count: 1, n: 100 }]);
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting).toBe(0);
  });

  it('a pause in the middle of a stream under a roomy limit: once it answers, nothing more is sent, lent attempts included', async () => {
    const r = receiver('paused-lent');
    // A limit far from binding: the consumers are lent attempts and stop asking for each.
    const sub = await createSubscription(r.url, ['lent.go'], { rate_limit: { per_second: 1000, burst: 1000 } });
    let stop = false;
    const stream = (async () => {
      let n = 0;
      while (!stop && n < 400) await sendEvent('lent.go', { i: n++ });
      return n;
    })();
    await eventually(async () => (await r.log()).length >= 30, 20_000);
    const paused = await apiJson(`/v1/subscriptions/${sub.id}/pause`, { method: 'POST' });
    const pausedAt = Date.now();
    expect(paused.body.paused).toBe(true);
    await new Promise((ok) => setTimeout(ok, 1500));
    stop = true;
    const sent = await stream;
    const log = await r.log();
    const late = log.filter((l) => l.at > pausedAt + 15);
    console.log(`paused after ${log.length - late.length} of ${sent} arrived; ${late.length} later`);
    expect(late).toEqual([]);
    expect(log.length).toBeLessThan(sent);
    expect((await apiJson(`/v1/subscriptions/${sub.id}/resume`, { method: 'POST' })).body.paused).toBe(false);
    await eventually(async () => new Set((await r.log()).map((l) => l.headers['webhook-id'])).size >= sent, 20_000);
  }, 60_000);
});

describe('flow control settings', () => {
  it('survives an eviction of the object: held deliveries and the pause are in its storage', async () => {
    const r = receiver('evicted');
    const sub = await createSubscription(r.url, ['evict.go'], { ordering: 'fifo', rate_limit: { per_second: 50, burst: 5 } });
    await apiJson(`/v1/subscriptions/${sub.id}/pause`, { method: 'POST' });
    for (let i = 0; i < 20; i++) await sendEvent('evict.go', { i });
    await eventually(async () => (await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting >= 20, 20_000);
    await evictDurableObject(env.SUBSCRIPTION_OBJECTS.getByName(sub.id));
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body).toMatchObject({ paused: true, waiting: 20 });
    await apiJson(`/v1/subscriptions/${sub.id}/resume`, { method: 'POST' });
    const log = await eventually(async () => {
      const l = await r.log();
      return l.length >= 20 && l;
    }, 20_000);
    expect(log.map((l) => JSON.parse(l.body).data.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('refuses bad settings with 422, and lifting them sends what waited', async () => {
    const r = receiver('lifted');
    for (const bad of [{ rate_limit: { per_second: 0 } }, { rate_limit: { per_second: 5, burst: 0 } }, { rate_limit: { per_second: 1.5 } }, { ordering: 'lifo' }, { rate_limit: 20 }]) {
      const res = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: r.url, events: ['*'], ...bad } });
      expect(res.status, JSON.stringify(bad)).toBe(422);
    }
    expect((await apiJson('/v1/events', { method: 'POST', json: { type: 'x.y', data: {}, ordering_key: '' } })).status).toBe(422);
    const sub = await createSubscription(r.url, ['lift.go'], { rate_limit: { per_second: 1 } });
    for (let i = 0; i < 6; i++) await sendEvent('lift.go', { i });
    await eventually(async () => (await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting >= 4, 10_000);
    const lifted = await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { rate_limit: null } });
    expect(lifted.body.rate_limit).toBeNull();
    await eventually(async () => (await r.log()).length >= 6, 10_000);
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.waiting).toBe(0);
  });
});
