// The retry policy: pure, with the clock and the random source injected.
export interface AttemptResult {
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_excerpt: string | null;
  /** The raw `Retry-After` header of a 429 or 503 answer. */
  retry_after: string | null;
  /** No answer within the attempt timeout. */
  timed_out: boolean;
}

export type Outcome =
  | { kind: 'succeeded' }
  /** `slow`: the receiver hung; the retry belongs in the slow lane. */
  | { kind: 'retry'; delaySeconds: number; slow: boolean }
  /** 410 Gone: the receiver asked never to be called again. */
  | { kind: 'disable' }
  /** Every attempt of the schedule was used. */
  | { kind: 'exhausted' }
  /** The subscription's transformation cancelled it: nothing was sent, and nothing will be. */
  | { kind: 'cancelled' };

export interface Clock {
  now: () => number;
  random: () => number;
}

/** The longest delay a Queue message can be retried with. */
export const MAX_DELAY_SECONDS = 43_200;
const JITTER = 0.2;

/** Seconds, from `Retry-After` as delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, (date - nowMs) / 1000);
}

/**
 * Delay before the attempt after `attempt` (1-based), or null when the schedule is used up.
 * ±20 % jitter spreads retries; `Retry-After` is honoured but kept between the scheduled delay and twice it.
 */
export function retryDelay(
  attempt: number,
  schedule: readonly number[],
  clock: Clock,
  retryAfter: string | null = null,
): number | null {
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  let delay = base * (1 - JITTER + 2 * JITTER * clock.random());
  const asked = parseRetryAfter(retryAfter, clock.now());
  if (asked !== null) delay = Math.min(Math.max(asked, base), 2 * base);
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.round(delay)));
}

export function isSuccess(result: AttemptResult): boolean {
  return result.status_code !== null && result.status_code >= 200 && result.status_code < 300;
}

export function decideOutcome(result: AttemptResult, attempt: number, schedule: readonly number[], clock: Clock): Outcome {
  if (isSuccess(result)) return { kind: 'succeeded' };
  if (result.status_code === 410) return { kind: 'disable' };
  const honoured = result.status_code === 429 || result.status_code === 503 ? result.retry_after : null;
  const delay = retryDelay(attempt, schedule, clock, honoured);
  return delay === null ? { kind: 'exhausted' } : { kind: 'retry', delaySeconds: delay, slow: result.timed_out };
}
