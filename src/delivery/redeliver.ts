// Redelivery and recovery: deliveries go back to pending and new tasks go on the queue (same webhook-id),
// through the same enqueue path as a fan-out, so a receiver known to hang stays in the slow lane.
import type { Env } from '../env';
import { failedDeliveryIds, getDelivery, reopen } from '../store/deliveries';
import { enqueueDeliveries } from './enqueue';

/** The most failed deliveries one recover call re-sends; call again for more. */
export const RECOVER_LIMIT = 5000;

export async function redeliver(env: Env, deliveryId: string, nowMs = Date.now()): Promise<boolean> {
  const delivery = await getDelivery(env.DB, deliveryId);
  if (!delivery) return false;
  await reopen(env.DB, [deliveryId], new Date(nowMs).toISOString());
  await enqueueDeliveries(env, [{ id: deliveryId, subscription_id: delivery.subscription_id }], nowMs);
  return true;
}

/** Re-sends the failed deliveries of a subscription created since `sinceIso`; returns how many. */
export async function recoverFailed(env: Env, subscriptionId: string, sinceIso: string, nowMs = Date.now()): Promise<number> {
  const ids = await reopen(env.DB, await failedDeliveryIds(env.DB, subscriptionId, sinceIso, RECOVER_LIMIT), new Date(nowMs).toISOString());
  await enqueueDeliveries(env, ids.map((id) => ({ id, subscription_id: subscriptionId })), nowMs);
  return ids.length;
}
