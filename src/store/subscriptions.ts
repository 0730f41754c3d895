// Subscriptions in Workers KV: the only code that knows their keys and layout.
// `sub:<id>` holds a subscription; `app:<application id>:<id>` is its entry in its application's index,
// with list metadata (patterns, disabled) and no value, so that fan-out reads 1,000 of one application's
// subscriptions with one list() and never sees another application's.
import { DEFAULT_APPLICATION } from './applications';
import { sharedRead } from './shared-reads';
import { maskedHeaders } from '../utils/custom-headers';
import type { Filter } from '../utils/payload-filter';

import { liveSecrets, type StoredSecret } from './secret-rotation';

export type { StoredSecret };

/** At most `per_second` deliveries a second, smoothly; `burst` may go at once after a quiet spell (default 1). */
export interface RateLimit {
  per_second: number;
  burst?: number;
}

export interface StoredSubscription {
  id: string;
  /** The application it belongs to, for good (absent in copies made before applications: `default`). */
  application_id: string;
  url: string;
  events: string[];
  description: string | null;
  metadata: Record<string, string>;
  disabled: boolean;
  github_signature: boolean;
  created_at: string;
  updated_at: string;
  secrets: StoredSecret[];
  /** Flow control; absent in copies made before it: none. */
  rate_limit?: RateLimit | null;
  ordering?: 'fifo' | null;
  paused?: boolean;
  /** A payload filter on the event's data; absent in copies made before filters: none. */
  filter?: Filter | null;
  /** Custom headers sent with every attempt; absent in older copies: none. */
  headers?: Record<string, string> | null;
  /** JavaScript that reshapes each webhook before it is signed and sent; absent in older copies: none. */
  transformation?: StoredTransformation | null;
}

export interface StoredTransformation {
  /** As sent, shown back as it is. */
  code: string;
  enabled: boolean;
  /** The module that runs: the code with its iteration budget put in when it was saved. */
  module: string;
  /** The version of the code: its SHA-256, first 16 hex digits (one isolate per subscription and version). */
  version: string;
}

export type PublicTransformation = Omit<StoredTransformation, 'module'>;

/** How a subscription signs: `v1` with an HMAC secret (the default), or `v1a` with an Ed25519 key pair. */
export type SignatureScheme = 'hmac' | 'ed25519';

/** The scheme of its current secret. */
export const signatureScheme = (sub: Pick<StoredSubscription, 'secrets'>): SignatureScheme => (sub.secrets[0]?.public_key ? 'ed25519' : 'hmac');

/** The public keys that sign at `nowMs` (current first), with when each stops (null: current). */
export function signingPublicKeys(sub: StoredSubscription, nowMs: number): { public_key: string; expires_at: string | null }[] {
  return liveSecrets(sub.secrets, nowMs).flatMap((s) => (s.public_key ? [{ public_key: s.public_key, expires_at: s.expires_at }] : []));
}

/** Whether the consumer must ask the subscription's object before each attempt. */
export const hasFlowControl = (sub: StoredSubscription) => Boolean(sub.rate_limit || sub.ordering === 'fifo' || sub.paused);

export type PublicSubscription = Omit<StoredSubscription, 'secrets' | 'rate_limit' | 'ordering' | 'paused' | 'filter' | 'headers' | 'transformation'> & {
  transformation: PublicTransformation | null;
  signature: SignatureScheme;
  /** The current Ed25519 public key (`whpk_…`); null for HMAC. */
  public_key: string | null;
  rate_limit: Required<RateLimit> | null;
  ordering: 'fifo' | null;
  paused: boolean;
  filter: Filter | null;
  headers: Record<string, string>;
};

interface ListMetadata {
  /** Event patterns; absent when too large for metadata (then the value is read). */
  e?: string[];
  d: boolean;
  /** Its payload filter (absent: none, or metadata too large, when `e` is absent too). */
  f?: Filter;
  /** On `sub:` keys: the application (absent on keys written before applications: `default`). */
  a?: string;
}

