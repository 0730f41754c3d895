// Slots of a rate limit lent to this isolate by a subscription's object (see FlowGate: LEASE_MS): used
// for the next deliveries of that subscription without asking again. A lease is dropped when the
// subscription changes (a pause, a new limit) or when its time is up; unused slots are simply lost.
import { LEASE_MS } from '../objects/flow-gate';
import type { StoredSubscription } from '../store/subscriptions';

interface Lease {
  left: number;
  untilMs: number;
  /** The subscription as it was when lent. */
  version: string;
}

const leases = new Map<string, Lease>();

export function lend(sub: StoredSubscription, count: number, nowMs: number): void {
  leases.set(sub.id, { left: count, untilMs: nowMs + LEASE_MS, version: sub.updated_at });
}

/** Takes a lent slot for `sub`, if there is one still good. */
export function takeLent(sub: StoredSubscription, nowMs: number): boolean {
  const lease = leases.get(sub.id);
  if (!lease) return false;
  if (lease.left <= 0 || nowMs >= lease.untilMs || lease.version !== sub.updated_at || sub.paused || sub.ordering === 'fifo') {
    leases.delete(sub.id);
    return false;
  }
  lease.left--;
  return true;
}
