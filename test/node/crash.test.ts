// The crash test: `npm run dev` is killed (SIGKILL, every process it started) in the middle of a stream
// of events to five receivers (one rate-limited, one FIFO), then started again on the same local state. Every event answered 202
// must arrive at every receiver, verified; a producer whose request failed in the crash retries it with
// the same Idempotency-Key. The local queue loses every message in the crash: only D1 and the sweep
// bring the deliveries back.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { freePort, ROOT } from '../../scripts/lib/dev-server.mjs';
import { stopTree } from '../../scripts/lib/processes.mjs';

const EVENTS = 300;
const CRASH_AFTER = 150; // accepted events before the kill
const PRODUCERS = 8; // requests in flight at once
const TOKEN = 'crash-test-token';
const GRACE_SECONDS = 10;
const DEADLINE_MS = 300_000;
const state = `${ROOT}.wrangler/crash-test-${process.pid}`;

interface TestReceiver {
  name: string;
  url: string;
  secret?: string;
  /** Flow control of its subscription. */
  flow?: Record<string, unknown>;
  verified: Set<string>;
  /** webhook-ids in the order their first successful attempt arrived, and when. */
  firsts: { id: string; at: number }[];
  forged: number;
  requests: number;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 that verifies every request; `answer` picks the status for a webhook-id. */
async function startReceiver(name: string, answer: (id: string, seen: number) => Promise<number>): Promise<TestReceiver> {
  const seen = new Map<string, number>();
  const r: TestReceiver = { name, url: '', verified: new Set(), firsts: [], forged: 0, requests: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      r.requests++;
      const id = String(req.headers['webhook-id']);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      try {
        new Webhook(r.secret!).verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>);
      } catch {
        r.forged++;
        res.writeHead(401).end();
        return;
      }
      const status = await answer(id, n);
      if (status === 200 && !r.verified.has(id)) r.firsts.push({ id, at: Date.now() });
      if (status === 200) r.verified.add(id);
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = () => new Promise<void>((ok) => (server.closeAllConnections(), server.close(() => ok())));
  return r;
}

/** `npm run dev` on its own port and state folder, with the sweep every 3 s and a short grace period. */
function startDev(port: number): ChildProcess {
  return spawn('npm', ['run', 'dev', '--', '--var', `API_TOKEN:${TOKEN}`, '--var', 'ALLOW_INSECURE_URLS:true', '--var', `SWEEP_GRACE_SECONDS:${GRACE_SECONDS}`], {
    cwd: ROOT,
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, PORT: String(port), EDGEHOOK_STATE_DIR: state, EDGEHOOK_SWEEP_EVERY_MS: '3000', CI: 'true' },
  });
}

/** SIGKILL, at once, to `npm run dev` and everything it started (wrangler and workerd in a group of their own). */
const killAll = (child: ChildProcess) => stopTree(child.pid!, { sig: 'SIGKILL', group: true });

async function waitUntil<T>(label: string, fn: () => Promise<T | false | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await sleep(250);
  }
  throw new Error(`timed out: ${label}`);
}

