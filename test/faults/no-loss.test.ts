// Nothing is lost under faults: 500 events to 5 subscriptions whose receivers randomly answer 500,
// 429 with Retry-After, hang past the timeout or reset the connection. Every delivery arrives and
// verifies, no webhook-id is missing, and the D1 log agrees with what the receivers counted.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { api, createSubscription, env, eventually, receiver } from '../support/helpers';

const EVENTS = 500;
const SUBSCRIPTIONS = 5;
const CHAOS = { p500: 0.12, p429: 0.12, hang: 0.12, reset: 0.12, max_faults: 3 }; // the faults project's schedule allows 5 attempts

describe('no loss under faults', () => {
  it(`delivers ${EVENTS} events to ${SUBSCRIPTIONS} faulty receivers, every one verified`, async () => {
    const started = Date.now();
    const subs = [];
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const r = receiver(`chaos-${i}`);
      await r.script([], { chaos: CHAOS });
      subs.push({ r, sub: await createSubscription(r.url, ['chaos.*']) });
    }

    const ids: string[] = [];
    for (let i = 0; i < EVENTS; i += 20) {
      const sent = await Promise.all(
        Array.from({ length: Math.min(20, EVENTS - i) }, async (_, j) => {
          const res = await api('/v1/events', { method: 'POST', json: { type: 'chaos.tick', data: { n: i + j } } });
          expect(res.status).toBe(202);
          return ((await res.json()) as { id: string }).id;
        }),
      );
      ids.push(...sent);
    }
    expect(new Set(ids).size).toBe(EVENTS);

    const total = EVENTS * SUBSCRIPTIONS;
    const settled = async () =>
      (await env.DB.prepare("SELECT count(*) AS n FROM deliveries WHERE status != 'pending'").first<{ n: number }>())!.n;
    await eventually(async () => (await settled()) === total, 240_000);
    const seconds = (Date.now() - started) / 1000;

    const statuses = await env.DB.prepare('SELECT status, count(*) AS n, sum(attempt_count) AS attempts FROM deliveries GROUP BY status').all<{ status: string; n: number; attempts: number }>();
    expect(statuses.results.map((r) => [r.status, r.n])).toEqual([['succeeded', total]]);
    const loggedAttempts = statuses.results[0]!.attempts;

    let received = 0;
    const answers: Record<string, number> = {};
    for (const { r, sub } of subs) {
      const log = await r.log();
      received += log.length;
      for (const l of log) answers[String(l.answer)] = (answers[String(l.answer)] ?? 0) + 1;
      const ok = log.filter((l) => l.answer === 200);
      // Every event reached this receiver with a 200, exactly the ids sent, and each one verifies.
      expect(new Set(ok.map((l) => l.headers['webhook-id'])).size).toBe(EVENTS);
      expect(new Set(ok.map((l) => l.headers['webhook-id']))).toEqual(new Set(ids));
      const wh = new Webhook(sub.secret);
      for (const l of ok) expect(() => wh.verify(l.body, l.headers)).not.toThrow();
      // Every request this receiver saw is an attempt in the log.
      const perSub = await env.DB.prepare('SELECT sum(attempt_count) AS n FROM deliveries WHERE subscription_id = ?').bind(sub.id).first<{ n: number }>();
      expect(perSub!.n).toBe(log.length);
    }
    expect(loggedAttempts).toBe(received);
    for (const fault of ['500', '429', 'hang', 'reset']) expect(answers[fault]! / received).toBeGreaterThanOrEqual(0.08);
    console.log(JSON.stringify({ deliveries: total, attempts: received, answers, seconds }));
  });
});
