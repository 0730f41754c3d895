// Test helpers inside workerd: call the whole Worker, and talk to the local receivers.
import { env, exports } from 'cloudflare:workers';
import { inject, vi } from 'vitest';
import type { Action, Received } from './receiver-types';

export const TOKEN = 'test-token';
const BASE = 'https://edgehook.test';

export function api(path: string, init: RequestInit & { json?: unknown; token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json);
  }
  return exports.default.fetch(new Request(BASE + path, { ...init, headers, body }));
}

export async function apiJson<T = any>(path: string, init?: Parameters<typeof api>[1]): Promise<{ status: number; body: T; res: Response }> {
  const res = await api(path, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, res };
}

export interface TestReceiver {
  name: string;
  url: string;
  script(actions: Action[], fallback?: Action): Promise<void>;
  log(): Promise<Received[]>;
}

export function receiver(label: string): TestReceiver {
  const origin = inject('receiverOrigin');
  const name = `${label}-${crypto.randomUUID().slice(0, 8)}`;
  return {
    name,
    url: `${origin}/hook/${name}`,
    async script(actions, fallback) {
      const res = await fetch(`${origin}/_script/${name}`, { method: 'POST', body: JSON.stringify({ actions, fallback }) });
      if (!res.ok) throw new Error(`script ${name}: ${res.status}`);
      await res.text();
    },
    async log() {
      return (await (await fetch(`${origin}/_log/${name}`)).json()) as Received[];
    },
  };
}

export async function createSubscription(url: string, events: string[] = ['*'], extra: Record<string, unknown> = {}) {
  const { status, body } = await apiJson('/v1/subscriptions', { method: 'POST', json: { url, events, ...extra } });
  if (status !== 201) throw new Error(`create subscription: ${status} ${JSON.stringify(body)}`);
  return body as { id: string; secret: string; url: string; events: string[] };
}

export async function sendEvent(type: string, data: Record<string, unknown> = {}, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const { status, body } = await apiJson('/v1/events', { method: 'POST', json: { type, data, ...extra }, headers });
  if (status !== 202) throw new Error(`send event: ${status} ${JSON.stringify(body)}`);
  return body as { id: string; type: string; created_at: string };
}

/**
 * Polls until `fn` returns a truthy value (vi.waitUntil), bounded in time. `explain`: what to say of
 * the state things were left in when time runs out (so that a rare failure tells where it stopped).
 */
export async function eventually<T>(fn: () => Promise<T | false | undefined | null>, timeout = 20_000, explain?: () => Promise<unknown>): Promise<T> {
  try {
    return await vi.waitUntil(fn as () => Promise<T>, { timeout, interval: 100 });
  } catch (err) {
    if (!explain) throw err;
    throw new Error(`${String(err)}; left as ${JSON.stringify(await explain().catch((e) => String(e)))}`);
  }
}

export async function deliveriesOf(eventId: string) {
  return (await apiJson(`/v1/events/${eventId}`)).body.deliveries as Array<{ id: string; subscription_id: string; status: string; attempt_count: number }>;
}

/** Waits until the delivery of `eventId` to `subscriptionId` has `status`, and returns it. */
export function settledDelivery(eventId: string, subscriptionId: string, status = 'succeeded', timeout?: number) {
  return eventually(async () => {
    const d = (await deliveriesOf(eventId)).find((x) => x.subscription_id === subscriptionId);
    return d?.status === status && d;
  }, timeout);
}

export { env };

/** A new application (operator token), and a key scoped to it. */
export async function newApplication(name: string, uid?: string) {
  const { status, body } = await apiJson('/v1/applications', { method: 'POST', json: { name, ...(uid ? { uid } : {}) } });
  if (status !== 201) throw new Error(`create application: ${status} ${JSON.stringify(body)}`);
  const key = await apiJson('/v1/api-keys', { method: 'POST', json: { name: `${name} key`, scope: body.id } });
  if (key.status !== 201) throw new Error(`create key: ${key.status} ${JSON.stringify(key.body)}`);
  return { id: body.id as string, uid: body.uid as string | null, key: key.body.key as string, keyId: key.body.id as string };
}
