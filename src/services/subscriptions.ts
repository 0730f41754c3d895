// What can be done to a subscription, shared by the API routes and the dashboard. Bad input is an
// HTTPException (problem+json in the API, a message on the dashboard).
import type { Env } from '../env';
import { ingestEvent } from '../delivery/ingest';
import { emitDisabled } from '../delivery/operational';
import { openSecret } from '../signing/secret-box';
import type { EventSummary } from '../store/events';
import { GITHUB_NEEDS_HMAC, type SubscriptionFields } from '../store/subscription-changes';
import { changeStoredSubscription, readSubscription, removeSubscription, saveNewSubscription, waitingDeliveries } from '../store/subscription-writes';
import { DEFAULT_APPLICATION } from '../store/applications';
import {
  hasFlowControl,
  legacyUnindexed,
  listSubscriptions,
  signatureScheme,
  signingSecrets,
  toPublic,
  type Page,
  type PublicSubscription,
  type RateLimit,
  type SignatureScheme,
  type StoredSubscription,
} from '../store/subscriptions';
import { openHeaders, sealHeaders } from '../delivery/header-values';
import { newId } from '../utils/ids';
import type { Filter } from '../utils/payload-filter';
import { fail } from '../utils/problem';
import { assertKnownTypes, subscriptionOr404 } from './lookups';
import { assertReceiverUrl } from './receiver-url';
import { preparedTransformation, type GivenTransformation } from './transformations';
import { freshSecret, jwksOf, publicKeysOf, type PublicKeyEntry, type Shown } from './signing-secrets';

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
  /** A `whsec_` secret (HMAC), or a `whsk_` secret key with `signature: "ed25519"`. */
  secret?: string;
  signature?: SignatureScheme;
  github_signature?: boolean;
  rate_limit?: RateLimit | null;
  ordering?: 'fifo' | null;
  filter?: Filter | null;
  headers?: Record<string, string> | null;
  transformation?: GivenTransformation | null;
}

/** A refusal of the subscription's rules (made by its object, or checked here before it exists) as its 4xx. */
const refusal = (r: { refused: string; invalid?: string }) => (r.invalid ? fail(422, r.refused, [{ path: r.invalid, message: r.refused }]) : fail(409, r.refused));

/**
 * Creates it; returns it with what is shown of its secret: the HMAC secret (stored sealed: this answer
 * is the one place besides the secret routes that shows it), or an Ed25519 key pair's public key.
 */
export async function createSubscription(env: Env, applicationId: string, input: NewSubscription, nowMs = Date.now()): Promise<{ sub: StoredSubscription; shown: Shown }> {
  assertReceiverUrl(env, 'url', input.url);
  const scheme = input.signature ?? 'hmac';
  if (scheme === 'ed25519' && input.github_signature) throw refusal(GITHUB_NEEDS_HMAC);
  await assertKnownTypes(env, input.events);
  const now = new Date(nowMs).toISOString();
  const id = newId('sub', nowMs);
  const { stored, shown } = await freshSecret(env, id, scheme, input.secret);
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
    secrets: [{ ...stored, expires_at: null }],
    rate_limit: input.rate_limit ?? null,
    ordering: input.ordering ?? null,
    paused: false,
    filter: input.filter ?? null,
    transformation: (await preparedTransformation(env, input.transformation)) ?? null,
    headers: await sealHeaders(env, id, input.headers ?? null),
  };
  await saveNewSubscription(env, sub);
  return { sub, shown };
}

/** A PATCH as the API takes it: `signature` names a scheme (a change of it is a rotation to a new secret of it). */
export type SubscriptionUpdate = Omit<SubscriptionFields, 'signature' | 'transformation'> & { signature?: SignatureScheme; transformation?: GivenTransformation | null };

