// The one writer of a subscription: a SQLite-backed Durable Object per subscription owns its state,
// applies every change in the order it arrives, and publishes the copy that fan-out and the delivery
// consumers read from KV. Publishing runs one at a time and always writes the newest state, so KV
// never gets an older copy over a newer one; an alarm publishes again if a publish did not finish.
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { countInvocation, metered } from '../meter';
import { FlowGate, type Arrival, type Gate, type Lease } from './flow-gate';
import { DEFAULT_APPLICATION } from '../store/applications';
import { applyChange, type SubscriptionChange } from '../store/subscription-changes';
import { getSubscription, putSubscription, unpublishSubscription, withApplication, type StoredSubscription } from '../store/subscriptions';

type Row = {
  id: string;
  /** JSON of the subscription; null once deleted (the row stays: a deleted subscription is never adopted again). */
  doc: string | null;
  version: number;
  /** Its application; kept after deletion, to withdraw its entry in that application's index. */
  application_id: string;
};

const parse = (doc: string) => withApplication(JSON.parse(doc) as StoredSubscription);

/** A subscription of another application is none of this caller's business: it reads as missing. */
const belongs = (sub: StoredSubscription, applicationId: string | undefined) => applicationId === undefined || sub.application_id === applicationId;

const sameGate = (a: Gate, b: Gate) => a.paused === b.paused && a.fifo === b.fifo && a.rate?.per_second === b.rate?.per_second && a.rate?.burst === b.rate?.burst;

/** When a publish has not finished by then, the alarm publishes again. */
const PUBLISH_RETRY_MS = 10_000;
/** Deliveries that could not be sent back to the queue are tried again this much later. */
const RELEASE_RETRY_MS = 5_000;

