// What can be done to a subscription, shared by the API routes and the dashboard. Bad input is an
// HTTPException (problem+json in the API, a message on the dashboard).
import type { Env } from '../env';
import { ingestEvent } from '../delivery/ingest';
import { emitDisabled } from '../delivery/operational';
import { generateSecret } from '../signing/secret';
import { openSecret, sealSecret } from '../signing/secret-box';
import type { EventSummary } from '../store/events';
import type { SubscriptionFields } from '../store/subscription-changes';
import { changeStoredSubscription, removeSubscription, saveNewSubscription, waitingDeliveries } from '../store/subscription-writes';
import { DEFAULT_APPLICATION } from '../store/applications';
import { hasFlowControl, legacyUnindexed, listSubscriptions, signingSecrets, toPublic, type Page, type PublicSubscription, type RateLimit, type StoredSubscription } from '../store/subscriptions';
import { openHeaders, sealHeaders } from '../delivery/header-values';
import { newId } from '../utils/ids';
import type { Filter } from '../utils/payload-filter';
import { fail } from '../utils/problem';
import { assertGivenSecret, assertKnownTypes, subscriptionOr404 } from './lookups';
import { assertReceiverUrl } from './receiver-url';

export const TEST_EVENT_TYPE = 'webhook.test';

/** The application a call acts on; `ANY_APPLICATION` only for the operator dashboard, which sees them all. */
export type Scope = string | typeof ANY_APPLICATION;
export const ANY_APPLICATION = null;
const guard = (scope: Scope) => scope ?? undefined;

export interface NewSubscription {
  url: string;
  events: string[];
  description?: string;
  metadata?: Record<string, string>;
  secret?: string;
  github_signature?: boolean;
  rate_limit?: RateLimit | null;
  ordering?: 'fifo' | null;
  filter?: Filter | null;
  headers?: Record<string, string> | null;
}

/** Creates it; returns it with its secret (stored sealed: this answer is the one place it is shown in clear). */
export async function createSubscription(env: Env, applicationId: string, input: NewSubscription, nowMs = Date.now()): Promise<{ sub: StoredSubscription; secret: string }> {
  assertReceiverUrl(env, 'url', input.url);
  assertGivenSecret(input.secret);
  await assertKnownTypes(env, input.events);
  const now = new Date(nowMs).toISOString();
  const id = newId('sub', nowMs);
  const secret = input.secret ?? generateSecret();
  const sub: StoredSubscription = {
    id,
    application_id: applicationId,
    url: input.url,
    events: input.events,
    description: input.description ?? null,
    metadata: input.metadata ?? {},
    disabled: false,
    github_signature: input.github_signature ?? false,
    created_at: now,
    updated_at: now,
    secrets: [{ value: await sealSecret(env, id, secret), expires_at: null }],
    rate_limit: input.rate_limit ?? null,
    ordering: input.ordering ?? null,
    paused: false,
    filter: input.filter ?? null,
    headers: await sealHeaders(env, id, input.headers ?? null),
  };
  await saveNewSubscription(env, sub);
  return { sub, secret };
}

/** Applies a PATCH through the subscription's object, after checking its input. */
export async function changeSubscription(env: Env, scope: Scope, id: string, input: SubscriptionFields, nowMs = Date.now()): Promise<StoredSubscription> {
  if (input.url !== undefined) assertReceiverUrl(env, 'url', input.url);
  await assertKnownTypes(env, input.events);
  // Header values are sealed before they reach the object (a masked one sent back keeps the stored value).
  const fields = input.headers ? { ...input, headers: await sealHeaders(env, id, input.headers) } : input;
  const { sub, changed, wasDisabled }: { sub: StoredSubscription | null; changed: boolean; wasDisabled?: boolean } = await changeStoredSubscription(
    env,
    id,
    { kind: 'update', fields },
    nowMs,
    guard(scope),
  );
  if (!sub) throw fail(404, `No subscription ${id}.`);
  if (changed && !wasDisabled && sub.disabled) await emitDisabled(env, sub, 'manual', nowMs); // by hand
  return sub;
}

/** A new current secret (given or generated); the old ones keep signing for 24 h. Returns it. */
export async function rotateSecret(env: Env, scope: Scope, id: string, given?: string, nowMs = Date.now()): Promise<string> {
  assertGivenSecret(given);
  const secret = given ?? generateSecret();
  const { sub, refused } = await changeStoredSubscription(env, id, { kind: 'rotate', secret: await sealSecret(env, id, secret) }, nowMs, guard(scope));
  if (!sub) throw fail(404, `No subscription ${id}.`);
  if (refused) throw fail(409, refused);
  return secret;
}

/** Removes it; its pending deliveries fail when their turn comes (nothing to send to). */
export async function deleteSubscription(env: Env, scope: Scope, id: string): Promise<void> {
  if (!(await removeSubscription(env, id, guard(scope)))) throw fail(404, `No subscription ${id}.`);
}

/** The newest secret, in clear (for the secret routes). */
export async function currentSecret(env: Env, sub: StoredSubscription, nowMs = Date.now()): Promise<string> {
  return openSecret(env, sub.id, signingSecrets(sub, nowMs)[0] ?? sub.secrets[0]!.value);
}

/** A `webhook.test` event to this subscription only. */
export async function sendTestEvent(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, scope: Scope, id: string): Promise<EventSummary> {
  const sub = await subscriptionOr404(env, scope, id);
  if (sub.disabled) throw fail(409, 'The subscription is disabled: enable it before testing it.');
  const { event } = await ingestEvent(
    env,
    ctx,
    { application_id: sub.application_id, type: TEST_EVENT_TYPE, data: { subscription_id: sub.id, message: 'This is a test event from edgehook.' }, target_subscription_id: sub.id },
    undefined,
  );
  return event;
}

/** A page of an application's subscriptions, oldest first; a cursor KV does not take is a 400. */
export async function listOfApplication(env: Env, applicationId: string, limit: number, cursor?: string): Promise<Page<StoredSubscription>> {
  const legacy = applicationId === DEFAULT_APPLICATION && (await legacyUnindexed(env.SUBSCRIPTIONS));
  return listSubscriptions(env.SUBSCRIPTIONS, applicationId, limit, cursor, legacy).catch(() => {
    throw fail(400, 'The cursor is not valid.');
  });
}

/** Pauses or resumes it: while paused its deliveries wait (none is sent, none fails); on resume they go, in order. */
export async function setPaused(env: Env, scope: Scope, id: string, paused: boolean, nowMs = Date.now()): Promise<StoredSubscription> {
  const { sub } = await changeStoredSubscription(env, id, { kind: paused ? 'pause' : 'resume' }, nowMs, guard(scope));
  if (!sub) throw fail(404, `No subscription ${id}.`);
  return sub;
}

/** How many of its deliveries flow control holds now. */
export async function waitingOf(env: Env, sub: StoredSubscription): Promise<number> {
  return hasFlowControl(sub) ? waitingDeliveries(env, sub.id) : 0;
}

/** The subscription as the API shows it: no secrets, custom header values opened and credential-like ones masked. */
export async function publicSubscription(env: Env, sub: StoredSubscription): Promise<PublicSubscription> {
  return toPublic({ ...sub, headers: sub.headers ? await openHeaders(env, sub.id, sub.headers) : sub.headers });
}
