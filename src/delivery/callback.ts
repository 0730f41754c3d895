// Callbacks: when every delivery of an event is final, POST `event.completed` to its callback_url,
// signed with the event's application's callback secret in the Standard Webhooks format, and delivered
// like any delivery. The body names the application, so that a receiver shared by several picks its key.
import type { Env } from '../env';
import { CALLBACK_SUBSCRIPTION, claimCallback } from '../store/callbacks';
import type { DispatchRow } from '../store/deliveries';
import type { Log } from '../store/log-shards';
import { newId } from '../utils/ids';
import { envelopeBody } from './envelope';
import { enqueueDeliveries } from './enqueue';

export const CALLBACK_EVENT_TYPE = 'event.completed';

/** Claims the callback if the event is complete (exactly once, whoever asks) and queues its delivery. */
export async function queueCallbackIfComplete(env: Env, log: Log, eventId: string, nowMs = Date.now()): Promise<boolean> {
  const deliveryId = newId('dlv', nowMs);
  if (!(await claimCallback(log.db, eventId, deliveryId, new Date(nowMs).toISOString()))) return false;
  await enqueueDeliveries(env, log, [{ id: deliveryId, subscription_id: CALLBACK_SUBSCRIPTION, generation: 0, slow: false }], nowMs);
  return true;
}

export const isCallback = (row: Pick<DispatchRow, 'subscription_id'>) => row.subscription_id === CALLBACK_SUBSCRIPTION;

/** The callback's `webhook-id`: stable across retries, distinct from the event's own. */
export const callbackWebhookId = (eventId: string) => `${eventId}_completed`;

/** `{"type":"event.completed","timestamp":…,"data":{"event_id":…,"application_id":…,"deliveries":[…]}}`, from the frozen summary. */
export function callbackBody(row: DispatchRow): string {
  const data = `{"event_id":${JSON.stringify(row.event_id)},"application_id":${JSON.stringify(row.application_id)},"deliveries":${row.callback_payload ?? '[]'}}`;
  return envelopeBody(CALLBACK_EVENT_TYPE, row.callback_at ?? row.event_created_at, data);
}