export class SubscriptionObject extends DurableObject<Env> {
  #published = 0;
  #publishing: Promise<void> = Promise.resolve();
  /** Whether this object has its tables: an id that names no subscription gets none (nothing is stored for it). */
  #hasTables = false;
  #flowGate: FlowGate | undefined;
  /** When the alarm should next release waiting deliveries (this instance's knowledge). */
  #releaseAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, metered(env)); // counted only under the benchmarks' meter
  }

  /** Whether its tables exist (they are made by the first write), brought up to date the first time they are seen. */
  #tablesExist(): boolean {
    if (this.#hasTables) return true;
    const sql = this.ctx.storage.sql;
    if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'subscription'").toArray().length === 0) return false;
    // Objects made before applications: their table lacks the column (their subscription is the default application's).
    if (!sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('subscription')").toArray().some((c) => c.name === 'application_id')) {
      sql.exec('ALTER TABLE subscription ADD COLUMN application_id TEXT');
    }
    this.#hasTables = true;
    return true;
  }

  /** Creates the tables, on the first write: reading an id that names no subscription stores nothing. */
  #ensureTables(): void {
    if (this.#tablesExist()) return;
    this.ctx.storage.sql.exec('CREATE TABLE subscription (id TEXT PRIMARY KEY, doc TEXT, version INTEGER NOT NULL, application_id TEXT)');
    this.#hasTables = true;
  }

  /** Flow control's tables, made when a subscription first uses them (it exists by then). */
  get #gate(): FlowGate {
    if (!this.#flowGate) {
      this.#ensureTables();
      this.#flowGate = new FlowGate(this.ctx.storage.sql);
    }
    return this.#flowGate;
  }

  /** The row as last read or written (this object is its only writer); undefined: not read yet. */
  #cached: Row | null | undefined;

  #row(): Row | null {
    if (this.#cached === undefined) {
      if (!this.#tablesExist()) return null;
      const row = this.ctx.storage.sql.exec<Row>('SELECT id, doc, version, application_id FROM subscription').toArray()[0];
      this.#cached = row ? { ...row, application_id: row.application_id ?? DEFAULT_APPLICATION } : null;
    }
    return this.#cached;
  }

  /** The state, adopting the KV copy of a subscription created before it had an object (once). */
  async #current(id: string): Promise<Row | null> {
    if (!this.#row()) {
      await this.ctx.blockConcurrencyWhile(async () => {
        if (this.#row()) return;
        const legacy = await getSubscription(this.env.SUBSCRIPTIONS, id);
        if (legacy) this.#write({ id, doc: JSON.stringify(legacy), version: 1, application_id: legacy.application_id }, false);
      });
    }
    return this.#row();
  }

  /** Writes the state and arms the alarm in the same storage transaction; then publishes. */
  #write(row: Row, publish = true): Promise<void> {
    this.#ensureTables();
    this.ctx.storage.sql.exec(
      'INSERT OR REPLACE INTO subscription (id, doc, version, application_id) VALUES (?, ?, ?, ?)',
      row.id,
      row.doc,
      row.version,
      row.application_id,
    );
    this.#cached = undefined;
    if (!publish) return Promise.resolve();
    void this.ctx.storage.setAlarm(Math.min(Date.now() + PUBLISH_RETRY_MS, this.#releaseAt ?? Infinity));
    return this.#publish().catch((err) =>
      console.error(JSON.stringify({ msg: 'subscription not published yet; the alarm retries', subscription_id: row.id, error: String(err) })),
    );
  }

  /** Publishes the newest state, after any publish under way. */
  #publish(): Promise<void> {
    const run = this.#publishing.then(async () => {
      const row = this.#row();
      if (!row || row.version <= this.#published) return;
      if (row.doc === null) await unpublishSubscription(this.env.SUBSCRIPTIONS, { id: row.id, application_id: row.application_id });
      else await putSubscription(this.env.SUBSCRIPTIONS, parse(row.doc));
      this.#published = row.version;
      if (this.#row()?.version === row.version && this.#gate.waiting() === 0) await this.ctx.storage.deleteAlarm();
    });
    this.#publishing = run.catch(() => {});
    return run;
  }

  async create(sub: StoredSubscription): Promise<void> {
    if (this.#row()) throw new Error(`subscription ${sub.id} exists`);
    await this.#write({ id: sub.id, doc: JSON.stringify(sub), version: 1, application_id: sub.application_id });
  }

  /** The subscription; null when there is none, or when it belongs to another application than `applicationId`. */
  async get(id: string, applicationId?: string): Promise<StoredSubscription | null> {
    const row = await this.#current(id);
    const sub = row?.doc ? parse(row.doc) : null;
    return sub && belongs(sub, applicationId) ? sub : null;
  }

  /** Applies one change; `sub` is the state after it (null: no such subscription, or not of `applicationId`). */
  async change(
    id: string,
    change: SubscriptionChange,
    nowMs: number,
    applicationId?: string,
  ): Promise<{ sub: StoredSubscription | null; changed: boolean; refused?: string; invalid?: string; wasDisabled?: boolean }> {
    const row = await this.#current(id);
    if (!row?.doc) return { sub: null, changed: false };
    const before = parse(row.doc);
    if (!belongs(before, applicationId)) return { sub: null, changed: false };
    const after = applyChange(before, change, nowMs);
    if (!after) return { sub: before, changed: false };
    if ('refused' in after) return { sub: before, changed: false, refused: after.refused, ...(after.invalid ? { invalid: after.invalid } : {}) };
    await this.#write({ id, doc: JSON.stringify(after), version: row.version + 1, application_id: row.application_id });
    await this.#release(); // resumed, or a limit raised or lifted: what waits may go
    // Paused, ordered or limited anew: it holds once the attempts lent under the old gate have run out.
    const wait = sameGate(this.#gateOf(before), this.#gateOf(after)) ? 0 : this.#gate.leasedUntil() - Date.now();
    if (wait > 0) await scheduler.wait(wait);
    return { sub: after, changed: true, wasDisabled: before.disabled };
  }

  /** Deletes it; false when there was none (or it is not of `applicationId`). */
  async remove(id: string, applicationId?: string): Promise<boolean> {
    const row = await this.#current(id);
    if (!row?.doc || !belongs(parse(row.doc), applicationId)) return false;
    await this.#write({ id, doc: null, version: row.version + 1, application_id: row.application_id });
    return true;
  }

  /** Publishes it again, with its entry in its application's index (for copies made before applications). */
  async reindex(id: string): Promise<void> {
    const row = await this.#current(id);
    if (!row?.doc) return;
    this.#published = 0;
    await this.#publish();
  }

  /** The gate of the current state: paused, FIFO, the rate limit. */
  #gateOf(sub: StoredSubscription | null): Gate {
    return { paused: Boolean(sub?.paused), fifo: sub?.ordering === 'fifo', rate: sub?.rate_limit ?? null };
  }

  /** The current state, parsed once per version (flow control asks for it on every attempt). */
  #parsed: { version: number; sub: StoredSubscription | null } | null = null;
  #sub(): StoredSubscription | null {
    const row = this.#row();
    if (!row) return null;
    if (this.#parsed?.version !== row.version) this.#parsed = { version: row.version, sub: row.doc ? parse(row.doc) : null };
    return this.#parsed.sub;
  }

  /**
   * Flow control, asked by the consumer before it attempts a delivery of this subscription: `go` at a
   * time (now, or a slot of the rate limit at most MAX_SLOT_WAIT_MS away, which the consumer waits for), or
   * `hold` (it waits here, in order, and comes back through the queue when its turn comes), or `stale`.
   */
  async admit(arrival: Arrival, lease = false): Promise<{ go: number; lease?: Lease } | 'hold' | 'stale'> {
    const gate = this.#gateOf(this.#sub());
    const nowMs = Date.now();
    const verdict = this.#gate.admit(gate, arrival, nowMs);
    if (verdict === 'hold') await this.#release();
    if (typeof verdict !== 'object' || !lease) return verdict;
    const lent = this.#gate.lease(gate, nowMs);
    return lent ? { ...verdict, lease: lent } : verdict;
  }

  /** A FIFO lane's delivery in flight became final: the next of its lane may go. */
  async settled(deliveryId: string): Promise<void> {
    if (!this.#tablesExist()) return; // no subscription here: nothing waits
    this.#gate.settled(deliveryId);
    await this.#release();
  }

  /** How many deliveries wait here. */
  async waiting(): Promise<number> {
    return this.#tablesExist() ? this.#gate.waiting() : 0;
  }

  /**
   * Which of the deliveries `ids` wait here: the sweep asks before it sends overdue ones again (it
   * leaves these to this object). Whatever may go meanwhile goes, and the alarm is armed again.
   */
  async holding(ids: string[]): Promise<string[]> {
    if (!this.#tablesExist()) return [];
    const held = this.#gate.holding(ids);
    if (held.length > 0) await this.#release();
    return held;
  }

  /** Sends back to the queue what may go now; arms the alarm for what waits on time. */
  async #release(): Promise<void> {
    const nowMs = Date.now();
    const { release, nextAtMs: next } = this.#gate.releasable(this.#gateOf(this.#sub()), nowMs);
    let nextAtMs = next;
    if (release.length > 0) {
      // Through the slow lane: there the consumer may wait for a rate limit's slot without holding up anyone else's.
      const subscription_id = this.#row()?.id;
      try {
        await this.env.SLOW_DELIVERIES.sendBatch(release.map((h) => ({ body: { kind: 'deliver' as const, delivery_id: h.delivery_id, generation: h.generation, subscription_id, released: true as const, ...(h.shard ? { shard: h.shard } : {}) } })));
      } catch (err) {
        // Not sent: they wait again, and the alarm tries again soon (not when their release would have lapsed).
        this.#gate.unreleased(release);
        nextAtMs = Math.min(nextAtMs ?? Infinity, nowMs + RELEASE_RETRY_MS);
        console.error(JSON.stringify({ msg: 'waiting deliveries not sent back to the queue; the alarm tries again', subscription_id, count: release.length, error: String(err) }));
      }
    }
    if (nextAtMs !== null) {
      const current = await this.ctx.storage.getAlarm();
      if (current === null || current > nextAtMs || current < nowMs) await this.ctx.storage.setAlarm(nextAtMs);
      this.#releaseAt = nextAtMs;
    }
  }

  override async alarm(): Promise<void> {
    countInvocation(this.env, 'alarm');
    this.#releaseAt = null;
    await this.#release();
    await this.#publish(); // throws when KV is still unavailable: the runtime retries the alarm
  }
}
