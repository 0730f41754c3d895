import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, settings } from '../../src/config';
import type { Env } from '../../src/env';

const from = (vars: Partial<Env>) => settings(vars as Env);

describe('settings', () => {
  it('falls back to the contract defaults when a var is missing, empty or not a positive number', () => {
    for (const bad of [undefined, '', ' ', 'x', '0', '-3', 'Infinity']) {
      const s = from({ ATTEMPT_TIMEOUT_MS: bad, MAX_CONCURRENT_ATTEMPTS: bad });
      expect(s.attemptTimeoutMs).toBe(15_000);
      expect(s.maxConcurrentAttempts).toBe(6);
    }
    for (const bad of [undefined, '', ' ', '5,x', '5,,30', '5,-1', '5,Infinity']) {
      expect(from({ RETRY_SCHEDULE: bad }).retrySchedule).toEqual(DEFAULT_RETRY_SCHEDULE);
    }
  });

  it('reads the vars it is given', () => {
    const s = from({ ATTEMPT_TIMEOUT_MS: '1000', MAX_CONCURRENT_ATTEMPTS: '2.9', RETRY_SCHEDULE: '1, 2,3', ALLOW_INSECURE_URLS: 'true' });
    expect(s).toMatchObject({ attemptTimeoutMs: 1000, maxConcurrentAttempts: 2, retrySchedule: [1, 2, 3], allowInsecureUrls: true });
    expect(from({ MAX_CONCURRENT_ATTEMPTS: '0.5' }).maxConcurrentAttempts).toBe(6);
  });
});
