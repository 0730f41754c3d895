// Fan-out: one event becomes one queued delivery per matching subscription, a page of subscriptions at
// a time. The event row keeps the cursor of the next page: a run of a page the fan-out has already left
// stops there, and the sweep resumes a stalled fan-out from its cursor, never from the first page again.
import { settings } from '../config';
import type { Env } from '../env';
import { createDeliveriesStatement, type QueuedDelivery } from '../store/deliveries';
import { advanceFanout, getEvent, type EventRow } from '../store/events';
import { groupCommit } from '../store/group-commit';
import type { Log } from '../store/log-shards';
import { slowOf, slowSubscriptionsStatement } from '../store/health';
import { DEFAULT_APPLICATION } from '../store/applications';
import { getSubscription, legacyUnindexed, matchingSubscriptionIds } from '../store/subscriptions';
import { readSubscription } from '../store/subscription-writes';
import { queueCallbackIfComplete } from './callback';
import { enqueueDeliveries } from './enqueue';
import { wants } from './patterns';
import { matchesFilter, type Filter } from '../utils/payload-filter';

/** The event's application's subscriptions that want it: one KV list per page of up to 1,000 of them. */
async function targets(env: Env, event: EventRow, cursor: string | null, sharedAfter?: number): Promise<{ ids: string[]; cursor: string | null }> {
  if (event.target_subscription_id) {
    // KV is a cache: on a miss, the subscription's object says whether it exists.
    const id = event.target_subscription_id;
    const sub = (await getSubscription(env.SUBSCRIPTIONS, id)) ?? (await readSubscription(env, id, event.application_id));
    return { ids: sub && sub.application_id === event.application_id ? [sub.id] : [], cursor: null };
  }
  // A fan-out that began on the keys from before applications goes on there (its cursor says so).
  const legacy = cursor !== null ? cursor.startsWith(LEGACY) : event.application_id === DEFAULT_APPLICATION && (await legacyUnindexed(env.SUBSCRIPTIONS));
  let data: unknown;
  const dataOf = () => (data ??= event.erased_at ? null : JSON.parse(event.data));
  const matches = (patterns: string[], filter: Filter | undefined) => wants(patterns, event.type) && (!filter || matchesFilter(filter, dataOf()));
  const from = cursor === null ? undefined : legacy ? cursor.slice(LEGACY.length) : cursor;
  const page = await matchingSubscriptionIds(env.SUBSCRIPTIONS, event.application_id, matches, from, settings(env).fanoutPageSize, legacy, sharedAfter);
  return { ids: page.ids, cursor: page.cursor !== null && legacy ? LEGACY + page.cursor : page.cursor };
}

const LEGACY = 'legacy:';

/**
 * One page of an event's fan-out, from the event as stored (ingest passes the one it has just stored,
 * with a `readMark` taken once it was: its list of subscriptions may be one another fan-out started later).
 */
export async function fanOutPage(env: Env, log: Log, event: EventRow, cursor: string | null, nowMs: number, sharedAfter?: number): Promise<void> {
  const db = log.db;
  if (event.fanout_done || event.fanout_cursor !== cursor) return; // that page is done
  const page = await targets(env, event, cursor, sharedAfter);
  const nowIso = new Date(nowMs).toISOString();
  // The page's deliveries and the fan-out's step past it, in one transaction (with which of its receivers
  // are slow). Only the deliveries this run created are queued here; any a crashed run created (or any
  // whose message was not sent) are due, and the sweep queues them.
  const creates = page.ids.length ? [createDeliveriesStatement(db, event, page.ids, nowIso), slowSubscriptionsStatement(db, page.ids, nowIso)] : [];
  const results = await groupCommit(db, [...creates, advanceFanout(db, event.id, cursor, page.cursor, nowIso)]);
  if (creates.length) {
    const [created, slow] = results as [D1Result<QueuedDelivery>, D1Result];
    const slowOnes = slowOf(slow);
    await enqueueDeliveries(env, log, created.results.map((d) => ({ ...d, slow: slowOnes.has(d.subscription_id) })), nowMs);
  }
  if (results.at(-1)!.meta.changes !== 1) return; // another run moved it on
  if (page.cursor) {
    await env.DELIVERIES.send({ kind: 'fanout', event_id: event.id, cursor: page.cursor, ...(log.shard ? { shard: log.shard } : {}) });
  } else if (event.callback_url) {
    // Deliveries may all have settled before the fan-out was marked finished (or there were none).
    await queueCallbackIfComplete(env, log, event.id, nowMs);
  }
}

/** The page at `cursor` of an event's fan-out, if the fan-out stands there. */
export async function fanOut(env: Env, log: Log, eventId: string, cursor: string | null, nowMs = Date.now()): Promise<void> {
  const event = await getEvent(log.db, eventId);
  if (event) await fanOutPage(env, log, event, cursor, nowMs);
}
