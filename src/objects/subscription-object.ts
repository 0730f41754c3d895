// The one writer of a subscription: a SQLite-backed Durable Object per subscription owns its state,
// applies every change in the order it arrives, and publishes the copy that fan-out and the delivery
// consumers read from KV. Publishing runs one at a time and always writes the newest state, so KV
// never gets an older copy over a newer one; an alarm publishes again if a publish did not finish.
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { applyChange, type SubscriptionChange } from '../store/subscription-changes';
import { getSubscription, putSubscription, unpublishSubscription, type StoredSubscription } from '../store/subscriptions';

type Row = {
  id: string;
  /** JSON of the subscription; null once deleted (the row stays: a deleted subscription is never adopted again). */
  doc: string | null;
  version: number;
};

/** When a publish has not finished by then, the alarm publishes again. */
const PUBLISH_RETRY_MS = 10_000;

export class SubscriptionObject extends DurableObject<Env> {
  #published = 0;
  #publishing: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS subscription (id TEXT PRIMARY KEY, doc TEXT, version INTEGER NOT NULL)');
  }

  #row(): Row | null {
    return this.ctx.storage.sql.exec<Row>('SELECT id, doc, version FROM subscription').toArray()[0] ?? null;
  }

  /** The state, adopting the KV copy of a subscription created before it had an object (once). */
  async #current(id: string): Promise<Row | null> {
    if (!this.#row()) {
      await this.ctx.blockConcurrencyWhile(async () => {
        if (this.#row()) return;
        const legacy = await getSubscription(this.env.SUBSCRIPTIONS, id);
        if (legacy) this.#write({ id, doc: JSON.stringify(legacy), version: 1 }, false);
      });
    }
    return this.#row();
  }

  /** Writes the state and arms the alarm in the same storage transaction; then publishes. */
  #write(row: Row, publish = true): Promise<void> {
    this.ctx.storage.sql.exec('INSERT OR REPLACE INTO subscription (id, doc, version) VALUES (?, ?, ?)', row.id, row.doc, row.version);
    if (!publish) return Promise.resolve();
    void this.ctx.storage.setAlarm(Date.now() + PUBLISH_RETRY_MS);
    return this.#publish().catch((err) =>
      console.error(JSON.stringify({ msg: 'subscription not published yet; the alarm retries', subscription_id: row.id, error: String(err) })),
    );
  }

  /** Publishes the newest state, after any publish under way. */
  #publish(): Promise<void> {
    const run = this.#publishing.then(async () => {
      const row = this.#row();
      if (!row || row.version <= this.#published) return;
      if (row.doc === null) await unpublishSubscription(this.env.SUBSCRIPTIONS, row.id);
      else await putSubscription(this.env.SUBSCRIPTIONS, JSON.parse(row.doc) as StoredSubscription);
      this.#published = row.version;
      if (this.#row()?.version === row.version) await this.ctx.storage.deleteAlarm();
    });
    this.#publishing = run.catch(() => {});
    return run;
  }

  async create(sub: StoredSubscription): Promise<void> {
    if (this.#row()) throw new Error(`subscription ${sub.id} exists`);
    await this.#write({ id: sub.id, doc: JSON.stringify(sub), version: 1 });
  }

  async get(id: string): Promise<StoredSubscription | null> {
    const row = await this.#current(id);
    return row?.doc ? (JSON.parse(row.doc) as StoredSubscription) : null;
  }

  /** Applies one change; `sub` is the state after it (null: no such subscription). */
  async change(id: string, change: SubscriptionChange, nowMs: number): Promise<{ sub: StoredSubscription | null; changed: boolean; refused?: string }> {
    const row = await this.#current(id);
    if (!row?.doc) return { sub: null, changed: false };
    const before = JSON.parse(row.doc) as StoredSubscription;
    const after = applyChange(before, change, nowMs);
    if (!after) return { sub: before, changed: false };
    if ('refused' in after) return { sub: before, changed: false, refused: after.refused };
    await this.#write({ id, doc: JSON.stringify(after), version: row.version + 1 });
    return { sub: after, changed: true };
  }

  /** Deletes it; false when there was none. */
  async remove(id: string): Promise<boolean> {
    const row = await this.#current(id);
    if (!row?.doc) return false;
    await this.#write({ id, doc: null, version: row.version + 1 });
    return true;
  }

  override async alarm(): Promise<void> {
    await this.#publish(); // throws when KV is still unavailable: the runtime retries the alarm
  }
}
