// Receivers that reset the connection, refuse it or hang, under `wrangler dev`'s workerd (the runtime
// `npm run dev` and Cloudflare run edgehook in): every attempt is recorded as a network error, and no
// promise of edgehook's goes unhandled: the Worker logs each one it sees (`unhandled rejection`) and
// workerd would say "Uncaught (in promise)"; neither line appears.
// (Under the Vitest pool's workerd a fetch that fails logs one such line even when it is caught, a bare
// `await fetch()` in a test included: that count says nothing about edgehook, so it is counted here.)
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, ROOT, startDevServer } from '../../scripts/lib/dev-server.mjs';

const TOKEN = 'resets-test-token';
const persistTo = `${ROOT}.wrangler/resets-test-${process.pid}`;
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
let server: Awaited<ReturnType<typeof startDevServer>>;
let faulty: Server;
let requests = 0;

async function api(path: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(`${server.url}${path}`, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('receivers that reset, refuse or hang', () => {
  before(async () => {
    // Resets every request once its body is read; /hang never answers.
    faulty = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => (req.url?.startsWith('/hang') ? undefined : req.socket.destroy()));
      void res;
    });
    await new Promise<void>((ok) => faulty.listen(0, '127.0.0.1', ok));
    server = await startDevServer({
      port: await freePort(),
      quiet: true,
      persistTo,
      vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true', RETRY_SCHEDULE: '1,1', ATTEMPT_TIMEOUT_MS: '1000' },
    });
  });
  after(async () => {
    await server?.stop();
    faulty.closeAllConnections();
    await new Promise<void>((ok) => faulty.close(() => ok()));
    rmSync(persistTo, { recursive: true, force: true });
  });

  it('records each failed attempt and leaves no promise unhandled (0 lines of an unhandled rejection)', { timeout: 120_000 }, async () => {
    const origin = `http://127.0.0.1:${(faulty.address() as AddressInfo).port}`;
    const refused = `http://127.0.0.1:${await freePort()}/refused`; // nothing listens there
    const urls = [`${origin}/reset`, refused, `${origin}/hang`];
    for (const url of urls) assert.equal((await api('/v1/subscriptions', { method: 'POST', json: { url, events: ['reset.*'] } })).status, 201);
    const events: string[] = [];
    for (let i = 0; i < 5; i++) {
      // The callback goes to the resetting receiver too.
      const sent = await api('/v1/events', { method: 'POST', json: { type: 'reset.go', data: { i }, callback_url: `${origin}/reset-callback` } });
      assert.equal(sent.status, 202);
      events.push(sent.body.id);
    }
    // Every delivery fails for good after its three attempts, and each event's callback is final too.
    const deadline = Date.now() + 90_000;
    let left = events.length;
    while (left > 0 && Date.now() < deadline) {
      left = 0;
      for (const id of events) {
        const { body } = await api(`/v1/events/${id}`);
        const final = body.deliveries.length === 3 && body.deliveries.every((d: any) => d.status === 'failed') && ['succeeded', 'failed'].includes(body.callback?.status);
        if (!final) left++;
      }
      if (left > 0) await sleep(500);
    }
    assert.equal(left, 0, 'every delivery and callback final');
    const { body } = await api(`/v1/events/${events[0]}`);
    for (const d of body.deliveries) {
      const { body: delivery } = await api(`/v1/deliveries/${d.id}`);
      assert.equal(delivery.attempts.length, 3);
      for (const a of delivery.attempts) assert.ok(a.status_code === null && a.error, JSON.stringify(a));
    }
    assert.ok(requests >= 5 * 3 * 2, `the faulty receiver saw ${requests} requests`);
    // Seen by the Worker's own `unhandledrejection` listener (src/utils/unhandled-rejections.ts), or by workerd.
    const unhandled = server.output().split('\n').filter((l) => l.includes('"msg":"unhandled rejection"') || l.includes('Uncaught (in promise)'));
    assert.deepEqual(unhandled, []);
  });
});
