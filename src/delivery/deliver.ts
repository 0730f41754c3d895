// One delivery task: sign, send, record, and say what should happen next.
import type { Settings } from '../config';
import type { AttemptRecord } from '../store/attempts';
import type { DispatchRow } from '../store/deliveries';
import type { AttemptOutcome } from '../store/stats';
import { newId } from '../utils/ids';
import { isCallback } from './callback';
import { maskedHeaders } from '../utils/custom-headers';
import { sendAttempt } from './dispatch';
import { attemptHeaders } from './envelope';
import { decideOutcome, type Clock, type Outcome } from './retry-policy';
import type { Target } from './target';

export interface DeliverDeps {
  settings: Settings;
  clock: Clock;
}

export interface Delivered {
  outcome: Outcome;
  /** The attempt to record, with the delivery's new state. */
  record: AttemptRecord;
}

/**
 * Attempt number `attempt` (1-based) of `row`. Never throws for a receiver's failure: those are
 * outcomes. The caller records the attempt (a whole batch's in one D1 transaction) before acting on it.
 */
export async function deliver(row: DispatchRow, target: Target, attempt: number, deps: DeliverDeps): Promise<Delivered> {
  const nowMs = deps.clock.now();
  const headers = await attemptHeaders({ webhookId: target.webhookId, body: target.body, secrets: target.secrets, github: target.github, nowMs });
  // Custom headers first: edgehook's own come after, and validation refuses any name of theirs.
  const result = await sendAttempt({ url: target.url, body: target.body, headers: { ...target.headers, ...headers }, timeoutMs: deps.settings.attemptTimeoutMs });
  const outcome = decideOutcome(result, attempt, deps.settings.retrySchedule, deps.clock);

  const at = new Date(nowMs).toISOString();
  const next = outcome.kind === 'retry' ? new Date(nowMs + result.duration_ms + outcome.delaySeconds * 1000).toISOString() : null;
  const status = outcome.kind === 'succeeded' ? 'succeeded' : outcome.kind === 'retry' ? 'pending' : 'failed';
  const counts: AttemptOutcome = status === 'pending' ? 'retrying' : status;
  const { retry_after: _r, timed_out: _t, ...logged } = result;
  const attemptRow = { id: newId('atm', nowMs), at, ...logged, request_headers: JSON.stringify({ ...maskedHeaders(target.headers ?? {}), ...headers }) };
  const counted = isCallback(row)
    ? undefined
    : { application_id: row.application_id, subscription_id: row.subscription_id, event_type: row.type, at, duration_ms: result.duration_ms, outcome: counts };
  return { outcome, record: { deliveryId: row.id, generation: row.generation, attempt: attemptRow, change: { status, next_attempt_at: next }, counted } };
}
