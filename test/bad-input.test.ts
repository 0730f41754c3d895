// Bad input: every malformed request is a 4xx problem+json, never a 5xx, and stores nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, env } from './support/helpers';
import { logCounts } from './support/log';

interface Case {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  status: number;
}

const sub = (fields: Record<string, unknown>) => JSON.stringify({ url: 'https://example.com/hook', events: ['*'], ...fields });
const evt = (fields: Record<string, unknown>) => JSON.stringify({ type: 'order.created', data: { a: 1 }, ...fields });
/** A JSON body whose string holds bytes that are not UTF-8. */
const notUtf8 = (before: string, after: string) => new Uint8Array([...new TextEncoder().encode(before), 0xff, 0xfe, 0xc3, ...new TextEncoder().encode(after)]);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const REFUSED_URLS = [
  'not a url',
  '/relative/path',
  'ftp://example.com/hook',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'data:text/plain,hi',
  'ws://example.com/socket',
  'http://10.0.0.1/hook',
  'http://10.255.255.255/',
  'http://172.16.0.1/',
  'http://172.31.255.1/',
  'http://192.168.1.1/',
  'http://100.64.0.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://0.0.0.0/',
  'http://0x0a000001/',
  'http://167772161/',
  'http://[fd00:ec2::254]/',
  'http://[fe80::1]/',
  'http://[fc00::1]/',
  'http://[::ffff:10.0.0.1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::a00:1]/',
  'http://[::]/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://service.internal/',
  'http://printer.local/',
  'http://intranet/',
  'https://user:pass@example.com/hook',
  'https://example.com/hook#fragment',
  'https://example.com/\r\nx-injected: 1',
  'https://exa mple.com/',
  `https://example.com/${'a'.repeat(3000)}`,
];

