// Every change a subscription can go through, as pure functions of its state: its Durable Object
// applies them one at a time, in order, so none is lost.
import type { RateLimit, StoredSubscription } from './subscriptions';
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
  /** A new current secret; the ones still signing keep signing beside it for 24 h. */
  | { kind: 'rotate'; secret: string }
  /** The consumer's: the receiver answered 410, or every delivery failed for too long. No change when already disabled. */
  | { kind: 'disable' }
  /** Hold every delivery until `resume`; nothing is sent, nothing fails. */
  | { kind: 'pause' }
  | { kind: 'resume' };

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** Secrets signing at once, the current one included: each adds a signature to every attempt. */
export const MAX_SIGNING_SECRETS = 10;

/** A change that may not be made, and why (the API answers 409). */
export interface Refusal {
  refused: string;
}

/**
 * `secret` becomes current; every secret still signing keeps signing beside it for 24 h more at most.
 * None is dropped early: a rotation that would make more than MAX_SIGNING_SECRETS sign is refused.
 */
export function withRotatedSecret(sub: StoredSubscription, secret: string, nowMs: number): StoredSubscription | Refusal {
  const overlapEnd = new Date(nowMs + ROTATION_OVERLAP_MS).toISOString();
  const live = sub.secrets.filter((s) => s.expires_at === null || Date.parse(s.expires_at) > nowMs);
  if (live.length + 1 > MAX_SIGNING_SECRETS) {
    const firstFree = live.map((s) => s.expires_at).filter((e): e is string => e !== null).sort()[0];
    return { refused: `${live.length} secrets still sign (at most ${MAX_SIGNING_SECRETS} may); the oldest stops at ${firstFree}. Rotate again after that.` };
  }
  return {
    ...sub,
    secrets: [{ value: secret, expires_at: null }, ...live.map((s) => ({ value: s.value, expires_at: s.expires_at ?? overlapEnd }))],
    updated_at: new Date(nowMs).toISOString(),
  };
}

/** The subscription after `change`, null when the change changes nothing, or why it may not be made. */
export function applyChange(sub: StoredSubscription, change: SubscriptionChange, nowMs: number): StoredSubscription | Refusal | null {
  const updated_at = new Date(nowMs).toISOString();
  switch (change.kind) {
    case 'rotate':
      return withRotatedSecret(sub, change.secret, nowMs);
    case 'disable':
      return sub.disabled ? null : { ...sub, disabled: true, updated_at };
    case 'pause':
    case 'resume':
      return Boolean(sub.paused) === (change.kind === 'pause') ? null : { ...sub, paused: change.kind === 'pause', updated_at };
    case 'update': {
      const f = change.fields;
      return {
        ...sub,
        url: f.url ?? sub.url,
        events: f.events ?? sub.events,
        description: f.description === undefined ? sub.description : f.description,
        metadata: f.metadata ?? sub.metadata,
        disabled: f.disabled ?? sub.disabled,
        github_signature: f.github_signature ?? sub.github_signature,
        rate_limit: f.rate_limit === undefined ? sub.rate_limit : f.rate_limit,
        ordering: f.ordering === undefined ? sub.ordering : f.ordering,
        filter: f.filter === undefined ? sub.filter : f.filter,
        headers: f.headers === undefined ? sub.headers : withHeaders(sub.headers, f.headers),
        updated_at,
      };
    }
  }
}
