// Retention with an injected clock: events, deliveries and attempts past RETENTION_DAYS deleted by the
// sweep, a bounded chunk per run; what is recent or still needed stays. A file of its own: the log's
// oldest rows must be this test's (the sweep takes events in the order they were stored).
import { describe, expect, it } from 'vitest';
import { newIdAt } from '../src/utils/ids';
import { createSubscription, env } from './support/helpers';
import { storedDelivery } from './support/stored';
import { runSweep } from './support/sweep';
import { logDb } from './support/log';

describe('retention', () => {
  it('deletes events, deliveries and attempts past RETENTION_DAYS, a bounded chunk per sweep, and keeps what is recent or still needed', async () => {
    const day = 86_400_000;
    const now = Date.now();
    const sub = await createSubscription('https://retention.example.com/x', ['none']);
    const old: { eventId: string; deliveryId: string }[] = [];
    for (let i = 0; i < 7; i++) old.push(await storedDelivery(sub.id, 'ret.old', now - 40 * day + i * 1000));
    const stillPending = await storedDelivery(sub.id, 'ret.pending', now - 40 * day);
    const recent = await storedDelivery(sub.id, 'ret.recent', now - 2 * day);
    for (const d of [...old, recent]) {
      await (await logDb()).prepare("UPDATE deliveries SET status = 'succeeded' WHERE id = ?").bind(d.deliveryId).run();
    }
    // One attempt for each, made when its delivery was made.
    for (const [i, d] of [...old, stillPending, recent].entries()) {
      const at = i < 8 ? now - 40 * day + i * 1000 : now - 2 * day;
      const id = newIdAt('atm', at).slice(0, -4) + String(i).padStart(4, '0');
      await (await logDb()).prepare('INSERT INTO attempts (id, delivery_id, at, status_code, duration_ms) VALUES (?, ?, ?, 200, 5)').bind(id, d.deliveryId, new Date(at).toISOString()).run();
    }
    const left = async () => ({
      events: (await (await logDb()).prepare("SELECT count(*) AS n FROM events WHERE type LIKE 'ret.%'").first<{ n: number }>())!.n,
      deliveries: (await (await logDb()).prepare('SELECT count(*) AS n FROM deliveries WHERE subscription_id = ?').bind(sub.id).first<{ n: number }>())!.n,
      attempts: (await (await logDb()).prepare('SELECT count(*) AS n FROM attempts').first<{ n: number }>())!.n, // this file's only
    });
    expect(await left()).toEqual({ events: 9, deliveries: 9, attempts: 9 });
    // Three of each kind a run, at most.
    const bounded = { ...env, RETENTION_CHUNK: '3' };
    await runSweep(now, bounded);
    expect(await left()).toEqual({ events: 6, deliveries: 6, attempts: 6 });
    for (let i = 0; i < 4; i++) await runSweep(now, bounded);
    // The old ones are gone; the recent ones stay, and so do the pending delivery and its event.
    const events = (await (await logDb()).prepare("SELECT id FROM events WHERE type LIKE 'ret.%' ORDER BY id").all<{ id: string }>()).results.map((r) => r.id);
    expect(events.sort()).toEqual([recent.eventId, stillPending.eventId].sort());
    const deliveries = (await (await logDb()).prepare('SELECT id FROM deliveries WHERE subscription_id = ?').bind(sub.id).all<{ id: string }>()).results.map((r) => r.id);
    expect(deliveries.sort()).toEqual([recent.deliveryId, stillPending.deliveryId].sort());
    // Attempts go with their delivery's age: the pending delivery's 40-day-old attempt too.
    expect((await left()).attempts).toBe(1);
    // The same sweep a month later takes the recent ones too, but never a pending delivery.
    await runSweep(now + 60 * day, env);
    expect(await left()).toEqual({ events: 1, deliveries: 1, attempts: 0 });
  });
});
