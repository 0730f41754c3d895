// A meter of billable operations, for benchmarks: with METER=true (never in production) every handler
// and the subscriptions' objects get their bindings wrapped so that each billable operation is counted,
// and GET /__meter answers the counts since the last read (GET /__meter/d1: the database's size and the log shards').
// Counted: D1 queries (statements; and round trips, a batch being one) with the rows they read and wrote
// (D1's own `meta`), KV calls (a bulk get counts each key it asks for, as KV bills it), Queue messages and their operations (a write, a read and a
// delete per 64 KB), Durable Object requests (each RPC call on a stub, with the time to its answer), and Worker invocations. Counts
// are per isolate; `wrangler dev` runs the Worker and its objects in one.
import type { Env } from './env';
import { shardDb, shardsAfter } from './store/log-shards';

const counts: Record<string, number> = {};

/** A binding's member as it is, its methods bound to the binding (what a counting proxy does not count). */
function passThrough(target: object, prop: string | symbol): unknown {
  const value = Reflect.get(target, prop) as unknown;
  return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}
const add = (key: string, n = 1) => void (counts[key] = (counts[key] ?? 0) + n);

/**
 * Adds the milliseconds since `sinceMs` to `key` and returns now: where a queue batch's time goes (its
 * phases are I/O, so the runtime's clock, which moves on I/O, measures them).
 */
export function meterTime(env: Env, key: string, sinceMs: number): number {
  const now = Date.now();
  if (meterOn(env)) add(key, now - sinceMs);
  return now;
}

/** Counts an invocation of the Worker (`fetch`, `queue`, `scheduled`, `alarm`). */
export const countInvocation = (env: Env, kind: string) => meterOn(env) && add(`worker.${kind}`);

function countingKv(kv: KVNamespace): KVNamespace {
  return new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        add(`kv.${String(prop)}`, prop === 'get' && Array.isArray(args[0]) ? args[0].length : 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const tallyD1 = (meta: D1Meta | undefined, sql = '?') => {
  if (meta?.rows_written) add(`d1.written_by: ${sql.replace(/\s+/g, ' ').trim().slice(0, 60)}`, meta.rows_written); // where the writes go
  add('d1.queries');
  add('d1.rows_read', meta?.rows_read ?? 0);
  add('d1.rows_written', meta?.rows_written ?? 0);
};

/** The real statement behind a counting one (D1's batch takes only its own). */
const unwrapped = new WeakMap<object, D1PreparedStatement>();
const sqlOf = new WeakMap<object, string>();

function countingStatement(stmt: D1PreparedStatement, sql = '?'): D1PreparedStatement {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      if (prop === 'bind') return (...args: unknown[]) => countingStatement(target.bind(...args), sql);
      if (prop === 'run' || prop === 'all') {
        return async () => {
          add('d1.round_trips');
          const result = await target.all();
          tallyD1(result.meta, sql);
          return result;
        };
      }
      if (prop === 'first') {
        // As `first` does, from a run that reports its meta.
        return async (column?: string) => {
          add('d1.round_trips');
          const result = await target.all<Record<string, unknown>>();
          tallyD1(result.meta, sql);
          const row = result.results[0];
          return row === undefined ? null : column === undefined ? row : (row[column] ?? null);
        };
      }
      return passThrough(target, prop);
    },
  });
  unwrapped.set(proxy, stmt);
  sqlOf.set(proxy, sql);
  return proxy;
}

function countingD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => countingStatement(target.prepare(sql), sql);
      if (prop === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          add('d1.round_trips'); // a batch is one request to the database, however many statements
          const results = await target.batch(statements.map((s) => unwrapped.get(s) ?? s));
          results.forEach((r, i) => tallyD1(r.meta, sqlOf.get(statements[i]!)));
          return results;
        };
      }
      return passThrough(target, prop);
    },
  });
}

const QUEUE_CHUNK = 64 * 1024;
const opsOf = (body: unknown) => 3 * Math.max(1, Math.ceil(new TextEncoder().encode(JSON.stringify(body)).length / QUEUE_CHUNK));

function countingQueue<T>(queue: Queue<T>): Queue<T> {
  return new Proxy(queue, {
    get(target, prop) {
      if (prop === 'send') {
        return (body: T, options?: QueueSendOptions) => {
          add('queue.messages');
          add('queue.operations', opsOf(body));
          return target.send(body, options);
        };
      }
      if (prop === 'sendBatch') {
        return (messages: Iterable<MessageSendRequest<T>>, options?: QueueSendBatchOptions) => {
          const list = [...messages];
          add('queue.messages', list.length);
          for (const m of list) add('queue.operations', opsOf(m.body));
          return target.sendBatch(list, options);
        };
      }
      return passThrough(target, prop);
    },
  });
}

