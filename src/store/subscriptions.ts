// Subscriptions in Workers KV: the only code that knows their keys and layout.
// Each key carries list metadata (patterns, disabled) so fan-out reads a page of 1,000 with one list().

export interface StoredSecret {
  value: string;
  /** When this secret stops signing (set on the old secret by a rotation); null while current. */
  expires_at: string | null;
}

export interface StoredSubscription {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  metadata: Record<string, string>;
  disabled: boolean;
  github_signature: boolean;
  created_at: string;
  updated_at: string;
  secrets: StoredSecret[];
}

export type PublicSubscription = Omit<StoredSubscription, 'secrets'>;

interface ListMetadata {
  /** Event patterns; absent when too large for metadata (then the value is read). */
  e?: string[];
  d: boolean;
}

const PREFIX = 'sub:';
const METADATA_LIMIT = 1000; // KV allows 1,024 bytes of metadata
const key = (id: string) => `${PREFIX}${id}`;

export function toPublic(sub: StoredSubscription): PublicSubscription {
  const { secrets: _secrets, ...rest } = sub;
  return rest;
}

/** Secrets that still sign at `nowMs`, newest first. */
export function signingSecrets(sub: StoredSubscription, nowMs: number): string[] {
  return sub.secrets.filter((s) => s.expires_at === null || Date.parse(s.expires_at) > nowMs).map((s) => s.value);
}

/** Publishes the copy that fan-out and the consumers read; only a subscription's own Durable Object calls it. */
export async function putSubscription(kv: KVNamespace, sub: StoredSubscription): Promise<void> {
  let metadata: ListMetadata = { e: sub.events, d: sub.disabled };
  if (JSON.stringify(metadata).length > METADATA_LIMIT) metadata = { d: sub.disabled };
  await kv.put(key(sub.id), JSON.stringify(sub), { metadata });
}

/** The published copy (eventually consistent); `readSubscription` asks the subscription's own object. */
export function getSubscription(kv: KVNamespace, id: string): Promise<StoredSubscription | null> {
  return kv.get<StoredSubscription>(key(id), 'json');
}

/** Withdraws the published copy; only a subscription's own Durable Object calls it. */
export async function unpublishSubscription(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(key(id));
}

export async function getSubscriptions(kv: KVNamespace, ids: string[]): Promise<Map<string, StoredSubscription>> {
  const found = new Map<string, StoredSubscription>();
  for (let i = 0; i < ids.length; i += 100) {
    const values = await kv.get<StoredSubscription>(ids.slice(i, i + 100).map(key), 'json');
    for (const value of values.values()) if (value) found.set(value.id, value);
  }
  return found;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export async function listSubscriptions(kv: KVNamespace, limit: number, cursor?: string): Promise<Page<StoredSubscription>> {
  const page = await kv.list<ListMetadata>({ prefix: PREFIX, limit, cursor });
  const ids = page.keys.map((k) => k.name.slice(PREFIX.length));
  const subs = await getSubscriptions(kv, ids);
  return {
    data: ids.flatMap((id) => subs.get(id) ?? []),
    next_cursor: page.list_complete ? null : page.cursor,
  };
}

/** One page (`limit`, up to 1,000) of the ids of enabled subscriptions whose patterns select `type`. */
export async function matchingSubscriptionIds(
  kv: KVNamespace,
  matches: (patterns: string[]) => boolean,
  cursor?: string,
  limit = 1000,
): Promise<{ ids: string[]; cursor: string | null }> {
  const page = await kv.list<ListMetadata>({ prefix: PREFIX, cursor, limit });
  const ids: string[] = [];
  const unknown: string[] = [];
  for (const k of page.keys) {
    const id = k.name.slice(PREFIX.length);
    if (!k.metadata) unknown.push(id);
    else if (!k.metadata.d && k.metadata.e) {
      if (matches(k.metadata.e)) ids.push(id);
    } else if (!k.metadata.d) unknown.push(id);
  }
  if (unknown.length > 0) {
    for (const sub of (await getSubscriptions(kv, unknown)).values()) if (!sub.disabled && matches(sub.events)) ids.push(sub.id);
  }
  return { ids, cursor: page.list_complete ? null : page.cursor };
}
