// Puts deliveries on the queue, each message carrying the delivery's generation: the slow lane for
// receivers that recently hung, the main queue otherwise. Nothing is written back: a delivery whose
// message never arrives stays due in its log, and the sweep queues it again.
import type { Env } from '../env';
import type { QueuedDelivery } from '../store/deliveries';
import { slowSubscriptions } from '../store/health';
import type { Log } from '../store/log-shards';
import { SEND_BATCH_LIMIT } from './queues';
import type { Task } from './tasks';

export interface QueueItem extends QueuedDelivery {
  /** Seconds the message waits on the queue (a scheduled retry). */
  delaySeconds?: number;
  /** Whether its receiver is slow, when the caller knows; otherwise it is looked up. */
  slow?: boolean;
}

async function send(queue: Queue<Task>, shard: string | null, items: QueueItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += SEND_BATCH_LIMIT) {
    await queue.sendBatch(
      items.slice(i, i + SEND_BATCH_LIMIT).map((d) => ({
        body: { kind: 'deliver' as const, delivery_id: d.id, generation: d.generation, subscription_id: d.subscription_id, ...(shard ? { shard } : {}) },
        ...(d.delaySeconds ? { delaySeconds: d.delaySeconds } : {}),
      })),
    );
  }
}

/** Queues deliveries of one place of the log (their messages name its shard). */
export async function enqueueDeliveries(env: Env, log: Log, items: QueueItem[], nowMs: number): Promise<void> {
  if (items.length === 0) return;
  const unknown = [...new Set(items.filter((d) => d.slow === undefined).map((d) => d.subscription_id))];
  const slow = unknown.length ? await slowSubscriptions(log.db, unknown, new Date(nowMs).toISOString()) : new Set<string>();
  const isSlow = (d: QueueItem) => d.slow ?? slow.has(d.subscription_id);
  await send(env.DELIVERIES, log.shard, items.filter((d) => !isSlow(d)));
  await send(env.SLOW_DELIVERIES, log.shard, items.filter(isSlow));
}
