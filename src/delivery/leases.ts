// Flow control's verdicts, asked of a subscription's object (FlowGate.admit), and the attempts it lends
// this isolate (FlowGate.lease): while a lease lasts, the subscription's attempts go without asking.
import type { Env } from '../env';
import type { Arrival, Lease } from '../objects/flow-gate';
import { admitDelivery, type Verdict } from '../store/subscription-writes';

/** A lent attempt starts at least this long before its lease ends (it leaves the isolate within the lease). */
export const LEASE_SAFETY_MS = 20;

/** A verdict to go; `by`: lent, and to be started by then or not at all. */
export type Go = { go: number; by?: number };

const lent = new Map<string, Lease>();
/** Requests for a lease under way: others of the subscription wait for their answer rather than ask too. */
const asking = new Map<string, Promise<unknown>>();

function takeLent(subscriptionId: string, nowMs: number): Go | null {
  const lease = lent.get(subscriptionId);
  if (!lease) return null;
  if (lease.n <= 0 || nowMs >= lease.until - LEASE_SAFETY_MS) {
    lent.delete(subscriptionId);
    return null;
  }
  lease.n--;
  return { go: nowMs, by: lease.until - LEASE_SAFETY_MS };
}

/**
 * Whether a delivery may be attempted: from a lease this isolate holds, else by asking the object.
 * `borrow`: ask for a lease too (not for FIFO lanes, which go one delivery at a time).
 */
export async function admit(env: Pick<Env, 'SUBSCRIPTION_OBJECTS'>, subscriptionId: string, arrival: Arrival, borrow: boolean): Promise<Go | Exclude<Verdict, object>> {
  if (borrow) {
    await asking.get(subscriptionId);
    const leased = takeLent(subscriptionId, Date.now());
    if (leased) return leased;
  }
  const request = admitDelivery(env, subscriptionId, arrival, borrow);
  if (borrow && !asking.has(subscriptionId)) {
    const settled = request.catch(() => {}).finally(() => asking.delete(subscriptionId));
    asking.set(subscriptionId, settled);
  }
  const verdict = await request;
  if (typeof verdict !== 'object') return verdict;
  const held = lent.get(subscriptionId);
  if (verdict.lease && (!held || held.until < verdict.lease.until)) lent.set(subscriptionId, { ...verdict.lease });
  return { go: verdict.go };
}

