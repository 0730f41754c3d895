// Lookups shared by route groups: a missing resource is a 404, a malformed given secret a 422.
import { settings } from '../config';
import { isOperational } from '../delivery/operational-types';
import type { Env } from '../env';
import { isValidSecret } from '../signing/secret';
import { registeredNames } from '../store/event-types';
import { readSubscription } from '../store/subscription-writes';
import type { StoredSubscription } from '../store/subscriptions';
import { fail } from '../utils/problem';

/** The subscription as its own object has it (read-your-writes, unlike the KV copy). */
/** `applicationId` null: of any application (the operator dashboard); else one of another application is a 404. */
export async function subscriptionOr404(env: Env, applicationId: string | null, id: string): Promise<StoredSubscription> {
  const sub = await readSubscription(env, id, applicationId ?? undefined);
  if (!sub) throw fail(404, `No subscription ${id}.`);
  return sub;
}


/** A secret given by the caller must be a Standard Webhooks secret; it is never echoed back. */
export function assertGivenSecret(secret: string | undefined): void {
  if (secret !== undefined && !isValidSecret(secret)) {
    throw fail(422, 'The secret must be `whsec_` followed by base64 of 24 to 64 bytes.', [{ path: 'secret', message: 'not a whsec_ secret' }]);
  }
}

/** In strict mode, exact patterns must name registered event types; `prefix.*` and `*` stay allowed. */
export async function assertKnownTypes(env: Env, patterns: string[] | undefined): Promise<void> {
  if (!patterns || !settings(env).strictEventTypes) return;
  const exact = patterns.filter((p) => !p.endsWith('*') && !isOperational(p));
  if (exact.length === 0) return;
  const known = await registeredNames(env.DB, exact);
  const unknown = exact.filter((p) => !known.has(p));
  if (unknown.length > 0) {
    throw fail(422, `Unknown event types (strict mode): ${unknown.join(', ')}. Register them first.`, unknown.map((u) => ({ path: `events.${patterns.indexOf(u)}`, message: 'not a registered event type' })));
  }
}
