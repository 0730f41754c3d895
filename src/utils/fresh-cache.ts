// A per-isolate cache of values read from a store, each trusted for `ttlMs` after it was read, at most
// `max` entries (an isolate serving very many keys starts over rather than growing without bound).
export interface FreshCache<T> {
  /** The value for `key`: this isolate's copy while fresh, else `load()`'s, kept from `nowMs`. */
  get(key: string, nowMs: number, load: () => Promise<T>): Promise<T>;
  /** Forgets `key`, or, given a test, every entry whose value passes it. */
  forget(which: string | ((value: T) => boolean)): void;
  clear(): void;
}

export function freshCache<T>(ttlMs: number, max = 10_000): FreshCache<T> {
  const entries = new Map<string, { value: T; at: number }>();
  return {
    async get(key, nowMs, load) {
      const hit = entries.get(key);
      if (hit && nowMs - hit.at < ttlMs) return hit.value;
      const value = await load();
      if (entries.size >= max) entries.clear();
      entries.set(key, { value, at: nowMs });
      return value;
    },
    forget(which) {
      if (typeof which === 'string') entries.delete(which);
      else for (const [key, hit] of entries) if (which(hit.value)) entries.delete(key);
    },
    clear: () => entries.clear(),
  };
}
