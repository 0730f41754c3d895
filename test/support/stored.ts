// Deliveries made without the API's fan-out, and their messages handled without the queue: for tests
// that drive the consumer with a given message, clock or settings.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Task } from '../../src/delivery/tasks';
import worker from '../../src/index';
import { createDeliveriesStatement, type QueuedDelivery } from '../../src/store/deliveries';
import { insertEvent } from '../../src/store/events';
import { logDb, shardOf } from './log';

/** Deliveries of an event made as the fan-out makes them (`createDeliveriesStatement`): those it created. */
export async function createDeliveries(db: D1Database, event: { id: string; application_id: string }, subscriptionIds: string[], nowIso: string): Promise<QueuedDelivery[]> {
  return (await createDeliveriesStatement(db, event, subscriptionIds, nowIso).all<QueuedDelivery>()).results;
}

/** A stored event (its fan-out done) and its delivery to `subscriptionId`, due at `createdAtMs`; no message is queued. */
export async function storedDelivery(subscriptionId: string, type: string, createdAtMs = Date.now()) {
  const eventId = `evt_${crypto.randomUUID().replaceAll('-', '')}`;
  const at = new Date(createdAtMs).toISOString();
  await insertEvent((await logDb()), { id: eventId, application_id: 'default', type, data: '{"n":1}', callback_url: null, created_at: at }, { key: null, producerId: true, bodyHash: null }, Date.now());
  const [created] = await createDeliveries((await logDb()), { id: eventId, application_id: 'default' }, [subscriptionId], at);
  await (await logDb()).prepare('UPDATE events SET fanout_done = 1 WHERE id = ?').bind(eventId).run();
  return { eventId, deliveryId: created!.id };
}

/** One message (id `m`) of `generation` for the delivery, through the Worker's queue handler now. */
/** `shard`: the log shard that holds it (the default application's newest when not given; null: D1's log from before shards). */
export async function deliverMessage(deliveryId: string, generation = 0, bindings: typeof env = env, shard?: string | null) {
  const at = shard === null ? {} : { shard: shard ?? (await shardOf()) };
  return handleMessage({ kind: 'deliver', delivery_id: deliveryId, generation, ...at }, 'edgehook-deliveries', bindings);
}

/** One message (id `m`) with `body`, as `queue` hands it to the Worker's queue handler, now. */
export async function handleMessage(body: Task, queue: string, bindings: typeof env = env) {
  const batch = createMessageBatch<Task>(queue, [{ id: 'm', timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, bindings, ctx);
  return getQueueResult(batch, ctx);
}
