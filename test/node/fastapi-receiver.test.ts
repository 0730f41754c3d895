// The article's receiver done right (examples/fastapi-receiver), end to end against `wrangler dev`: a real
// delivery is verified and recorded once, a redelivery of it is acknowledged as a duplicate, and requests
// with a tampered body or a stale timestamp are refused. Runs Debian's python3 with python3-fastapi and
// python3-uvicorn (`apt-get install python3-fastapi python3-uvicorn`; .ci/run installs them).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, ROOT, startDevServer } from '../../scripts/lib/dev-server.mjs';

const PYTHON = process.env.EDGEHOOK_PYTHON ?? '/usr/bin/python3';
const TOKEN = 'fastapi-test-token';
const persistTo = `${ROOT}.wrangler/fastapi-test-${process.pid}`;
const database = `${ROOT}.wrangler/fastapi-received-${process.pid}.db`;
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
let server: Awaited<ReturnType<typeof startDevServer>>;
let receiver: ChildProcess;
let receiverUrl: string;
let secret: string;

const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(server.url + path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return { status: res.status, body: (await res.json()) as any };
};
const received = async () => (await (await fetch(`${receiverUrl}/received`)).json()) as { webhook_id: string; type: string; event: any }[];

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A Standard Webhooks signature made here, to send the receiver requests edgehook would not. */
function signed(body: string, { id = 'msg_refused', timestamp = Math.floor(Date.now() / 1000), key = secret } = {}) {
  const raw = Buffer.from(key.slice('whsec_'.length), 'base64');
  const sig = createHmac('sha256', raw).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${sig}` };
}

describe('the FastAPI receiver (examples/fastapi-receiver) against edgehook', () => {
  before(async () => {
    const check = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn']);
    assert.equal(check.status, 0, `${PYTHON} lacks fastapi or uvicorn: apt-get install python3-fastapi python3-uvicorn\n${check.stderr}`);
    server = await startDevServer({ port: await freePort(), quiet: true, persistTo, vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true' } });
    const port = await freePort();
    receiverUrl = `http://127.0.0.1:${port}`;
    const sub = await api('/v1/subscriptions', { method: 'POST', body: { url: `${receiverUrl}/receive_webhook`, events: ['order.*'] } });
    assert.equal(sub.status, 201);
    secret = sub.body.secret;
    receiver = spawn(PYTHON, ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(port)], {
      cwd: `${ROOT}examples/fastapi-receiver`,
      env: { ...process.env, EDGEHOOK_SECRET: secret, RECEIVER_DB: database },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    receiver.stderr!.on('data', (d) => (output += d));
    await until(`uvicorn on ${port}:\n${output}`, async () => ((await fetch(`${receiverUrl}/received`).catch(() => undefined))?.ok ? true : undefined));
  });
  after(async () => {
    receiver?.kill('SIGTERM');
    await server?.stop();
    rmSync(persistTo, { recursive: true, force: true });
    rmSync(database, { force: true });
  });

  it('verifies a real delivery and records it once; a redelivery is acknowledged as a duplicate', async () => {
    const sent = await api('/v1/events', { method: 'POST', body: { type: 'order.updated', data: { order_id: '12345', new_status: 'shipped', note: 'héllo “quoted”' } } });
    assert.equal(sent.status, 202);
    const first = await until('the delivery', async () => ((await received()).length ? await received() : undefined));
    assert.equal(first.length, 1);
    assert.equal(first[0]!.webhook_id, sent.body.id);
    assert.deepEqual(first[0]!.event.data, { order_id: '12345', new_status: 'shipped', note: 'héllo “quoted”' });

    const event = await api(`/v1/events/${sent.body.id}`);
    const deliveryId = event.body.deliveries[0].id as string;
    const delivered = await until('a succeeded delivery', async () => {
      const d = await api(`/v1/deliveries/${deliveryId}`);
      return d.body.status === 'succeeded' ? d.body : undefined;
    });
    assert.match(delivered.attempts[0].response_excerpt, /"status":"received"/);

    assert.equal((await api(`/v1/deliveries/${deliveryId}/redeliver`, { method: 'POST' })).status, 202);
    const again = await until('the redelivery', async () => {
      const d = await api(`/v1/deliveries/${deliveryId}`);
      return d.body.attempts.length === 2 && d.body.status === 'succeeded' ? d.body : undefined;
    });
    const excerpts = again.attempts.map((a: { response_excerpt: string }) => a.response_excerpt).join(' ');
    assert.match(excerpts, /"status":"duplicate"/);
    assert.equal((await received()).length, 1, 'a redelivery must not be recorded twice');
  });

  it('refuses a tampered body and a stale or future timestamp; accepts any one of several signatures', async () => {
    const body = '{"type":"order.updated","data":{"order_id":"1",  "new_status":"paid"}}';
    const post = (h: Record<string, string>, b = body) => fetch(`${receiverUrl}/receive_webhook`, { method: 'POST', headers: h, body: b });

    const tampered = await post(signed(body), body.replace('paid', 'refunded'));
    assert.equal(tampered.status, 401);
    assert.deepEqual(await tampered.json(), { error: 'no matching signature' });

    const stale = await post(signed(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }));
    assert.equal(stale.status, 401);
    assert.deepEqual(await stale.json(), { error: 'timestamp too old' });
    const future = await post(signed(body, { timestamp: Math.floor(Date.now() / 1000) + 600 }));
    assert.deepEqual(await future.json(), { error: 'timestamp too new' });

    const missing = await post({ 'content-type': 'application/json' });
    assert.deepEqual(await missing.json(), { error: 'missing header' });
    const otherKey = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const wrongSecret = await post(signed(body, { key: otherKey }));
    assert.equal(wrongSecret.status, 401);

    // The raw bytes, odd spacing and all, verify; one good signature among others is enough (rotation).
    const good = signed(body, { id: 'msg_several' });
    const several = { ...good, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${good['webhook-signature']}` };
    const accepted = await post(several);
    assert.equal(accepted.status, 200);
    assert.deepEqual(await accepted.json(), { status: 'received', webhook_id: 'msg_several' });
    const ids = (await received()).map((r) => r.webhook_id);
    assert.ok(ids.includes('msg_several') && !ids.includes('msg_refused'), `recorded: ${ids}`);
  });
});