const PREFIX = 'sub:';
const METADATA_LIMIT = 1000; // KV allows 1,024 bytes of metadata
const key = (id: string) => `${PREFIX}${id}`;
const indexPrefix = (applicationId: string) => `app:${applicationId}:`;
const indexKey = (applicationId: string, id: string) => `${indexPrefix(applicationId)}${id}`;

/** A copy made before applications belongs to the default application. */
export function withApplication(sub: StoredSubscription): StoredSubscription {
  return sub.application_id ? sub : { ...sub, application_id: DEFAULT_APPLICATION };
}

export function toPublic(sub: StoredSubscription): PublicSubscription {
  const { secrets: _secrets, transformation, ...rest } = sub;
  return {
    ...rest,
    transformation: transformation ? { code: transformation.code, enabled: transformation.enabled, version: transformation.version } : null,
    signature: signatureScheme(sub),
    public_key: sub.secrets[0]?.public_key ?? null,
    rate_limit: sub.rate_limit ? { per_second: sub.rate_limit.per_second, burst: sub.rate_limit.burst ?? 1 } : null,
    ordering: sub.ordering ?? null,
    paused: sub.paused ?? false,
    filter: sub.filter ?? null,
    headers: maskedHeaders(sub.headers ?? {}),
  };
}

/** Secrets that still sign at `nowMs`, newest first. */
export function signingSecrets(sub: StoredSubscription, nowMs: number): string[] {
  return liveSecrets(sub.secrets, nowMs).map((s) => s.value);
}

/** Publishes the copy that fan-out and the consumers read; only a subscription's own Durable Object calls it. */
export async function putSubscription(kv: KVNamespace, sub: StoredSubscription): Promise<void> {
  let metadata: ListMetadata = { e: sub.events, d: sub.disabled, ...(sub.filter ? { f: sub.filter } : {}) };
  if (JSON.stringify(metadata).length > METADATA_LIMIT - 80) metadata = { d: sub.disabled };
  await kv.put(key(sub.id), JSON.stringify(sub), { metadata: { ...metadata, a: sub.application_id } });
  await kv.put(indexKey(sub.application_id, sub.id), '', { metadata });
}

/** The published copy (eventually consistent); `readSubscription` asks the subscription's own object. */
export async function getSubscription(kv: KVNamespace, id: string): Promise<StoredSubscription | null> {
  const sub = await kv.get<StoredSubscription>(key(id), 'json');
  return sub && withApplication(sub);
}

/** Withdraws the published copy; only a subscription's own Durable Object calls it. */
export async function unpublishSubscription(kv: KVNamespace, sub: Pick<StoredSubscription, 'id' | 'application_id'>): Promise<void> {
  await kv.delete(indexKey(sub.application_id, sub.id));
  await kv.delete(key(sub.id));
}

