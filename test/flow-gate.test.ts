// The rate limit's arithmetic, at simulated times inside a real Durable Object's SQLite: whatever the
// consumers do within what the gate allows (attempts at their slots, lent attempts at any moment of
// their lease), no second at the receiver holds more than per_second + burst − 1.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ASK_IF_FINAL, FlowGate, type Gate } from '../src/objects/flow-gate';
import { LEASE_SAFETY_MS } from '../src/delivery/leases';
import { env } from './support/helpers';
import { busiestSecond } from './support/busiest-second';

/** A seeded generator (mulberry32): the same run every time. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 20 simulated seconds of arrivals (`perTick` at most every 5 ms, in bursts and lulls) through a gate,
 * by consumers that use their leases adversarially (each lent attempt at a random moment of its lease).
 */
function simulate(gate: FlowGate, rules: Gate, perTick: number, seed: number) {
  const rnd = random(seed);
  const start = Date.now() + 60_000; // after the lease a new object assumes from before its start
  const sends: number[] = [];
  let lease: { n: number; until: number } | null = null;
  let lent = 0;
  let asked = 0;
  let next = 0;
  const again: string[] = [];
  for (let now = start; now < start + 20_000; now += 5) {
    for (const h of gate.releasable(rules, now).release) again.push(h.delivery_id);
    const lull = Math.floor((now - start) / 2000) % 3 === 2; // every third 2 s quiet
    const arrivals = lull ? 0 : Math.floor(rnd() * (perTick + 1));
    const ids = [...again.splice(0), ...Array.from({ length: arrivals }, () => `d${String(next++).padStart(8, '0')}`)];
    for (const id of ids) {
      if (lease && lease.n > 0 && now < lease.until - LEASE_SAFETY_MS) {
        lease.n--;
        lent++;
        sends.push(now + rnd() * (lease.until - LEASE_SAFETY_MS - now));
        continue;
      }
      asked++;
      const verdict = gate.admit(rules, { delivery_id: id, generation: 0, lane: '', seq: id, mayWait: true }, now);
      if (typeof verdict !== 'object') continue; // held: released to come back later
      sends.push(verdict.go);
      lease = gate.lease(rules, now) ?? lease;
    }
  }
  return { sends, lent, asked, held: gate.waiting() };
}

/** Runs `fn` on a gate in a fresh object's storage, inside that object. */
const inGate = <T>(name: string, fn: (gate: FlowGate) => T) => runInDurableObject(env.SUBSCRIPTION_OBJECTS.getByName(name), (_o, state) => fn(new FlowGate(state.storage.sql)));

describe('the rate limit, with leases', () => {
  // [per_second, burst, arrivals every 5 ms at most, whether that binds the limit]
  for (const [per_second, burst, perTick, binds] of [
    [1000, 1000, 3, false],
    [1000, 1000, 12, true],
    [50, 20, 1, true],
    [100, 50, 2, true],
    [20, 1, 1, true],
  ] as const) {
    it(`${per_second}/s with a burst of ${burst}, up to ${perTick} arrivals every 5 ms: no second holds more than ${per_second + burst - 1}`, async () => {
      const rules: Gate = { paused: false, fifo: false, rate: { per_second, burst } };
      const { sends, lent, asked } = await inGate(`gate-${per_second}-${burst}-${perTick}`, (gate) => simulate(gate, rules, perTick, per_second * 7 + burst));
      const busiest = busiestSecond(sends);
      console.log(`${per_second}/s, burst ${burst}: ${sends.length} sent, ${lent} of them lent, ${asked} asked; busiest second ${busiest}`);
      expect(busiest).toBeLessThanOrEqual(per_second + burst - 1);
      if (binds) expect(busiest).toBeGreaterThanOrEqual(per_second * 0.9); // the limit was reached
      // Far from the limit almost every attempt goes on a lease; a limit without a burst lends nothing.
      if (!binds) expect(lent).toBeGreaterThan(sends.length * 0.9);
      if (burst === 1) expect(lent).toBe(0);
    });
  }

  it('lends nothing while paused, ordered, or while deliveries wait', async () => {
    await inGate('gate-none', (gate) => {
    const rate = { per_second: 1000, burst: 1000 };
    const now = Date.now() + 60_000;
    expect(gate.lease({ paused: true, fifo: false, rate }, now)).toBeNull();
    expect(gate.lease({ paused: false, fifo: true, rate }, now)).toBeNull();
    expect(gate.lease({ paused: false, fifo: false, rate: null }, now)).toBeNull();
    gate.admit({ paused: true, fifo: false, rate }, { delivery_id: 'held-1', generation: 0, lane: '', seq: 'held-1' }, now);
    expect(gate.waiting()).toBe(1);
    expect(gate.lease({ paused: false, fifo: false, rate }, now)).toBeNull();
    gate.settled('held-1');
    const lease = gate.lease({ paused: false, fifo: false, rate }, now);
    expect(lease).toMatchObject({ n: expect.any(Number), until: expect.any(Number) });
    expect(gate.leasedUntil()).toBe(lease!.until);
    });
  });

  it('asks again about a FIFO head in flight for over a minute with deliveries behind it (its settling may have been lost)', async () => {
    await inGate('gate-fifo-head', (gate) => {
      const fifo: Gate = { paused: false, fifo: true, rate: null };
      const t0 = Date.now() + 60_000;
      expect(gate.admit(fifo, { delivery_id: 'h1', generation: 0, lane: '', seq: '1' }, t0)).toEqual({ go: t0 });
      expect(gate.admit(fifo, { delivery_id: 'h2', generation: 0, lane: '', seq: '2' }, t0 + 10)).toBe('hold');
      const soon = gate.releasable(fifo, t0 + 1_000);
      expect(soon.release).toEqual([]); // the head is in flight: nothing goes, nothing is asked
      expect(soon.nextAtMs).toBe(t0 + 60_000); // but the object wakes to ask
      const later = gate.releasable(fifo, t0 + 61_000);
      expect(later.release.map((h) => [h.delivery_id, h.generation])).toEqual([['h1', ASK_IF_FINAL]]);
      expect(gate.releasable(fifo, t0 + 62_000).release).toEqual([]); // asked once a minute, not at every look
      gate.settled('h1'); // the consumer found it final
      expect(gate.releasable(fifo, t0 + 63_000).release.map((h) => h.delivery_id)).toEqual(['h2']);
    });
  });
});
