// What follows a delivery's failing for good (its retries used up, or dead-lettered): a subscription
// whose deliveries have done nothing but fail for DISABLE_AFTER_FAILING_DAYS is disabled, and the
// event's callback may now be due.
import { settings } from '../config';
import type { Env } from '../env';
import { CALLBACK_SUBSCRIPTION } from '../store/callbacks';
import { failingSince } from '../store/health';
import { disableSubscription } from '../store/subscription-writes';
import { queueCallbackIfComplete } from './callback';

async function disableIfFailingTooLong(env: Env, subscriptionId: string, nowMs: number): Promise<void> {
  const since = await failingSince(env.DB, subscriptionId);
  if (since === null || nowMs - Date.parse(since) < settings(env).disableAfterFailingMs) return;
  if (await disableSubscription(env, subscriptionId, nowMs)) {
    console.log(JSON.stringify({ msg: 'subscription disabled: every delivery failed', subscription_id: subscriptionId, failing_since: since }));
  }
}

export async function afterFailure(env: Env, failed: { subscription_id: string; event_id: string }, nowMs: number): Promise<void> {
  if (failed.subscription_id === CALLBACK_SUBSCRIPTION) return;
  await disableIfFailingTooLong(env, failed.subscription_id, nowMs);
  await queueCallbackIfComplete(env, failed.event_id, nowMs);
}