export async function getSubscriptions(kv: KVNamespace, ids: string[]): Promise<Map<string, StoredSubscription>> {
  const found = new Map<string, StoredSubscription>();
  for (let i = 0; i < ids.length; i += 100) {
    const values = await kv.get<StoredSubscription>(ids.slice(i, i + 100).map(key), 'json');
    for (const value of values.values()) if (value) found.set(value.id, withApplication(value));
  }
  return found;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * One page of an application's index: the ids with their list metadata. Before the legacy copies are
 * indexed (`legacy`), the default application's page is read from the `sub:` keys instead, skipping
 * those of other applications: the default application then may cost more than its own subscriptions.
 */
async function indexPage(kv: KVNamespace, applicationId: string, limit: number, cursor: string | undefined, legacy: boolean, sharedAfter?: number) {
  const fromLegacy = legacy && applicationId === DEFAULT_APPLICATION;
  const prefix = fromLegacy ? PREFIX : indexPrefix(applicationId);
  const page = await sharedRead(`${prefix}\n${limit}\n${cursor ?? ''}`, sharedAfter, () => kv.list<ListMetadata>({ prefix, limit, cursor }));
  const keys = page.keys
    .filter((k) => !fromLegacy || (k.metadata?.a ?? DEFAULT_APPLICATION) === DEFAULT_APPLICATION)
    .map((k) => ({ id: k.name.slice(prefix.length), metadata: k.metadata }));
  return { keys, cursor: page.list_complete ? null : page.cursor };
}

/** A page of an application's subscriptions, in id order (oldest first). */
export async function listSubscriptions(kv: KVNamespace, applicationId: string, limit: number, cursor?: string, legacy = false): Promise<Page<StoredSubscription>> {
  const page = await indexPage(kv, applicationId, limit, cursor, legacy);
  const ids = page.keys.map((k) => k.id);
  const subs = await getSubscriptions(kv, ids);
  return { data: ids.flatMap((id) => subs.get(id) ?? []), next_cursor: page.cursor };
}

/**
 * One page (`limit`, up to 1,000) of the ids of an application's enabled subscriptions whose patterns
 * select `type`. `sharedAfter` (a `readMark`): the list may be one another fan-out started after it.
 */
export async function matchingSubscriptionIds(
  kv: KVNamespace,
  applicationId: string,
  matches: (patterns: string[], filter: Filter | undefined) => boolean,
  cursor?: string,
  limit = 1000,
  legacy = false,
  sharedAfter?: number,
): Promise<{ ids: string[]; cursor: string | null }> {
  const page = await indexPage(kv, applicationId, limit, cursor, legacy, sharedAfter);
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const k of page.keys) {
    const id = k.id;
    if (!k.metadata) unknown.push(id);
    else if (!k.metadata.d && k.metadata.e) {
      if (matches(k.metadata.e, k.metadata.f)) ids.push(id);
    } else if (!k.metadata.d) unknown.push(id);
  }
  if (unknown.length > 0) {
    for (const sub of (await getSubscriptions(kv, unknown)).values()) if (!sub.disabled && matches(sub.events, sub.filter ?? undefined)) ids.push(sub.id);
  }
  return { ids, cursor: page.cursor };
}

/** One page of `sub:` keys written before applications (their metadata names none): they need an index entry. */
export async function unindexedSubscriptionIds(kv: KVNamespace, cursor?: string): Promise<{ ids: string[]; cursor: string | null }> {
  return subKeysPage(kv, cursor, (k) => !k.metadata?.a);
}

/** One page (1,000) of `sub:` keys, the ids of those `keep` takes, and the next page's cursor (null: the last). */
async function subKeysPage(kv: KVNamespace, cursor: string | undefined, keep: (k: KVNamespaceListKey<ListMetadata>) => boolean) {
  const page = await kv.list<ListMetadata>({ prefix: PREFIX, cursor, limit: 1000 });
  return { ids: page.keys.filter(keep).map((k) => k.name.slice(PREFIX.length)), cursor: page.list_complete ? null : page.cursor };
}

/** One page of every subscription's id (`sub:` keys), for the re-sealing after a key rotation. */
export async function subscriptionIdsPage(kv: KVNamespace, cursor?: string): Promise<{ ids: string[]; cursor: string | null }> {
  return subKeysPage(kv, cursor, () => true);
}

// Copies made before applications have no index entry until the sweep gives them one. This key says how
// far it got: absent (not started), `{"cursor":…}`, or `done`.
const INDEX_STATE = 'meta:application-index';
let indexedSeen = false; // `done` is final: once seen, this isolate stops asking

/** True while copies made before applications may lack their index entry (the default application's fan-out reads `sub:` then). */
export async function legacyUnindexed(kv: KVNamespace): Promise<boolean> {
  if (indexedSeen) return false;
  indexedSeen = (await kv.get(INDEX_STATE)) === 'done';
  return !indexedSeen;
}

/** Where indexing the legacy copies stands: finished, or the cursor of the next page (undefined: the first). */
export async function legacyIndexCursor(kv: KVNamespace): Promise<{ done: boolean; cursor?: string }> {
  const state = await kv.get(INDEX_STATE);
  if (state === 'done') return { done: true };
  return { done: false, cursor: state ? ((JSON.parse(state) as { cursor?: string }).cursor ?? undefined) : undefined };
}

export async function saveLegacyIndexCursor(kv: KVNamespace, cursor: string | null): Promise<void> {
  await kv.put(INDEX_STATE, cursor === null ? 'done' : JSON.stringify({ cursor }));
}

/** Tests that load data from before applications start this isolate over. */
export function forgetLegacyIndexState(): void {
  indexedSeen = false;
}
