// Signing secrets over time, for subscriptions and applications' callbacks alike: a new one becomes
// current, the ones still signing sign beside it for 24 h, and at most ten sign at once.

export interface StoredSecret {
  /** Sealed (see secret-box), or in clear in copies made before secrets were sealed. */
  value: string;
  /** When this secret stops signing (set on the old secret by a rotation); null while current. */
  expires_at: string | null;
  /** An Ed25519 key pair's public key (`whpk_…`; `value` is then its sealed `whsk_` secret key); absent: an HMAC secret. */
  public_key?: string;
}

/** A secret about to become current: its sealed value, and its public key when it is a key pair. */
export type NewSecret = Omit<StoredSecret, 'expires_at'>;

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;
/** Secrets signing at once, the current one included: each adds a signature to every attempt. */
export const MAX_SIGNING_SECRETS = 10;

/** A change that may not be made, and why (the API answers 409). */
export interface Refusal {
  refused: string;
  /** Set when the request itself asks for what cannot be (the API answers 422 naming the field). */
  invalid?: string;
}

/** Secrets that still sign at `nowMs`, newest first. */
export function liveSecrets(secrets: StoredSecret[], nowMs: number): StoredSecret[] {
  return secrets.filter((s) => s.expires_at === null || Date.parse(s.expires_at) > nowMs);
}

/**
 * `fresh` becomes current; every secret still signing keeps signing beside it for 24 h more at most.
 * None is dropped early: a rotation that would make more than MAX_SIGNING_SECRETS sign is refused.
 */
export function rotateSecrets(secrets: StoredSecret[], fresh: NewSecret, nowMs: number): StoredSecret[] | Refusal {
  const overlapEnd = new Date(nowMs + ROTATION_OVERLAP_MS).toISOString();
  const live = liveSecrets(secrets, nowMs);
  if (live.length + 1 > MAX_SIGNING_SECRETS) {
    const firstFree = live.map((s) => s.expires_at).filter((e): e is string => e !== null).sort()[0];
    return { refused: `${live.length} secrets still sign (at most ${MAX_SIGNING_SECRETS} may); the oldest stops at ${firstFree}. Rotate again after that.` };
  }
  return [{ ...fresh, expires_at: null }, ...live.map((s) => ({ ...s, expires_at: s.expires_at ?? overlapEnd }))];
}
