// Fan-out: one event becomes one queued delivery per matching subscription, a page of subscriptions at
// a time. The event row keeps the cursor of the next page: a run of a page the fan-out has already left
// stops there, and the sweep resumes a stalled fan-out from its cursor, never from the first page again.
import { settings } from '../config';
import type { Env } from '../env';
import { createDeliveries } from '../store/deliveries';
import { advanceFanout, getEvent, startFanout, type EventRow } from '../store/events';
import { getSubscription, matchingSubscriptionIds } from '../store/subscriptions';
import { queueCallbackIfComplete } from './callback';
import { enqueueDeliveries } from './enqueue';
import { matchesAny } from './patterns';

async function targets(env: Env, event: EventRow, cursor: string | null): Promise<{ ids: string[]; cursor: string | null }> {
  if (event.target_subscription_id) {
    const sub = await getSubscription(env.SUBSCRIPTIONS, event.target_subscription_id);
    return { ids: sub ? [sub.id] : [], cursor: null };
  }
  return matchingSubscriptionIds(env.SUBSCRIPTIONS, (patterns) => matchesAny(patterns, event.type), cursor ?? undefined, settings(env).fanoutPageSize);
}

async function fanOutPage(env: Env, event: EventRow, cursor: string | null, nowMs: number): Promise<void> {
  if (event.fanout_done || event.fanout_cursor !== cursor) return; // that page is done
  const page = await targets(env, event, cursor);
  const nowIso = new Date(nowMs).toISOString();
  // Only the deliveries this run created are queued here; any a crashed run created are due, and the sweep queues them.
  await enqueueDeliveries(env, await createDeliveries(env.DB, event.id, page.ids, nowIso), nowMs);
  if (!(await advanceFanout(env.DB, event.id, cursor, page.cursor, nowIso))) return; // another run moved it on
  if (page.cursor) {
    await env.DELIVERIES.send({ kind: 'fanout', event_id: event.id, cursor: page.cursor });
  } else if (event.callback_url) {
    // Deliveries may all have settled before the fan-out was marked finished (or there were none).
    await queueCallbackIfComplete(env, event.id, nowMs);
  }
}

/** A new run of an event's fan-out (counted), from the first page; further pages continue through the queue. */
export async function startFanOut(env: Env, eventId: string, nowMs = Date.now()): Promise<void> {
  const event = await startFanout(env.DB, eventId);
  if (event) await fanOutPage(env, event, null, nowMs);
}

/** The page at `cursor` of an event's fan-out, if the fan-out stands there. */
export async function fanOut(env: Env, eventId: string, cursor: string | null, nowMs = Date.now()): Promise<void> {
  const event = await getEvent(env.DB, eventId);
  if (event) await fanOutPage(env, event, cursor, nowMs);
}
