// Fan-out: one event becomes one queued delivery per matching subscription. Safe to run again:
// deliveries are created once, and only those not yet queued are queued.
import type { Env } from '../env';
import { createDeliveries, markEnqueued } from '../store/deliveries';
import { finishFanout, getEvent, startFanout } from '../store/events';
import { matchingSubscriptionIds } from '../store/subscriptions';
import { matchesAny } from './patterns';
import { SEND_BATCH_LIMIT } from './queues';

/** Fans out one page of subscriptions; further pages continue through the queue. */
export async function fanOut(env: Env, eventId: string, cursor?: string, nowMs = Date.now()): Promise<void> {
  const event = await getEvent(env.DB, eventId);
  if (!event) return;
  if (cursor === undefined) await startFanout(env.DB, eventId);
  const page = await matchingSubscriptionIds(env.SUBSCRIPTIONS, (patterns) => matchesAny(patterns, event.type), cursor);
  const toQueue = await createDeliveries(env.DB, eventId, page.ids, new Date(nowMs).toISOString());
  for (let i = 0; i < toQueue.length; i += SEND_BATCH_LIMIT) {
    const chunk = toQueue.slice(i, i + SEND_BATCH_LIMIT);
    await env.DELIVERIES.sendBatch(chunk.map((id) => ({ body: { kind: 'deliver' as const, delivery_id: id } })));
    await markEnqueued(env.DB, chunk);
  }
  if (page.cursor) await env.DELIVERIES.send({ kind: 'fanout', event_id: eventId, cursor: page.cursor });
  else await finishFanout(env.DB, eventId);
}
