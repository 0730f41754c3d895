// Redelivery and recovery: deliveries go back to pending and new tasks go on the queue (same webhook-id).
import type { Env } from '../env';
import { failedDeliveryIds, reopen } from '../store/deliveries';
import { SEND_BATCH_LIMIT } from './queues';

/** The most failed deliveries one recover call re-sends; call again for more. */
export const RECOVER_LIMIT = 5000;

export async function redeliver(env: Env, deliveryId: string, nowMs = Date.now()): Promise<boolean> {
  const [found] = await reopen(env.DB, [deliveryId], new Date(nowMs).toISOString());
  if (!found) return false;
  await env.DELIVERIES.send({ kind: 'deliver', delivery_id: deliveryId });
  return true;
}

/** Re-sends the failed deliveries of a subscription created since `sinceIso`; returns how many. */
export async function recoverFailed(env: Env, subscriptionId: string, sinceIso: string, nowMs = Date.now()): Promise<number> {
  const ids = await reopen(env.DB, await failedDeliveryIds(env.DB, subscriptionId, sinceIso, RECOVER_LIMIT), new Date(nowMs).toISOString());
  for (let i = 0; i < ids.length; i += SEND_BATCH_LIMIT) {
    await env.DELIVERIES.sendBatch(ids.slice(i, i + SEND_BATCH_LIMIT).map((id) => ({ body: { kind: 'deliver' as const, delivery_id: id } })));
  }
  return ids.length;
}