/** A stub whose every call is an object request; `run`'s answer, when `onRun` is given, is tallied by it. */
function countingStub<T extends object>(stub: T, onRun?: (args: unknown[], answer: unknown) => void): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'fetch' || prop === 'then') return value;
      return (...args: unknown[]) => {
        add('do.requests');
        const started = Date.now();
        const answer = Reflect.apply(value as (...a: unknown[]) => unknown, target, args); // not value.apply: a stub's properties are remote methods
        // The time to its answer, an upper bound on the object's billed duration for it (the call is I/O: the clock moves).
        return Promise.resolve(answer).then((a) => {
          add('do.ms', Date.now() - started);
          if (onRun && prop === 'run') onRun(args, a);
          return a;
        });
      };
    },
  });
}

/** What a log shard's `run` reports: the rows its statements read and wrote, and which statements wrote them. */
function tallyShard(args: unknown[], answer: unknown): void {
  const results = (answer as { results?: { meta: D1Meta }[] } | undefined)?.results;
  if (!results) return;
  const statements = args[0] as { sql: string }[];
  add('shard.requests');
  results.forEach((r, i) => {
    add('shard.statements');
    add('shard.rows_read', r.meta.rows_read ?? 0);
    add('shard.rows_written', r.meta.rows_written ?? 0);
    if (r.meta.rows_written) add(`shard.written_by: ${(statements[i]?.sql ?? '?').replace(/\s+/g, ' ').trim().slice(0, 60)}`, r.meta.rows_written);
  });
}

function countingNamespace<T extends object>(ns: T, onRun?: (args: unknown[], answer: unknown) => void): T {
  return new Proxy(ns, {
    get(target, prop) {
      if (prop !== 'getByName' && prop !== 'get') return passThrough(target, prop);
      const value = Reflect.get(target, prop) as (...a: unknown[]) => object;
      return (...args: unknown[]) => countingStub(Reflect.apply(value, target, args), onRun);
    },
  });
}

export const meterOn = (env: Env) => env.METER === 'true';

/** One wrapper per binding, for the isolate's life: code that keeps state per binding (group commit) sees one. */
const wrapped = new WeakMap<object, object>();
function once<T extends object>(binding: T, wrap: (b: T) => T): T {
  let w = wrapped.get(binding) as T | undefined;
  if (!w) wrapped.set(binding, (w = wrap(binding)));
  return w;
}

/** The bindings the meter counts, wrapped. */
export function metered(env: Env): Env {
  if (!meterOn(env)) return env;
  return {
    ...env,
    SUBSCRIPTIONS: once(env.SUBSCRIPTIONS, countingKv),
    DB: once(env.DB, countingD1),
    DELIVERIES: once(env.DELIVERIES, countingQueue),
    SLOW_DELIVERIES: once(env.SLOW_DELIVERIES, countingQueue),
    SUBSCRIPTION_OBJECTS: once(env.SUBSCRIPTION_OBJECTS, (ns) => countingNamespace(ns)),
    LOG_SHARDS: once(env.LOG_SHARDS, (ns) => countingNamespace(ns, tallyShard)),
  };
}

/** The counts since the last read, and a fresh start. */
export function readMeter(): Record<string, number> {
  const now = { ...counts };
  for (const k of Object.keys(counts)) delete counts[k];
  return now;
}

type LogCounts = { events: number; deliveries: number; attempts: number; idempotency_keys: number };
const COUNTS_SQL =
  'SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM deliveries) AS deliveries, (SELECT count(*) FROM all_attempts) AS attempts, (SELECT count(*) FROM idempotency_keys) AS idempotency_keys';

/**
 * The database's size as D1 reports it (`meta.size_after`), with the old log's row counts, and the log
 * shards' (each shard in the directory: its size and rows, summed).
 */
export async function d1Size(env: Env): Promise<LogCounts & { bytes: number; shards: number; shard_bytes: number; shard: LogCounts }> {
  const r = await env.DB.prepare(COUNTS_SQL).all<LogCounts>();
  const refs = await shardsAfter(env, null, 10_000);
  const each = await Promise.all(
    refs.map(async (ref) => ({ bytes: await env.LOG_SHARDS.getByName(ref.name).size(), counts: (await shardDb(env, ref.name).prepare(COUNTS_SQL).first<LogCounts>())! })),
  );
  const shard = { events: 0, deliveries: 0, attempts: 0, idempotency_keys: 0 };
  for (const e of each) for (const k of Object.keys(shard) as (keyof LogCounts)[]) shard[k] += e.counts[k];
  return { bytes: r.meta.size_after ?? 0, ...r.results[0]!, shards: refs.length, shard_bytes: each.reduce((a, e) => a + e.bytes, 0), shard };
}
