// Settings read from vars, with the contract's defaults.
import type { Env } from './env';

export const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

export interface Settings {
  retrySchedule: number[];
  allowInsecureUrls: boolean;
  attemptTimeoutMs: number;
  sweepGraceSeconds: number;
  /** A subscription whose deliveries have all failed for this long is disabled. */
  disableAfterFailingMs: number;
  /** How long a receiver that hung stays in the slow lane. */
  slowLaneMs: number;
  strictEventTypes: boolean;
}

function positiveNumber(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function parseSchedule(raw: string | undefined): number[] {
  if (!raw) return DEFAULT_RETRY_SCHEDULE;
  const parts = raw.split(',').map((s) => Number(s.trim()));
  return parts.every((n) => Number.isFinite(n) && n >= 0) ? parts : DEFAULT_RETRY_SCHEDULE;
}

export function settings(env: Env): Settings {
  return {
    retrySchedule: parseSchedule(env.RETRY_SCHEDULE),
    allowInsecureUrls: env.ALLOW_INSECURE_URLS === 'true',
    attemptTimeoutMs: positiveNumber(env.ATTEMPT_TIMEOUT_MS, 15_000),
    sweepGraceSeconds: positiveNumber(env.SWEEP_GRACE_SECONDS, 60),
    disableAfterFailingMs: positiveNumber(env.DISABLE_AFTER_FAILING_DAYS, 5) * 86_400_000,
    slowLaneMs: positiveNumber(env.SLOW_LANE_MINUTES, 10) * 60_000,
    strictEventTypes: env.STRICT_EVENT_TYPES === 'true',
  };
}
