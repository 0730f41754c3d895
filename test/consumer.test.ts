// The deliveries consumer in isolation: each outcome maps to ack() or retry(), never an ack after a failure.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Task } from '../src/delivery/tasks';
import worker from '../src/index';
import { storedDelivery } from './support/stored';
import { apiJson, createSubscription, env, receiver } from './support/helpers';
import { logDb } from './support/log';

/** A stored event and its delivery to a new subscription, without going through the queue. */
async function subscribedDelivery(url: string) {
  const sub = await createSubscription(url, ['consumer.only']);
  return { sub, ...(await storedDelivery(sub.id, 'consumer.only')) };
}

/**
 * One batch of the given deliveries (message ids msg-1, msg-2, …, of generation 0) through the Worker's
 * queue handler. What it queues (retries) is kept in `queued` instead of going to the local queue.
 */
async function consume(deliveryIds: string | string[], generation = 0) {
  const batch = createMessageBatch<Task>(
    'edgehook-deliveries',
    [deliveryIds].flat().map((id, i) => ({ id: `msg-${i + 1}`, timestamp: new Date(), attempts: 1, body: { kind: 'deliver', delivery_id: id, generation, shard: 'default/0' } })),
  );
  const queued: MessageSendRequest<Task>[] = [];
  const recorder = { send: async (body: Task) => void queued.push({ body }), sendBatch: async (m: Iterable<MessageSendRequest<Task>>) => void queued.push(...m) };
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, DELIVERIES: recorder as unknown as Queue<Task>, SLOW_DELIVERIES: recorder as unknown as Queue<Task> }, ctx);
  return { ...(await getQueueResult(batch, ctx)), queued };
}

const row = async (id: string) =>
  (await logDb()).prepare('SELECT status, generation, chain_attempts, attempt_count, next_attempt_at FROM deliveries WHERE id = ?').bind(id).first<Record<string, unknown>>();

