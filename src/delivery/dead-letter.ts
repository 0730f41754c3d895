// The dead-letter consumer: a delivery that arrives here has used every attempt and is failed for good.
// A subscription whose deliveries have done nothing but fail for DISABLE_AFTER_FAILING_DAYS is disabled.
import { settings } from '../config';
import type { Env } from '../env';
import { CALLBACK_SUBSCRIPTION } from '../store/callbacks';
import { markFailed } from '../store/deliveries';
import { queueCallbackIfComplete } from './callback';
import { failingSince } from '../store/health';
import { disableSubscription } from '../store/subscriptions';
import type { Task } from './tasks';

async function disableIfFailingTooLong(env: Env, subscriptionId: string, nowMs: number): Promise<void> {
  const since = await failingSince(env.DB, subscriptionId);
  if (since === null || nowMs - Date.parse(since) < settings(env).disableAfterFailingMs) return;
  if (await disableSubscription(env.SUBSCRIPTIONS, subscriptionId, new Date(nowMs).toISOString())) {
    console.log(JSON.stringify({ msg: 'subscription disabled: every delivery failed', subscription_id: subscriptionId, failing_since: since }));
  }
}

export async function consumeDeadLetters(batch: MessageBatch<Task>, env: Env, nowMs = Date.now()): Promise<void> {
  const nowIso = new Date(nowMs).toISOString();
  for (const msg of batch.messages) {
    const task = msg.body;
    try {
      if (task.kind === 'deliver') {
        const failed = await markFailed(env.DB, task.delivery_id, nowIso);
        if (failed && failed.subscription_id !== CALLBACK_SUBSCRIPTION) {
          await disableIfFailingTooLong(env, failed.subscription_id, nowMs);
          await queueCallbackIfComplete(env, failed.event_id, nowMs);
        }
      } else {
        // A fan-out page that kept crashing is left to the sweep, which re-drives unfinished fan-outs.
        console.error(JSON.stringify({ msg: 'fan-out page dead-lettered; the sweep re-drives it', event_id: task.event_id }));
      }
      msg.ack();
    } catch (err) {
      console.error(JSON.stringify({ msg: 'dead letter not recorded, will retry', task, error: String(err) }));
      msg.retry();
    }
  }
}
