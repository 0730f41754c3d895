// A per-isolate cache of values read from a store, each trusted for `ttlMs` after it was read, at most
// `max` entries (an isolate serving very many keys starts over rather than growing without bound).
// Forgetting after a write is read-your-writes in the isolate: a read that was in flight meanwhile (and
// may have seen the store before the write) is answered but not kept.
export interface FreshCache<T> {
  /** The value for `key`: this isolate's copy while fresh, else `load()`'s, kept from `nowMs`. */
  get(key: string, nowMs: number, load: () => Promise<T>): Promise<T>;
  /** Forgets `key`, or, given a test, every entry whose value passes it. */
  forget(which: string | ((value: T) => boolean)): void;
  clear(): void;
}

export function freshCache<T>(ttlMs: number, max = 10_000): FreshCache<T> {
  const entries = new Map<string, { value: T; at: number }>();
  let forgets = 0; // how many times something was forgotten: a load that saw it change keeps nothing
  return {
    async get(key, nowMs, load) {
      const hit = entries.get(key);
      if (hit && nowMs - hit.at < ttlMs) return hit.value;
      const since = forgets;
      const value = await load();
      if (since !== forgets) return value;
      if (entries.size >= max) entries.clear();
      entries.set(key, { value, at: nowMs });
      return value;
    },
    forget(which) {
      forgets++;
      if (typeof which === 'string') entries.delete(which);
      else for (const [key, hit] of entries) if (which(hit.value)) entries.delete(key);
    },
    clear() {
      forgets++;
      entries.clear();
    },
  };
}
