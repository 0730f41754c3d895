// The check behind disabling a subscription after days of nothing but failures (failed.ts): exact on the
// log (a success completed after a failed delivery's creation clears it), and two index seeks rather
// than a read of the subscription's history (it runs each time a delivery fails for good).
import { describe, expect, it } from 'vitest';
import { metered, readMeter } from '../src/meter';
import { failingSinceBefore } from '../src/store/health';
import { env } from './support/helpers';
import { storedDelivery } from './support/stored';
import { logDb } from './support/log';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A delivery of `sub` created `createdDaysAgo` days ago, final with `status` `doneDaysAgo` days ago. */
async function final(sub: string, status: 'succeeded' | 'failed', createdDaysAgo: number, doneDaysAgo = createdDaysAgo) {
  const now = Date.now();
  const { deliveryId } = await storedDelivery(sub, 'failing.check', now - createdDaysAgo * DAY);
  await (await logDb()).prepare('UPDATE deliveries SET status = ?2, updated_at = ?3, next_attempt_at = NULL WHERE id = ?1').bind(deliveryId, status, iso(now - doneDaysAgo * DAY)).run();
  return iso(now - createdDaysAgo * DAY);
}

const fiveDaysAgo = () => iso(Date.now() - 5 * DAY);

describe('failing for days', () => {
  it('is the newest failed delivery created before the window with no success completed after it', async () => {
    const sub = 'sub_failingcheck0000000000000001';
    expect(await failingSinceBefore((await logDb()), sub, fiveDaysAgo())).toBeNull(); // nothing at all
    await final(sub, 'failed', 2); // failed, but within the window
    expect(await failingSinceBefore((await logDb()), sub, fiveDaysAgo())).toBeNull();
    await final(sub, 'failed', 8);
    const sixDays = await final(sub, 'failed', 6);
    await final(sub, 'succeeded', 9, 6.5); // completed before the 6-day-old one was created
    expect(await failingSinceBefore((await logDb()), sub, fiveDaysAgo())).toBe(sixDays);
    await final(sub, 'succeeded', 9, 5.5); // created long before, completed after it (a late retry or a redeliver)
    expect(await failingSinceBefore((await logDb()), sub, fiveDaysAgo())).toBeNull();
  });

  it('a success completed yesterday clears it; another subscription’s success does not', async () => {
    const sub = 'sub_failingcheck0000000000000002';
    await final(sub, 'failed', 7);
    await final('sub_failingcheck0000000000000003', 'succeeded', 1);
    expect(await failingSinceBefore((await logDb()), sub, fiveDaysAgo())).not.toBeNull();
    await final(sub, 'succeeded', 1);
    expect(await failingSinceBefore((await logDb()), sub, fiveDaysAgo())).toBeNull();
  });

  it('reads a handful of rows, not the subscription’s history of successes', async () => {
    const sub = 'sub_failingcheck0000000000000004';
    await final(sub, 'failed', 20); // an outage long ago
    for (let i = 0; i < 200; i++) await final(sub, 'succeeded', 19 - i * 0.09); // and working since
    const m = metered({ ...env, METER: 'true' });
    readMeter();
    expect(await failingSinceBefore(m.DB, sub, fiveDaysAgo())).toBeNull();
    const rowsRead = readMeter()['d1.rows_read'];
    console.log(`rows read with 200 successes since the last failure: ${rowsRead}`);
    expect(rowsRead).toBeLessThan(10);
  });
});