describe('deliveries consumer', () => {
  it('acks a delivery the receiver accepted', async () => {
    const r = receiver('consumer-ok');
    const { deliveryId } = await subscribedDelivery(r.url);
    const result = await consume(deliveryId);
    expect(result.explicitAcks).toEqual(['msg-1']);
    expect(result.retryMessages).toEqual([]);
    expect((await r.log()).length).toBe(1);
    expect((await apiJson(`/v1/deliveries/${deliveryId}`)).body.status).toBe('succeeded');
  });

  it('retries a failed attempt as a new message of the next generation, with the schedule delay', async () => {
    const r = receiver('consumer-fail');
    await r.script([], { status: 500 });
    const { deliveryId } = await subscribedDelivery(r.url);
    const result = await consume(deliveryId);
    expect(result.explicitAcks).toEqual(['msg-1']);
    expect(result.retryMessages).toEqual([]);
    expect(result.queued).toEqual([{ body: { kind: 'deliver', delivery_id: deliveryId, generation: 1, subscription_id: expect.stringMatching(/^sub_/), shard: 'default/0' }, delaySeconds: 1 }]);
    const { body } = await apiJson(`/v1/deliveries/${deliveryId}`);
    expect(body).toMatchObject({ status: 'pending', attempt_count: 1 });
    expect(await row(deliveryId)).toMatchObject({ generation: 1, chain_attempts: 1 });
    // The test schedule's 1 s after the attempt ended.
    const [attempt] = body.attempts;
    expect(Date.parse(body.next_attempt_at) - Date.parse(attempt.at)).toBe(1000 + attempt.duration_ms);
  });

  it('retries a network error like a 5xx', async () => {
    const r = receiver('consumer-reset');
    await r.script([], { reset: true });
    const { deliveryId } = await subscribedDelivery(r.url);
    const result = await consume(deliveryId);
    expect(result.explicitAcks).toEqual(['msg-1']);
    expect(result.queued).toHaveLength(1);
    const { body } = await apiJson(`/v1/deliveries/${deliveryId}`);
    expect(body).toMatchObject({ status: 'pending', attempt_count: 1 });
    expect(body.attempts[0]).toMatchObject({ status_code: null });
    expect(body.attempts[0].error).toMatch(/^network error/);
  });

  it('fails a delivery at once when its last scheduled attempt fails, and queues nothing more', async () => {
    const r = receiver('consumer-exhausted');
    await r.script([], { status: 500 });
    const { deliveryId } = await subscribedDelivery(r.url);
    // The test schedule has 3 retries: three attempts were made, this is the fourth and last.
    await (await logDb()).prepare('UPDATE deliveries SET chain_attempts = 3 WHERE id = ?').bind(deliveryId).run();
    const result = await consume(deliveryId);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual(['msg-1']);
    expect(result.queued).toEqual([]);
    expect(await row(deliveryId)).toMatchObject({ status: 'failed', next_attempt_at: null, chain_attempts: 4, attempt_count: 1 });
  });

  it('sends nothing for a message of an older generation, and changes nothing', async () => {
    const r = receiver('consumer-stale');
    const { deliveryId } = await subscribedDelivery(r.url);
    await (await logDb()).prepare('UPDATE deliveries SET generation = 2 WHERE id = ?').bind(deliveryId).run(); // e.g. redelivered since
    const before = await row(deliveryId);
    const result = await consume(deliveryId, 1);
    expect(result.explicitAcks).toEqual(['msg-1']);
    expect(result.queued).toEqual([]);
    expect(await r.log()).toEqual([]);
    expect(await row(deliveryId)).toEqual(before);
    // The current generation does send.
    await consume(deliveryId, 2);
    expect(await r.log()).toHaveLength(1);
  });

  it('makes one attempt for two messages of the same delivery in one batch', async () => {
    const r = receiver('consumer-twice');
    const { deliveryId } = await subscribedDelivery(r.url);
    const result = await consume([deliveryId, deliveryId]);
    expect(result.explicitAcks.toSorted()).toEqual(['msg-1', 'msg-2']);
    expect(await r.log()).toHaveLength(1);
    expect(await row(deliveryId)).toMatchObject({ status: 'succeeded', attempt_count: 1 });
  });

  it('disables the subscription on 410 Gone and fails the delivery at once', async () => {
    const r = receiver('consumer-gone');
    await r.script([], { status: 410 });
    const { deliveryId, sub } = await subscribedDelivery(r.url);
    const result = await consume(deliveryId);
    expect(result.explicitAcks).toEqual(['msg-1']);
    expect(result.retryMessages).toEqual([]);
    expect((await apiJson(`/v1/deliveries/${deliveryId}`)).body.status).toBe('failed');
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body.disabled).toBe(true);
  });

  it('retries, never acks, when its own storage fails', async () => {
    const r = receiver('consumer-storage');
    const { deliveryId } = await subscribedDelivery(r.url);
    const batch = createMessageBatch<Task>('edgehook-deliveries', [
      { id: 'msg-1', timestamp: new Date(), attempts: 1, body: { kind: 'deliver', delivery_id: deliveryId, shard: 'default/0' } },
    ]);
    const ctx = createExecutionContext();
    const brokenKv = { get: () => Promise.reject(new Error('KV unavailable')) } as unknown as KVNamespace;
    await worker.queue(batch, { ...env, SUBSCRIPTIONS: brokenKv }, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['msg-1']); // each message of the shard's group
    expect(result.ackAll).toBe(false);
    expect(await r.log()).toEqual([]);
    expect((await apiJson(`/v1/deliveries/${deliveryId}`)).body.attempt_count).toBe(0);
  });

  it('puts at most MAX_CONCURRENT_ATTEMPTS (6) attempts of a batch on the wire at once, and sends them all', async () => {
    // Workers queues a seventh connection waiting for headers inside fetch(), where its timeout would
    // already run; workerd locally does not, so without edgehook's own limit all ten would arrive at once.
    const r = receiver('consumer-six');
    const HOLD_MS = 800;
    await r.script([], { status: 200, delay_ms: HOLD_MS });
    const ids = await Promise.all(Array.from({ length: 10 }, async () => (await subscribedDelivery(r.url)).deliveryId));
    const result = await consume(ids);
    expect(result.explicitAcks.toSorted()).toEqual(ids.map((_, i) => `msg-${i + 1}`).toSorted());

    const arrivals = (await r.log()).map((l) => l.at).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(10);
    // The first six go together; the other four only once answers come back, a hold later.
    const firstWave = arrivals.filter((at) => at - arrivals[0]! < HOLD_MS / 2);
    expect(firstWave).toHaveLength(6);
    for (const id of ids) expect((await apiJson(`/v1/deliveries/${id}`)).body).toMatchObject({ status: 'succeeded', attempt_count: 1 });
  });
});
