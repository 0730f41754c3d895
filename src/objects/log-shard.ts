// A log shard: one SQLite Durable Object holding a share of one application's log (its events, their
// deliveries and attempts, idempotency keys, stats and subscription health). The store's statements run
// here as they ran in D1: a call is one transaction, and its answer leaves only once it is durable (the
// output gate). The shard also finds its own lost work again: while it has fan-outs unfinished or
// deliveries pending, its alarm runs the log's sweep on it every minute.
import { DurableObject } from 'cloudflare:workers';
import { withSettings, type SettingVars } from '../config';
import type { Env } from '../env';
import { countInvocation, metered } from '../meter';
import { sweepLog, type LogSweepReport } from '../delivery/sweep-log';
import { applyLogSchema } from '../store/log-schema';
import { localD1, runAll } from '../store/local-d1';
import { hasLoggedWork } from '../store/retention';
import { storesNewEvent } from '../store/events';
import type { ShardAnswer, SqlStatement } from '../store/sql-statements';

/** While it has work in flight, a shard sweeps itself this often (the cron sweep's old period). */
export const SHARD_SWEEP_MS = 60_000;

export class LogShard extends DurableObject<Env> {
  #db: D1Database;
  /** Whether an alarm is known to be set (this instance's knowledge; an unknown state arms one). */
  #armed = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, metered(env)); // counted only under the benchmarks' meter
    applyLogSchema(ctx.storage.sql);
    this.#db = localD1(ctx.storage);
  }

  /**
   * Runs statements as one transaction. Past `boundBytes`, a run that stores a new event is refused:
   * the shard takes no more (the caller moves on to the application's next part).
   */
  async run(statements: SqlStatement[], options: { boundBytes?: number } = {}): Promise<ShardAnswer> {
    if (options.boundBytes !== undefined && storesNewEvent(statements) && this.ctx.storage.sql.databaseSize >= options.boundBytes) return { full: true };
    const results = runAll(this.ctx.storage, statements);
    if (!this.#armed && results.some((r) => r.meta.rows_written > 0)) await this.#arm();
    return { results };
  }

  /** The shard's size in bytes (SQLite's pages). */
  size(): number {
    return this.ctx.storage.sql.databaseSize;
  }

  /** One pass of the log's sweep on this shard now (the cron sweep asks, and the alarm runs it). */
  async sweep(nowMs = Date.now(), vars: SettingVars = {}): Promise<LogSweepReport> {
    return sweepLog(withSettings(this.env, vars), { db: this.#db, shard: this.#name() }, nowMs);
  }

  /** Its name (`<application>/<part>`), which its queue messages carry. */
  #name(): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error('a log shard is always reached by its name');
    return name;
  }

  /** Deletes everything this shard holds (retention, once all of it is past RETENTION_DAYS). */
  async erase(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#armed = false;
  }

  override async alarm(): Promise<void> {
    countInvocation(this.env, 'alarm');
    this.#armed = false;
    try {
      await this.sweep();
    } finally {
      if (hasLoggedWork(this.ctx.storage.sql)) await this.#arm();
    }
  }

  async #arm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + SHARD_SWEEP_MS);
    this.#armed = true;
  }
}
