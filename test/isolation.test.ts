// Isolation: a receiver that hangs until the timeout, or one that fails every time, must not hold up
// healthy subscriptions by more than one batch. Measured in the same run: a healthy receiver alone,
// then beside a hanging one and a failing one.
import { describe, expect, it } from 'vitest';
import { createSubscription, env, eventually, receiver, sendEvent } from './support/helpers';
import { logDb } from './support/log';

const EVENTS = 20; // several batches: without the slow lane each of them would wait out a timeout
const TIMEOUT_MS = Number(env.ATTEMPT_TIMEOUT_MS);

async function latencies(type: string, healthy: ReturnType<typeof receiver>): Promise<number[]> {
  const sent = new Map<string, number>();
  for (let i = 0; i < EVENTS; i++) {
    const t0 = Date.now();
    sent.set((await sendEvent(type, { i })).id, t0);
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const log = await eventually(async () => {
    const l = await healthy.log();
    return l.length >= EVENTS && l;
  }, 40_000);
  return log.map((l) => l.at - sent.get(l.headers['webhook-id']!)!);
}

describe('isolation', () => {
  it('keeps healthy deliveries on time beside a receiver that hangs and one that always fails', async () => {
    const alone = receiver('healthy-alone');
    await createSubscription(alone.url, ['iso.alone']);
    const baseline = await latencies('iso.alone', alone);

    const healthy = receiver('healthy-beside');
    const hanging = receiver('hanging');
    const failing = receiver('failing');
    await hanging.script([], { hang: true });
    await failing.script([], { status: 500 });
    await createSubscription(healthy.url, ['iso.beside']);
    await createSubscription(hanging.url, ['iso.beside']);
    await createSubscription(failing.url, ['iso.beside']);
    const beside = await latencies('iso.beside', healthy);

    const max = (v: number[]) => Math.max(...v);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    console.log(JSON.stringify({ baseline_ms: baseline, beside_hanging_and_failing_ms: beside, timeout_ms: TIMEOUT_MS }));
    // One batch of delay at most: the batch that first met the hanging receiver waits out one timeout.
    expect(max(beside)).toBeLessThanOrEqual(max(baseline) + TIMEOUT_MS + 1500);
    expect(median(beside)).toBeLessThanOrEqual(median(baseline) + TIMEOUT_MS + 1000);
    // The hanging receiver was reached, and then moved to the slow lane; the failing one got every event.
    expect((await hanging.log()).length).toBeGreaterThan(0);
    expect((await failing.log()).length).toBeGreaterThanOrEqual(EVENTS);
    const slow = await (await logDb()).prepare("SELECT count(*) AS n FROM subscription_health WHERE slow_until != ''").first<{ n: number }>();
    expect(slow?.n).toBe(1);
  });
});
