import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE } from '../../src/config';
import { decideOutcome, MAX_DELAY_SECONDS, parseRetryAfter, retryDelay, type AttemptResult } from '../../src/delivery/retry-policy';

const NOW = Date.parse('2026-11-29T10:00:00Z');
const clock = (random: number) => ({ now: () => NOW, random: () => random });
const result = (status_code: number | null, retry_after: string | null = null): AttemptResult => ({
  status_code,
  duration_ms: 5,
  error: status_code === null ? 'network error' : null,
  response_excerpt: null,
  retry_after,
  timed_out: false,
});

describe('retry policy', () => {
  it('follows the contract schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelay(attempt, DEFAULT_RETRY_SCHEDULE, clock(0.5)));
    expect(delays).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(retryDelay(8, DEFAULT_RETRY_SCHEDULE, clock(0.5))).toBeNull();
  });

  it('jitters by ±20 %', () => {
    expect(retryDelay(2, DEFAULT_RETRY_SCHEDULE, clock(0))).toBe(240);
    expect(retryDelay(2, DEFAULT_RETRY_SCHEDULE, clock(0.999999))).toBe(360);
    expect(retryDelay(4, DEFAULT_RETRY_SCHEDULE, clock(0.25))).toBe(Math.round(7200 * 0.9));
  });

  it('honours Retry-After on 429 and 503, kept between the scheduled delay and twice it', () => {
    expect(decideOutcome(result(429, '400'), 2, DEFAULT_RETRY_SCHEDULE, clock(0))).toEqual({ kind: 'retry', delaySeconds: 400, slow: false });
    expect(decideOutcome(result(503, '10'), 2, DEFAULT_RETRY_SCHEDULE, clock(0))).toEqual({ kind: 'retry', delaySeconds: 300, slow: false });
    expect(decideOutcome(result(429, '99999'), 2, DEFAULT_RETRY_SCHEDULE, clock(0))).toEqual({ kind: 'retry', delaySeconds: 600, slow: false });
    const date = new Date(NOW + 500_000).toUTCString();
    expect(decideOutcome(result(503, date), 2, DEFAULT_RETRY_SCHEDULE, clock(0))).toEqual({ kind: 'retry', delaySeconds: 500, slow: false });
    // Retry-After on other statuses is ignored: jitter applies.
    expect(decideOutcome(result(500, '400'), 2, DEFAULT_RETRY_SCHEDULE, clock(0))).toEqual({ kind: 'retry', delaySeconds: 240, slow: false });
  });

  it('never asks the queue for more than its 12 h maximum', () => {
    expect(retryDelay(7, DEFAULT_RETRY_SCHEDULE, clock(0.999999), '999999')).toBe(MAX_DELAY_SECONDS);
  });

  it('maps answers to outcomes', () => {
    expect(decideOutcome(result(200), 1, [1], clock(0.5))).toEqual({ kind: 'succeeded' });
    expect(decideOutcome(result(204), 1, [1], clock(0.5))).toEqual({ kind: 'succeeded' });
    expect(decideOutcome(result(410), 1, [1], clock(0.5))).toEqual({ kind: 'disable' });
    expect(decideOutcome(result(302), 1, [1], clock(0.5))).toEqual({ kind: 'retry', delaySeconds: 1, slow: false });
    expect(decideOutcome(result(null), 1, [10], clock(0.5))).toEqual({ kind: 'retry', delaySeconds: 10, slow: false });
    expect(decideOutcome(result(500), 2, [1], clock(0.5))).toEqual({ kind: 'exhausted' });
    expect(decideOutcome({ ...result(null), timed_out: true }, 1, [10], clock(0.5))).toEqual({ kind: 'retry', delaySeconds: 10, slow: true });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120);
    expect(parseRetryAfter(new Date(NOW + 60_000).toUTCString(), NOW)).toBe(60);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(null, NOW)).toBeNull();
  });
});
