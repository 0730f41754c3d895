// The article's receiver done right (examples/fastapi-receiver), end to end against `wrangler dev`: a real
// delivery is verified and recorded once, a redelivery of it is acknowledged as a duplicate, and requests
// with a tampered body or a stale timestamp are refused. Runs Debian's python3 with python3-fastapi and
// python3-uvicorn (`apt-get install python3-fastapi python3-uvicorn`; .ci/run installs them).
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
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
let edReceiver: ChildProcess;
let edReceiverUrl: string;
let edSubscription: { id: string; public_key: string };
/** A key pair of the test's own, whose public key the Ed25519 receiver also trusts: it signs requests edgehook would not send. */
const local = generateKeyPairSync('ed25519');
const localPublicKey = `whpk_${Buffer.from(local.publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64')}`;

const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(server.url + path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return { status: res.status, body: (await res.json()) as any };
};
const received = async (url = receiverUrl) => (await (await fetch(`${url}/received`)).json()) as { webhook_id: string; type: string; event: any }[];

/** uvicorn serving examples/fastapi-receiver on a free port, trusting `keys`; waits until it answers. */
async function startReceiver(keys: string, db: string, port?: number): Promise<{ child: ChildProcess; url: string }> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PYTHON, ['-m', 'uvicorn', 'app:app', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: `${ROOT}examples/fastapi-receiver`,
    env: { ...process.env, EDGEHOOK_SECRET: keys, RECEIVER_DB: db },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  await until(`uvicorn on ${port}:\n${output}`, async () => ((await fetch(`${url}/received`).catch(() => undefined))?.ok ? true : undefined));
  return { child, url };
}

/** A `v1a` signature made here with the test's own key, to send the receiver requests edgehook would not. */
function edSigned(body: string, { id = 'msg_ed_local', timestamp = Math.floor(Date.now() / 1000) } = {}) {
  const sig = sign(null, Buffer.from(`${id}.${timestamp}.${body}`), local.privateKey).toString('base64');
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1a,${sig}` };
}

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
    const check = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn, cryptography']);
    assert.equal(check.status, 0, `${PYTHON} lacks fastapi, uvicorn or cryptography: apt-get install python3-fastapi python3-uvicorn python3-cryptography\n${check.stderr}`);
    server = await startDevServer({ port: await freePort(), quiet: true, persistTo, vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true' } });
    // The subscription's URL names the receiver's port, so the port is picked first and then served.
    const port = await freePort();
    receiverUrl = `http://127.0.0.1:${port}`;
    const sub = await api('/v1/subscriptions', { method: 'POST', body: { url: `${receiverUrl}/receive_webhook`, events: ['order.*'] } });
    assert.equal(sub.status, 201);
    secret = sub.body.secret;
    receiver = (await startReceiver(secret, database, port)).child;
  });
  after(async () => {
    receiver?.kill('SIGTERM');
    edReceiver?.kill('SIGTERM');
    rmSync(`${database}.ed`, { force: true });
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

  it('verifies Ed25519 (v1a) deliveries with Python’s cryptography, through a key rotation, knowing only the first public key', async () => {
    const created = await api('/v1/subscriptions', { method: 'POST', body: { url: 'http://127.0.0.1:9/placeholder', events: ['parcel.*'], signature: 'ed25519' } });
    assert.equal(created.status, 201);
    edSubscription = created.body;
    // The receiver trusts the subscription's first public key, and the test's own (for the refusals below).
    ({ child: edReceiver, url: edReceiverUrl } = await startReceiver(`${edSubscription.public_key} ${localPublicKey}`, `${database}.ed`));
    const moved = await api(`/v1/subscriptions/${edSubscription.id}`, { method: 'PATCH', body: { url: `${edReceiverUrl}/receive_webhook` } });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));

    const first = await api('/v1/events', { method: 'POST', body: { type: 'parcel.sent', data: { parcel: 'p-1', note: 'héllo' } } });
    await until('the first Ed25519 delivery', async () => ((await received(edReceiverUrl)).some((r) => r.webhook_id === first.body.id) ? true : undefined));

    const rotated = await api(`/v1/subscriptions/${edSubscription.id}/secret/rotate`, { method: 'POST' });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.public_key, edSubscription.public_key);
    const second = await api('/v1/events', { method: 'POST', body: { type: 'parcel.sent', data: { parcel: 'p-2' } } });
    await until('a delivery during the overlap', async () => ((await received(edReceiverUrl)).some((r) => r.webhook_id === second.body.id) ? true : undefined));
    const event = await api(`/v1/events/${second.body.id}`);
    const delivery = await api(`/v1/deliveries/${event.body.deliveries[0].id}`);
    assert.equal(delivery.body.status, 'succeeded');
    assert.match(delivery.body.attempts[0].response_excerpt, /"status":"received"/);
  });

  it('refuses a v1a request with a tampered body, id or timestamp, and one only an unknown key signed', async () => {
    const body = '{"type":"parcel.sent","data":{"parcel":"p-9"}}';
    const post = (h: Record<string, string>, b = body) => fetch(`${edReceiverUrl}/receive_webhook`, { method: 'POST', headers: h, body: b });
    const good = edSigned(body, { id: 'msg_ed_good' });
    const answers = [
      await post(good, body.replace('p-9', 'p-8')),
      await post({ ...good, 'webhook-id': 'msg_ed_other' }),
      await post({ ...good, 'webhook-timestamp': String(Number(good['webhook-timestamp']) + 1) }),
    ];
    for (const a of answers) assert.deepEqual([a.status, await a.json()], [401, { error: 'no matching signature' }]);
    const stranger = generateKeyPairSync('ed25519');
    const foreign = `v1a,${sign(null, Buffer.from(`msg_ed_foreign.${good['webhook-timestamp']}.${body}`), stranger.privateKey).toString('base64')}`;
    assert.equal((await post({ ...good, 'webhook-id': 'msg_ed_foreign', 'webhook-signature': foreign })).status, 401);
    const accepted = await post(good);
    assert.deepEqual([accepted.status, await accepted.json()], [200, { status: 'received', webhook_id: 'msg_ed_good' }]);
    const ids = (await received(edReceiverUrl)).map((r) => r.webhook_id);
    assert.ok(ids.includes('msg_ed_good') && !ids.some((id) => ['msg_ed_other', 'msg_ed_foreign'].includes(id)), `recorded: ${ids}`);
  });
});
