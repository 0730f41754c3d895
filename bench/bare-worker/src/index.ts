// A bare Worker for the benchmarks: what the runtime itself does, without edgehook's work around it.
//   POST /202                      answers 202 at once (ingest's floor)
//   GET  /fetch?url&n&c            POSTs to url n times, c at a time (delivery's floor)
//   GET  /sign?impl&size&n         n HMAC signatures of a size-byte body: impl=bare (crypto.subtle.sign,
//                                  key imported once) or impl=edgehook (the service's own signing code);
//                                  impl=ed25519: the service's own code with an Ed25519 key (`v1a`)
//   GET  /enqueue?url&n            queues n messages (sendBatch of 100) whose consumer POSTs each to url, six
//                                  at a time, and acks them: the floor of a queue consumer, edgehook's batch settings
//   GET  /transform?n&cold          n runs of a small transformation with the service's own runner (a 1 KiB
//                                  body): cold=1 loads a new isolate (new code) for each, else one warm isolate;
//                                  answers the runs' milliseconds, timed inside the Worker
//   GET  /open?n&cached            n times, open a batch's 10 sealed subscription secrets (AES-GCM) with the
//                                  service's own code: cached=0 forgets what it opened before each batch
import { forgetOpenedSecrets, openSecret, sealSecret } from '../../../src/signing/secret-box.ts';
import { signatureHeader } from '../../../src/signing/sign.ts';
import { runTransformation } from '../../../src/delivery/transformation.ts';
import { withIterationBudget } from '../../../src/utils/iteration-budget.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** RFC 8032's first test key as a Standard Webhooks secret key. */
const SECRET_KEY = 'whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWpgBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg==';
let bareKey: Promise<CryptoKey> | undefined;
const encoder = new TextEncoder();

async function fetchMany(url: string, n: number, c: number): Promise<number> {
  let next = 0;
  let ok = 0;
  const body = '{"type":"bench","timestamp":"2026-11-29T00:00:00.000Z","data":{}}';
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) {
        next++;
        const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'webhook-id': `bare_${next}` } });
        await res.arrayBuffer();
        if (res.ok) ok++;
      }
    }),
  );
  return ok;
}

async function sign(impl: string, size: number, n: number): Promise<number> {
  const body = 'x'.repeat(size);
  if (impl === 'bare') {
    bareKey ??= crypto.subtle.importKey('raw', Uint8Array.from(atob(SECRET.slice(6)), (ch) => ch.charCodeAt(0)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const key = await bareKey;
    for (let i = 0; i < n; i++) await crypto.subtle.sign('HMAC', key, encoder.encode(`msg_${i}.1700000000.${body}`));
  } else {
    const secret = impl === 'ed25519' ? SECRET_KEY : SECRET;
    for (let i = 0; i < n; i++) await signatureHeader([secret], `msg_${i}`, 1700000000, body);
  }
  return n;
}

const TRANSFORM = 'export default ({ event_type, payload }) => ({ payload: { text: event_type + ": " + payload.data.note } });';
let coldRuns = 0;

async function transform(env: { LOADER?: WorkerLoader }, n: number, cold: boolean): Promise<number> {
  const payload = { type: 'bench.transform', timestamp: '2026-11-29T00:00:00.000Z', data: { note: 'x'.repeat(1000) } };
  // Cold: new code under a new id each run, as a new version of a subscription's code would be. The
  // iteration budget is put in beforehand, as it is when code is saved: only the runs are timed.
  const runs = Array.from({ length: n }, () => {
    const code = cold ? `${TRANSFORM}\n// ${coldRuns++}` : TRANSFORM;
    const made = withIterationBudget(code, 1_000_000);
    if ('error' in made) throw new Error(made.error);
    return { id: cold ? `bench:cold:${coldRuns}` : 'bench:warm', module: made.module };
  });
  const started = performance.now();
  for (const run of runs) {
    const r = await runTransformation(env, run.id, run.module, { event_type: 'bench.transform', payload, headers: {} });
    if (!('body' in r)) throw new Error(JSON.stringify(r));
  }
  return performance.now() - started;
}

const BATCH = 10;
const KEYS = { SECRETS_KEY: `bench:${btoa(String.fromCharCode(...new Uint8Array(32).fill(7)))}` };
let sealed: Promise<string[]> | undefined;

async function openBatches(n: number, cached: boolean): Promise<number> {
  const batch = await (sealed ??= Promise.all(Array.from({ length: BATCH }, (_, i) => sealSecret(KEYS, `sub_${i}`, SECRET))));
  for (let r = 0; r < n; r++) {
    if (!cached) forgetOpenedSecrets();
    await Promise.all(batch.map((value, i) => openSecret(KEYS, `sub_${i}`, value)));
  }
  return n;
}

interface BareEnv {
  QUEUE: Queue<{ url: string; n: number }>;
  LOADER?: WorkerLoader;
}

async function enqueue(env: BareEnv, url: string, n: number): Promise<number> {
  for (let i = 0; i < n; i += 100) await env.QUEUE.sendBatch(Array.from({ length: Math.min(100, n - i) }, (_, k) => ({ body: { url, n: i + k } })));
  return n;
}

const QUEUE_BODY = '{"type":"bench","timestamp":"2026-11-29T00:00:00.000Z","data":{}}';

export default {
  async queue(batch: MessageBatch<{ url: string; n: number }>) {
    let next = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (next < batch.messages.length) {
          const msg = batch.messages[next++]!;
          const res = await fetch(msg.body.url, { method: 'POST', body: QUEUE_BODY, headers: { 'content-type': 'application/json', 'webhook-id': `bareq_${msg.body.n}` } });
          await res.arrayBuffer();
          msg.ack();
        }
      }),
    );
  },
  async fetch(request, env: BareEnv) {
    const url = new URL(request.url);
    const q = (k: string, d: number) => Number(url.searchParams.get(k) ?? d);
    switch (url.pathname) {
      case '/202':
        return new Response('{"id":"evt_bare"}', { status: 202, headers: { 'content-type': 'application/json' } });
      case '/fetch':
        return Response.json({ ok: await fetchMany(url.searchParams.get('url')!, q('n', 100), q('c', 10)) });
      case '/sign':
        return Response.json({ n: await sign(url.searchParams.get('impl') ?? 'bare', q('size', 1024), q('n', 1000)) });
      case '/enqueue':
        return Response.json({ n: await enqueue(env, url.searchParams.get('url')!, q('n', 100)) });
      case '/transform':
        return Response.json({ ms: await transform(env, q('n', 100), url.searchParams.get('cold') === '1') });
      case '/open':
        return Response.json({ n: await openBatches(q('n', 1000), url.searchParams.get('cached') === '1') });
      case '/noop':
        return Response.json({ ok: true });
      default:
        return new Response('not found', { status: 404 });
    }
  },
} satisfies ExportedHandler<BareEnv, { url: string; n: number }>;
