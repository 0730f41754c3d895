// One subscription at a time, through its Durable Object: the one writer that serialises every change
// (API, dashboard, and the consumers' disables) and the strongly consistent read of it. Given an
// application id, a subscription of another application reads and acts as missing.
import type { Env } from '../env';
import type { Arrival, Lease } from '../objects/flow-gate';
import type { SubscriptionChange } from './subscription-changes';
import type { StoredSubscription } from './subscriptions';

type Bindings = Pick<Env, 'SUBSCRIPTION_OBJECTS'>;

/** Ids edgehook makes (`newId('sub')`): anything else names no subscription, and wakes no object. */
const SUBSCRIPTION_ID = /^sub_[0-9a-z]{26}$/;

const objectOf = (env: Bindings, id: string) => env.SUBSCRIPTION_OBJECTS.getByName(id);

export async function saveNewSubscription(env: Bindings, sub: StoredSubscription): Promise<void> {
  await objectOf(env, sub.id).create(sub);
}

export async function readSubscription(env: Bindings, id: string, applicationId?: string): Promise<StoredSubscription | null> {
  return SUBSCRIPTION_ID.test(id) ? objectOf(env, id).get(id, applicationId) : null;
}

/** The subscription after the change, or null when there is no such subscription. */
export async function changeStoredSubscription(env: Bindings, id: string, change: SubscriptionChange, nowMs = Date.now(), applicationId?: string) {
  return SUBSCRIPTION_ID.test(id) ? objectOf(env, id).change(id, change, nowMs, applicationId) : { sub: null, changed: false, refused: undefined, invalid: undefined, wasDisabled: undefined };
}

export async function removeSubscription(env: Bindings, id: string, applicationId?: string): Promise<boolean> {
  return SUBSCRIPTION_ID.test(id) ? objectOf(env, id).remove(id, applicationId) : false;
}

/** The consumers' disable (410 Gone, or failing too long): the subscription disabled, or null when it was disabled already or is gone. */
export async function disableSubscription(env: Bindings, id: string, nowMs = Date.now()): Promise<StoredSubscription | null> {
  const { sub, changed } = await changeStoredSubscription(env, id, { kind: 'disable' }, nowMs);
  return changed ? sub : null;
}

/** Publishes a subscription made before applications again, with its entry in its application's index. */
export async function reindexSubscription(env: Bindings, id: string): Promise<void> {
  if (SUBSCRIPTION_ID.test(id)) await objectOf(env, id).reindex(id);
}

/**
 * Flow control's verdict on attempting a delivery: go at a time (with, when asked for and the limit
 * allows, a lease of further attempts), wait in the object, or a stale message.
 */
export type Verdict = { go: number; lease?: Lease } | 'hold' | 'stale';

/** Flow control's verdict on attempting a delivery now (see FlowGate.admit and FlowGate.lease). */
export async function admitDelivery(env: Bindings, subscriptionId: string, arrival: Arrival, lease = false): Promise<Verdict> {
  return objectOf(env, subscriptionId).admit(arrival, lease);
}

/** A FIFO subscription's delivery became final: the next of its lane may go. */
export async function settleDelivery(env: Bindings, subscriptionId: string, deliveryId: string): Promise<void> {
  if (SUBSCRIPTION_ID.test(subscriptionId)) await objectOf(env, subscriptionId).settled(deliveryId);
}

/** Which of the subscription's deliveries `ids` its flow control holds. */
export async function heldDeliveries(env: Bindings, subscriptionId: string, ids: string[]): Promise<string[]> {
  return SUBSCRIPTION_ID.test(subscriptionId) ? objectOf(env, subscriptionId).holding(ids) : [];
}

export async function waitingDeliveries(env: Bindings, subscriptionId: string): Promise<number> {
  return SUBSCRIPTION_ID.test(subscriptionId) ? objectOf(env, subscriptionId).waiting() : 0;
}
