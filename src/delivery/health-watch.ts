// Failing episodes, from a batch's attempts: a subscription starts failing after N failed attempts in a
// row, or when its success rate over the last hour falls under the threshold (subscription.failing, once
// per episode), and recovers when an attempt succeeds and the hour's rate is back (subscription.recovered).
// The runs are recorded in the batch's transaction (failureRunStatements); this decides on what they return.
import { FAILING_MIN_ATTEMPTS, type Settings } from '../config';
import type { Env } from '../env';
import { endFailing, startFailing, type FailureRun, type HealthRow } from '../store/health';
import { BUCKET_SECONDS, bucketOf, statsBySubscription } from '../store/stats';
import { emitOperational } from './operational';

/** Each subscription's run of failures at the end of the batch (attempts in the order they were recorded). */
export function failureRuns(attempts: { subscription_id: string; ok: boolean }[]): FailureRun[] {
  const runs = new Map<string, FailureRun>();
  for (const a of attempts) {
    const r = runs.get(a.subscription_id) ?? { subscription_id: a.subscription_id, run: 0, reset: false };
    if (a.ok) runs.set(a.subscription_id, { ...r, run: 0, reset: true });
    else runs.set(a.subscription_id, { ...r, run: r.run + 1 });
  }
  return [...runs.values()];
}

async function lastHour(db: D1Database, applicationId: string, subscriptionId: string, nowMs: number) {
  const to = bucketOf(nowMs) + BUCKET_SECONDS;
  const counts = (await statsBySubscription(db, { application_id: applicationId, subscription_id: subscriptionId, from: to - 3600, to })).get(subscriptionId);
  const attempts = counts?.attempts ?? 0;
  const succeeded = counts?.succeeded ?? 0;
  return { attempts, succeeded, success_rate: attempts ? succeeded / attempts : null };
}

export interface Watched {
  application_id: string;
  url: string;
}

/** Starts or ends failing episodes for the health rows a batch touched, and sends their webhooks. */
export async function watchHealth(env: Env, db: D1Database, config: Settings, rows: HealthRow[], subs: Map<string, Watched>, nowMs: number): Promise<void> {
  const nowIso = new Date(nowMs).toISOString();
  for (const row of rows) {
    const sub = subs.get(row.subscription_id);
    if (!sub) continue;
    const about = { subscription_id: row.subscription_id, application_id: sub.application_id, url: sub.url };
    if (row.failing_since === null && row.consecutive_failures > 0) {
      const hour = await lastHour(db, sub.application_id, row.subscription_id, nowMs);
      const reason =
        row.consecutive_failures >= config.failingAfterFailures
          ? 'consecutive_failures'
          : hour.attempts >= FAILING_MIN_ATTEMPTS && hour.success_rate! < config.failingBelowSuccessRate
            ? 'success_rate'
            : null;
      if (reason && (await startFailing(db, row.subscription_id, nowIso))) {
        const data = { ...about, reason, failing_since: nowIso, consecutive_failures: row.consecutive_failures, last_hour: hour };
        await emitOperational(env, 'subscription.failing', sub.application_id, data, `${row.subscription_id}:${nowIso}`, nowMs);
      }
    } else if (row.failing_since !== null && row.consecutive_failures === 0) {
      const hour = await lastHour(db, sub.application_id, row.subscription_id, nowMs);
      if (hour.success_rate !== null && hour.success_rate < config.failingBelowSuccessRate) continue;
      if (await endFailing(db, row.subscription_id, row.failing_since)) {
        const data = { ...about, failing_since: row.failing_since, recovered_at: nowIso };
        await emitOperational(env, 'subscription.recovered', sub.application_id, data, `${row.subscription_id}:${row.failing_since}`, nowMs);
      }
    }
  }
}
