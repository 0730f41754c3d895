// Prefixed, time-ordered ids (ULID layout): sorting by id sorts by creation time.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export type IdPrefix = 'sub' | 'evt' | 'dlv' | 'atm' | 'app' | 'key';

export function newId(prefix: IdPrefix, nowMs = Date.now()): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const random = crypto.getRandomValues(new Uint8Array(16));
  let tail = '';
  for (const byte of random) tail += ALPHABET[byte % 32];
  return `${prefix}_${time}${tail}`;
}

/** The smallest id of `prefix` made at `ms` or later: a bound for ranges of time-ordered ids. */
export function newIdAt(prefix: IdPrefix, ms: number): string {
  return `${newId(prefix, ms).slice(0, prefix.length + 11)}${'0'.repeat(16)}`;
}
