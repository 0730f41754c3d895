// Every change a subscription can go through, as pure functions of its state: its Durable Object
// applies them one at a time, in order, so none is lost.
import { signatureScheme, type RateLimit, type SignatureScheme, type StoredSubscription, type StoredTransformation } from './subscriptions';
import { rotateSecrets, type NewSecret, type Refusal } from './secret-rotation';
import { MASK } from '../utils/custom-headers';
import type { Filter } from '../utils/payload-filter';

export interface SubscriptionFields {
  url?: string;
  events?: string[];
  description?: string | null;
  metadata?: Record<string, string>;
  disabled?: boolean;
  github_signature?: boolean;
  rate_limit?: RateLimit | null;
  ordering?: 'fifo' | null;
  filter?: Filter | null;
  headers?: Record<string, string> | null;
  /** Replaces it (already checked and given its iteration budget); null removes it. */
  transformation?: StoredTransformation | null;
  /** Another signature scheme: `fresh` (of that scheme) becomes current, the old secret signs 24 h more. Ignored when it is the scheme already. */
  signature?: { scheme: SignatureScheme; fresh: NewSecret };
}

/** New custom headers; a value sent back masked (as the API shows credential-like ones) keeps the stored value. */
function withHeaders(before: Record<string, string> | null | undefined, given: Record<string, string> | null): Record<string, string> | null {
  if (given === null) return null;
  const old = new Map(Object.entries(before ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v === MASK && old.has(k.toLowerCase()) ? old.get(k.toLowerCase())! : v]));
}

export type SubscriptionChange =
  /** A PATCH (API or dashboard). */
  | { kind: 'update'; fields: SubscriptionFields }
  /** A new current secret of the subscription's scheme (refused if it changed meanwhile); the ones still signing keep signing beside it for 24 h. */
  | { kind: 'rotate'; secret: NewSecret; scheme: SignatureScheme }
  /** The consumer's: the receiver answered 410, or every delivery failed for too long. No change when already disabled. */
  | { kind: 'disable' }
  /** Hold every delivery until `resume`; nothing is sent, nothing fails. */
  | { kind: 'pause' }
  | { kind: 'resume' }
  /**
   * A SECRETS_KEY rotation: each stored secret or header value that is a key of `values` is replaced by
   * its value there (the same secret, sealed with the new key). One changed meanwhile stays as it is.
   * Nothing a reader sees changes (updated_at included).
   */
  | { kind: 'reseal'; values: Record<string, string> };

export { MAX_SIGNING_SECRETS, ROTATION_OVERLAP_MS, type Refusal } from './secret-rotation';

/** `secret` becomes current (see rotateSecrets). */
export function withRotatedSecret(sub: StoredSubscription, secret: NewSecret, nowMs: number): StoredSubscription | Refusal {
  const secrets = rotateSecrets(sub.secrets, secret, nowMs);
  return 'refused' in secrets ? secrets : { ...sub, secrets, updated_at: new Date(nowMs).toISOString() };
}

/** `github_signature` is an HMAC of its own; the one rule, for a create (checked by the service) and every PATCH. */
export const GITHUB_NEEDS_HMAC: Refusal & { invalid: string } = {
  refused: "`github_signature` needs an HMAC secret: GitHub's scheme cannot be made with an Ed25519 key. Leave it off, or sign with `signature: \"hmac\"`.",
  invalid: 'github_signature',
};

/** A PATCH's new state; a change of signature scheme is a rotation to a secret of the other scheme. */
function updated(sub: StoredSubscription, f: SubscriptionFields, nowMs: number): StoredSubscription | Refusal {
  let secrets = sub.secrets;
  if (f.signature && f.signature.scheme !== signatureScheme(sub)) {
    const rotated = rotateSecrets(sub.secrets, f.signature.fresh, nowMs);
    if ('refused' in rotated) return rotated;
    secrets = rotated;
  }
  const github_signature = f.github_signature ?? sub.github_signature;
  if (github_signature && signatureScheme({ secrets }) === 'ed25519') return GITHUB_NEEDS_HMAC;
  return {
    ...sub,
    url: f.url ?? sub.url,
    events: f.events ?? sub.events,
    description: f.description === undefined ? sub.description : f.description,
    metadata: f.metadata ?? sub.metadata,
    disabled: f.disabled ?? sub.disabled,
    github_signature,
    secrets,
    rate_limit: f.rate_limit === undefined ? sub.rate_limit : f.rate_limit,
    ordering: f.ordering === undefined ? sub.ordering : f.ordering,
    filter: f.filter === undefined ? sub.filter : f.filter,
    headers: f.headers === undefined ? sub.headers : withHeaders(sub.headers, f.headers),
    transformation: f.transformation === undefined ? sub.transformation : f.transformation,
    updated_at: new Date(nowMs).toISOString(),
  };
}

/** The subscription after `change`, null when the change changes nothing, or why it may not be made. */
export function applyChange(sub: StoredSubscription, change: SubscriptionChange, nowMs: number): StoredSubscription | Refusal | null {
  const updated_at = new Date(nowMs).toISOString();
  switch (change.kind) {
    case 'rotate':
      if (change.scheme !== signatureScheme(sub)) return { refused: `The subscription now signs with ${signatureScheme(sub)}, not ${change.scheme}: rotate again.` };
      return withRotatedSecret(sub, change.secret, nowMs);
    case 'disable':
      return sub.disabled ? null : { ...sub, disabled: true, updated_at };
    case 'pause':
    case 'resume':
      return Boolean(sub.paused) === (change.kind === 'pause') ? null : { ...sub, paused: change.kind === 'pause', updated_at };
    case 'reseal': {
      let swapped = false;
      const swap = (v: string) => (Object.hasOwn(change.values, v) ? ((swapped = true), change.values[v]!) : v);
      const secrets = sub.secrets.map((s) => ({ ...s, value: swap(s.value) }));
      const headers = sub.headers ? Object.fromEntries(Object.entries(sub.headers).map(([k, v]) => [k, swap(v)])) : sub.headers;
      return swapped ? { ...sub, secrets, headers } : null;
    }
    case 'update':
      return updated(sub, change.fields, nowMs);
  }
}
