// One retry chain per delivery: D1 is the truth and each queue message carries the delivery's
// generation. Redelivers never fork the chain, late messages never reopen it, lost ones are re-queued.
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Task } from '../src/delivery/tasks';
import worker from '../src/index';
import { apiJson, createSubscription, env, eventually, receiver, settledDelivery } from './support/helpers';
import { createDeliveries, deliverMessage, storedDelivery } from './support/stored';
import { runSweep } from './support/sweep';
import { queueDrained } from './support/quiet';
import { logDb } from './support/log';

const row = async (id: string) =>
  (await logDb()).prepare('SELECT status, generation, chain_attempts, attempt_count, next_attempt_at FROM deliveries WHERE id = ?')
    .bind(id)
    .first<{ status: string; generation: number; chain_attempts: number; attempt_count: number; next_attempt_at: string | null }>();

/** A new subscription to `url` and a stored delivery to it, due at `createdAtMs`, whose message was never sent (or was lost). */
async function subscribedDelivery(url: string, createdAtMs = Date.now()) {
  const sub = await createSubscription(url, ['chain.test']);
  return { sub, ...(await storedDelivery(sub.id, 'chain.test', createdAtMs)) };
}

const redeliver = (id: string) => apiJson(`/v1/deliveries/${id}/redeliver`, { method: 'POST' });

