// What can be done to a subscription, shared by the API routes and the dashboard. Bad input is an
// HTTPException (problem+json in the API, a message on the dashboard).
import type { Env } from '../env';
import { ingestEvent } from '../delivery/ingest';
import { generateSecret } from '../signing/secret';
import type { EventSummary } from '../store/events';
import { putSubscription, withRotatedSecret, type StoredSubscription } from '../store/subscriptions';
import { newId } from '../utils/ids';
import { fail } from '../utils/problem';
import { assertGivenSecret, assertKnownTypes, subscriptionOr404 } from './lookups';
import { assertReceiverUrl } from './receiver-url';

export const TEST_EVENT_TYPE = 'webhook.test';

export interface NewSubscription {
  url: string;
  events: string[];
  description?: string;
  metadata?: Record<string, string>;
  secret?: string;
  github_signature?: boolean;
}

export async function createSubscription(env: Env, input: NewSubscription, nowMs = Date.now()): Promise<StoredSubscription> {
  assertReceiverUrl(env, 'url', input.url);
  assertGivenSecret(input.secret);
  await assertKnownTypes(env, input.events);
  const now = new Date(nowMs).toISOString();
  const sub: StoredSubscription = {
    id: newId('sub', nowMs),
    url: input.url,
    events: input.events,
    description: input.description ?? null,
    metadata: input.metadata ?? {},
    disabled: false,
    github_signature: input.github_signature ?? false,
    created_at: now,
    updated_at: now,
    secrets: [{ value: input.secret ?? generateSecret(), expires_at: null }],
  };
  await putSubscription(env.SUBSCRIPTIONS, sub);
  return sub;
}

export interface SubscriptionChange {
  url?: string;
  events?: string[];
  description?: string | null;
  metadata?: Record<string, string>;
  disabled?: boolean;
  github_signature?: boolean;
}

export async function changeSubscription(env: Env, id: string, input: SubscriptionChange, nowMs = Date.now()): Promise<StoredSubscription> {
  const sub = await subscriptionOr404(env.SUBSCRIPTIONS, id);
  if (input.url !== undefined) assertReceiverUrl(env, 'url', input.url);
  await assertKnownTypes(env, input.events);
  const changed: StoredSubscription = {
    ...sub,
    url: input.url ?? sub.url,
    events: input.events ?? sub.events,
    description: input.description === undefined ? sub.description : input.description,
    metadata: input.metadata ?? sub.metadata,
    disabled: input.disabled ?? sub.disabled,
    github_signature: input.github_signature ?? sub.github_signature,
    updated_at: new Date(nowMs).toISOString(),
  };
  await putSubscription(env.SUBSCRIPTIONS, changed);
  return changed;
}

/** A new current secret (given or generated); the old ones keep signing for 24 h. Returns it. */
export async function rotateSecret(env: Env, id: string, given?: string, nowMs = Date.now()): Promise<string> {
  const sub = await subscriptionOr404(env.SUBSCRIPTIONS, id);
  assertGivenSecret(given);
  const secret = given ?? generateSecret();
  await putSubscription(env.SUBSCRIPTIONS, withRotatedSecret(sub, secret, nowMs));
  return secret;
}

/** A `webhook.test` event to this subscription only. */
export async function sendTestEvent(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, id: string): Promise<EventSummary> {
  const sub = await subscriptionOr404(env.SUBSCRIPTIONS, id);
  if (sub.disabled) throw fail(409, 'The subscription is disabled: enable it before testing it.');
  const { event } = await ingestEvent(
    env,
    ctx,
    { type: TEST_EVENT_TYPE, data: { subscription_id: sub.id, message: 'This is a test event from edgehook.' }, target_subscription_id: sub.id },
    undefined,
  );
  return event;
}
