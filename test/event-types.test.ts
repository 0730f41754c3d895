// Event types: the catalogue, schema validation on ingest, strict mode, and the live OpenAPI webhooks.
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import worker from '../src/index';
import { api, apiJson, env, TOKEN } from './support/helpers';
import { logCounts } from './support/log';

const ORDER_SCHEMA = {
  type: 'object',
  required: ['order_id', 'total'],
  properties: {
    order_id: { type: 'string', pattern: '^ord_' },
    total: { type: 'number', minimum: 0 },
    items: { type: 'array', items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } } },
  },
  additionalProperties: false,
};

async function register(name: string, schema?: unknown, description?: string) {
  return apiJson('/v1/event-types', { method: 'POST', json: { name, ...(schema ? { schema } : {}), ...(description ? { description } : {}) } });
}

describe('event types', () => {
  it('registers, lists, reads and deletes', async () => {
    const created = await register('catalog.one', ORDER_SCHEMA, 'One');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'catalog.one', description: 'One', schema: ORDER_SCHEMA });
    expect((await register('catalog.one')).status).toBe(409);
    await register('catalog.two');
    const page = await apiJson('/v1/event-types?limit=1');
    expect(page.body.data).toHaveLength(1);
    const rest = await apiJson(`/v1/event-types?limit=100&cursor=${encodeURIComponent(page.body.next_cursor)}`);
    expect([...page.body.data, ...rest.body.data].map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['catalog.one', 'catalog.two']));
    expect((await apiJson('/v1/event-types/catalog.two')).body).toMatchObject({ name: 'catalog.two', schema: null });
    expect((await apiJson('/v1/event-types/catalog.two', { method: 'DELETE' })).status).toBe(204);
    expect((await apiJson('/v1/event-types/catalog.two')).status).toBe(404);
  });

  it('refuses a schema the validator cannot use', async () => {
    for (const schema of [{ type: 'nope' }, { $ref: '#/does/not/exist' }, { properties: 5 }, { required: 'id' }, { pattern: '(' }, { items: { type: 7 } }]) {
      const { status, body } = await register(`bad.schema${Math.random().toString(36).slice(2, 8)}`, schema);
      expect(status, JSON.stringify(schema)).toBe(422);
      expect(body.errors[0].path).toBe('schema');
    }
  });

  it('validates events of a type with a schema: 422 with each failing path, nothing stored', async () => {
    await register('order.paid', ORDER_SCHEMA);
    const before = await logCounts().then((c) => ({ n: c.events }));
    const { status, body, res } = await apiJson('/v1/events', {
      method: 'POST',
      json: { type: 'order.paid', data: { order_id: 'x1', total: -5, items: [{ sku: 1 }], extra: true } },
    });
    expect(status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const paths = (body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['data.order_id', 'data.total', 'data.items.0.sku']));
    expect(body.detail).toContain('order.paid');
    expect(await logCounts().then((c) => ({ n: c.events }))).toEqual(before);

    const missing = await apiJson('/v1/events', { method: 'POST', json: { type: 'order.paid', data: {} } });
    expect(missing.status).toBe(422);
    const ok = await apiJson('/v1/events', { method: 'POST', json: { type: 'order.paid', data: { order_id: 'ord_1', total: 3, items: [{ sku: 'a' }] } } });
    expect(ok.status).toBe(202);
    // Types without a schema, and unregistered types, are not validated.
    expect((await apiJson('/v1/events', { method: 'POST', json: { type: 'order.unregistered', data: { anything: 1 } } })).status).toBe(202);
  });

  it('in strict mode, lets subscriptions name registered types only (wildcards stay allowed)', async () => {
    await register('strict.known');
    const strictEnv = { ...env, STRICT_EVENT_TYPES: 'true' };
    const create = (events: string[]) =>
      worker.fetch(
        new Request('https://edgehook.test/v1/subscriptions', {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url: 'https://example.com/h', events }),
        }),
        strictEnv,
        createExecutionContext(),
      );
    const refused = await create(['strict.known', 'strict.unknown']);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { errors: { path: string }[] }).errors).toEqual([{ path: 'events.1', message: 'not a registered event type' }]);
    expect((await create(['strict.known', 'strict.*', '*'])).status).toBe(201);
    // Not strict (the default): any type.
    expect((await apiJson('/v1/subscriptions', { method: 'POST', json: { url: 'https://example.com/h', events: ['strict.unknown'] } })).status).toBe(201);
  });
});

describe('OpenAPI document', () => {
  it('lists every route the app serves, and no other', async () => {
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && !['/openapi.json', '/docs', '/'].includes(r.path) && !r.path.startsWith('/ui/') && !r.path.startsWith('/portal/')) // pages, not API
        .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const doc = (await apiJson('/openapi.json', { token: null })).body;
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)),
    );
    expect([...documented].sort()).toEqual([...served].sort());
    expect(documented.size).toBeGreaterThanOrEqual(19);
  });

  it('shows each registered event type under webhooks, live, with its schema as data', async () => {
    const name = `shipment.sent${Date.now()}`;
    const schema = { type: 'object', required: ['tracking'], properties: { tracking: { type: 'string' } } };
    let doc = (await apiJson('/openapi.json', { token: null })).body;
    expect(doc.webhooks[name]).toBeUndefined();
    expect(doc.webhooks['webhook.test']).toBeDefined();
    await register(name, schema, 'A shipment left the warehouse');
    doc = (await apiJson('/openapi.json', { token: null })).body;
    const op = doc.webhooks[name].post;
    expect(op.description).toMatch(/^A shipment left the warehouse\n\n\*\*What the receiver gets\*\*/);
    expect(op.requestBody.content['application/json'].schema.properties).toEqual({
      type: { const: name },
      timestamp: { type: 'string', format: 'date-time', description: 'When the event was sent in' },
      data: schema,
    });
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-hub-signature-256']);
    await apiJson(`/v1/event-types/${name}`, { method: 'DELETE' });
    expect((await apiJson('/openapi.json', { token: null })).body.webhooks[name]).toBeUndefined();
  });

  it('describes the event.completed callback on POST /v1/events', async () => {
    const doc = (await apiJson('/openapi.json', { token: null })).body;
    const callback = doc.paths['/v1/events'].post.callbacks.eventCompleted['{$request.body#/callback_url}'].post;
    expect(callback.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EventCompleted' });
    expect(doc.components.schemas.EventCompleted.properties.type).toMatchObject({ enum: ['event.completed'] });
  });

  it('serves /docs as the reference UI from this origin only: its script a static asset, a CSP that reaches nothing else', async () => {
    const page = await api('/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain(`import { createApiReference } from '/docs/scalar/standalone.esm.js'`);
    expect(html).toContain(`<script type="module" nonce="${nonce}">`);
    expect(html).toContain('"url": "/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//); // no CDN, no font host, nothing outside this Worker
    // A fresh nonce each time.
    expect((await api('/docs', { token: null })).headers.get('content-security-policy')).not.toContain(nonce!);
  });

});
