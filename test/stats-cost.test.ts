// What the delivery stats cost: a batch's attempts become one upsert per distinct (application,
// 5-minute bucket, subscription, event type), each one row written (no secondary index), whatever the
// number of attempts behind it. D1's own `rows_written` counts them.
import { describe, expect, it } from 'vitest';
import { countAttempts, type CountedAttempt } from '../src/store/stats';
import { env } from './support/helpers';
import { logDb } from './support/log';

const attempt = (sub: number, outcome: CountedAttempt['outcome'] = 'succeeded'): CountedAttempt => ({
  application_id: 'cost-app',
  subscription_id: `sub_cost_${sub}`,
  event_type: 'cost.x',
  at: '2026-11-30T10:00:00.000Z',
  duration_ms: 20 + sub,
  outcome,
});

const written = async (attempts: CountedAttempt[]) => (await (await logDb()).batch(countAttempts((await logDb()), attempts))).reduce((n, r) => n + (r.meta.rows_written ?? 0), 0);

describe('the cost of the stats', () => {
  it('is one row written per distinct key of a batch, new or updated, however many attempts share it', async () => {
    // 10 attempts to 10 subscriptions: 10 rows.
    expect(await written(Array.from({ length: 10 }, (_, i) => attempt(i)))).toBe(10);
    // 10 attempts to 2 subscriptions, into rows that exist: 2 rows.
    expect(await written(Array.from({ length: 10 }, (_, i) => attempt(i % 2, i % 3 ? 'succeeded' : 'retrying')))).toBe(2);
    const row = await (await logDb()).prepare("SELECT attempts, succeeded, retrying FROM delivery_stats WHERE subscription_id = 'sub_cost_0'").first();
    expect(row).toEqual({ attempts: 6, succeeded: 4, retrying: 2 }); // 1 + 5 attempts; i = 0 and 6 retried
  });
});
