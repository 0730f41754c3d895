// One delivery task: load, sign, send, record, and say what should happen next.
import type { Settings } from '../config';
import { recordAttempt } from '../store/attempts';
import type { DispatchRow } from '../store/deliveries';
import { signingSecrets, type StoredSubscription } from '../store/subscriptions';
import { newId } from '../utils/ids';
import { sendAttempt } from './dispatch';
import { attemptHeaders, envelopeBody } from './envelope';
import { decideOutcome, type Clock, type Outcome } from './retry-policy';

/** What the consumer does with the message: the retry policy's outcomes plus "nothing to send". */
export type TaskOutcome = Outcome | { kind: 'skipped'; reason: string };

export interface DeliverDeps {
  db: D1Database;
  settings: Settings;
  clock: Clock;
}

/**
 * Attempt number `attempt` (1-based) of `row` to `sub`. Never throws for a receiver's failure:
 * those are outcomes. Throws only when our own storage fails, so the message is retried.
 */
export async function deliver(row: DispatchRow, sub: StoredSubscription | null, attempt: number, deps: DeliverDeps): Promise<TaskOutcome> {
  if (row.status === 'succeeded') return { kind: 'skipped', reason: 'already succeeded' };
  if (!sub) return { kind: 'skipped', reason: 'subscription deleted' };
  if (sub.disabled) return { kind: 'skipped', reason: 'subscription disabled' };

  const nowMs = deps.clock.now();
  const body = envelopeBody(row.type, row.event_created_at, row.data);
  const headers = await attemptHeaders({
    webhookId: row.event_id,
    body,
    secrets: signingSecrets(sub, nowMs),
    github: sub.github_signature,
    nowMs,
  });
  const result = await sendAttempt({ url: sub.url, body, headers, timeoutMs: deps.settings.attemptTimeoutMs });
  const outcome = decideOutcome(result, attempt, deps.settings.retrySchedule, deps.clock);

  const at = new Date(nowMs).toISOString();
  const next = outcome.kind === 'retry' ? new Date(nowMs + result.duration_ms + outcome.delaySeconds * 1000).toISOString() : null;
  const status = outcome.kind === 'succeeded' ? 'succeeded' : outcome.kind === 'disable' ? 'failed' : 'pending';
  const { retry_after: _r, timed_out: _t, ...logged } = result;
  await recordAttempt(deps.db, row.id, { id: newId('atm', nowMs), at, ...logged }, { status, next_attempt_at: next });
  return outcome;
}
