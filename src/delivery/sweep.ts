// The cron sweep: every minute, the control plane's upkeep (expired sessions and portal links, deleted
// applications, subscriptions from before applications, a bounded step of re-sealing after a SECRETS_KEY
// rotation), and the log's: each log shard sweeps itself from its alarm while it has work, and the cron
// asks a bounded round of shards to as well (at its own time: a backstop for an alarm, and the clock tests
// drive). D1's log from before shards is swept here while it holds anything. Shards that are full and
// wholly past retention are erased.
import { settings, settingVars } from '../config';
import type { Env } from '../env';
import { purgeSessions, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../store/dashboard-sessions';
import { dropFromDirectory, forgetLegacy, legacyLog, shardsAfter, type ShardRef } from '../store/log-shards';
import { nextSweepRound, saveSweepRound } from '../store/log-sweep-round';
import { purgePortal } from '../store/portal';
import { indexLegacySubscriptions } from './legacy-index';
import { purgeDeletedApplications } from './purge-application';
import { resealStep } from './reseal';
import { addLogReport, emptyLogReport, sweepLog, type LogSweepReport } from './sweep-log';

export { FANOUTS_PER_SWEEP, HELD_ASKS_PER_SWEEP, HELD_RECHECK_MS, REQUEUES_PER_SWEEP } from './sweep-log';

/** Shards the cron asks to sweep themselves per run (the rest wait for their alarm or the next round). */
export const SHARDS_PER_SWEEP = 25;
/** Full shards wholly past retention erased per run. */
const ERASES_PER_SWEEP = 10;

export interface SweepReport extends LogSweepReport {
  /** Shards asked to sweep themselves this run. */
  shards: number;
  /** Shards erased this run (full, and every event in them past retention). */
  erased_shards: number;
  purged_sessions: number;
  /** Ended portal sessions and long-expired portal links. */
  purged_portal: number;
  /** Subscriptions from before applications given their index entry. */
  indexed: number;
  /** Deleted applications whose subscriptions and deliveries are now all dealt with. */
  purged_applications: number;
  /** This run's step of re-sealing after a SECRETS_KEY rotation (null: nothing to do). */
  resealed: Awaited<ReturnType<typeof resealStep>>;
}

function logFailure(what: string, err: unknown): void {
  console.error(JSON.stringify({ msg: `sweep: ${what} failed`, error: String(err) }));
}

/** This run's round of shards: the next SHARDS_PER_SWEEP after where the last run stopped, from the start again at the end. */
async function roundOfShards(env: Env): Promise<ShardRef[]> {
  const after = await nextSweepRound(env.DB);
  let round = await shardsAfter(env, after, SHARDS_PER_SWEEP);
  if (round.length < SHARDS_PER_SWEEP && after !== null) round = [...round, ...(await shardsAfter(env, null, SHARDS_PER_SWEEP - round.length))].filter((r, i, all) => all.findIndex((o) => o.name === r.name) === i);
  const last = round.at(-1);
  await saveSweepRound(env.DB, round.length < SHARDS_PER_SWEEP || !last ? null : { application_id: last.application_id, part: last.part, stripe: last.stripe });
  return round;
}

export async function sweep(env: Env, nowMs = Date.now()): Promise<SweepReport> {
  const report: SweepReport = { ...emptyLogReport(), shards: 0, erased_shards: 0, purged_sessions: 0, purged_portal: 0, indexed: 0, purged_applications: 0, resealed: null };
  const { retentionMs } = settings(env);

  try {
    const round = await roundOfShards(env);
    const swept = await Promise.allSettled(round.map((ref) => env.LOG_SHARDS.getByName(ref.name).sweep(nowMs, settingVars(env))));
    for (const r of swept) if (r.status === 'fulfilled') addLogReport(report, r.value);
    const failed = swept.filter((r) => r.status === 'rejected');
    if (failed.length > 0) logFailure(`${failed.length} shards (the first's error shown)`, failed[0]!.reason);
    report.shards = round.length;
    // A full shard takes no new events: once its newest is past retention, all of it is.
    const aged = round.filter((r) => r.full_at_ms !== null && r.full_at_ms < nowMs - retentionMs).slice(0, ERASES_PER_SWEEP);
    for (const ref of aged) {
      await env.LOG_SHARDS.getByName(ref.name).erase();
      await dropFromDirectory(env, ref);
      report.erased_shards++;
    }
  } catch (err) {
    logFailure('the round of log shards', err);
  }

  const old = await legacyLog(env, nowMs).catch(() => null);
  if (old) {
    addLogReport(report, await sweepLog(env, { db: old, shard: null }, nowMs));
    forgetLegacy(env); // retention may just have emptied it
  }

  report.purged_sessions = await purgeSessions(env.DB, nowMs - SESSION_IDLE_MS, nowMs - SESSION_ABSOLUTE_MS);
  report.purged_portal = await purgePortal(env.DB, nowMs);
  report.indexed = await indexLegacySubscriptions(env).catch((err) => (logFailure('indexing subscriptions from before applications', err), 0));
  report.purged_applications = await purgeDeletedApplications(env, nowMs).catch((err) => (logFailure('purging deleted applications', err), 0));
  report.resealed = await resealStep(env, nowMs).catch((err) => (logFailure('re-sealing after a key rotation', err), null));
  return report;
}