describe('crash of the whole local service', () => {
  const receivers: TestReceiver[] = [];
  let dev: ChildProcess | undefined;
  after(async () => {
    if (dev) await killAll(dev);
    await Promise.all(receivers.map((r) => r.close()));
    rmSync(state, { recursive: true, force: true });
  });

  it(`delivers every accepted event of ${EVENTS} to 5 receivers (one rate-limited, one FIFO) after a SIGKILL in the middle`, { timeout: DEADLINE_MS + 120_000 }, async () => {
    const t0 = Date.now();
    receivers.push(
      await startReceiver('fast', async () => 200),
      await startReceiver('slow', async () => (await sleep(100 + Math.random() * 200), 200)),
      await startReceiver('fails-once', async (_id, n) => (n === 1 ? 500 : 200)),
      await startReceiver('limited-50/s', async () => 200),
      await startReceiver('fifo', async () => 200), // FIFO is one at a time: a retry of each would take 300 × 5 s
    );
    receivers[3]!.flow = { rate_limit: { per_second: 50 } };
    receivers[4]!.flow = { ordering: 'fifo' };
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const up = () => waitUntil('the service to answer', async () => (await fetch(`${base}/health`)).ok, 120_000);
    dev = startDev(port);
    await up();

    for (const r of receivers) {
      const res = await fetch(`${base}/v1/subscriptions`, { method: 'POST', headers, body: JSON.stringify({ url: r.url, events: ['crash.*'], ...r.flow }) });
      assert.equal(res.status, 201);
      r.secret = ((await res.json()) as { secret: string }).secret;
    }

    // Producers: each event until it is answered 202, retrying a failed request with the same key.
    const accepted = new Map<number, string>();
    let failedRequests = 0;
    let replayed = 0;
    let next = 0;
    let crashed: Promise<void> | undefined;
    let crashAt = 0;
    let restartAt = 0;
    const crash = async () => {
      crashAt = Date.now();
      const killed = await killAll(dev!);
      console.log(`killed ${killed} processes (SIGKILL) after ${accepted.size} accepted events`);
      await sleep(1000);
      dev = startDev(port);
      await up();
      restartAt = Date.now();
      console.log(`started again on the same state in ${((restartAt - crashAt) / 1000).toFixed(1)} s`);
    };
    const produce = async () => {
      for (let i = next++; i < EVENTS; i = next++) {
        for (;;) {
          assert.ok(Date.now() - t0 < DEADLINE_MS, 'producers ran out of time');
          try {
            const res = await fetch(`${base}/v1/events`, {
              method: 'POST',
              headers: { ...headers, 'idempotency-key': `crash-${i}` },
              body: JSON.stringify({ type: 'crash.event', data: { i } }),
            });
            if (res.status !== 202) throw new Error(`answered ${res.status}`);
            if (res.headers.get('idempotent-replayed') === 'true') replayed++;
            accepted.set(i, ((await res.json()) as { id: string }).id);
            break;
          } catch {
            failedRequests++;
            await sleep(300);
          }
        }
        if (accepted.size >= CRASH_AFTER && !crashed) crashed = crash();
      }
    };
    await Promise.all(Array.from({ length: PRODUCERS }, produce));
    await crashed;
    assert.equal(accepted.size, EVENTS);
    assert.equal(new Set(accepted.values()).size, EVENTS, 'one event per idempotency key');
    assert.ok(failedRequests > 0, 'some requests were in flight when the service was killed');

    const ids = [...accepted.values()];
    const missing = () => receivers.reduce((n, r) => n + ids.filter((id) => !r.verified.has(id)).length, 0);
    const missingAtRestart = missing();
    await waitUntil('every event at every receiver', async () => missing() === 0, DEADLINE_MS - (Date.now() - t0)).catch((err) => {
      throw new Error(`${err}: missing ${receivers.map((r) => `${r.name} ${ids.filter((id) => !r.verified.has(id)).length}`).join(', ')}`);
    });
    const recoveredAt = Date.now();

    for (const r of receivers) {
      assert.equal(r.forged, 0, `${r.name}: every request verified`);
      assert.equal(ids.filter((id) => !r.verified.has(id)).length, 0, `${r.name}: every event arrived`);
    }
    // The rate limit held across the crash; FIFO kept the order in which events were stored.
    const times = receivers[3]!.firsts.map((f) => f.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    assert.ok(busiest <= 51, `at most 50 a second (+1 for the window edge), saw ${busiest}`);
    const createdAt = new Map<string, string>();
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = (await fetch(`${base}/v1/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers }).then((r) => r.json())) as { data: { id: string; created_at: string }[]; next_cursor: string | null };
      for (const e of page.data) createdAt.set(e.id, e.created_at);
      cursor = page.next_cursor;
    }
    const order = receivers[4]!.firsts.map((f) => createdAt.get(f.id)!);
    const outOfOrder = order.filter((at, i) => i > 0 && at < order[i - 1]!).length;
    assert.equal(outOfOrder, 0, 'FIFO: first successful arrivals in the order events were stored');

    // The log agrees: every delivery succeeded.
    const pending = await fetch(`${base}/v1/deliveries?status=pending&limit=1`, { headers }).then((r) => r.json() as Promise<{ data: unknown[] }>);
    const failed = await fetch(`${base}/v1/deliveries?status=failed&limit=1`, { headers }).then((r) => r.json() as Promise<{ data: unknown[] }>);
    assert.deepEqual([pending.data.length, failed.data.length], [0, 0]);

    console.log(
      [
        `crash test: ${EVENTS} events x ${receivers.length} receivers = ${EVENTS * receivers.length} deliveries, all arrived and verified`,
        `  rate-limited receiver: at most ${busiest} in any second (limit 50); FIFO receiver: ${order.length} first arrivals in stored order`,
        `  producer requests failed in the crash and retried with the same key: ${failedRequests} (answered as replays: ${replayed})`,
        `  deliveries not yet at their receiver when the last event was accepted: ${missingAtRestart}`,
        `  requests at the receivers: ${receivers.map((r) => `${r.name} ${r.requests}`).join(', ')}`,
        `  time to recover (restart to the last arrival): ${((recoveredAt - restartAt) / 1000).toFixed(1)} s` +
          ` (sweep every 3 s, grace ${GRACE_SECONDS} s); whole test ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      ].join('\n'),
    );
  });
});
