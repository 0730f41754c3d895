// What follows the deletion of an application: its subscriptions are removed (through their objects)
// and its pending deliveries failed, in bounded runs, after the response and then by the sweep.
import type { Env } from '../env';
import { applicationsToPurge, markApplicationPurged } from '../store/applications';
import { failPendingOfApplication } from '../store/deliveries';
import { logSources } from '../store/log-shards';
import { removeSubscription } from '../store/subscription-writes';
import { listSubscriptions } from '../store/subscriptions';

/** Subscriptions removed per run (each is one Durable Object call). */
const PURGE_BATCH = 200;
/** KV lists may miss a subscription made this long before the deletion: the purge ends only after a pass later than that. */
const LIST_SETTLE_MS = 120_000;

/**
 * Removes a batch of a deleted application's subscriptions and fails its pending deliveries (a
 * delivery made by a fan-out still under way fails when its turn comes: its subscription is gone).
 * Marks the application purged once a pass finds nothing left, late enough to trust the list. True: done.
 */
export async function purgeApplication(env: Env, app: { id: string; deleted_at: string }, nowMs = Date.now()): Promise<boolean> {
  const page = await listSubscriptions(env.SUBSCRIPTIONS, app.id, PURGE_BATCH);
  await Promise.all(page.data.map((sub) => removeSubscription(env, sub.id, app.id)));
  const nowIso = new Date(nowMs).toISOString();
  for (const log of await logSources(env, app.id, nowMs)) await failPendingOfApplication(log.db, app.id, nowIso);
  if (page.data.length > 0 || nowMs - Date.parse(app.deleted_at) < LIST_SETTLE_MS) return false;
  await markApplicationPurged(env.DB, app.id, nowIso);
  return true;
}

/** The sweep's part: go on with the purges of deleted applications. Returns how many finished. */
export async function purgeDeletedApplications(env: Env, nowMs = Date.now()): Promise<number> {
  let done = 0;
  for (const app of await applicationsToPurge(env.DB, 10)) if (await purgeApplication(env, app, nowMs)) done++;
  return done;
}
