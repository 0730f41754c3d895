// A delivery's latest attempt is kept in its own row (written by the state change that happens anyway),
// the ones before it in the attempts table: a delivery that succeeds at once writes no attempt row, and
// every attempt is still listed, in order, whole. D1's own `rows_written` counts what an attempt costs.
import { describe, expect, it } from 'vitest';
import { attemptsOf, recordAttempts, type AttemptRecord } from '../src/store/attempts';
import { newId } from '../src/utils/ids';
import { replacing } from './support/bindings';
import { env } from './support/helpers';
import { storedDelivery } from './support/stored';
import { logDb } from './support/log';

const record = (deliveryId: string, generation: number, n: number, outcome: 'retry' | 'succeeded'): AttemptRecord => ({
  deliveryId,
  generation,
  attempt: {
    id: newId('atm', Date.now() + n),
    at: new Date(Date.now() + n).toISOString(),
    status_code: outcome === 'retry' ? null : 200,
    duration_ms: 10 + n,
    error: outcome === 'retry' ? `timeout ${n}` : null,
    response_excerpt: outcome === 'retry' ? null : `ok ${n} "quoted" é`,
    request_headers: JSON.stringify({ 'webhook-id': 'evt_x', n: String(n) }),
  },
  change: outcome === 'retry' ? { status: 'pending', next_attempt_at: new Date(Date.now() + 5000).toISOString() } : { status: 'succeeded', next_attempt_at: null },
});

const tableRows = async (deliveryId: string) =>
  (await (await logDb()).prepare('SELECT id FROM attempts WHERE delivery_id = ? ORDER BY id').bind(deliveryId).all<{ id: string }>()).results.map((r) => r.id);

/** Rows D1 reports written by the delivery's attempt statements and state change alone (no stats). */
async function rowsWritten(records: AttemptRecord[]): Promise<number> {
  let written = 0;
  const db = await logDb();
  const counting = replacing(db, {
    batch: async (statements: D1PreparedStatement[]) => {
      const results = await db.batch(statements);
      for (const r of results.slice(0, 3 * records.length)) written += r.meta.rows_written ?? 0;
      return results;
    },
  });
  await recordAttempts(counting, records);
  return written;
}

describe('the latest attempt, in its delivery’s row', () => {
  it('costs a first-try success no attempt row; earlier attempts move to the table as later ones come', async () => {
    const once = await storedDelivery('sub_latest_once', 'latest.once');
    const first = record(once.deliveryId, 0, 1, 'succeeded');
    // The state change only: the delivery's row and its entry in the index its new status moves (a pending
    // delivery's entry in the sweep's index is removed, which D1 does not count as a row written).
    expect(await rowsWritten([first])).toBe(2);
    expect(await tableRows(once.deliveryId)).toEqual([]);
    expect(await attemptsOf((await logDb()), once.deliveryId)).toEqual([first.attempt]);

    const thrice = await storedDelivery('sub_latest_thrice', 'latest.thrice');
    const a1 = record(thrice.deliveryId, 0, 1, 'retry');
    const a2 = record(thrice.deliveryId, 1, 2, 'retry');
    const a3 = record(thrice.deliveryId, 2, 3, 'succeeded');
    await recordAttempts((await logDb()), [a1]);
    // a1 moves to the table (1); the row, and its entry in the sweep's index of due deliveries (its next
    // attempt's time moves): 3. Not its entry among its subscription's by status: a retry does not set it.
    expect(await rowsWritten([a2])).toBe(3);
    await recordAttempts((await logDb()), [a3]);
    expect(await tableRows(thrice.deliveryId)).toEqual([a1.attempt.id, a2.attempt.id]);
    expect(await attemptsOf((await logDb()), thrice.deliveryId)).toEqual([a1.attempt, a2.attempt, a3.attempt]);
    const row = await (await logDb()).prepare('SELECT attempt_count, status, last_attempt_id FROM deliveries WHERE id = ?').bind(thrice.deliveryId).first();
    expect(row).toEqual({ attempt_count: 3, status: 'succeeded', last_attempt_id: a3.attempt.id });
  });

  it('logs an attempt of a chain that moved on in the table, and keeps the current one in the row', async () => {
    const d = await storedDelivery('sub_latest_stale', 'latest.stale');
    const current = record(d.deliveryId, 0, 1, 'succeeded');
    const stale = record(d.deliveryId, 0, 2, 'retry'); // a duplicate message's attempt, same generation, recorded after
    const { applied } = await recordAttempts((await logDb()), [current]);
    expect(applied.get(d.deliveryId)).toBe(1);
    expect((await recordAttempts((await logDb()), [stale])).applied.has(d.deliveryId)).toBe(false);
    expect(await tableRows(d.deliveryId)).toEqual([stale.attempt.id]);
    expect(await attemptsOf((await logDb()), d.deliveryId)).toEqual([current.attempt, stale.attempt]);
    const row = await (await logDb()).prepare('SELECT attempt_count, status, last_attempt_id FROM deliveries WHERE id = ?').bind(d.deliveryId).first();
    expect(row).toEqual({ attempt_count: 2, status: 'succeeded', last_attempt_id: current.attempt.id });
  });

  it('logs the attempt of a delivery that is gone', async () => {
    const gone = record('dlv_gone_latest', 0, 1, 'succeeded');
    await recordAttempts((await logDb()), [gone]);
    expect(await attemptsOf((await logDb()), 'dlv_gone_latest')).toEqual([gone.attempt]);
  });
});
