// The OpenAPI document against the running service (wrangler dev): valid OpenAPI 3.1 for an independent
// validator, live webhooks, and a typed client generated from it that drives the API.
import { validate } from '@readme/openapi-parser';
import createClient from 'openapi-fetch';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { paths } from '../../src/client/api.ts';
import { clientTypes } from '../../scripts/lib/client-types.mjs';
import { freePort, ROOT, startDevServer } from '../../scripts/lib/dev-server.mjs';

const TOKEN = 'node-test-token';
const persistTo = `${ROOT}.wrangler/node-test-${process.pid}`;
let server: Awaited<ReturnType<typeof startDevServer>>;
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const documentNow = async () => (await fetch(`${server.url}/openapi.json`)).json() as Promise<Record<string, any>>;

describe('OpenAPI document of the running service', () => {
  before(async () => {
    server = await startDevServer({ port: await freePort(), quiet: true, persistTo, vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true' } });
  });
  after(async () => {
    await server?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  });

  it('matches the committed typed client (npm run gen:client)', async () => {
    const committed = readFileSync(`${ROOT}src/client/api.ts`, 'utf8');
    assert.equal(await clientTypes(await documentNow()), committed, 'src/client/api.ts is stale: run npm run gen:client');
  });

  it('validates as OpenAPI 3.1 with @readme/openapi-parser', async () => {
    const doc = await documentNow();
    assert.equal(doc.openapi, '3.1.0');
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    assert.equal(result.valid, true, JSON.stringify(result, null, 2).slice(0, 2000));
  });

  it('stays valid with registered event types under webhooks, and follows them', async () => {
    const schema = { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } } };
    const res = await fetch(`${server.url}/v1/event-types`, { method: 'POST', headers, body: JSON.stringify({ name: 'stock.low', schema }) });
    assert.equal(res.status, 201);
    let doc = await documentNow();
    assert.deepEqual(doc.webhooks['stock.low'].post.requestBody.content['application/json'].schema.properties.data, schema);
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    assert.equal(result.valid, true, JSON.stringify(result, null, 2).slice(0, 2000));
    await fetch(`${server.url}/v1/event-types/stock.low`, { method: 'DELETE', headers });
    doc = await documentNow();
    assert.equal(doc.webhooks['stock.low'], undefined);
  });

  it('drives the API with a client typed from the document (openapi-typescript + openapi-fetch)', async () => {
    const client = createClient<paths>({ baseUrl: server.url, headers: { authorization: `Bearer ${TOKEN}` } });
    const sub = await client.POST('/v1/subscriptions', { body: { url: 'https://example.com/hooks', events: ['typed.*'] } });
    assert.equal(sub.response.status, 201);
    assert.match(sub.data!.secret ?? '', /^whsec_/); // HMAC, the default (an Ed25519 subscription has none)
    const event = await client.POST('/v1/events', { body: { type: 'typed.created', data: { n: 1 } }, params: { header: { 'idempotency-key': `typed-${Date.now()}` } } });
    assert.equal(event.response.status, 202);
    assert.match(event.data!.id, /^evt_/);
    const read = await client.GET('/v1/events/{id}', { params: { path: { id: event.data!.id } } });
    assert.equal(read.data!.type, 'typed.created');
    const bad = await client.POST('/v1/events', { body: { type: 'typed..bad', data: {} } });
    assert.equal(bad.response.status, 422);
    assert.equal(bad.error?.status, 422);
  });

  it('drives applications and their keys with the typed client, at both route shapes', async () => {
    const operator = createClient<paths>({ baseUrl: server.url, headers: { authorization: `Bearer ${TOKEN}` } });
    const app = await operator.POST('/v1/applications', { body: { name: 'Typed Co', uid: `typed-${Date.now()}` } });
    assert.equal(app.response.status, 201);
    const key = await operator.POST('/v1/api-keys', { body: { name: 'typed', scope: app.data!.uid! } });
    assert.equal(key.data!.scope, app.data!.id);
    const customer = createClient<paths>({ baseUrl: server.url, headers: { authorization: `Bearer ${key.data!.key}` } });
    const nested = await customer.POST('/v1/applications/{app}/subscriptions', { params: { path: { app: app.data!.uid! } }, body: { url: 'https://example.com/typed', events: ['*'] } });
    assert.equal(nested.response.status, 201);
    assert.equal(nested.data!.application_id, app.data!.id);
    const flat = await customer.GET('/v1/subscriptions', {});
    assert.deepEqual(flat.data!.data.map((s) => s.id), [nested.data!.id]);
    const forbidden = await customer.GET('/v1/applications', {});
    assert.equal(forbidden.response.status, 404);
  });
});