const CASES: Case[] = [
  // Subscriptions: JSON and types
  { name: 'malformed JSON', method: 'POST', path: '/v1/subscriptions', body: '{"url":', status: 400 },
  { name: 'trailing garbage', method: 'POST', path: '/v1/subscriptions', body: `${sub({})}xyz`, status: 400 },
  { name: 'deeply nested JSON', method: 'POST', path: '/v1/subscriptions', body: `{"url":"https://example.com","events":${nested(20000)}}`, status: 422 },
  { name: 'array body', method: 'POST', path: '/v1/subscriptions', body: '[]', status: 422 },
  { name: 'null body', method: 'POST', path: '/v1/subscriptions', body: 'null', status: 422 },
  { name: 'string body', method: 'POST', path: '/v1/subscriptions', body: '"hello"', status: 422 },
  { name: 'empty body', method: 'POST', path: '/v1/subscriptions', body: '', status: 400 },
  { name: 'missing url', method: 'POST', path: '/v1/subscriptions', body: JSON.stringify({ events: ['*'] }), status: 422 },
  { name: 'missing events', method: 'POST', path: '/v1/subscriptions', body: JSON.stringify({ url: 'https://example.com' }), status: 422 },
  { name: 'empty events', method: 'POST', path: '/v1/subscriptions', body: sub({ events: [] }), status: 422 },
  { name: 'events not an array', method: 'POST', path: '/v1/subscriptions', body: sub({ events: '*' }), status: 422 },
  { name: 'event pattern a..b', method: 'POST', path: '/v1/subscriptions', body: sub({ events: ['a..b'] }), status: 422 },
  { name: 'event pattern a.*.b', method: 'POST', path: '/v1/subscriptions', body: sub({ events: ['a.*.b'] }), status: 422 },
  { name: 'event pattern **', method: 'POST', path: '/v1/subscriptions', body: sub({ events: ['**'] }), status: 422 },
  { name: 'event pattern number', method: 'POST', path: '/v1/subscriptions', body: sub({ events: [1] }), status: 422 },
  { name: 'event pattern emoji', method: 'POST', path: '/v1/subscriptions', body: sub({ events: ['order.🎉'] }), status: 422 },
  { name: 'event pattern lone surrogate', method: 'POST', path: '/v1/subscriptions', body: sub({ events: ['a\ud800'] }), status: 422 },
  { name: '101 event patterns', method: 'POST', path: '/v1/subscriptions', body: sub({ events: Array.from({ length: 101 }, (_, i) => `e${i}`) }), status: 422 },
  { name: 'url number', method: 'POST', path: '/v1/subscriptions', body: sub({ url: 42 }), status: 422 },
  { name: 'url null', method: 'POST', path: '/v1/subscriptions', body: sub({ url: null }), status: 422 },
  { name: 'description number', method: 'POST', path: '/v1/subscriptions', body: sub({ description: 5 }), status: 422 },
  { name: 'description too long', method: 'POST', path: '/v1/subscriptions', body: sub({ description: 'x'.repeat(2000) }), status: 422 },
  { name: 'metadata array', method: 'POST', path: '/v1/subscriptions', body: sub({ metadata: ['a'] }), status: 422 },
  { name: 'metadata number value', method: 'POST', path: '/v1/subscriptions', body: sub({ metadata: { a: 1 } }), status: 422 },
  { name: 'unknown field', method: 'POST', path: '/v1/subscriptions', body: sub({ secrets: ['x'] }), status: 422 },
  { name: 'secret not whsec_', method: 'POST', path: '/v1/subscriptions', body: sub({ secret: 'hunter2' }), status: 422 },
  { name: 'secret too short', method: 'POST', path: '/v1/subscriptions', body: sub({ secret: 'whsec_c2hvcnQ=' }), status: 422 },
  { name: 'github_signature string', method: 'POST', path: '/v1/subscriptions', body: sub({ github_signature: 'yes' }), status: 422 },
  { name: 'text/plain body', method: 'POST', path: '/v1/subscriptions', body: sub({}), headers: { 'content-type': 'text/plain' }, status: 415 },
  { name: 'form body', method: 'POST', path: '/v1/subscriptions', body: 'url=x', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
  { name: 'subscription body over 256 KiB', method: 'POST', path: '/v1/subscriptions', body: sub({ description: 'x'.repeat(270_000) }), status: 413 },
  { name: 'body over 64 KiB', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'big.type', description: 'x'.repeat(70_000) }), status: 413 },
  ...REFUSED_URLS.map((url) => ({ name: `refused url ${JSON.stringify(url).slice(0, 60)}`, method: 'POST', path: '/v1/subscriptions', body: sub({ url }), status: 422 })),
  // Subscriptions: changes and reads
  { name: 'patch disabled string', method: 'PATCH', path: '/v1/subscriptions/sub_nope', body: JSON.stringify({ disabled: 'yes' }), status: 422 },
  { name: 'patch unknown field', method: 'PATCH', path: '/v1/subscriptions/sub_nope', body: JSON.stringify({ secret: 'whsec_x' }), status: 422 },
  { name: 'patch missing subscription', method: 'PATCH', path: '/v1/subscriptions/sub_nope', body: JSON.stringify({ disabled: true }), status: 404 },
  { name: 'read missing subscription', method: 'GET', path: '/v1/subscriptions/sub_nope', status: 404 },
  { name: 'delete missing subscription', method: 'DELETE', path: '/v1/subscriptions/sub_nope', status: 404 },
  { name: 'list limit 0', method: 'GET', path: '/v1/subscriptions?limit=0', status: 400 },
  { name: 'list limit 1000', method: 'GET', path: '/v1/subscriptions?limit=1000', status: 400 },
  { name: 'list limit abc', method: 'GET', path: '/v1/subscriptions?limit=abc', status: 400 },
  { name: 'list limit 1.5', method: 'GET', path: '/v1/subscriptions?limit=1.5', status: 400 },
  // Events
  { name: 'event malformed JSON', method: 'POST', path: '/v1/events', body: '{"type":"a","data":{', status: 400 },
  { name: 'event deeply nested data', method: 'POST', path: '/v1/events', body: `{"type":"a","data":{"x":${nested(20000)}}}`, status: 422 },
  { name: 'event data 65 levels deep', method: 'POST', path: '/v1/events', body: `{"type":"a","data":{"x":${nested(64)}}}`, status: 422 },
  { name: 'event missing type', method: 'POST', path: '/v1/events', body: JSON.stringify({ data: {} }), status: 422 },
  { name: 'event empty type', method: 'POST', path: '/v1/events', body: evt({ type: '' }), status: 422 },
  { name: 'event type a..b', method: 'POST', path: '/v1/events', body: evt({ type: 'a..b' }), status: 422 },
  { name: 'event type wildcard', method: 'POST', path: '/v1/events', body: evt({ type: 'order.*' }), status: 422 },
  { name: 'event type too long', method: 'POST', path: '/v1/events', body: evt({ type: 'a'.repeat(129) }), status: 422 },
  { name: 'event type number', method: 'POST', path: '/v1/events', body: evt({ type: 7 }), status: 422 },
  { name: 'event type unicode', method: 'POST', path: '/v1/events', body: evt({ type: 'commande.créée' }), status: 422 },
  { name: 'event type RTL override', method: 'POST', path: '/v1/events', body: evt({ type: 'order\u202ecreated' }), status: 422 },
  { name: 'event missing data', method: 'POST', path: '/v1/events', body: JSON.stringify({ type: 'a' }), status: 422 },
  { name: 'event data array', method: 'POST', path: '/v1/events', body: evt({ data: [1, 2] }), status: 422 },
  { name: 'event data string', method: 'POST', path: '/v1/events', body: evt({ data: 'x' }), status: 422 },
  { name: 'event data null', method: 'POST', path: '/v1/events', body: evt({ data: null }), status: 422 },
  { name: 'event id with space', method: 'POST', path: '/v1/events', body: evt({ id: 'a b' }), status: 422 },
  { name: 'event id with dot', method: 'POST', path: '/v1/events', body: evt({ id: 'a.b' }), status: 422 },
  { name: 'event id too long', method: 'POST', path: '/v1/events', body: evt({ id: 'x'.repeat(200) }), status: 422 },
  { name: 'event unknown field', method: 'POST', path: '/v1/events', body: evt({ payload: {} }), status: 422 },
  { name: 'event private callback_url', method: 'POST', path: '/v1/events', body: evt({ callback_url: 'http://10.1.2.3/cb' }), status: 422 },
  { name: 'event ftp callback_url', method: 'POST', path: '/v1/events', body: evt({ callback_url: 'ftp://example.com/cb' }), status: 422 },
  { name: 'event over 1 MiB', method: 'POST', path: '/v1/events', body: evt({ data: { blob: 'x'.repeat(1024 * 1024) } }), status: 413 },
  { name: 'event text/plain', method: 'POST', path: '/v1/events', body: evt({}), headers: { 'content-type': 'text/plain' }, status: 415 },
  { name: 'idempotency key too long', method: 'POST', path: '/v1/events', body: evt({}), headers: { 'idempotency-key': 'k'.repeat(300) }, status: 400 },
  { name: 'idempotency key with space', method: 'POST', path: '/v1/events', body: evt({}), headers: { 'idempotency-key': 'a b' }, status: 400 },
  { name: 'idempotency key latin-1', method: 'POST', path: '/v1/events', body: evt({}), headers: { 'idempotency-key': 'caf\u00e9' }, status: 400 },
  { name: 'read missing event', method: 'GET', path: '/v1/events/evt_nope', status: 404 },
  // Deliveries
  { name: 'read missing delivery', method: 'GET', path: '/v1/deliveries/dlv_nope', status: 404 },
  { name: 'redeliver missing delivery', method: 'POST', path: '/v1/deliveries/dlv_nope/redeliver', status: 404 },
  { name: 'deliveries bad status', method: 'GET', path: '/v1/deliveries?status=done', status: 400 },
  { name: 'deliveries limit -1', method: 'GET', path: '/v1/deliveries?limit=-1', status: 400 },
  { name: 'deliveries limit huge', method: 'GET', path: '/v1/deliveries?limit=99999999999999999999', status: 400 },
  // Event types
  { name: 'event type bad name', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a b' }), status: 422 },
  { name: 'event type wildcard name', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a.*' }), status: 422 },
  { name: 'event type schema not an object', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a', schema: 'string' }), status: 422 },
  { name: 'event type unusable schema', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a', schema: { type: 'nope' } }), status: 422 },
  { name: 'event type unknown field', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a', version: 2 }), status: 422 },
  { name: 'read missing event type', method: 'GET', path: '/v1/event-types/no.such.type', status: 404 },
  { name: 'delete missing event type', method: 'DELETE', path: '/v1/event-types/no.such.type', status: 404 },
  { name: 'event type path with bad name', method: 'GET', path: '/v1/event-types/a..b', status: 400 },
  // Operator tools
  { name: 'recover missing since', method: 'POST', path: '/v1/subscriptions/sub_nope/recover', body: '{}', status: 422 },
  { name: 'recover since not a time', method: 'POST', path: '/v1/subscriptions/sub_nope/recover', body: JSON.stringify({ since: 'last week' }), status: 422 },
  { name: 'recover missing subscription', method: 'POST', path: '/v1/subscriptions/sub_nope/recover', body: JSON.stringify({ since: '2026-01-01T00:00:00Z' }), status: 404 },
  { name: 'rotate with malformed secret', method: 'POST', path: '/v1/subscriptions/sub_nope/secret/rotate', body: JSON.stringify({ secret: 5 }), status: 422 },
  { name: 'rotate missing subscription', method: 'POST', path: '/v1/subscriptions/sub_nope/secret/rotate', body: '{}', status: 404 },
  { name: 'test missing subscription', method: 'POST', path: '/v1/subscriptions/sub_nope/test', status: 404 },
  // Kept as sent or refused: bytes, cursors, schemas
  { name: 'idempotency key reused with another body', method: 'POST', path: '/v1/events', body: evt({ data: { a: 2 } }), headers: { 'idempotency-key': 'table-key' }, status: 409 },
  { name: 'event id reused with another body', method: 'POST', path: '/v1/events', body: evt({ id: 'table-id', data: { a: 2 } }), status: 409 },
  { name: 'event with invalid UTF-8', method: 'POST', path: '/v1/events', body: notUtf8('{"type":"a","data":{"x":"', '"}}'), status: 400 },
  { name: 'subscription with invalid UTF-8', method: 'POST', path: '/v1/subscriptions', body: notUtf8('{"url":"https://example.com/h","events":["*"],"description":"', '"}'), status: 400 },
  { name: 'deliveries cursor garbage', method: 'GET', path: '/v1/deliveries?cursor=%25%25%25garbage', status: 400 },
  { name: 'deliveries cursor not a delivery id', method: 'GET', path: '/v1/deliveries?cursor=dlv_x', status: 400 },
  { name: 'subscriptions cursor garbage', method: 'GET', path: '/v1/subscriptions?cursor=%25%25%25garbage', status: 400 },
  { name: 'event types cursor garbage', method: 'GET', path: '/v1/event-types?cursor=%25%25%25garbage', status: 400 },
  { name: 'event type schema $ref to nowhere', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a', schema: { type: 'object', properties: { x: { $ref: '#/$defs/missing' } } } }), status: 422 },
  { name: 'event type schema remote $ref', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a', schema: { $ref: 'https://example.com/schema.json' } }), status: 422 },
  { name: 'event type schema pattern too long', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a', schema: { type: 'string', pattern: 'a'.repeat(257) } }), status: 422 },
  { name: 'event type schema pattern not a regex', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a', schema: { type: 'string', pattern: '(' } }), status: 422 },
  { name: 'event type schema patternProperties too long', method: 'POST', path: '/v1/event-types', body: JSON.stringify({ name: 'a', schema: { patternProperties: { ['b'.repeat(300)]: {} } } }), status: 422 },
  // Routing
  { name: 'PUT on a collection', method: 'PUT', path: '/v1/subscriptions', body: sub({}), status: 404 },
  { name: 'unknown route', method: 'GET', path: '/v1/whatever', status: 404 },
];

async function storedState() {
  const types = await env.DB.prepare('SELECT count(*) AS types FROM event_types').first();
  const counts = { ...(await logCounts()), ...types };
  const kv = (await env.SUBSCRIPTIONS.list()).keys.map((k) => k.name);
  return { counts, kv };
}

describe('bad input', () => {
  let before: Awaited<ReturnType<typeof storedState>>;
  beforeAll(async () => {
    // The first uses of a key and of an id: the table's reuses with another body must be refused.
    expect((await api('/v1/events', { method: 'POST', body: evt({}), headers: { 'content-type': 'application/json', 'idempotency-key': 'table-key' } })).status).toBe(202);
    expect((await api('/v1/events', { method: 'POST', body: evt({ id: 'table-id' }), headers: { 'content-type': 'application/json' } })).status).toBe(202);
    before = await storedState();
  });

  it(`has at least 60 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...c.headers };
    const res = await api(c.path, { method: c.method, body: c.body, headers });
    const text = await res.text();
    expect(res.status, text).toBe(c.status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = JSON.parse(text) as Record<string, unknown>;
    expect(problem).toMatchObject({ type: 'about:blank', status: c.status });
    expect(typeof problem.title).toBe('string');
    expect(typeof problem.detail).toBe('string');
    expect(text).not.toMatch(/at .+\.(ts|js):\d+/); // no stack trace
    if (c.status === 422) expect(Array.isArray(problem.errors) && problem.errors.length > 0).toBe(true);
  });

  it('left the stored state as it was', async () => {
    expect(await storedState()).toEqual(before);
  });
});
