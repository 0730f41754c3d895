// Real HTTP receivers on 127.0.0.1 for the tests: each name has a log and a script of answers.
// Runs in Node (Vitest globalSetup); tests in workerd drive it over HTTP.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Action, Received } from './receiver-types';

interface Receiver {
  script: Action[];
  fallback: Action;
  log: Received[];
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
    if (!r) receivers.set(name, (r = { script: [], fallback: { status: 200 }, log: [] }));
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
    if (kind !== 'hook') return json(res, 404, { error: 'unknown path' });

    const r = get(name);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    r.log.push({ at: Date.now(), headers, body });
    const action = r.script.shift() ?? r.fallback;
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
