// Nothing is lost under faults: 500 events to 5 subscriptions whose receivers randomly answer 500,
// 429 with Retry-After, hang past the timeout or reset the connection. Every delivery arrives and
// verifies, no webhook-id is missing, and the D1 log agrees with what the receivers counted (every
// request a receiver saw is an attempt in the log with the answer it gave).
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { api, createSubscription, env, eventually, receiver } from '../support/helpers';
import { logDb } from '../support/log';

const EVENTS = 500;
const SUBSCRIPTIONS = 5;
const CHAOS = { p500: 0.12, p429: 0.12, hang: 0.12, reset: 0.12, max_faults: 3 }; // the faults project's schedule allows 6 attempts

/**
 * Per event, the log's attempts against what the receiver saw: every request the receiver saw is an
 * attempt in the log, every status the log holds is one the receiver answered, and every attempt
 * without a status says why (timed out, connection lost). The log may hold more attempts than the
 * receiver saw: on a loaded machine an attempt's timeout can run out before its request reached the
 * receiver, or before its answer came back.
 */
async function compare(subscriptionId: string, log: { headers: Record<string, string>; answer?: number | string }[]) {
  const seen = Map.groupBy(log, (l) => l.headers['webhook-id']!);
  const { results } = await (await logDb()).prepare('SELECT d.event_id, a.status_code, a.error FROM deliveries d JOIN all_attempts a ON a.delivery_id = d.id WHERE d.subscription_id = ?')
    .bind(subscriptionId)
    .all<{ event_id: string; status_code: number | null; error: string | null }>();
  const logged = Map.groupBy(results, (a) => a.event_id);
  const disagree: unknown[] = [];
  let unseen = 0;
  for (const [eventId, attempts] of logged) {
    const answers = (seen.get(eventId) ?? []).map((l) => l.answer!);
    const unanswered = [...answers];
    const invented = attempts.filter((a) => {
      if (a.status_code === null) return !a.error;
      const i = unanswered.indexOf(a.status_code);
      if (i >= 0) unanswered.splice(i, 1);
      return i < 0;
    });
    if (invented.length > 0 || answers.length > attempts.length) disagree.push({ eventId, attempts, answers });
    unseen += attempts.length - answers.length;
  }
  return { disagree: disagree.slice(0, 10), unseen };
}

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
      (await (await logDb()).prepare("SELECT count(*) AS n FROM deliveries WHERE status != 'pending'").first<{ n: number }>())!.n;
    await eventually(async () => (await settled()) === total, 240_000);
    const seconds = (Date.now() - started) / 1000;

    const statuses = await (await logDb()).prepare('SELECT status, count(*) AS n, sum(attempt_count) AS attempts FROM deliveries GROUP BY status').all<{ status: string; n: number; attempts: number }>();
    expect(statuses.results.map((r) => [r.status, r.n])).toEqual([['succeeded', total]]);
    const loggedAttempts = statuses.results[0]!.attempts;

    let received = 0;
    let unseen = 0; // attempts whose timeout ran out before their request reached the receiver
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
      // Every request this receiver saw is an attempt in the log, with the answer it gave.
      const { disagree, unseen: notSeen } = await compare(sub.id, log);
      expect(disagree).toEqual([]);
      unseen += notSeen;
    }
    expect(loggedAttempts).toBe(received + unseen);
    for (const fault of ['500', '429', 'hang', 'reset']) expect(answers[fault]! / received).toBeGreaterThanOrEqual(0.08);
    console.log(JSON.stringify({ deliveries: total, attempts: received, answers, unseen, seconds }));
  });
});
