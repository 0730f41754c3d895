// Settings read from vars, with the contract's defaults.
import type { Env } from './env';

export const DEFAULT_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

export interface Settings {
  retrySchedule: number[];
  allowInsecureUrls: boolean;
  attemptTimeoutMs: number;
  /**
   * Attempts of one batch in flight at once. Production lets an invocation wait on response headers
   * from six connections at a time and queues the rest inside fetch(), where their timeout would
   * already be running: we queue them ourselves, so each attempt's timeout starts when it is sent.
   */
  maxConcurrentAttempts: number;
  sweepGraceSeconds: number;
  /** A subscription whose deliveries have all failed for this long is disabled. */
  disableAfterFailingMs: number;
  /** How long a receiver that hung stays in the slow lane. */
  slowLaneMs: number;
  strictEventTypes: boolean;
  /** Subscriptions one fan-out page reads (one KV list call): 1,000, the most KV lists at once. */
  fanoutPageSize: number;
  /** A subscription counts as failing after this many failed attempts in a row (subscription.failing) … */
  failingAfterFailures: number;
  /** … or when its success rate over the last hour is under this, over at least FAILING_MIN_ATTEMPTS attempts. */
  failingBelowSuccessRate: number;
  /** Events, deliveries and attempts older than this are deleted by the sweep. */
  retentionMs: number;
  /** Rows of each kind the sweep deletes per run, at most. */
  retentionChunk: number;
  /** A log shard this large takes no new event: the application's next shard opens (default 5 GB, half a SQLite object's 10 GB). */
  logShardBoundBytes: number;
  /** Shards a new part of an application's log has (its stripes, 1 to 64, default 1): events spread over them by ordering key. */
  logShardStripes: number;
}

export const FAILING_MIN_ATTEMPTS = 10;

function positiveNumber(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function parseSchedule(raw: string | undefined): number[] {
  if (!raw) return DEFAULT_RETRY_SCHEDULE;
  const parts = raw.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  return parts.every((n) => Number.isFinite(n) && n >= 0) ? parts : DEFAULT_RETRY_SCHEDULE;
}

export function settings(env: Env): Settings {
  return {
    retrySchedule: parseSchedule(env.RETRY_SCHEDULE),
    allowInsecureUrls: env.ALLOW_INSECURE_URLS === 'true',
    attemptTimeoutMs: positiveNumber(env.ATTEMPT_TIMEOUT_MS, 15_000),
    maxConcurrentAttempts: Math.floor(positiveNumber(env.MAX_CONCURRENT_ATTEMPTS, 6)) || 6,
    sweepGraceSeconds: positiveNumber(env.SWEEP_GRACE_SECONDS, 60),
    disableAfterFailingMs: positiveNumber(env.DISABLE_AFTER_FAILING_DAYS, 5) * 86_400_000,
    slowLaneMs: positiveNumber(env.SLOW_LANE_MINUTES, 10) * 60_000,
    strictEventTypes: env.STRICT_EVENT_TYPES === 'true',
    fanoutPageSize: Math.min(1000, Math.floor(positiveNumber(env.FANOUT_PAGE_SIZE, 1000)) || 1000),
    failingAfterFailures: Math.floor(positiveNumber(env.FAILING_AFTER_FAILURES, 5)) || 5,
    failingBelowSuccessRate: Math.min(1, positiveNumber(env.FAILING_BELOW_SUCCESS_RATE, 0.5)),
    retentionMs: positiveNumber(env.RETENTION_DAYS, 30) * 86_400_000,
    retentionChunk: Math.floor(positiveNumber(env.RETENTION_CHUNK, 500)) || 500,
    logShardBoundBytes: positiveNumber(env.LOG_SHARD_BOUND_BYTES, 5e9),
    logShardStripes: Math.min(64, Math.floor(positiveNumber(env.LOG_SHARD_STRIPES, 1)) || 1),
  };
}

/** The vars `settings` reads: what the cron hands a shard it asks to sweep, so that both run on the same settings. */
const SETTING_VARS = [
  'RETRY_SCHEDULE', 'ALLOW_INSECURE_URLS', 'ATTEMPT_TIMEOUT_MS', 'MAX_CONCURRENT_ATTEMPTS', 'SWEEP_GRACE_SECONDS', 'DISABLE_AFTER_FAILING_DAYS',
  'SLOW_LANE_MINUTES', 'STRICT_EVENT_TYPES', 'FANOUT_PAGE_SIZE', 'FAILING_AFTER_FAILURES', 'FAILING_BELOW_SUCCESS_RATE', 'RETENTION_DAYS',
  'RETENTION_CHUNK', 'LOG_SHARD_BOUND_BYTES', 'LOG_SHARD_STRIPES',
] as const satisfies readonly (keyof Env)[];

export type SettingVars = Partial<Record<(typeof SETTING_VARS)[number], string>>;

export function settingVars(env: Env): SettingVars {
  return Object.fromEntries(SETTING_VARS.flatMap((k) => (typeof env[k] === 'string' ? [[k, env[k]]] : [])));
}

/** `env` with `vars` over it, only the setting vars among them. */
export const withSettings = (env: Env, vars: SettingVars): Env => ({ ...env, ...settingVars(vars as Env) });
