// Fan-out: one event becomes one queued delivery per matching subscription. Safe to run again:
// deliveries are created once, and only those not yet queued are queued.
import type { Env } from '../env';
import { createDeliveries } from '../store/deliveries';
import { finishFanout, getEvent, startFanout, type EventRow } from '../store/events';
import { getSubscription, matchingSubscriptionIds } from '../store/subscriptions';
import { queueCallbackIfComplete } from './callback';
import { enqueueDeliveries } from './enqueue';
import { matchesAny } from './patterns';

async function targets(env: Env, event: EventRow, cursor?: string): Promise<{ ids: string[]; cursor: string | null }> {
  if (event.target_subscription_id) {
    const sub = await getSubscription(env.SUBSCRIPTIONS, event.target_subscription_id);
    return { ids: sub ? [sub.id] : [], cursor: null };
  }
  return matchingSubscriptionIds(env.SUBSCRIPTIONS, (patterns) => matchesAny(patterns, event.type), cursor);
}

/** Fans out one page of subscriptions; further pages continue through the queue. */
export async function fanOut(env: Env, eventId: string, cursor?: string, nowMs = Date.now()): Promise<void> {
  const event = cursor === undefined ? await startFanout(env.DB, eventId) : await getEvent(env.DB, eventId);
  if (!event) return;
  const page = await targets(env, event, cursor);
  const created = await createDeliveries(env.DB, eventId, page.ids, new Date(nowMs).toISOString());
  await enqueueDeliveries(env, created, nowMs);
  if (page.cursor) {
    await env.DELIVERIES.send({ kind: 'fanout', event_id: eventId, cursor: page.cursor });
  } else {
    await finishFanout(env.DB, eventId);
    // Deliveries may all have settled before the fan-out was marked finished (or there were none).
    if (event.callback_url) await queueCallbackIfComplete(env, eventId, nowMs);
  }
}