/** Applies a PATCH through the subscription's object, after checking its input. */
export async function changeSubscription(env: Env, scope: Scope, id: string, input: SubscriptionUpdate, nowMs = Date.now()): Promise<StoredSubscription> {
  if (input.url !== undefined) assertReceiverUrl(env, 'url', input.url);
  await assertKnownTypes(env, input.events);
  // Header values are sealed before they reach the object (a masked one sent back keeps the stored value).
  // A secret of the scheme asked for is made here too; the object uses it only if the scheme changes.
  const { signature, transformation, ...rest } = input;
  const fields: SubscriptionFields = {
    ...rest,
    ...(transformation !== undefined ? { transformation: await preparedTransformation(env, transformation) } : {}),
    ...(rest.headers ? { headers: await sealHeaders(env, id, rest.headers) } : {}),
    ...(signature ? { signature: { scheme: signature, fresh: (await freshSecret(env, id, signature)).stored } } : {}),
  };
  const { sub, changed, wasDisabled, refused, invalid }: { sub: StoredSubscription | null; changed: boolean; wasDisabled?: boolean; refused?: string; invalid?: string } = await changeStoredSubscription(
    env,
    id,
    { kind: 'update', fields },
    nowMs,
    guard(scope),
  );
  if (!sub) throw fail(404, `No subscription ${id}.`);
  if (refused) throw refusal({ refused, invalid });
  if (changed && !wasDisabled && sub.disabled) await emitDisabled(env, sub, 'manual', nowMs); // by hand
  return sub;
}

/**
 * A new current secret of the subscription's scheme (given or generated); the old ones keep signing for
 * 24 h. Returns what is shown of it: the HMAC secret, or the new key pair's public key.
 */
export async function rotateSecret(env: Env, scope: Scope, id: string, given?: string, nowMs = Date.now()): Promise<Shown> {
  const scheme = signatureScheme(await subscriptionOr404(env, scope, id));
  const { stored, shown } = await freshSecret(env, id, scheme, given);
  const { sub, refused } = await changeStoredSubscription(env, id, { kind: 'rotate', secret: stored, scheme }, nowMs, guard(scope));
  if (!sub) throw fail(404, `No subscription ${id}.`);
  if (refused) throw fail(409, refused);
  return shown;
}

/** Removes it; its pending deliveries fail when their turn comes (nothing to send to). */
export async function deleteSubscription(env: Env, scope: Scope, id: string): Promise<void> {
  if (!(await removeSubscription(env, id, guard(scope)))) throw fail(404, `No subscription ${id}.`);
}

/** The newest secret, in clear (for the secret routes); a subscription that signs with Ed25519 has none to show (409). */
export async function currentSecret(env: Env, sub: StoredSubscription, nowMs = Date.now()): Promise<string> {
  if (signatureScheme(sub) === 'ed25519') {
    throw fail(409, `Subscription ${sub.id} signs with Ed25519: there is no shared secret. Receivers verify with its public key (GET /v1/subscriptions/${sub.id}/public-key).`);
  }
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

/** Its Ed25519 public keys (for the public-key route); a subscription that signs only with HMAC has none (409). */
export async function publicKeys(sub: StoredSubscription, nowMs = Date.now()): Promise<{ public_key: string; keys: PublicKeyEntry[] }> {
  const keys = await publicKeysOf(sub, nowMs);
  if (keys.length === 0) throw fail(409, `Subscription ${sub.id} signs with HMAC (\`signature: "hmac"\`): it has no public key. PATCH it with \`signature: "ed25519"\` to sign with a key pair.`);
  return { public_key: keys[0]!.public_key, keys };
}

/**
 * The JWKS a receiver fetches without a token: the keys that sign the subscription's webhooks now.
 * null (a 404, as for any id) when it is unknown or signs only with HMAC. Read from its own object.
 */
export async function signingJwks(env: Env, id: string, nowMs = Date.now()) {
  const sub = await readSubscription(env, id);
  const jwks = sub ? await jwksOf(sub, nowMs) : null;
  return jwks && jwks.keys.length > 0 ? jwks : null;
}
