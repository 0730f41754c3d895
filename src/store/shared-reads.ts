// Reads that concurrent requests of one isolate share: when many events of one application fan out at
// once, one KV list of its index serves all of them instead of one list each. A caller shares only a read
// that started after its own mark (taken once its event was stored), so it sees every subscription a
// read of its own would have seen: a subscription created before the event was sent is never missed.
// The read belongs to the request that started it, which awaits it; one that has not answered after
// JOIN_TIMEOUT_MS (its request was cancelled) is not waited for any longer, and the caller reads itself.
import { within } from '../utils/within';

const JOIN_TIMEOUT_MS = 10_000;
let started = 0;
const inFlight = new Map<string, { seq: number; value: Promise<unknown> }>();

/** A mark for `sharedRead`: reads started after it may serve the caller. */
export const readMark = (): number => started;

/** `read()`, or the result of the same read (`key`) already in flight, if that started after `after`. */
export async function sharedRead<T>(key: string, after: number | undefined, read: () => Promise<T>, joinTimeoutMs = JOIN_TIMEOUT_MS): Promise<T> {
  const current = inFlight.get(key);
  if (after !== undefined && current && current.seq > after) {
    const joined = await within(current.value as Promise<T>, joinTimeoutMs);
    if (joined) return joined.value;
  }
  const seq = ++started;
  const value = read();
  inFlight.set(key, { seq, value });
  try {
    return await value;
  } finally {
    if (inFlight.get(key)?.seq === seq) inFlight.delete(key);
  }
}
