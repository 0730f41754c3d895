// The sweep of one place of the log (a shard, which runs it on itself from its alarm and when the cron
// asks; or D1's log from before shards): the reconciliation of the log (the truth) with the queue (which
// only schedules). It resumes fan-outs that stalled, from their saved cursor, and queues again every
// pending delivery overdue by more than the grace period (its message was lost: a crash, a purged queue,
// a dropped dead letter), except those its subscription's flow control holds (paused, rate-limited,
// behind a FIFO head), which it leaves to their object and looks at again an hour later. Both are taken
// in bounded batches, oldest first, and what it takes goes to the back of the line: an item that fails
// every time never keeps the ones behind it waiting. It also deletes what is past retention there.
import { settings } from '../config';
import type { Env } from '../env';
import { deferHeld, takeOverdue, type QueuedDelivery } from '../store/deliveries';
import { purgeIdempotencyKeys, takeStalledFanouts } from '../store/events';
import type { Log } from '../store/log-shards';
import { purgeOlderThan, type Purged } from '../store/retention';
import { bucketOf } from '../store/stats';
import { heldDeliveries } from '../store/subscription-writes';
import { enqueueDeliveries } from './enqueue';
import { fanOut } from './fan-out';

export const FANOUTS_PER_SWEEP = 50;
export const REQUEUES_PER_SWEEP = 1000;
/**
 * Overdue deliveries of this many subscriptions at most (those with the most) are asked about of their
 * objects in one run, within Workers Free's 50 subrequests; the others' are queued again as they are.
 */
export const HELD_ASKS_PER_SWEEP = 20;
/** A delivery flow control holds is looked at again this much later (its object may since have let it go). */
export const HELD_RECHECK_MS = 3_600_000;
/** Stats are asked for over 7 days at most: a day more is kept. */
const STATS_KEPT_SECONDS = 8 * 86_400;

export interface LogSweepReport {
  redriven: number;
  requeued: number;
  /** Overdue deliveries left to the flow control that holds them (not queued again). */
  held: number;
  failed: number;
  purged_keys: number;
  /** Rows past RETENTION_DAYS deleted this run (at most RETENTION_CHUNK of each kind), and stats older than 8 days. */
  retention: Purged;
}

export const emptyLogReport = (): LogSweepReport => ({ redriven: 0, requeued: 0, held: 0, failed: 0, purged_keys: 0, retention: { events: 0, deliveries: 0, attempts: 0, stats: 0 } });

function logFailure(log: Log, what: string, err: unknown): void {
  console.error(JSON.stringify({ msg: `sweep: ${what} failed`, shard: log.shard, error: String(err) }));
}

/**
 * The overdue deliveries that their subscription's flow control holds: asked of the objects of the
 * subscriptions with the most overdue (a held backlog shows as many), at most HELD_ASKS_PER_SWEEP of
 * them. An object that cannot answer holds none: its deliveries are queued again (a copy of a held
 * delivery's message only finds it waiting).
 */
async function heldAmong(env: Env, overdue: QueuedDelivery[]): Promise<QueuedDelivery[]> {
  const asked = [...Map.groupBy(overdue, (d) => d.subscription_id)].sort((a, b) => b[1].length - a[1].length).slice(0, HELD_ASKS_PER_SWEEP);
  const answers = await Promise.all(
    asked.map(async ([subscriptionId, ds]) => {
      const held = new Set(await heldDeliveries(env, subscriptionId, ds.map((d) => d.id)).catch(() => []));
      return ds.filter((d) => held.has(d.id));
    }),
  );
  return answers.flat();
}

/** One pass over one place of the log at `nowMs`. */
export async function sweepLog(env: Env, log: Log, nowMs = Date.now()): Promise<LogSweepReport> {
  const { db } = log;
  const nowIso = new Date(nowMs).toISOString();
  const before = new Date(nowMs - settings(env).sweepGraceSeconds * 1000).toISOString();
  const report = emptyLogReport();

  const stalled = await takeStalledFanouts(db, before, nowIso, FANOUTS_PER_SWEEP);
  const results = await Promise.allSettled(stalled.map((f) => fanOut(env, log, f.id, f.fanout_cursor, nowMs)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  report.redriven = results.length - failures.length;
  report.failed = failures.length;
  if (failures.length > 0) logFailure(log, `${failures.length} fan-outs (the first's error shown)`, failures[0]);

  try {
    const overdue = await takeOverdue(db, before, nowIso, REQUEUES_PER_SWEEP);
    const held = await heldAmong(env, overdue);
    if (held.length > 0) await deferHeld(db, held, new Date(nowMs + HELD_RECHECK_MS).toISOString());
    const kept = new Set(held);
    const lost = overdue.filter((d) => !kept.has(d));
    await enqueueDeliveries(env, log, lost, nowMs);
    report.requeued = lost.length;
    report.held = held.length;
  } catch (err) {
    logFailure(log, 'requeue', err); // still overdue: the next sweep takes them again
  }
  report.purged_keys = await purgeIdempotencyKeys(db, nowMs);
  const { retentionMs, retentionChunk } = settings(env);
  report.retention = await purgeOlderThan(db, nowMs - retentionMs, bucketOf(nowMs) - STATS_KEPT_SECONDS, retentionChunk).catch(
    (err) => (logFailure(log, 'retention', err), report.retention),
  );
  return report;
}

/** Adds one place's report to a sum of them. */
export function addLogReport(sum: LogSweepReport, r: LogSweepReport): void {
  for (const k of ['redriven', 'requeued', 'held', 'failed', 'purged_keys'] as const) sum[k] += r[k];
  for (const k of ['events', 'deliveries', 'attempts', 'stats'] as const) sum.retention[k] += r.retention[k];
}
