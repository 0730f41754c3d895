// Redelivery: the delivery goes back to pending and one new task goes on the queue (same webhook-id).
import type { Env } from '../env';
import { reopen } from '../store/deliveries';

export async function redeliver(env: Env, deliveryId: string, nowMs = Date.now()): Promise<boolean> {
  const [found] = await reopen(env.DB, [deliveryId], new Date(nowMs).toISOString());
  if (!found) return false;
  await env.DELIVERIES.send({ kind: 'deliver', delivery_id: deliveryId });
  return true;
}
