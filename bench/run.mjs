// `npm run bench`: edgehook against the limits of the same machine, in one run, loopback only.
// Starts edgehook and a bare Worker under wrangler dev, local receivers in this process, measures,
// prints a table and rewrites BENCHMARKS.md (with bench/fanout.svg). Bounded: every wait has a deadline.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { freePort, ROOT, startDevServer } from '../scripts/lib/dev-server.mjs';
import { client, median, quantile, startReceiver, waitFor } from './lib.mjs';
import { fanoutChart } from './chart.mjs';
import { measureRetention } from './retention.mjs';
import { measureCost, PRICES } from './cost.mjs';
import { measureSchemaValidation } from './schema-validation.mjs';
import { kitSize, sizes } from '../scripts/lib/kit-size.mjs';
import { describe as describeModel, model } from './scale-model.mjs';

const TOKEN = 'bench-token';
const t0 = Date.now();
const progress = (text) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${text}`);
const state = mkdtempSync(`${ROOT}.wrangler/bench-`);
const results = {};

async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** `total` requests, `concurrency` at a time: requests/s and latency quantiles. */
async function load(send, total, concurrency) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const s = performance.now();
        await send();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rps: total / seconds, p50: median(latencies), p99: quantile(latencies, 0.99) };
}

progress('starting edgehook and a bare Worker under wrangler dev …');
const [service, bare] = await Promise.all([
  startDevServer({ port: await freePort(), quiet: true, persistTo: `${state}/service`, vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true', METER: 'true' } }),
  startDevServer({ config: 'bench/bare-worker/wrangler.toml', port: await freePort(), quiet: true, readyPath: '/noop', persistTo: `${state}/bare` }),
]);
const fast = await startReceiver();
const slow = await startReceiver({ delayMs: 100 });
const api = client(service.url, TOKEN);
/** A POST that must be answered 202 (an error answered fast must not pass for a fast ingest). */
const post = (path, body) =>
  fetch(path, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    const bytes = await r.arrayBuffer();
    if (r.status !== 202) throw new Error(`POST ${path}: ${r.status} ${new TextDecoder().decode(bytes).slice(0, 200)}`);
    return bytes;
  });

/** Runs `fn` for each of `n` items, `concurrency` at a time. */
async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) await fn(next++); }));
}

try {
  // 0. Applications: POST until the last of an application's 3 subscriptions has the event, alone, then
  // while 10,000 other subscriptions exist in 1,000 other applications (all wanting the same event type,
  // to the same receiver: a leak across applications would show as extra arrivals). KV calls counted by
  // the Worker's meter (METER=true).
  const meter = async () => (await fetch(`${service.url}/__meter`)).json();
  const target = await api('POST', '/v1/applications', { name: 'bench target' });
  for (let i = 0; i < 3; i++) await api('POST', `/v1/applications/${target.id}/subscriptions`, { url: fast.url, events: ['tenant.go'] });
  const tenantRun = async (label) => {
    progress(`applications: POST until arrival at 3 subscriptions, ${label} …`);
    for (let i = 0; i < 3; i++) {
      const { id } = await api('POST', `/v1/applications/${target.id}/events`, { type: 'tenant.go', data: { warmup: i } });
      await waitFor(() => (fast.arrivals.get(id)?.length ?? 0) >= 3, 30_000, 'warm-up');
    }
    await new Promise((r) => setTimeout(r, 300));
    await meter();
    const before = fast.count();
    const times = [];
    const EVENTS = 20;
    for (let i = 0; i < EVENTS; i++) {
      const start = performance.now();
      const { id } = await api('POST', `/v1/applications/${target.id}/events`, { type: 'tenant.go', data: { i } });
      await waitFor(() => (fast.arrivals.get(id)?.length ?? 0) >= 3, 30_000, 'three arrivals');
      times.push(Math.max(...fast.arrivals.get(id)) - start);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    const kv = await meter();
    return { p50: median(times), arrivals: fast.count() - before, events: EVENTS, list: (kv['kv.list'] ?? 0) / EVENTS, get: (kv['kv.get'] ?? 0) / EVENTS, writes: ((kv['kv.put'] ?? 0) + (kv['kv.delete'] ?? 0)) / EVENTS };
  };
  const alone = await tenantRun('no other applications');
  // (the same again among 1,000 other applications comes last: see below)
  // 1. Ingest: throughput against the bare 202, then latency as the number of matching subscriptions grows.
  progress('ingest: 600 requests, 16 at a time, edgehook and bare …');
  await load(() => post(`${bare.url}/202`, {}), 100, 16); // warm-up
  await load(() => post(`${service.url}/v1/events`, { type: 'bench.warmup', data: {} }), 100, 16);
  const ingestBare = await load(() => post(`${bare.url}/202`, { type: 'bench.none', data: { n: 1 } }), 600, 16);
  const ingest = await load(() => post(`${service.url}/v1/events`, { type: 'bench.none', data: { n: 1 } }), 600, 16);
  results.ingest = { edgehook: ingest, bare: ingestBare, ratio: ingest.rps / ingestBare.rps };

  // The floor for one request at a time: the bare Worker's whole answer.
  const bareOne = [];
  for (let i = 0; i < 15; i++) bareOne.push((await timed(() => post(`${bare.url}/202`, {}))).ms);
  const flat = { bare: median(bareOne) };
  let made = 0;
  for (const n of [1, 100, 1000]) {
    progress(`ingest latency with ${n} matching subscription(s) …`);
    while (made < n) {
      await Promise.all(Array.from({ length: Math.min(20, n - made) }, () => api('POST', '/v1/subscriptions', { url: fast.url, events: ['flat.*'] })));
      made = Math.min(n, made + 20);
    }
    const events = n === 1000 ? 5 : 15;
    const times = [];
    const firstByte = [];
    const handler = [];
    for (let i = 0; i < events; i++) {
      const before = fast.count();
      let headersAt = 0;
      const start = performance.now();
      const { ms, value: res } = await timed(async () => {
        const r = await fetch(`${service.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: `flat.n${n}`, data: { i } }) });
        headersAt = performance.now() - start;
        await r.arrayBuffer(); // the whole answer, as a producer waits for it
        return r;
      });
      firstByte.push(headersAt);
      times.push(ms);
      handler.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN));
      // Quiet between events: the fan-out and its deliveries share this machine's CPU with the next request.
      await waitFor(() => fast.count() >= before + n, 120_000, `${n} deliveries`);
      await new Promise((r) => setTimeout(r, 300));
    }
    flat[n] = { p50: median(times), ttfb: median(firstByte), handler: median(handler) };
  }
  results.flat = flat;

  // 2. Fan-out completion: one event to N subscriptions whose receiver answers after 100 ms.
  // The queue hop first: POST until an immediate receiver has the one delivery.
  progress('queue hop: POST until arrival, one subscription, 10 events …');
  await api('POST', '/v1/subscriptions', { url: fast.url, events: ['hop.go'] });
  const hops = [];
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    const { id } = await api('POST', '/v1/events', { type: 'hop.go', data: { i } });
    await waitFor(() => fast.arrivals.has(id), 30_000, 'the hop');
    hops.push(fast.arrivals.get(id)[0] - start);
  }
  results.hop = { p50: median(hops) };
  const fanout = {};
  for (const n of [10, 100, 500]) {
    progress(`fan-out: one event to ${n} subscriptions (receiver answers in 100 ms) …`);
    for (let i = 0; i < n; i += 25) await Promise.all(Array.from({ length: Math.min(25, n - i) }, () => api('POST', '/v1/subscriptions', { url: slow.url, events: [`fan.n${n}`] })));
    const start = performance.now();
    const { id } = await api('POST', '/v1/events', { type: `fan.n${n}`, data: { n } });
    await waitFor(() => (slow.arrivals.get(id)?.length ?? 0) >= n, 180_000, `fan-out to ${n}`);
    const arrivals = slow.arrivals.get(id);
    fanout[n] = { ms: Math.max(...arrivals) - start + 100, serial: n * 100, ideal: 100 + results.hop.p50 };
  }
  results.fanout = fanout;

  // 3. Delivery throughput: 5,000 deliveries (50 subscriptions × 100 events) to a receiver that answers at once.
  progress('throughput: 5,000 deliveries …');
  for (let i = 0; i < 50; i += 25) await Promise.all(Array.from({ length: 25 }, () => api('POST', '/v1/subscriptions', { url: fast.url, events: ['thru.go'] })));
  const before = fast.count();
  await meter(); // from here: where the consumer's batches spend their time
  const thru = await timed(async () => {
    let sent = 0;
    await Promise.all(Array.from({ length: 10 }, async () => { while (sent < 100) { sent++; await api('POST', '/v1/events', { type: 'thru.go', data: { sent } }); } }));
    await waitFor(() => fast.count() >= before + 5000, 240_000, '5,000 deliveries');
  });
  const phases = await meter();
  const batches = phases['worker.queue'] ?? 1;
  results.shardService = {
    requests: phases['shard.requests'] ?? 0,
    msPerRequest: (phases['do.ms'] ?? 0) / Math.max(1, phases['do.requests'] ?? 0),
    // a batch's subrequests: its attempts, and its calls to objects, KV and the queue
    subrequestsPerBatch: (5000 + (phases['do.requests'] ?? 0) + batches /* one KV bulk get */ + (phases['queue.messages'] ?? 0) / 100) / batches,
  };
  results.batch = {
    batches,
    size: 5000 / batches,
    load: (phases['consumer.load_ms'] ?? 0) / batches,
    send: (phases['consumer.send_ms'] ?? 0) / batches,
    record: (phases['consumer.record_ms'] ?? 0) / batches,
  };
  progress('throughput: the bare Worker fetching the same receiver 5,000 times, 6 at a time …');
  const bareThru = await timed(async () => {
    for (let i = 0; i < 5; i++) await (await fetch(`${bare.url}/fetch?n=1000&c=6&url=${encodeURIComponent(fast.url)}`)).json();
  });
  progress('throughput: a bare queue consumer fetching the same receiver 5,000 times through a local queue …');
  const queued = fast.count();
  const bareQueue = await timed(async () => {
    await (await fetch(`${bare.url}/enqueue?n=5000&url=${encodeURIComponent(fast.url)}`)).json();
    await waitFor(() => fast.count() >= queued + 5000, 240_000, 'the bare consumer’s 5,000');
  });
  results.throughput = { edgehook: 5000 / (thru.ms / 1000), bare: 5000 / (bareThru.ms / 1000), bareQueue: 5000 / (bareQueue.ms / 1000) };
  results.consumer = { edgehook: results.throughput.edgehook, bare: results.throughput.bareQueue, ratio: results.throughput.edgehook / results.throughput.bareQueue };
  results.throughput.ratio = results.throughput.edgehook / results.throughput.bare;
  results.batch.between = thru.ms / results.batch.batches - results.batch.load - results.batch.send - results.batch.record;
  results.batch.bareSend = (results.batch.size / results.throughput.bare) * 1000;
  // A consumer that only sent: its sending and the queue's hand-off per batch, against bare sending as many.
  results.batch.sendOnly = results.batch.bareSend / (results.batch.send + results.batch.between);

  // 3b. The same with flow control on each of 50 other subscriptions (a rate limit that never binds:
  // 1,000/s, burst 1,000), so that every attempt asks its subscription's object first. Then the rate
  // actually held: 500 events to one subscription limited to 50/s.
  progress('throughput with flow control: 5,000 deliveries, each admitted by its subscription’s object …');
  for (let i = 0; i < 50; i += 25) {
    await Promise.all(Array.from({ length: 25 }, () => api('POST', '/v1/subscriptions', { url: fast.url, events: ['thruflow.go'], rate_limit: { per_second: 1000, burst: 1000 } })));
  }
  const beforeFlow = fast.count();
  const thruFlow = await timed(async () => {
    let sent = 0;
    await Promise.all(Array.from({ length: 10 }, async () => { while (sent < 100) { sent++; await api('POST', '/v1/events', { type: 'thruflow.go', data: { sent } }); } }));
    await waitFor(() => fast.count() >= beforeFlow + 5000, 240_000, '5,000 flow-controlled deliveries');
  });
  progress('rate limit: 500 events to one subscription limited to 50/s …');
  const limited = await startReceiver();
  await api('POST', '/v1/subscriptions', { url: limited.url, events: ['limit.go'], rate_limit: { per_second: 50 } });
  const firstSent = performance.now();
  let sentLimited = 0;
  await Promise.all(Array.from({ length: 10 }, async () => { while (sentLimited < 500) { sentLimited++; await api('POST', '/v1/events', { type: 'limit.go', data: { sentLimited } }); } }));
  await waitFor(() => limited.count() >= 500, 120_000, '500 rate-limited deliveries');
  const arrivals = [...limited.arrivals.values()].flat().sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while (arrivals[i] - arrivals[j] >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  await limited.close();
  results.flow = {
    edgehook: 5000 / (thruFlow.ms / 1000),
    ratio: 5000 / (thruFlow.ms / 1000) / results.throughput.edgehook,
    held: (arrivals.length - 1) / ((arrivals.at(-1) - arrivals[0]) / 1000),
    busiest,
    seconds: (arrivals.at(-1) - firstSent) / 1000,
  };

  // 4. Signing, inside workerd: request time for n signatures, less an empty request's.
  progress('signing: edgehook against bare crypto.subtle.sign …');
  const noop = median(await Promise.all([1, 2, 3].map(async () => (await timed(() => fetch(`${bare.url}/noop`).then((r) => r.json()))).ms)));
  const signing = {};
  /** Signatures a second: n of them by `impl` over a size-byte body, after a warm-up. */
  const signRate = async (impl, size, n) => {
    await fetch(`${bare.url}/sign?impl=${impl}&size=${size}&n=50`).then((r) => r.json());
    const { ms } = await timed(() => fetch(`${bare.url}/sign?impl=${impl}&size=${size}&n=${n}`).then((r) => r.json()));
    return n / (Math.max(1, ms - noop) / 1000);
  };
  for (const [size, n] of [[1024, 100_000], [65536, 5000]]) {
    const rate = (impl) => signRate(impl, size, n);
    // Interleaved, five rounds of about half a second, median of each: one noisy moment on a shared
    // machine moves one sample only (shorter samples swung from 0.7 to 1.2 here).
    const ours = [];
    const raw = [];
    for (let round = 0; round < 5; round++) {
      ours.push(await rate('edgehook'));
      raw.push(await rate('bare'));
    }
    signing[size] = { edgehook: median(ours), bare: median(raw), ratio: median(ours) / median(raw) };
  }
  results.signing = signing;
  // 4a. Ed25519 (`v1a`) against HMAC (`v1`), both with the service's own code, interleaved the same way:
  // how many times an attempt's signature costs more with an Ed25519 subscription.
  progress('signing: Ed25519 (v1a) against HMAC (v1) …');
  for (const [size, n] of [[1024, 10_000], [65536, 1000]]) {
    const ed = [];
    const hmac = [];
    for (let round = 0; round < 5; round++) {
      ed.push(await signRate('ed25519', size, n));
      hmac.push(await signRate('edgehook', size, n * 10));
    }
    Object.assign(signing[size], { ed25519: median(ed), hmac_per_ed25519: median(hmac) / median(ed), ed25519_us: 1e6 / median(ed), hmac_us: 1e6 / median(hmac) });
  }

  // 4a'. Transformations: a run of a small one (1 KiB body) with the service's own runner, in a warm isolate
  // and in a new one (new code), timed inside the bare Worker; and their price at Cloudflare's rates.
  progress('transformations: a run in a warm isolate and in a new one …');
  const transformMs = async (cold, n) => {
    await fetch(`${bare.url}/transform?n=5&cold=${cold ? 1 : 0}`).then((r) => r.json());
    const samples = [];
    for (let round = 0; round < 5; round++) samples.push((await fetch(`${bare.url}/transform?n=${n}&cold=${cold ? 1 : 0}`).then((r) => r.json())).ms / n);
    return median(samples);
  };
  const warm = await transformMs(false, 500);
  const cold = await transformMs(true, 20);
  results.transformations = {
    warm_ms: warm,
    cold_ms: cold,
    // One RPC call per attempt, and its CPU (a warm run's time is an upper bound on its CPU): per million attempts.
    usd_per_million_attempts: 1e6 * (PRICES['dynamic.requests'] + warm * PRICES['cpu.ms']),
    // One Dynamic Worker per subscription and version of its code, each day it runs (beyond 1,000 a month included).
    usd_per_subscription_day: PRICES['dynamic.worker_day'] + cold * PRICES['cpu.ms'],
  };

  // 4b. Secrets at rest: opening a batch's 10 sealed secrets, against signing that batch's 10 attempts.
  progress('secrets at rest: opening a batch of sealed secrets, first time and cached …');
  const perBatch = async (path, batches) => {
    await fetch(`${bare.url}${path.replace('N', '50')}`).then((r) => r.json());
    const samples = [];
    for (let round = 0; round < 3; round++) {
      const { ms } = await timed(() => fetch(`${bare.url}${path.replace('N', String(batches))}`).then((r) => r.json()));
      samples.push((Math.max(0, ms - noop) * 1000) / batches);
    }
    return median(samples);
  };
  const BATCHES = 2000;
  results.secrets = {
    first: await perBatch('/open?cached=0&n=N', BATCHES),
    cached: await perBatch('/open?cached=1&n=N', BATCHES),
    signing: (await perBatch(`/sign?impl=edgehook&size=1024&n=N`, BATCHES * 10)) * 10,
  };

  // 4c. What each event and delivery costs, counted by the meter of a third service (METER=true).
  results.cost = await measureCost(state, progress);

  // Past this machine: the model's inputs, at the design point (1 KB events, 2 subscriptions).
  const design = results.cost.find((c) => c.name.startsWith('the design point'));
  const designDeliveries = design.events * design.subs;
  results.model_inputs = {
    shardRequestsPerDelivery: (design.counts['shard.requests'] ?? 0) / designDeliveries,
    queueMessagesPerDelivery: (design.counts['queue.messages'] ?? 0) / designDeliveries,
    shardMsPerRequest: results.shardService.msPerRequest,
    batchMs: results.batch.load + results.batch.send + results.batch.record,
    subrequestsPerBatch: results.shardService.subrequestsPerBatch,
    shardBytesPerDelivery: design.shardBytesPerDelivery,
    d1BytesPerEvent: Math.max(0, design.d1BytesPerEvent),
    subscriptionsPerEvent: design.subs,
  };

  // 4d. Retention under a steady stream (a second service with a 10 s window).
  results.retention = await measureRetention(state, progress);

  // 0, continued (last, so that the other measures run without them): 1,000 other applications.
  progress('applications: making 1,000 applications with 10 subscriptions each …');
  const others = [];
  await pool(1000, 25, async () => others.push((await api('POST', '/v1/applications', { name: 'other' })).id));
  await pool(10_000, 50, async (i) => api('POST', `/v1/applications/${others[i % 1000]}/subscriptions`, { url: fast.url, events: ['tenant.go'] }));
  const crowded = await tenantRun('among 10,000 subscriptions of 1,000 other applications, and the default application’s');
  for (const run of [alone, crowded]) if (run.arrivals !== 3 * run.events) throw new Error(`${run.arrivals} arrivals for ${run.events} events to 3 subscriptions: a leak across applications`);
  results.apps = { alone, crowded, ratio: crowded.p50 / alone.p50 };

  // 5. Size of the deployable bundle.
  progress('bundle: wrangler deploy --dry-run --minify …');
  const out = `${state}/bundle`;
  execFileSync(`${ROOT}node_modules/.bin/wrangler`, ['deploy', '--dry-run', '--minify', '--outdir', out], { cwd: ROOT, stdio: 'ignore' });
  const file = readdirSync(out).find((f) => f.endsWith('.js'));
  const bytes = readFileSync(`${out}/${file}`);
  results.bundle = sizes(bytes);
  results.kits = { client: await kitSize('dist/client/index.js'), verify: await kitSize('dist/verify/index.js') };

  // 6. Validating an event against an operator's schema: RE2JS against the engine's RegExp.
  progress('schema validation: RE2JS against RegExp …');
  results.schemas = measureSchemaValidation();
} finally {
  await fast.close();
  await slow.close();
  await Promise.all([service.stop(), bare.stop()]);
  rmSync(state, { recursive: true, force: true });
}

