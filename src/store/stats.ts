// Delivery stats in D1: counters per 5-minute bucket, application, subscription and event type. The
// consumer adds a batch's attempts to them in the transaction that records the attempts (one upsert per
// distinct key of the batch); reads sum buckets and never touch the attempts.

export const BUCKET_SECONDS = 300;
/** Upper bounds (ms) of the latency classes l0…l10; l11 is everything longer. */
export const LATENCY_EDGES = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;
const CLASSES = LATENCY_EDGES.length + 1;
const L = Array.from({ length: CLASSES }, (_, i) => `l${i}`);

export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'cancelled';

export interface CountedAttempt {
  application_id: string;
  subscription_id: string;
  event_type: string;
  /** ISO time of the attempt. */
  at: string;
  duration_ms: number;
  outcome: AttemptOutcome;
}

export interface Counts {
  attempts: number;
  succeeded: number;
  retrying: number;
  failed: number;
  /** Deliveries their transformation cancelled (nothing sent). */
  cancelled: number;
  /** Attempts per latency class (LATENCY_EDGES). */
  latency: number[];
}

export const bucketOf = (ms: number) => Math.floor(ms / 1000 / BUCKET_SECONDS) * BUCKET_SECONDS;
const latencyClass = (ms: number) => {
  const i = LATENCY_EDGES.findIndex((edge) => ms <= edge);
  return i === -1 ? CLASSES - 1 : i;
};

/**
 * The latency below which a share `q` of the counted attempts fell (ms), interpolated within its class;
 * null without attempts.
 */
export function latencyQuantile(latency: number[], q: number): number | null {
  const total = latency.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    const n = latency[i]!;
    if (n > 0 && seen + n >= rank) {
      const low = i === 0 ? 0 : LATENCY_EDGES[i - 1]!;
      const high = LATENCY_EDGES[i] ?? 2 * LATENCY_EDGES[LATENCY_EDGES.length - 1]!;
      return Math.round(low + ((rank - seen) / n) * (high - low));
    }
    seen += n;
  }
  return null;
}

/** The upserts that add `attempts` to the counters: one statement per distinct key. */
export function countAttempts(db: D1Database, attempts: CountedAttempt[]): D1PreparedStatement[] {
  const byKey = new Map<string, { key: [string, number, string, string]; counts: Counts }>();
  for (const a of attempts) {
    const key: [string, number, string, string] = [a.application_id, bucketOf(Date.parse(a.at)), a.subscription_id, a.event_type];
    const id = JSON.stringify(key);
    let entry = byKey.get(id);
    if (!entry) byKey.set(id, (entry = { key, counts: { attempts: 0, succeeded: 0, retrying: 0, failed: 0, cancelled: 0, latency: new Array(CLASSES).fill(0) } }));
    entry.counts.attempts++;
    entry.counts[a.outcome]++;
    entry.counts.latency[latencyClass(a.duration_ms)]!++;
  }
  const columns = ['attempts', 'succeeded', 'retrying', 'failed', 'cancelled', ...L];
  const sql = `INSERT INTO delivery_stats (application_id, bucket, subscription_id, event_type, ${columns.join(', ')})
    VALUES (?1, ?2, ?3, ?4, ${columns.map((_, i) => `?${i + 5}`).join(', ')})
    ON CONFLICT (application_id, bucket, subscription_id, event_type) DO UPDATE SET ${columns.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`;
  return [...byKey.values()].map(({ key, counts }) => db.prepare(sql).bind(...key, counts.attempts, counts.succeeded, counts.retrying, counts.failed, counts.cancelled, ...counts.latency));
}

export interface StatsQuery {
  application_id: string;
  /** Unix seconds: buckets from here (inclusive) … */
  from: number;
  /** … to here (exclusive). */
  to: number;
  /** Width of the answer's buckets, a multiple of BUCKET_SECONDS. */
  step: number;
  subscription_id?: string;
  event_type?: string;
}

export interface BucketCounts extends Counts {
  /** Unix seconds of the bucket's start. */
  bucket: number;
}

const SUMS = `sum(attempts) AS attempts, sum(succeeded) AS succeeded, sum(retrying) AS retrying, sum(failed) AS failed, sum(cancelled) AS cancelled, ${L.map((c) => `sum(${c}) AS ${c}`).join(', ')}`;
type SumRow = { attempts: number; succeeded: number; retrying: number; failed: number; cancelled: number } & Record<string, number>;
const toCounts = (r: SumRow): Counts => ({ attempts: r.attempts, succeeded: r.succeeded, retrying: r.retrying, failed: r.failed, cancelled: r.cancelled ?? 0, latency: L.map((c) => r[c] ?? 0) });

function where(q: StatsQuery) {
  const clauses = ['application_id = ?1', 'bucket >= ?2', 'bucket < ?3'];
  const binds: (string | number)[] = [q.application_id, q.from, q.to];
  if (q.subscription_id) clauses.push(`subscription_id = ?${binds.push(q.subscription_id)}`);
  if (q.event_type) clauses.push(`event_type = ?${binds.push(q.event_type)}`);
  return { sql: clauses.join(' AND '), binds };
}

type Summed = SumRow & { subscription_id: string; i: number };

/**
 * The counters matching `q`, summed per subscription and/or per answer bucket (`i`: the bucket's index
 * from `q.from` in steps of `q.step`), oldest bucket first.
 */
async function summed(db: D1Database, q: StatsQuery, by: { subscription?: boolean; bucket?: boolean }): Promise<Summed[]> {
  const w = where(q);
  // The bound start is cast: D1 binds numbers as REAL, and the index must be an integer division.
  const groups = [...(by.subscription ? ['subscription_id'] : []), ...(by.bucket ? [`(bucket - CAST(?${w.binds.length + 1} AS INTEGER)) / ${q.step} AS i`] : [])];
  const names = [...(by.subscription ? ['subscription_id'] : []), ...(by.bucket ? ['i'] : [])];
  const { results } = await db
    .prepare(`SELECT ${[...groups, SUMS].join(', ')} FROM delivery_stats WHERE ${w.sql} GROUP BY ${names.join(', ')}${by.bucket ? ' ORDER BY i' : ''}`)
    .bind(...w.binds, ...(by.bucket ? [q.from] : []))
    .all<Summed>();
  return results;
}

const atBucket = (q: StatsQuery, r: Summed): BucketCounts => ({ bucket: q.from + r.i * q.step, ...toCounts(r) });

/** The counters summed per answer bucket (only buckets with attempts), oldest first. */
export async function statsOverTime(db: D1Database, q: StatsQuery): Promise<BucketCounts[]> {
  return (await summed(db, q, { bucket: true })).map((r) => atBucket(q, r));
}

/** The counters summed per subscription over the whole range. */
export async function statsBySubscription(db: D1Database, q: Omit<StatsQuery, 'step'>): Promise<Map<string, Counts>> {
  const rows = await summed(db, { ...q, step: BUCKET_SECONDS }, { subscription: true });
  return new Map(rows.map((r) => [r.subscription_id, toCounts(r)]));
}

/** The counters per subscription and answer bucket (for sparklines). */
export async function subscriptionSeries(db: D1Database, q: StatsQuery): Promise<Map<string, BucketCounts[]>> {
  const out = new Map<string, BucketCounts[]>();
  for (const r of await summed(db, q, { subscription: true, bucket: true })) {
    const list = out.get(r.subscription_id) ?? [];
    list.push(atBucket(q, r));
    out.set(r.subscription_id, list);
  }
  return out;
}
