// The deliveries queue consumer: maps each task's outcome to ack() or retry(), never ack after a failure.
import { settings } from '../config';
import type { Env } from '../env';
import { loadForDispatch, markFailed, type DispatchRow } from '../store/deliveries';
import { getSubscription, getSubscriptions, putSubscription, type StoredSubscription } from '../store/subscriptions';
import { deliver, type TaskOutcome } from './deliver';
import { fanOut } from './fan-out';
import type { Clock } from './retry-policy';
import type { Task } from './tasks';

export const systemClock: Clock = { now: () => Date.now(), random: () => Math.random() };

async function disableSubscription(env: Env, id: string, nowIso: string): Promise<void> {
  const sub = await getSubscription(env.SUBSCRIPTIONS, id);
  if (sub && !sub.disabled) await putSubscription(env.SUBSCRIPTIONS, { ...sub, disabled: true, updated_at: nowIso });
}

async function settle(env: Env, msg: Message<Task>, deliveryId: string, subscriptionId: string, outcome: TaskOutcome, clock: Clock): Promise<void> {
  const nowIso = new Date(clock.now()).toISOString();
  switch (outcome.kind) {
    case 'succeeded':
      msg.ack();
      return;
    case 'retry':
      msg.retry({ delaySeconds: outcome.delaySeconds });
      return;
    case 'disable':
      await disableSubscription(env, subscriptionId, nowIso);
      msg.ack();
      return;
    case 'exhausted':
      // The dead-letter consumer marks it failed: one place decides that a delivery is lost for good.
      await env.DEAD_LETTERS.send(msg.body);
      msg.ack();
      return;
    case 'skipped':
      if (outcome.reason !== 'already succeeded') await markFailed(env.DB, deliveryId, nowIso);
      msg.ack();
      return;
  }
}

export async function consumeDeliveries(batch: MessageBatch<Task>, env: Env, clock: Clock = systemClock): Promise<void> {
  const config = settings(env);
  const deliveryIds = batch.messages.flatMap((m) => (m.body.kind === 'deliver' ? [m.body.delivery_id] : []));
  let rows: Map<string, DispatchRow>;
  let subs: Map<string, StoredSubscription>;
  try {
    rows = deliveryIds.length ? await loadForDispatch(env.DB, deliveryIds) : new Map();
    subs = await getSubscriptions(env.SUBSCRIPTIONS, [...new Set([...rows.values()].map((r) => r.subscription_id))]);
  } catch (err) {
    console.error(JSON.stringify({ msg: 'could not load the batch, will retry it', error: String(err) }));
    batch.retryAll();
    return;
  }

  // Every task of the batch runs at once: a slow receiver holds up nobody else's attempt.
  await Promise.all(
    batch.messages.map(async (msg) => {
      const task = msg.body;
      try {
        if (task.kind === 'fanout') {
          await fanOut(env, task.event_id, task.cursor);
          msg.ack();
          return;
        }
        const row = rows.get(task.delivery_id);
        if (!row) {
          msg.ack(); // the delivery no longer exists
          return;
        }
        const outcome = await deliver(row, subs.get(row.subscription_id) ?? null, msg.attempts, { db: env.DB, settings: config, clock });
        await settle(env, msg, row.id, row.subscription_id, outcome, clock);
      } catch (err) {
        console.error(JSON.stringify({ msg: 'task failed, will retry', task, error: String(err) }));
        msg.retry();
      }
    }),
  );
}
