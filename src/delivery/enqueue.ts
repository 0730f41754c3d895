// Puts deliveries on the queue: the slow lane for receivers that recently hung, the main queue otherwise.
import type { Env } from '../env';
import type { NewDelivery } from '../store/deliveries';
import { markEnqueued } from '../store/deliveries';
import { slowSubscriptions } from '../store/health';
import { SEND_BATCH_LIMIT } from './queues';
import type { Task } from './tasks';

async function send(queue: Queue<Task>, db: D1Database, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += SEND_BATCH_LIMIT) {
    const chunk = ids.slice(i, i + SEND_BATCH_LIMIT);
    await queue.sendBatch(chunk.map((id) => ({ body: { kind: 'deliver' as const, delivery_id: id } })));
    await markEnqueued(db, chunk);
  }
}

export async function enqueueDeliveries(env: Env, deliveries: NewDelivery[], nowMs: number): Promise<void> {
  if (deliveries.length === 0) return;
  const slow = await slowSubscriptions(env.DB, [...new Set(deliveries.map((d) => d.subscription_id))], new Date(nowMs).toISOString());
  const byLane = (isSlow: boolean) => deliveries.filter((d) => slow.has(d.subscription_id) === isSlow).map((d) => d.id);
  await send(env.DELIVERIES, env.DB, byLane(false));
  await send(env.SLOW_DELIVERIES, env.DB, byLane(true));
}
