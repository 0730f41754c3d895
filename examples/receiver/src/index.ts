// An example receiver Worker: verifies edgehook deliveries, dedupes on webhook-id, records them, and
// lists what it received on GET /received.
//
// Outside this repository, import the module from the package: `import { verify } from 'edgehook/verify'`.
import { verify, WebhookVerificationError } from '../../../src/verify/index.ts';

interface Env {
  RECEIVED: KVNamespace;
  WEBHOOK_SECRET: string;
}

interface Recorded {
  webhook_id: string;
  type: string;
  received_at: string;
  deliveries: number;
  data: unknown;
}

const json = (value: unknown, status = 200) => Response.json(value, { status });

async function receive(request: Request, env: Env): Promise<Response> {
  // The raw bytes, exactly as sent: parsing and re-serialising the JSON first would break the signature.
  const body = await request.text();
  let id: string;
  try {
    ({ id } = await verify(env.WEBHOOK_SECRET, body, request.headers));
  } catch (err) {
    if (err instanceof WebhookVerificationError) return json({ error: err.reason }, 401);
    throw err;
  }

  // Demo knob: `?fail_first=N` answers 503 to the first N deliveries of each webhook-id, so retries show.
  const failFirst = Number(new URL(request.url).searchParams.get('fail_first') ?? 0);
  const key = `msg:${id}`;
  const seen = await env.RECEIVED.get<Recorded>(key, 'json');
  const attempts = Number((await env.RECEIVED.get(`tries:${id}`)) ?? 0) + 1;
  await env.RECEIVED.put(`tries:${id}`, String(attempts));
  if (!seen && attempts <= failFirst) return json({ error: 'failing on purpose (fail_first)' }, 503);

  if (seen) {
    // At-least-once delivery: the same webhook-id again is acknowledged, not processed twice.
    await env.RECEIVED.put(key, JSON.stringify({ ...seen, deliveries: seen.deliveries + 1 }));
    return json({ ok: true, duplicate: true });
  }
  const payload = JSON.parse(body) as { type: string; data: unknown };
  const record: Recorded = { webhook_id: id, type: payload.type, received_at: new Date().toISOString(), deliveries: 1, data: payload.data };
  await env.RECEIVED.put(key, JSON.stringify(record));
  return json({ ok: true });
}

async function listReceived(env: Env): Promise<Response> {
  const keys = (await env.RECEIVED.list({ prefix: 'msg:' })).keys.map((k) => k.name);
  const values = keys.length ? await env.RECEIVED.get<Recorded>(keys.slice(0, 100), 'json') : new Map();
  return json({ data: [...values.values()].filter(Boolean) });
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method === 'GET' && pathname === '/received') return listReceived(env);
    if (request.method === 'POST') return receive(request, env);
    return json({ error: 'POST a delivery, or GET /received' }, 404);
  },
} satisfies ExportedHandler<Env>;
