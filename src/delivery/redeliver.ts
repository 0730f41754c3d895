// Redelivery and recovery: one attempt now, on each delivery's one chain (same webhook-id), through the
// same enqueue path as a fan-out, so a receiver known to hang stays in the slow lane. Concurrent calls
// queue one attempt: the first moves the delivery's generation on and makes it due now; the others find
// it due already and queue nothing.
import { settings } from '../config';
import type { Env } from '../env';
import { failedDeliveryIds, getDelivery, reopen } from '../store/deliveries';
import type { Log } from '../store/log-shards';
import { enqueueDeliveries } from './enqueue';

/** The most failed deliveries one recover call re-sends; call again for more. */
export const RECOVER_LIMIT = 5000;

async function attemptNow(env: Env, log: Log, ids: string[], nowMs: number): Promise<number> {
  const config = settings(env);
  const nowIso = new Date(nowMs).toISOString();
  const overdue = new Date(nowMs - config.sweepGraceSeconds * 1000).toISOString();
  // A final delivery gets one attempt: its schedule counts as used up, so a failure fails it again.
  const queued = await reopen(log.db, ids, nowIso, config.retrySchedule.length, overdue);
  try {
    await enqueueDeliveries(env, log, queued, nowMs);
  } catch (err) {
    // They are due now in their log: the sweep queues them once they are overdue.
    console.error(JSON.stringify({ msg: 'could not queue the redelivery; the sweep will', count: queued.length, error: String(err) }));
  }
  return queued.length;
}

/** False when there is no such delivery in that log. */
export async function redeliver(env: Env, log: Log, deliveryId: string, nowMs = Date.now()): Promise<boolean> {
  if (!(await getDelivery(log.db, deliveryId))) return false;
  await attemptNow(env, log, [deliveryId], nowMs);
  return true;
}

/**
 * Re-sends the failed deliveries of a subscription created since `sinceIso`, from each place of its
 * application's log in turn (newest first), RECOVER_LIMIT at most in all; returns how many.
 */
export async function recoverFailed(env: Env, sources: Log[], subscriptionId: string, sinceIso: string, nowMs = Date.now()): Promise<number> {
  let queued = 0;
  for (const log of sources) {
    if (queued >= RECOVER_LIMIT) break;
    queued += await attemptNow(env, log, await failedDeliveryIds(log.db, subscriptionId, sinceIso, RECOVER_LIMIT - queued), nowMs);
  }
  return queued;
}
