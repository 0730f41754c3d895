// Every change a subscription can go through, as pure functions of its state: its Durable Object
// applies them one at a time, in order, so none is lost.
import type { StoredSubscription } from './subscriptions';

export interface SubscriptionFields {
  url?: string;
  events?: string[];
  description?: string | null;
  metadata?: Record<string, string>;
  disabled?: boolean;
  github_signature?: boolean;
}

export type SubscriptionChange =
  /** A PATCH (API or dashboard). */
  | { kind: 'update'; fields: SubscriptionFields }
  /** A new current secret; the ones still signing keep signing beside it for 24 h. */
  | { kind: 'rotate'; secret: string }
  /** The consumer's: the receiver answered 410, or every delivery failed for too long. No change when already disabled. */
  | { kind: 'disable' };

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
const MAX_SECRETS = 5;

/** `secret` becomes current; the secrets still signing keep signing beside it for 24 h more at most. */
export function withRotatedSecret(sub: StoredSubscription, secret: string, nowMs: number): StoredSubscription {
  const overlapEnd = new Date(nowMs + ROTATION_OVERLAP_MS).toISOString();
  const previous = sub.secrets
    .filter((s) => s.expires_at === null || Date.parse(s.expires_at) > nowMs)
    .map((s) => ({ value: s.value, expires_at: s.expires_at ?? overlapEnd }));
  return {
    ...sub,
    secrets: [{ value: secret, expires_at: null }, ...previous].slice(0, MAX_SECRETS),
    updated_at: new Date(nowMs).toISOString(),
  };
}

/** The subscription after `change`, or null when the change changes nothing. */
export function applyChange(sub: StoredSubscription, change: SubscriptionChange, nowMs: number): StoredSubscription | null {
  const updated_at = new Date(nowMs).toISOString();
  switch (change.kind) {
    case 'rotate':
      return withRotatedSecret(sub, change.secret, nowMs);
    case 'disable':
      return sub.disabled ? null : { ...sub, disabled: true, updated_at };
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
        updated_at,
      };
    }
  }
}
