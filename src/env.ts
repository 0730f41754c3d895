// The Worker's bindings, vars and secrets: one typed Env for every handler.
import type { Task } from './delivery/tasks';
import type { LogShard } from './objects/log-shard';
import type { SubscriptionObject } from './objects/subscription-object';
import type { ApplicationRow } from './store/applications';

export interface Env {
  /** Subscriptions as fan-out reads them, published by their objects. */
  SUBSCRIPTIONS: KVNamespace;
  /** One Durable Object per subscription: the one writer of its state. */
  SUBSCRIPTION_OBJECTS: DurableObjectNamespace<SubscriptionObject>;
  /** The log: each application's events, deliveries and attempts, in one or more SQLite objects. */
  LOG_SHARDS: DurableObjectNamespace<LogShard>;
  /** The control plane (applications, keys, event types, sessions, portal links, the log's directory), and the log from before shards. */
  DB: D1Database;
  DELIVERIES: Queue<Task>;
  /** The slow lane: deliveries to receivers that recently hung. */
  SLOW_DELIVERIES: Queue<Task>;
  /** Dynamic Workers: runs subscriptions' transformations in sandboxed isolates (absent on a plan without them). */
  LOADER?: WorkerLoader;
  /** Dashboard sign-in attempts per client address. */
  LOGIN_LIMITER: RateLimit;
  /** Secret: the bearer token of the management API. */
  API_TOKEN?: string;
  /** Secret: `<key id>:<base64 of 32 bytes>`, the AES-GCM key that seals subscription secrets at rest. */
  SECRETS_KEY?: string;
  /** Secret, during a rotation of SECRETS_KEY only: the previous key, which still opens what it sealed. */
  SECRETS_KEY_PREVIOUS?: string;
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
  /** Seconds a fan-out may stall, or a pending delivery be overdue, before the sweep re-drives it (default 60). */
  SWEEP_GRACE_SECONDS?: string;
  /** Days of nothing but failed deliveries after which a subscription is disabled (default 5). */
  DISABLE_AFTER_FAILING_DAYS?: string;
  /** Minutes a receiver that hung keeps its deliveries in the slow lane (default 10). */
  SLOW_LANE_MINUTES?: string;
  /** "true": subscriptions may only name registered event types (wildcards stay allowed). */
  STRICT_EVENT_TYPES?: string;
  /** "true": count billable operations and answer them at GET /__meter (benchmarks only, never in production). */
  METER?: string;
  /** Subscriptions per fan-out page (default and most 1000; smaller only to test paging). */
  FANOUT_PAGE_SIZE?: string;
  FAILING_AFTER_FAILURES?: string;
  FAILING_BELOW_SUCCESS_RATE?: string;
  /** Days of events, deliveries and attempts kept (default 30). */
  RETENTION_DAYS?: string;
  RETENTION_CHUNK?: string;
  /** Bytes at which a log shard takes no new event and the application's next one opens (default 5e9). */
  LOG_SHARD_BOUND_BYTES?: string;
  /**
   * Shards each new part of an application's log has (default 1, at most 64): events with an ordering key
   * spread over them by key, those without stay in the first. Raising it rolls each application over to a
   * part with that many at its next event.
   */
  LOG_SHARD_STRIPES?: string;
}

/** Who a request acts as: an operator (API_TOKEN or an operator key), or one application's key. */
export type Principal = { scope: 'operator'; key_id: string | null } | { scope: 'application'; application_id: string; key_id: string };

export type AppEnv = {
  Bindings: Env;
  /** `application`: the id of the application named in the path, resolved (and checked against the key) before the body is read; `portal`: the application of the portal session. */
  /** `emptyBody`: the request came with an empty body (read as none; see json-body). */
  Variables: { principal: Principal; application?: string; portal?: ApplicationRow; emptyBody?: boolean };
};