const f0 = (x) => x.toFixed(0);
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);
const rows = [
  ...[['alone', 'no other subscription'], ['crowded', '10,000 subscriptions in 1,000 other applications, and the default application’s 1,661 that the other measures made']].map(([k, label]) => [
    `POST until arrival at an application's 3 subscriptions, p50 ms; KV lists / keys read per event (${label})`,
    `${f1(results.apps[k].p50)}; ${f1(results.apps[k].list)} / ${f1(results.apps[k].get)}`,
    '',
    k === 'crowded' ? `${f2(results.apps.ratio)} of alone` : '',
  ]),
  ['Ingest, requests/s (16 concurrent)', f0(results.ingest.edgehook.rps), f0(results.ingest.bare.rps), f2(results.ingest.ratio)],
  ['Ingest p50 / p99, ms', `${f1(results.ingest.edgehook.p50)} / ${f1(results.ingest.edgehook.p99)}`, `${f1(results.ingest.bare.p50)} / ${f1(results.ingest.bare.p99)}`, ''],
  ...[1, 100, 1000].map((n) => [
    `Ingest with ${n} matching subscription(s), p50 ms: handler / first byte / whole answer`,
    `${f1(results.flat[n].handler)} / ${f1(results.flat[n].ttfb)} / ${f1(results.flat[n].p50)}`,
    n === 1 ? `whole answer ${f1(results.flat.bare)}` : '',
    `${f2(results.flat[n].handler / results.flat[1].handler)} / ${f2(results.flat[n].ttfb / results.flat[1].ttfb)} / ${f2(results.flat[n].p50 / results.flat[1].p50)}`,
  ]),
  ['POST until arrival, one subscription, p50 ms', f1(results.hop.p50), '', ''],
  ...[10, 100, 500].map((n) => [`Fan-out to ${n} (100 ms receiver), ms`, f0(results.fanout[n].ms), `serial ${results.fanout[n].serial}`, `${f1(results.fanout[n].serial / results.fanout[n].ms)}× faster than serial`]),
  ['Delivery throughput, deliveries/s (bare: `fetch` 6 at a time, no queue)', f0(results.throughput.edgehook), f0(results.throughput.bare), f2(results.throughput.ratio)],
  ['Queue consumer, deliveries/s (bare: a consumer of a local queue that only fetches, same batch settings)', f0(results.consumer.edgehook), f0(results.consumer.bare), f2(results.consumer.ratio)],
  [
    `Delivery throughput: where a batch of ${f1(results.batch.size)} spends its time, ms: reading (its shard, KV) / sending / recording (its shard) / the local queue between batches`,
    `${f1(results.batch.load)} / ${f1(results.batch.send)} / ${f1(results.batch.record)} / ${f1(results.batch.between)}`,
    `sending as many ${f1(results.batch.bareSend)}`,
    '',
  ],
  ['Delivery throughput with flow control (a roomy rate limit: attempts admitted by its subscription’s object, or lent), deliveries/s', f0(results.flow.edgehook), `without ${f0(results.throughput.edgehook)}`, `${f2(results.flow.ratio)} of without`],
  ['Rate limit 50/s, 500 events at once: rate held at the receiver; busiest second; all in', `${f1(results.flow.held)}/s; ${results.flow.busiest}; ${f1(results.flow.seconds)} s`, '', `${f2(results.flow.held / 50)} of the limit`],
  ...[1024, 65536].map((s) => [`Signatures/s, ${s / 1024} KiB body`, f0(results.signing[s].edgehook), f0(results.signing[s].bare), f2(results.signing[s].ratio)]),
  ...[1024, 65536].map((s) => [
    `Ed25519 (v1a) signatures/s, ${s / 1024} KiB body, against HMAC (v1); µs per attempt`,
    `${f0(results.signing[s].ed25519)} (${f1(results.signing[s].ed25519_us)} µs)`,
    `HMAC ${f1(results.signing[s].hmac_us)} µs`,
    `${f1(results.signing[s].hmac_per_ed25519)}× HMAC's cost`,
  ]),
  [
    'A transformation (1 KiB body), ms a run: warm isolate / new isolate; $ per million attempts; $ per subscription a day',
    `${f2(results.transformations.warm_ms)} / ${f2(results.transformations.cold_ms)}`,
    `$${f2(results.transformations.usd_per_million_attempts)} / M`,
    `$${results.transformations.usd_per_subscription_day.toFixed(4)} / day`,
  ],
  [
    "Opening a batch's 10 sealed secrets, µs per batch: first time / cached (vs signing its 10 attempts)",
    `${f1(results.secrets.first)} / ${f1(results.secrets.cached)}`,
    `signing ${f1(results.secrets.signing)}`,
    `${f2(results.secrets.first / results.secrets.signing)} / ${f2(results.secrets.cached / results.secrets.signing)}`,
  ],
  [
    `The log's size (D1 and shards) under a steady stream, KiB (RETENTION_DAYS of 10 s, 1,000 events × 2 subscriptions a stream; ${results.retention.map((r) => r.step).join(' / ')})`,
    results.retention.map((r) => f0(r.KiB)).join(' / '),
    '',
    `last stream ${f2(results.retention.at(-1).KiB / results.retention[0].KiB)} of the first`,
  ],
  ['Validating a 10-item order against its schema (patterns, formats), µs: RE2JS (now) / RegExp (before)', `${f1(results.schemas.now_us)} / ${f1(results.schemas.before_us)}`, '', f2(results.schemas.ratio)],
  ['Bundle, minified / gzip, KiB', `${f1(results.bundle.minified / 1024)} / ${f1(results.bundle.gzip / 1024)}`, '', ''],
  [
    'Kits in a user’s bundle, minified / gzip, KiB: `edgehook/client` (with openapi-fetch); `edgehook/verify`',
    `${f1(results.kits.client.minified / 1024)} / ${f1(results.kits.client.gzip / 1024)}; ${f1(results.kits.verify.minified / 1024)} / ${f1(results.kits.verify.gzip / 1024)}`,
    '',
    '',
  ],
];
const per = (c, k) => c.perEvent[k] ?? 0;

