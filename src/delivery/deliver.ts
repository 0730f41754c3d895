// One delivery task: sign, send, record, and say what should happen next.
import type { Settings } from '../config';
import type { AttemptRecord } from '../store/attempts';
import type { DispatchRow } from '../store/deliveries';
import type { AttemptOutcome } from '../store/stats';
import { newId } from '../utils/ids';
import { isCallback } from './callback';
import { maskedHeaders } from '../utils/custom-headers';
import { sendAttempt } from './dispatch';
import type { TransformationInput, TransformationResult } from './transformation';
import { attemptHeaders } from './envelope';
import { decideOutcome, type AttemptResult, type Clock, type Outcome } from './retry-policy';
import type { Target } from './target';

export interface DeliverDeps {
  settings: Settings;
  clock: Clock;
  /** Runs a target's transformation (absent where there is no Worker Loader binding). */
  transform?: (isolate: string, module: string, input: TransformationInput) => Promise<TransformationResult>;
  /**
   * Whether the delivery's log takes the `cancelled` state (a shard does; D1's log from before shards
   * keeps its old CHECK, and records a cancelled delivery as failed).
   */
  cancellable?: boolean;
}

const CANCELLED = 'cancelled by the transformation: nothing was sent';

/** What the transformation made of the attempt: the body and headers to send, or an attempt failed without a send. */
async function transformed(row: DispatchRow, target: Target, deps: DeliverDeps): Promise<{ body: string; headers?: Record<string, string> } | { failed: AttemptResult; cancelled?: true }> {
  if (!target.transformation) return { body: target.body, headers: target.headers };
  const started = performance.now();
  const run = deps.transform ?? (async () => ({ error: 'transformations are not available here (no Worker Loader binding)' }));
  const r = await run(target.transformation.isolate, target.transformation.module, { event_type: row.type, payload: JSON.parse(target.body), headers: target.headers ?? {} });
  if ('body' in r) return { body: r.body, headers: r.headers ?? target.headers };
  const error = 'error' in r ? `transformation: ${r.error}` : CANCELLED;
  const failed = { status_code: null, duration_ms: Math.round(performance.now() - started), error, response_excerpt: null, retry_after: null, timed_out: false };
  return 'cancel' in r ? { failed, cancelled: true } : { failed };
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
  // What is signed is what is sent: the body after the subscription's transformation, if it has one.
  const shaped = await transformed(row, target, deps);
  const body = 'failed' in shaped ? target.body : shaped.body;
  const custom = 'failed' in shaped ? target.headers : shaped.headers;
  const cancelled = 'cancelled' in shaped;
  const headers = cancelled ? {} : await attemptHeaders({ webhookId: target.webhookId, body, secrets: target.secrets, github: target.github, nowMs });
  // Custom headers first: edgehook's own come after, and validation refuses any name of theirs.
  const result = 'failed' in shaped ? shaped.failed : await sendAttempt({ url: target.url, body, headers: { ...custom, ...headers }, timeoutMs: deps.settings.attemptTimeoutMs });
  const outcome: Outcome = cancelled ? { kind: 'cancelled' } : decideOutcome(result, attempt, deps.settings.retrySchedule, deps.clock);

  const at = new Date(nowMs).toISOString();
  const next = outcome.kind === 'retry' ? new Date(nowMs + result.duration_ms + outcome.delaySeconds * 1000).toISOString() : null;
  const status =
    outcome.kind === 'succeeded' ? 'succeeded' : outcome.kind === 'retry' ? 'pending' : outcome.kind === 'cancelled' && deps.cancellable ? 'cancelled' : 'failed';
  const counts: AttemptOutcome = status === 'pending' ? 'retrying' : status;
  const { retry_after: _r, timed_out: _t, ...logged } = result;
  const attemptRow = { id: newId('atm', nowMs), at, ...logged, request_headers: JSON.stringify({ ...maskedHeaders(custom ?? {}), ...headers }) };
  const counted = isCallback(row)
    ? undefined
    : { application_id: row.application_id, subscription_id: row.subscription_id, event_type: row.type, at, duration_ms: result.duration_ms, outcome: counts };
  return { outcome, record: { deliveryId: row.id, generation: row.generation, attempt: attemptRow, change: { status, next_attempt_at: next }, counted } };
}
