// Real HTTP receivers on 127.0.0.1 for the tests: each name has a log and a script of answers.
// Runs in Node (Vitest globalSetup); tests in workerd drive it over HTTP.
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Action, Received } from './receiver-types';

interface Receiver {
  script: Action[];
  fallback: Action;
  log: Received[];
  faults: Map<string, number>;
}

type Concrete = Exclude<Action, { chaos: unknown } | { match: unknown }>;

/** Turns a chaos or match action into a concrete one for this request. */
function resolve(action: Action, r: Receiver, webhookId: string, body: string): Concrete {
  if ('match' in action) {
    const m = action.match;
    if (!body.includes(m.text)) return { status: 200 };
    const seen = r.faults.get(`match:${m.text}`) ?? 0;
    r.faults.set(`match:${m.text}`, seen + 1);
    return seen < m.times ? { status: m.status } : { status: 200 };
  }
  if (!('chaos' in action)) return action;
  const c = action.chaos;
  const faults = r.faults.get(webhookId) ?? 0;
  if (faults >= c.max_faults) return { status: 200 };
  const x = Math.random();
  let pick: Concrete | null = null;
  if (x < c.p500) pick = { status: 500 };
  else if (x < c.p500 + c.p429) pick = { status: 429, headers: { 'retry-after': '1' } };
  else if (x < c.p500 + c.p429 + c.hang) pick = { hang: true };
  else if (x < c.p500 + c.p429 + c.hang + c.reset) pick = { reset: true };
  if (!pick) return { status: 200 };
  r.faults.set(webhookId, faults + 1);
  return pick;
}

/** A raw 32-byte Ed25519 public key as Node takes it: behind the fixed SPKI DER header (RFC 8410). */
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Each `v1a` entry of a request's `webhook-signature`, checked by Node's own `crypto.verify` against
 * raw public keys (`whpk_…`): which key verifies it (null: none). The tests' independent Ed25519 verifier.
 */
function ed25519Check(input: { public_keys: string[]; headers: Record<string, string>; body: string }) {
  const keys = input.public_keys.map((k) => ({ text: k, key: createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(k.slice('whpk_'.length), 'base64')]), format: 'der', type: 'spki' }) }));
  const signed = Buffer.from(`${input.headers['webhook-id']}.${input.headers['webhook-timestamp']}.${input.body}`, 'utf8');
  const entries = (input.headers['webhook-signature'] ?? '').split(' ').filter((e) => e.startsWith('v1a,'));
  return entries.map((e) => {
    const sig = Buffer.from(e.slice(4), 'base64');
    return keys.find((k) => nodeVerify(null, signed, k.key, sig))?.text ?? null;
  });
}

export interface ReceiverServer {
  origin: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, value: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export async function startReceiverServer(): Promise<ReceiverServer> {
  const receivers = new Map<string, Receiver>();
  const get = (name: string) => {
    let r = receivers.get(name);
    if (!r) receivers.set(name, (r = { script: [], fallback: { status: 200 }, log: [], faults: new Map() }));
    return r;
  };

  const server: Server = createServer(async (req, res) => {
    const [, kind, name] = (req.url ?? '').split('?')[0]!.split('/');
    if (!name) return json(res, 404, { error: 'no receiver name' });
    const body = await readBody(req);
    if (kind === '_script' && req.method === 'POST') {
      const { actions = [], fallback } = JSON.parse(body) as { actions?: Action[]; fallback?: Action };
      const r = get(name);
      r.script = actions;
      if (fallback) r.fallback = fallback;
      return json(res, 200, { ok: true });
    }
    if (kind === '_log') return json(res, 200, get(name).log);
    if (kind === '_ed25519' && req.method === 'POST') return json(res, 200, ed25519Check(JSON.parse(body)));
    if (kind !== 'hook') return json(res, 404, { error: 'unknown path' });

    const r = get(name);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const action = resolve(r.script.shift() ?? r.fallback, r, headers['webhook-id'] ?? '', body);
    const answer = 'reset' in action ? 'reset' : 'hang' in action ? 'hang' : action.status;
    r.log.push({ at: Date.now(), headers, body, answer });
    if ('reset' in action) return req.socket.destroy();
    if ('hang' in action) return; // never answers; the socket is destroyed when the server closes
    if (action.delay_ms) await new Promise((ok) => setTimeout(ok, action.delay_ms));
    res.writeHead(action.status, { 'content-type': 'text/plain', ...action.headers });
    res.end(action.body ?? `answered ${action.status}`);
  });
  // Longer than any test: an idle keep-alive socket closed under a reusing client reads as a network error.
  server.keepAliveTimeout = 120_000;

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