// The figures the issues ask for, by name, in bench/results.json (with everything else measured).
const [one, five] = results.cost;
const design = results.cost.find((c) => c.name.startsWith('the design point'));
const ceilings = model(results.model_inputs);
const keyed = {
  rows_written_per_delivery_1: one.rowsWrittenPerDelivery,
  rows_written_per_delivery_5: five.rowsWrittenPerDelivery,
  usd_per_million_deliveries_1: one.dollarsPerMillionDeliveries,
  usd_per_million_deliveries_5: five.dollarsPerMillionDeliveries,
  d1_bytes_per_event: design.d1BytesPerEvent,
  d1_queries_per_event: design.d1QueriesPerEvent,
  shard_bytes_per_delivery: design.shardBytesPerDelivery,
  // at the design point, one stripe a part (the default)
  application_deliveries_per_month: ceilings.designPoint.application * 30 * 86_400,
  account_deliveries_per_month: ceilings.designPoint.account * 30 * 86_400,
  application_deliveries_per_second_max: ceilings.application.rate,
  account_deliveries_per_second_max: ceilings.account.rate,
  consumer_ratio: results.consumer.ratio,
  ingest_ratio: results.ingest.ratio,
  signing_ratio: results.signing[1024].ratio,
  ed25519_signing_cost_vs_hmac: results.signing[1024].hmac_per_ed25519,
  transformation_warm_ms: results.transformations.warm_ms,
  transformation_cold_ms: results.transformations.cold_ms,
};
writeFileSync(`${ROOT}bench/results.json`, `${JSON.stringify({ measured: new Date().toISOString(), ...keyed, model_inputs: results.model_inputs, results }, null, 1)}\n`);
const costTable = [
  '| scenario | rows written per delivery (shard + D1) | per event: shard rows written / requests; D1 rows written / queries | KV reads / lists | queue messages / operations | DO requests / ms | Worker invocations | $ per million events / deliveries |',
  '|---|---|---|---|---|---|---|---|',
  ...results.cost.map(
    (c) =>
      `| ${c.name} (${c.events} events) | ${f1(c.rowsWrittenPerDelivery)} | ${f1(per(c, 'shard.rows_written'))} / ${f2(per(c, 'shard.requests'))}; ${f2(per(c, 'd1.rows_written'))} / ${f2(per(c, 'd1.queries'))} | ${f2(per(c, 'kv.get'))} / ${f2(per(c, 'kv.list'))} | ${f1(per(c, 'queue.messages'))} / ${f1(per(c, 'queue.operations'))} | ${f2(per(c, 'do.requests'))} / ${f1(per(c, 'do.ms'))} | ${f2(per(c, 'worker.fetch') + per(c, 'worker.queue'))} | $${f2(c.dollarsPerMillionEvents)} / $${f2(c.dollarsPerMillionDeliveries)} |`,
  ),
].join('\n');
// Where the rows written go, per statement (the meter's `shard.written_by:` and `d1.written_by:` counts), for the first scenario.
const writesOf = results.cost[0];
const writesTable = [
  '| statement | rows written per event | per delivery |',
  '|---|---|---|',
  ...Object.entries(writesOf.perEvent)
    .filter(([k]) => k.startsWith('d1.written_by:') || k.startsWith('shard.written_by:'))
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `| ${k.startsWith('d1') ? 'D1' : 'shard'}: \`${k.slice(k.indexOf(':') + 1).trim().replace(/\s+/g, ' ').slice(0, 70)}…\` | ${f2(v)} | ${f2(v / writesOf.subs)} |`),
].join('\n');
const table = ['| measure | edgehook | same runtime, bare | ratio |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
console.log(`\n${table}\n`);

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const wrangler = JSON.parse(readFileSync(`${ROOT}node_modules/wrangler/package.json`, 'utf8')).version;
writeFileSync(`${ROOT}bench/fanout.svg`, fanoutChart(results.fanout));
const template = readFileSync(`${ROOT}bench/BENCHMARKS.template.md`, 'utf8');
writeFileSync(
  `${ROOT}BENCHMARKS.md`,
  template
    .replace('{{machine}}', `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node ${process.version}; wrangler ${wrangler}`)
    .replace('{{date}}', new Date().toISOString().slice(0, 10))
    .replace('{{seconds}}', f0((Date.now() - t0) / 1000))
    .replace('{{table}}', table)
    .replace('{{costTable}}', costTable)
    .replace('{{writesTable}}', writesTable)
    .replace('{{model}}', describeModel(results.model_inputs))
    .replaceAll(/\{\{key\.(\w+)\}\}/g, (_, k) => { const v = keyed[k]; return v >= 1e9 ? `${f1(v / 1e9)} billion` : v >= 1e6 ? `${f1(v / 1e6)} million` : v >= 100 ? f0(v) : v < 1 ? f2(v) : f1(v); })
    .replaceAll(/\{\{(\w+)\.(\w+)\.?(\w+)?\}\}/g, (_, a, b, c) => {
      const v = c ? results[a][b][c] : results[a][b];
      return typeof v === 'number' ? (v >= 100 ? f0(v) : v < 1 ? f2(v) : f1(v)) : String(v);
    }),
);
progress(`done; wrote BENCHMARKS.md and bench/fanout.svg (${statSync(`${ROOT}bench/fanout.svg`).size} bytes)`);