describe('one retry chain per delivery', () => {
  it('two concurrent redelivers of a failed delivery make one attempt, and a failure fails it again', async () => {
    const r = receiver('chain-redeliver');
    await r.script([], { status: 500 });
    const { deliveryId } = await subscribedDelivery(r.url);
    await (await logDb()).prepare("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, chain_attempts = 4, attempt_count = 4, generation = 5 WHERE id = ?").bind(deliveryId).run();

    const [a, b] = await Promise.all([redeliver(deliveryId), redeliver(deliveryId)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    await eventually(async () => (await row(deliveryId))?.status === 'failed' && (await r.log()).length >= 1);
    await queueDrained(); // a second attempt queued by the other redeliver would have been made by now
    expect(await r.log()).toHaveLength(1);
    // One attempt on the chain: the schedule counted as used up, so its failure failed it again.
    expect(await row(deliveryId)).toMatchObject({ status: 'failed', attempt_count: 5, chain_attempts: 4 });
  });

  it('redelivering a pending delivery moves its next attempt to now; the delayed message then sends nothing', async () => {
    const r = receiver('chain-move');
    const { deliveryId } = await subscribedDelivery(r.url);
    const later = new Date(Date.now() + 3600_000).toISOString();
    await (await logDb()).prepare('UPDATE deliveries SET next_attempt_at = ?, chain_attempts = 2, attempt_count = 2, generation = 2 WHERE id = ?').bind(later, deliveryId).run();

    const [a, b] = await Promise.all([redeliver(deliveryId), redeliver(deliveryId)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    await eventually(async () => (await row(deliveryId))?.status === 'succeeded');
    expect(await r.log()).toHaveLength(1);
    expect(await row(deliveryId)).toMatchObject({ attempt_count: 3 });

    // The message the chain had waiting for its retry in an hour turns up: stale, it sends nothing.
    const late = await deliverMessage(deliveryId, 2);
    expect(late.explicitAcks).toEqual(['m']);
    expect(await r.log()).toHaveLength(1);
  });

  it('a late message of a finished chain never reopens it', async () => {
    const r = receiver('chain-late');
    await r.script([{ status: 500 }], { status: 200 });
    const { deliveryId, sub, eventId } = await subscribedDelivery(r.url);
    await deliverMessage(deliveryId, 0); // 500: the retry goes on the queue as generation 1
    await settledDelivery(eventId, sub.id);
    expect(await r.log()).toHaveLength(2);
    const done = await row(deliveryId);
    for (const generation of [0, 1]) await deliverMessage(deliveryId, generation);
    expect(await r.log()).toHaveLength(2);
    expect(await row(deliveryId)).toEqual(done);
  });

  it('a redeliver whose queue send fails leaves the delivery due, and the sweep sends it', async () => {
    const r = receiver('chain-send-fails');
    const { deliveryId } = await subscribedDelivery(r.url);
    await (await logDb()).prepare("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ?").bind(deliveryId).run();
    const broken = { send: () => Promise.reject(new Error('queue unavailable')), sendBatch: () => Promise.reject(new Error('queue unavailable')) } as unknown as Queue<Task>;
    const req = new Request(`https://edgehook.test/v1/deliveries/${deliveryId}/redeliver`, { method: 'POST', headers: { authorization: 'Bearer test-token' } });
    const res = await worker.fetch(req, { ...env, DELIVERIES: broken, SLOW_DELIVERIES: broken }, createExecutionContext());
    expect(res.status).toBe(202); // durable in D1: it will be sent
    expect(await row(deliveryId)).toMatchObject({ status: 'pending' });
    expect(await r.log()).toEqual([]);
    await runSweep(Date.now() + 120_000);
    await eventually(async () => (await row(deliveryId))?.status === 'succeeded');
    expect(await r.log()).toHaveLength(1);
  });
});

describe('reconciliation', () => {
  it('queues again a pending delivery whose message was lost, once it is overdue by the grace period', async () => {
    const r = receiver('chain-lost');
    const now = Date.now();
    const { deliveryId } = await subscribedDelivery(r.url, now);
    // Its message was acked without being sent: nothing is on the queue. Within the grace period the sweep waits.
    await runSweep(now + 30_000);
    await queueDrained();
    expect(await r.log()).toEqual([]);
    expect((await row(deliveryId))?.status).toBe('pending');
    await runSweep(now + 61_000);
    await eventually(async () => (await row(deliveryId))?.status === 'succeeded');
    expect(await r.log()).toHaveLength(1);
    expect((await r.log())[0]!.headers['webhook-id']).toMatch(/^evt_/);
  });

  it('leaves alone a delivery waiting for a retry that is not yet due, and the final ones', async () => {
    const r = receiver('chain-not-due');
    const now = Date.now();
    const waiting = await subscribedDelivery(r.url, now);
    await (await logDb()).prepare('UPDATE deliveries SET next_attempt_at = ? WHERE id = ?').bind(new Date(now + 7200_000).toISOString(), waiting.deliveryId).run();
    const failed = await subscribedDelivery(r.url, now);
    await (await logDb()).prepare("UPDATE deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ?").bind(failed.deliveryId).run();
    await runSweep(now + 3600_000);
    await queueDrained();
    expect(await r.log()).toEqual([]);
    expect((await row(waiting.deliveryId))?.status).toBe('pending');
    expect((await row(failed.deliveryId))?.status).toBe('failed');
  });

  it('takes overdue deliveries in bounded batches, oldest first, and each goes to the back of the line', async () => {
    const { takeOverdue } = await import('../src/store/deliveries');
    const now = Date.now();
    const base = await subscribedDelivery('https://example.com/hook', now - 600_000);
    const ids = [base.deliveryId];
    for (let i = 1; i < 5; i++) {
      const [d] = await createDeliveries((await logDb()), { id: base.eventId, application_id: 'default' }, [`sub_other${i}`], new Date(now - 600_000 + i * 1000).toISOString());
      ids.push(d!.id);
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    const first = await takeOverdue((await logDb()), iso(now - 60_000), iso(now), 2);
    expect(first.map((d) => d.id)).toEqual(ids.slice(0, 2));
    const second = await takeOverdue((await logDb()), iso(now - 60_000), iso(now), 2);
    expect(second.map((d) => d.id)).toEqual(ids.slice(2, 4));
    const third = await takeOverdue((await logDb()), iso(now - 60_000), iso(now), 2);
    expect(third.map((d) => d.id)).toEqual(ids.slice(4, 5));
    // A grace period later the first ones are due again, first.
    expect((await takeOverdue((await logDb()), iso(now + 1), iso(now + 61_000), 2)).map((d) => d.id)).toEqual(ids.slice(0, 2));
  });
});
