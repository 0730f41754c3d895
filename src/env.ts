// The Worker's bindings, vars and secrets: one typed Env for every handler.
import type { Task } from './delivery/tasks';

export interface Env {
  SUBSCRIPTIONS: KVNamespace;
  DB: D1Database;
  DELIVERIES: Queue<Task>;
  DEAD_LETTERS: Queue<Task>;
  /** The slow lane: deliveries to receivers that recently hung. */
  SLOW_DELIVERIES: Queue<Task>;
  /** Dashboard sign-in attempts per client address. */
  LOGIN_LIMITER: RateLimit;
  /** Secret: the bearer token of the management API. */
  API_TOKEN?: string;
  /** Secret: signs `event.completed` callbacks (a `whsec_` secret). */
  CALLBACK_SECRET?: string;
  /** Seconds between attempts, comma-separated; its length is the number of retries. */
  RETRY_SCHEDULE?: string;
  /** "true" allows `http:` and loopback receiver URLs (local development and tests only). */
  ALLOW_INSECURE_URLS?: string;
  /** Milliseconds one attempt may take before it counts as a timeout (default 15000). */
  ATTEMPT_TIMEOUT_MS?: string;
  /** Attempts of one batch on the wire at once (default 6, the runtime's limit on connections awaiting headers). */
  MAX_CONCURRENT_ATTEMPTS?: string;
  /** Seconds an event may wait for its fan-out before the sweep re-drives it (default 60). */
  SWEEP_GRACE_SECONDS?: string;
  /** Days of nothing but failed deliveries after which a subscription is disabled (default 5). */
  DISABLE_AFTER_FAILING_DAYS?: string;
  /** Minutes a receiver that hung keeps its deliveries in the slow lane (default 10). */
  SLOW_LANE_MINUTES?: string;
  /** "true": subscriptions may only name registered event types (wildcards stay allowed). */
  STRICT_EVENT_TYPES?: string;
}

export type AppEnv = { Bindings: Env };
