// The flow control of one subscription, kept in its Durable Object's SQLite storage: which of its
// deliveries may be attempted now (`admit`), which wait and in what order (`held`), the FIFO lanes'
// deliveries in flight, and the rate limit's schedule. A delivery that waits is sent back to the
// queue by `releasable` when its turn comes; holding it is no attempt and no failure. The rate limit
// hands out time slots (GCRA) that the consumer waits for.
import type { RateLimit } from '../store/subscriptions';

export interface Gate {
  paused: boolean;
  fifo: boolean;
  rate: RateLimit | null;
}

export interface Arrival {
  delivery_id: string;
  generation: number;
  /** The FIFO lane: the event's ordering key ('' for none); '' for every delivery without FIFO. */
  lane: string;
  /** The event's place in the order events were sent. */
  seq: string;
  /** FIFO: a delivery of an earlier event of the lane is still pending in the log (it may not have reached here yet). */
  earlier?: boolean;
  /** Whether its consumer may wait for a slot of the rate limit (the slow lane's may; the main lane's may not hold up others). */
  mayWait?: boolean;
  /** The log shard that holds the delivery (its message names it when it is sent back); null: D1's old log. */
  shard?: string | null;
}

type Held = { delivery_id: string; generation: number; lane: string; seq: string; released_at_ms: number | null; shard: string | null };

/** A released delivery that has not come back by then is released again (its message was lost). */
const RELEASE_LEASE_MS = 60_000;
/** The generation a FIFO head is sent again with: no message's, so the consumer only settles it if it is final. */
export const ASK_IF_FINAL = -1;
/** A delivery held for an earlier one this object has not seen yet is looked at again this soon. */
const RECHECK_MS = 1_000;
/**
 * The rate limit gives each admitted attempt a time slot (GCRA: evenly spaced, `burst` at once at
 * most). On the main lane only an attempt whose slot is now goes; the others wait here and are released
 * to the slow lane when their slot comes near, where the consumer waits for it (at most this long), so
 * that no batch of the main lane waits on a rate limit.
 */
export const MAX_SLOT_WAIT_MS = 250;
const SLOT_MARGIN = 1.05;
/** A lease lasts at most this long (see `lease`). */
export const LEASE_MS = 500;
/** and lends at most this many attempts. */
const LEASE_MOST = 50;

/** Attempts lent to a consumer: it may start up to `n` of them before `until` without asking again. */
export interface Lease {
  n: number;
  until: number;
}

export class FlowGate {
  /**
   * The rate limit's theoretical arrival time (GCRA), in memory: an eviction forgets it, which lets at
   * most one burst go at once afterwards; writing it per attempt would cost a storage commit each.
   */
  #tat = 0;
  /**
   * When the last lease lent ends. In memory too: after a restart a lease lent before it may still run,
   * so it counts as running for the longest a lease lasts.
   */
  #leasedUntil = Date.now() + LEASE_MS;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS held (delivery_id TEXT PRIMARY KEY, generation INTEGER NOT NULL, lane TEXT NOT NULL, seq TEXT NOT NULL, released_at_ms INTEGER)`);
    sql.exec('CREATE INDEX IF NOT EXISTS held_order ON held (lane, seq)');
    sql.exec('CREATE TABLE IF NOT EXISTS lanes (lane TEXT PRIMARY KEY, head TEXT NOT NULL, since_ms INTEGER)');
    // Objects made before heads were timed: their table lacks the column (their heads count as just started).
    if (!sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('lanes')").toArray().some((c) => c.name === 'since_ms')) {
      sql.exec('ALTER TABLE lanes ADD COLUMN since_ms INTEGER');
    }
    // Objects made before log shards: the shard of each held delivery and lane head (NULL: D1's old log).
    if (!sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('held')").toArray().some((c) => c.name === 'shard')) sql.exec('ALTER TABLE held ADD COLUMN shard TEXT');
    if (!sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('lanes')").toArray().some((c) => c.name === 'head_shard')) sql.exec('ALTER TABLE lanes ADD COLUMN head_shard TEXT');
  }

  #held(id: string): Held | null {
    return this.sql.exec<Held>('SELECT delivery_id, generation, lane, seq, released_at_ms, shard FROM held WHERE delivery_id = ?', id).toArray()[0] ?? null;
  }

