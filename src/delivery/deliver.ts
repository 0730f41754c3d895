// One delivery task: sign, send, record, and say what should happen next.
import type { Settings } from '../config';
import type { AttemptRecord } from '../store/attempts';
import type { DispatchRow } from '../store/deliveries';
import { newId } from '../utils/ids';
import { sendAttempt } from './dispatch';
import { attemptHeaders } from './envelope';
import { decideOutcome, type Clock, type Outcome } from './retry-policy';
import type { Resolved } from './target';

/** What the consumer does with the message: the retry policy's outcomes plus "nothing to send". */
export type TaskOutcome = Outcome | { kind: 'skipped'; reason: string };

export interface DeliverDeps {
  settings: Settings;
  clock: Clock;
}

export interface Delivered {
  outcome: TaskOutcome;
  /** The attempt to record, with the delivery's new state; none when nothing was sent. */
  record: AttemptRecord | null;
}

/**
 * Attempt number `attempt` (1-based) of `row`. Never throws for a receiver's failure: those are
 * outcomes. The caller records the attempt (a whole batch's in one D1 transaction) before acting on it.
 */
export async function deliver(row: DispatchRow, resolved: Resolved, attempt: number, deps: DeliverDeps): Promise<Delivered> {
  if (row.status === 'succeeded') return { outcome: { kind: 'skipped', reason: 'already succeeded' }, record: null };
  if ('skip' in resolved) return { outcome: { kind: 'skipped', reason: resolved.skip }, record: null };
  const { target } = resolved;

  const nowMs = deps.clock.now();
  const headers = await attemptHeaders({ webhookId: target.webhookId, body: target.body, secrets: target.secrets, github: target.github, nowMs });
  const result = await sendAttempt({ url: target.url, body: target.body, headers, timeoutMs: deps.settings.attemptTimeoutMs });
  const outcome = decideOutcome(result, attempt, deps.settings.retrySchedule, deps.clock);

  const at = new Date(nowMs).toISOString();
  const next = outcome.kind === 'retry' ? new Date(nowMs + result.duration_ms + outcome.delaySeconds * 1000).toISOString() : null;
  const status = outcome.kind === 'succeeded' ? 'succeeded' : outcome.kind === 'disable' ? 'failed' : 'pending';
  const { retry_after: _r, timed_out: _t, ...logged } = result;
  const attemptRow = { id: newId('atm', nowMs), at, ...logged, request_headers: JSON.stringify(headers) };
  return { outcome, record: { deliveryId: row.id, attempt: attemptRow, change: { status, next_attempt_at: next } } };
}
