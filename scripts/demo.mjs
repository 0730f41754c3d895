// `npm run demo`: the whole flow on this machine, offline. Starts edgehook and the example receiver,
// registers a subscription, sends an event, shows it arrive verified and its attempts in the log; then
// again with a receiver that fails first, so a retry shows. Stops everything it started.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, ROOT, startDevServer } from './lib/dev-server.mjs';
import { nodeVersionProblem } from './lib/node-version.mjs';

const tooOld = nodeVersionProblem();
if (tooOld) {
  console.error(tooOld);
  process.exit(1);
}

const TOKEN = 'demo-token';
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const state = `${ROOT}.wrangler/demo-${process.pid}`;
const started = [];
const t0 = Date.now();
const say = (text) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${text}`);

async function stopAll() {
  await Promise.all(started.map((s) => s.stop()));
  rmSync(state, { recursive: true, force: true });
}

async function waitFor(label, fn, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let dots = 0;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value) {
      if (dots) process.stdout.write('\n');
      return value;
    }
    if (dots++ % 4 === 0) process.stdout.write(dots === 1 ? `         waiting for ${label} .` : '.');
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${label}`);
}

async function main() {
  say('starting edgehook (wrangler dev, local KV, D1 and Queues) and the example receiver …');
  const [service, receiverWorker] = await Promise.all([
    startDevServer({
      port: await freePort(),
      quiet: true,
      persistTo: `${state}/service`,
      sweepEveryMs: 5_000,
      vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true', RETRY_SCHEDULE: '3,5,10' },
    }),
    startDevServer({
      config: 'examples/receiver/wrangler.toml',
      port: await freePort(),
      quiet: true,
      readyPath: '/received',
      persistTo: `${state}/receiver`,
      vars: { WEBHOOK_SECRET: SECRET },
    }),
  ]);
  started.push(service, receiverWorker);
  say(`edgehook on ${service.url}, receiver on ${receiverWorker.url}`);

  const api = async (method, path, body) => {
    const res = await fetch(service.url + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const received = async () => (await (await fetch(`${receiverWorker.url}/received`)).json()).data;

  for (const [round, failFirst] of [
    [1, 0],
    [2, 1],
  ]) {
    console.log(`\n── ${round === 1 ? 'A delivery' : 'A receiver that fails first: the retry'} ──`);
    const url = `${receiverWorker.url}/webhooks${failFirst ? `?fail_first=${failFirst}` : ''}`;
    const sub = await api('POST', '/v1/subscriptions', { url, events: [`demo${round}.*`], secret: SECRET });
    say(`subscribed ${sub.id} to demo${round}.* → ${url}`);
    const event = await api('POST', '/v1/events', { type: `demo${round}.order_paid`, data: { order_id: `ord_${round}`, total: 42 } });
    say(`sent event ${event.id} (202 Accepted: stored; delivery happens after the response)`);

    const record = await waitFor('the receiver', async () => (await received()).find((r) => r.webhook_id === event.id), 60_000);
    say(`the receiver verified the signature and recorded ${record.type} ${JSON.stringify(record.data)}`);

    const done = await waitFor('the delivery to settle', async () => {
      const e = await api('GET', `/v1/events/${event.id}`);
      return e.deliveries.find((d) => d.status !== 'pending');
    });
    const delivery = await api('GET', `/v1/deliveries/${done.id}`);
    say(`delivery ${delivery.id}: ${delivery.status} after ${delivery.attempt_count} attempt(s)`);
    for (const a of delivery.attempts) {
      console.log(`         attempt ${a.at}  status ${a.status_code ?? '—'}  ${String(a.duration_ms).padStart(4)} ms  ${a.error ?? ''} ${a.response_excerpt ?? ''}`.trimEnd());
    }
    if (delivery.status !== 'succeeded') throw new Error(`delivery ${delivery.id} ended ${delivery.status}`);
    if (failFirst && delivery.attempt_count < 2) throw new Error('expected a retry to show');
  }
  console.log('\nDone: signed, retried, verified, recorded once.');
}

const timer = setTimeout(() => {
  console.error('demo: took longer than 3 minutes, stopping');
  stopAll().finally(() => process.exit(1));
}, 180_000);
process.on('SIGINT', () => stopAll().finally(() => process.exit(130)));
try {
  await main();
  await stopAll();
  clearTimeout(timer);
} catch (err) {
  console.error(`\ndemo failed: ${err.message}`);
  await stopAll();
  clearTimeout(timer);
  process.exit(1);
}