  /**
   * Keeps it waiting. `recheckAtMs`: it waits for nothing this object will see (an earlier event's
   * delivery still on its way here), so it counts as released long ago and is released again then.
   */
  #hold(a: Arrival, recheckAtMs: number | null = null): 'hold' {
    const releasedAt = recheckAtMs === null ? null : recheckAtMs - RELEASE_LEASE_MS;
    this.sql.exec(
      `INSERT INTO held (delivery_id, generation, lane, seq, released_at_ms, shard) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (delivery_id) DO UPDATE SET generation = max(generation, excluded.generation), released_at_ms = excluded.released_at_ms, shard = coalesce(excluded.shard, shard)`,
      a.delivery_id,
      a.generation,
      a.lane,
      a.seq,
      releasedAt,
      a.shard ?? null,
    );
    return 'hold';
  }

  #head(lane: string): string | null {
    return this.sql.exec<{ head: string }>('SELECT head FROM lanes WHERE lane = ?', lane).toArray()[0]?.head ?? null;
  }

  /**
   * The rate limit's interval and tolerance (ms). Slots are 5 % further apart than the limit: attempts
   * leave and arrive a little after their slot, unevenly, and the margin keeps any one second at the
   * receiver within the limit despite that.
   */
  #gcra(rate: RateLimit) {
    const interval = (1000 / rate.per_second) * SLOT_MARGIN;
    return { interval, tolerance: ((rate.burst ?? 1) - 1) * interval };
  }

  /** When the next attempt may be sent (now, or later). */
  #nextSlot(rate: RateLimit, nowMs: number): number {
    const { tolerance } = this.#gcra(rate);
    return Math.max(nowMs, this.#tat - tolerance);
  }

  /**
   * Whether a delivery may be attempted, and when: `go` gives it the rate limit's next slot (now, when
   * there is none) and, under FIFO, makes it its lane's delivery in flight until `settled`. `hold` keeps it, in order, until `releasable` gives it back;
   * `stale` is a message of an older generation than the one held.
   */
  admit(gate: Gate, a: Arrival, nowMs: number): { go: number } | 'hold' | 'stale' {
    const held = this.#held(a.delivery_id);
    if (held && a.generation < held.generation) return 'stale';
    if (held && held.released_at_ms === null) return this.#hold(a); // a copy of a waiting delivery's message (the sweep's)
    if (gate.paused) return this.#hold(a);
    if (gate.fifo) {
      const head = this.#head(a.lane);
      if (head !== null && head !== a.delivery_id) return this.#hold(a);
      if (head === null) {
        const before = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM held WHERE lane = ? AND seq < ? AND delivery_id != ?', a.lane, a.seq, a.delivery_id).one().n;
        if (before > 0) return this.#hold(a); // an earlier event of the lane waits: it goes first
        if (a.earlier) return this.#hold(a, nowMs + RECHECK_MS); // one is still on its way here: it goes first
        this.sql.exec('INSERT OR REPLACE INTO lanes (lane, head, since_ms, head_shard) VALUES (?, ?, ?, ?)', a.lane, a.delivery_id, nowMs, a.shard ?? null);
      }
    } else if (!held) {
      const waiting = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM held WHERE released_at_ms IS NULL').one().n;
      if (waiting > 0) return this.#hold(a); // others wait already: in order, behind them
    }
    let at = nowMs;
    if (gate.rate) {
      at = this.#nextSlot(gate.rate, nowMs);
      if (at - nowMs > (a.mayWait ? MAX_SLOT_WAIT_MS : 0)) return this.#hold(a);
      this.#tat = Math.max(this.#tat, nowMs) + this.#gcra(gate.rate).interval;
    }
    if (held) this.sql.exec('DELETE FROM held WHERE delivery_id = ?', a.delivery_id);
    return { go: at };
  }

  /**
   * Lends the asking consumer attempts to start without asking, when the rate limit is all the gate
   * has, nothing waits, and the limit is far from binding: `n` attempts that fit into the burst now,
   * to be started before `until`. The rate limit counts them as if all were sent at `until` (its
   * latest), so whenever within the lease they actually go, no window at the receiver holds more than
   * the limit allows; and a lease takes at most half the burst, so attempts that ask keep the other
   * half. Changes to the gate wait for the leases lent to run out (`leasedUntil`). A limit without a
   * burst (or too small a one) lends nothing: each attempt then asks for its own slot.
   */
  lease(gate: Gate, nowMs: number): Lease | null {
    if (!gate.rate || gate.paused || gate.fifo) return null;
    const { interval, tolerance } = this.#gcra(gate.rate);
    const half = tolerance / 2;
    const until = nowMs + Math.min(LEASE_MS, half / 2);
    const tat = Math.max(this.#tat, nowMs);
    const from = Math.max(tat, until);
    // As many as fit into the burst at once now, and keep the schedule within half the burst ahead.
    const n = Math.min(LEASE_MOST, Math.floor((nowMs + tolerance - tat) / interval) + 1, Math.floor((nowMs + half - from) / interval));
    if (n < 2 || this.sql.exec('SELECT 1 FROM held LIMIT 1').toArray().length > 0) return null;
    this.#tat = from + n * interval;
    this.#leasedUntil = Math.max(this.#leasedUntil, until);
    return { n, until };
  }

  /** When the leases lent so far run out (a past time when none runs). */
  leasedUntil(): number {
    return this.#leasedUntil;
  }

  /** A FIFO lane's delivery in flight is final (or gone): the lane is free for the next. */
  settled(deliveryId: string): void {
    this.sql.exec('DELETE FROM lanes WHERE head = ?', deliveryId);
    this.sql.exec('DELETE FROM held WHERE delivery_id = ?', deliveryId);
  }

  /**
   * The deliveries to send back to the queue now, marked released, and when to look again (null:
   * nothing waits on time). Paused: none. FIFO: each free lane's earliest. Rate limit: as many as have
   * a slot near enough (taken at `admit`, so a released one may wait again if others came first).
   */
  releasable(gate: Gate, nowMs: number, most = 100): { release: Held[]; nextAtMs: number | null } {
    const stale = nowMs - RELEASE_LEASE_MS;
    if (!gate.fifo) this.sql.exec('DELETE FROM lanes'); // ordering lifted: no lane waits on its delivery in flight
    if (!gate.paused && !gate.fifo && !gate.rate) {
      // Flow control lifted: everything that waited goes, and will not come back here.
      const all = this.sql.exec<Held>('SELECT delivery_id, generation, lane, seq, released_at_ms, shard FROM held ORDER BY seq LIMIT ?', most).toArray();
      for (const h of all) this.sql.exec('DELETE FROM held WHERE delivery_id = ?', h.delivery_id);
      return { release: all, nextAtMs: all.length === most ? nowMs : null };
    }
    const candidates = gate.paused
      ? []
      : gate.fifo
        ? this.sql
            .exec<Held>(
              `SELECT h.delivery_id, h.generation, h.lane, h.seq, h.released_at_ms, h.shard FROM held h
               WHERE h.seq = (SELECT min(seq) FROM held WHERE lane = h.lane)
                 AND (NOT EXISTS (SELECT 1 FROM lanes l WHERE l.lane = h.lane) OR EXISTS (SELECT 1 FROM lanes l WHERE l.lane = h.lane AND l.head = h.delivery_id))
               ORDER BY h.seq LIMIT ?`,
              most,
            )
            .toArray()
        : this.sql.exec<Held>('SELECT delivery_id, generation, lane, seq, released_at_ms, shard FROM held ORDER BY seq LIMIT ?', most).toArray();
    const due = candidates.filter((h) => h.released_at_ms === null || h.released_at_ms < stale);
    let n = due.length;
    let nextAtMs: number | null = null;
    if (gate.rate && n > 0) {
      // As many as have a slot within the wait allowed, counting those already released and on their way.
      const { interval } = this.#gcra(gate.rate);
      const onTheirWay = candidates.length - due.length;
      const slots = Math.floor((nowMs + MAX_SLOT_WAIT_MS - this.#nextSlot(gate.rate, nowMs)) / interval) + 1 - onTheirWay;
      n = Math.max(0, Math.min(n, slots));
      if (n < due.length) nextAtMs = Math.max(nowMs + interval, this.#nextSlot(gate.rate, nowMs) + (n + onTheirWay) * interval - MAX_SLOT_WAIT_MS / 2);
    }
    const release = due.slice(0, n);
    for (const h of release) this.sql.exec('UPDATE held SET released_at_ms = ? WHERE delivery_id = ?', nowMs, h.delivery_id);
    const outstanding = candidates.filter((h) => h.released_at_ms !== null && h.released_at_ms >= stale).map((h) => h.released_at_ms! + RELEASE_LEASE_MS);
    // A FIFO head in flight this long, with deliveries waiting behind it, may have become final without
    // word reaching here (its consumer died between recording it and settling it): its delivery is sent
    // through the queue again, with no generation, so that the consumer only settles it if it is final.
    const heads = gate.fifo && !gate.paused ? this.sql.exec<{ lane: string; head: string; since_ms: number | null; head_shard: string | null }>('SELECT lane, head, since_ms, head_shard FROM lanes l WHERE EXISTS (SELECT 1 FROM held h WHERE h.lane = l.lane)').toArray() : [];
    for (const l of heads) {
      if (l.since_ms === null || l.since_ms >= stale) continue;
      this.sql.exec('UPDATE lanes SET since_ms = ? WHERE lane = ?', nowMs, l.lane);
      release.push({ delivery_id: l.head, generation: ASK_IF_FINAL, lane: l.lane, seq: '', released_at_ms: null, shard: l.head_shard });
    }
    const headsDue = heads.map((l) => (l.since_ms === null || l.since_ms < stale ? nowMs : l.since_ms) + RELEASE_LEASE_MS);
    const wake = [nextAtMs, ...outstanding, ...headsDue, !gate.paused && candidates.length === most ? nowMs : null].filter((t): t is number => t !== null);
    return { release, nextAtMs: wake.length ? Math.min(...wake) : null };
  }

  /**
   * Released deliveries whose messages could not be sent (as `releasable` gave them): they wait here
   * again, those released with flow control lifted included, and go at the next release.
   */
  unreleased(release: Held[]): void {
    // A FIFO head's question (ASK_IF_FINAL) is no delivery held here: it is asked again in its time.
    for (const h of release) if (h.generation !== ASK_IF_FINAL) this.#hold(h);
  }

  /** Which of `ids` wait here (released ones on their way back included). */
  holding(ids: string[]): string[] {
    return this.sql
      .exec<{ delivery_id: string }>('SELECT delivery_id FROM held WHERE delivery_id IN (SELECT value FROM json_each(?))', JSON.stringify(ids))
      .toArray()
      .map((r) => r.delivery_id);
  }

  /** Deliveries waiting (released ones on their way back included). */
  waiting(): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM held').one().n;
  }
}
