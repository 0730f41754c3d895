// What follows a delivery's failing for good (its retries used up, or dead-lettered): delivery.exhausted
// (not for deliveries of operational events: a failing operator receiver must not feed itself), a
// subscription whose deliveries have done nothing but fail for DISABLE_AFTER_FAILING_DAYS is disabled
// (subscription.disabled), and the event's callback may now be due.
import { settings } from '../config';
import type { Env } from '../env';
import { CALLBACK_SUBSCRIPTION } from '../store/callbacks';
import { getEvent } from '../store/events';
import { failingSinceBefore } from '../store/health';
import type { Log } from '../store/log-shards';
import { disableSubscription } from '../store/subscription-writes';
import { queueCallbackIfComplete } from './callback';
import { emitDisabled, emitOperational } from './operational';
import { isOperational } from './operational-types';

async function disableIfFailingTooLong(env: Env, log: Log, subscriptionId: string, nowMs: number): Promise<void> {
  const since = await failingSinceBefore(log.db, subscriptionId, new Date(nowMs - settings(env).disableAfterFailingMs).toISOString());
  if (since === null) return;
  const disabled = await disableSubscription(env, subscriptionId, nowMs);
  if (disabled) {
    console.log(JSON.stringify({ msg: 'subscription disabled: every delivery failed', subscription_id: subscriptionId, failing_since_at_least: since }));
    await emitDisabled(env, disabled, 'failing', nowMs);
  }
}

export interface FailedDelivery {
  id: string;
  subscription_id: string;
  event_id: string;
  application_id: string;
  /** The event's type, when the caller has it. */
  type?: string;
}

export async function afterFailure(env: Env, log: Log, failed: FailedDelivery, nowMs: number): Promise<void> {
  if (failed.subscription_id === CALLBACK_SUBSCRIPTION) return;
  const type = failed.type ?? (await getEvent(log.db, failed.event_id))?.type;
  if (type !== undefined && !isOperational(type)) {
    const data = { delivery_id: failed.id, event_id: failed.event_id, event_type: type, subscription_id: failed.subscription_id, application_id: failed.application_id };
    await emitOperational(env, 'delivery.exhausted', failed.application_id, data, failed.id, nowMs);
  }
  await disableIfFailingTooLong(env, log, failed.subscription_id, nowMs);
  await queueCallbackIfComplete(env, log, failed.event_id, nowMs);
}
