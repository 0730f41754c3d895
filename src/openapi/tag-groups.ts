// The reference's table of contents: each tag described, and the routes served under
// `/v1/applications/{app}/…` in tags of their own ("…, by application"), so that the sidebar does not
// list every operation twice under one name. Grouped with `x-tagGroups`, which the reference UI reads.
type Json = Record<string, any>;

const NESTED = '/v1/applications/{app}/';
const BY_APPLICATION = ', by application';

const TAGS: Record<string, string> = {
  Service: 'Liveness, and the OpenAPI document itself at `GET /openapi.json`.',
  Applications: "Each customer of yours is an **application**: it owns its subscriptions, events and deliveries. `uid` is your own id for it; every `{app}` takes either.",
  'API keys': 'Bearer tokens, scoped to all applications (`operator`) or to one. A key is shown once, stored as a hash only, and revoked at once.',
  Subscriptions: 'A receiver URL and the event types it wants (`order.*`, `*`), signed with an HMAC `secret` or an Ed25519 key pair (`signature`), optional payload `filter`, custom `headers`, and flow control (`rate_limit`, `ordering`, pause).',
  Events: 'What producers send. `202` means durable; fan-out to the matching subscriptions happens after the answer.',
  Deliveries: 'One per event and subscription, with every attempt: status, duration, response excerpt. Redeliver any of them.',
  'Event types': 'The catalogue of event types, each with an optional JSON Schema (and examples) for its `data`: events are validated against it and receivers see it under *Webhooks*.',
  Receiving: 'What receivers fetch without a token: the public keys (JWKS) that verify an Ed25519 subscription’s webhooks.',
  Stats: 'Attempt counts, success rate and latency percentiles over a window, from counters kept as attempts are recorded.',
};

export function withTagGroups<T extends object>(doc: T): T {
  const copy = doc as Json;
  const nestedTags = new Set<string>();
  for (const [path, item] of Object.entries(copy.paths ?? {}) as [string, Json][]) {
    if (!path.startsWith(NESTED)) continue;
    for (const op of Object.values(item) as Json[]) {
      if (!Array.isArray(op?.tags)) continue;
      op.tags = op.tags.map((t: string) => (t === 'Applications' ? t : `${t}${BY_APPLICATION}`));
      for (const t of op.tags) if (t.endsWith(BY_APPLICATION)) nestedTags.add(t);
    }
  }
  const flat = Object.keys(TAGS);
  const nested = flat.map((t) => `${t}${BY_APPLICATION}`).filter((t) => nestedTags.has(t));
  copy.tags = [
    ...flat.map((name) => ({ name, description: TAGS[name] })),
    ...nested.map((name) => ({ name, description: `The same operations as *${name.slice(0, -BY_APPLICATION.length)}*, on the application named by \`{app}\` (its id or uid) instead of the key's own.` })),
  ];
  copy['x-tagGroups'] = [
    { name: 'API', tags: flat },
    { name: 'By application: /v1/applications/{app}/…', tags: nested },
  ];
  return doc;
}
