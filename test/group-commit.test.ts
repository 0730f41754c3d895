// Group commit (src/store/group-commit.ts): writes made at the same moment go to D1 as one batch, each
// caller still gets its own statements' results, one caller's failure stays its own, and a group whose
// sender never hears back (its request cancelled) does not stop the line. Against the real D1 binding,
// wrapped only to count its batch calls (and, for the stall, to hold one of them back).
import { beforeEach, describe, expect, it } from 'vitest';
import { groupCommit } from '../src/store/group-commit';
import { replacing } from './support/bindings';
import { env } from './support/helpers';

/** The real binding, counting `batch` calls; the `hold`-th call (1-based) never answers, the `fail`-th throws at once. */
function counting(db: D1Database, hold?: number, fail?: number) {
  const calls: number[] = [];
  const wrapped = replacing(db, {
    batch: (statements: D1PreparedStatement[]) => {
      calls.push(statements.length);
      if (calls.length === fail) throw new Error('binding broke');
      return calls.length === hold ? new Promise<never>(() => {}) : db.batch(statements);
    },
  });
  return { db: wrapped, calls };
}

const insert = (db: D1Database, n: number) => db.prepare('INSERT INTO gc_rows (n) VALUES (?1) RETURNING n').bind(n);
const rows = async () => (await env.DB.prepare('SELECT n FROM gc_rows ORDER BY rowid').all<{ n: number }>()).results.map((r) => r.n);

beforeEach(async () => {
  await env.DB.prepare('CREATE TABLE IF NOT EXISTS gc_rows (n INTEGER NOT NULL UNIQUE)').run();
  await env.DB.prepare('DELETE FROM gc_rows').run();
});

describe('group commit', () => {
  it('sends writes that arrive while one is in flight as one batch, in order, each caller getting its own results', async () => {
    const { db, calls } = counting(env.DB);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => groupCommit(db, [insert(db, i), db.prepare('SELECT ?1 AS n').bind(i * 10)])));
    expect(results.map(([ins, sel]) => [ins!.results, sel!.results])).toEqual(Array.from({ length: 20 }, (_, i) => [[{ n: i }], [{ n: i * 10 }]]));
    expect(await rows()).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // The first goes alone at once (nothing in flight); the other 19 arrived meanwhile: one more batch.
    expect(calls).toEqual([2, 38]);
  });

  it('keeps a group under its statement limit', async () => {
    const { db, calls } = counting(env.DB);
    await Promise.all(Array.from({ length: 60 }, (_, i) => groupCommit(db, [insert(db, i)])));
    expect(calls).toEqual([1, 50, 9]);
    expect((await rows()).length).toBe(60);
  });

  it("fails only the caller whose statement failed; the group's others are stored", async () => {
    const { db, calls } = counting(env.DB);
    await groupCommit(db, [insert(db, 7)]);
    const outcomes = await Promise.allSettled([groupCommit(db, [insert(db, 1)]), groupCommit(db, [insert(db, 2)]), groupCommit(db, [insert(db, 7)]), groupCommit(db, [insert(db, 3)])]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(await rows()).toEqual([7, 1, 2, 3]);
    // One alone, then 1 alone (nothing in flight), the other three as a group that failed, then each again.
    expect(calls).toEqual([1, 1, 3, 1, 1, 1]);
  });

  it('fails only the caller of a batch the binding throws on, and goes on', async () => {
    const { db, calls } = counting(env.DB, undefined, 1);
    await expect(groupCommit(db, [insert(db, 1)])).rejects.toThrow('binding broke');
    expect(await Promise.all([groupCommit(db, [insert(db, 2)]), groupCommit(db, [insert(db, 3)])])).toHaveLength(2);
    expect(await rows()).toEqual([2, 3]);
    expect(calls).toEqual([1, 1, 1]);
  });

  it('lets go of a group whose batch never answers: its callers fail, the writes behind it are stored', async () => {
    // Batch 2 never answers: the group of 10 and 11 (taken together once batch 1 is done) is stalled.
    const { db, calls } = counting(env.DB, 2);
    const first = groupCommit(db, [insert(db, 1)], { stallMs: 50 });
    const stalledGroup = [groupCommit(db, [insert(db, 10)], { stallMs: 50 }), groupCommit(db, [insert(db, 11)], { stallMs: 50 })];
    await first;
    await new Promise((ok) => setTimeout(ok, 0)); // the group of 10 and 11 is on its way (its sender waits for ever)
    const behind = groupCommit(db, [insert(db, 20)], { stallMs: 50 });
    const member = await Promise.race([stalledGroup[1]!.then(() => 'stored', (e: unknown) => String(e)), new Promise((ok) => setTimeout(() => ok('still waiting'), 2000))]);
    expect(member).toMatch(/D1 did not answer the write/);
    await behind;
    expect(await rows()).toEqual([1, 20]);
    expect(calls).toEqual([1, 2, 1]);
  });
});
