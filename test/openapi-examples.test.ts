// The reference's examples: every operation's request body and answers, every event type under
// `webhooks` (its registered example, else one made from its schema) with the headers a receiver gets
// and how to verify them, and the event.completed callback. Examples are checked against their own
// schemas, so an example that does not describe the API fails here.
import { Validator, type Schema } from '@cfworker/json-schema';
import { describe, expect, it } from 'vitest';
import { apiJson } from './support/helpers';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** Checks `example` against `schema`, with the document's components for its $refs. */
function conforms(doc: Json, schema: Json, example: unknown): string[] {
  const wrapped = { ...schema, components: doc.components } as unknown as Schema;
  const result = new Validator(wrapped, '2020-12', false).validate(example);
  return result.valid ? [] : result.errors.slice(-3).map((e) => `${e.instanceLocation}: ${e.error}`);
}

const doc = async () => (await apiJson('/openapi.json', { token: null })).body as Json;
const register = (name: string, schema: unknown, description?: string) => apiJson('/v1/event-types', { method: 'POST', json: { name, schema, description } });

describe('examples in the OpenAPI document', () => {
  it('every operation has an example request body (when it takes one) and an example of each answer with a body, matching their schemas', async () => {
    const d = await doc();
    let checked = 0;
    const problems: string[] = [];
    for (const [path, item] of Object.entries(d.paths as Json)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const bodies = [
          ...Object.entries(op.requestBody?.content ?? {}).map(([type, media]) => [`request ${type}`, media] as const),
          ...Object.entries(op.responses ?? {}).flatMap(([status, r]: [string, any]) => Object.entries(r.content ?? {}).map(([type, media]) => [`${status} ${type}`, media] as const)),
        ];
        for (const [what, media] of bodies as [string, Json][]) {
          checked++;
          if (media.example === undefined) problems.push(`${method.toUpperCase()} ${path} ${what}: no example`);
          else for (const p of conforms(d, media.schema, media.example)) problems.push(`${method.toUpperCase()} ${path} ${what}: ${p}`);
        }
        if (op.requestBody) expect(op.requestBody.content['application/json']?.example, `${method} ${path}`).toBeDefined();
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(150);
    // The check itself catches an example that does not describe the API.
    expect(conforms(d, { $ref: '#/components/schemas/EventAccepted' }, { id: 7, type: 'a.b' })).not.toEqual([]);
  });

  it('examples read like the API: ids with their prefixes, times, URLs', async () => {
    const d = await doc();
    const sub = d.paths['/v1/subscriptions'].post.responses['201'].content['application/json'].example;
    expect(sub.id).toMatch(/^sub_/);
    expect(sub.application_id).toMatch(/^app_/);
    expect(sub.url).toMatch(/^https:\/\//);
    expect(sub.secret).toMatch(/^whsec_/);
    expect(Date.parse(sub.created_at)).not.toBeNaN();
    const accepted = d.paths['/v1/events'].post.responses['202'].content['application/json'].example;
    expect(accepted.id).toMatch(/^evt_/);
    const delivery = d.paths['/v1/deliveries/{id}'].get.responses['200'].content['application/json'].example;
    expect(delivery.id).toMatch(/^dlv_/);
    expect(delivery.event_id).toMatch(/^evt_/);
    expect(d.paths['/v1/events'].post.requestBody.content['application/json'].example.type).toMatch(/^[a-z]+\.[a-z]+/);
  });

  it("shows an event type's registered example as its payload, else one made from its schema, with the receiver's headers and how to verify", async () => {
    const stamp = Date.now();
    const withExample = `invoice.paid${stamp}`;
    const schema = { type: 'object', required: ['invoice_id', 'amount'], properties: { invoice_id: { type: 'string' }, amount: { type: 'integer', minimum: 1 }, paid_at: { type: 'string', format: 'date-time' } }, examples: [{ invoice_id: 'inv_77', amount: 4200 }] };
    expect((await register(withExample, schema, 'An invoice was **paid**.')).status).toBe(201);
    const without = `invoice.voided${stamp}`;
    expect((await register(without, { type: 'object', required: ['invoice_id'], properties: { invoice_id: { type: 'string' }, reason: { enum: ['duplicate', 'fraud'] } } })).status).toBe(201);

    const d = await doc();
    const shown = d.webhooks[withExample].post;
    expect(shown.requestBody.content['application/json'].example).toEqual({ type: withExample, timestamp: expect.any(String), data: { invoice_id: 'inv_77', amount: 4200 } });
    const made = d.webhooks[without].post.requestBody.content['application/json'].example;
    expect(made.data).toEqual({ invoice_id: 'string', reason: 'duplicate' });
    for (const name of [withExample, without, 'webhook.test', 'subscription.disabled', 'delivery.exhausted']) {
      const op = d.webhooks[name].post;
      const media = op.requestBody.content['application/json'];
      expect(conforms(d, media.schema, media.example), name).toEqual([]);
      expect(op.description, name).toContain('webhook-signature: v1,');
      expect(op.description, name).toContain("import { verify, WebhookVerificationError } from 'edgehook/verify';");
      expect(op.parameters.every((p: Json) => p.example !== undefined), name).toBe(true);
    }
    expect(shown.description).toMatch(/^An invoice was \*\*paid\*\*\./);
  });

  it('refuses an event type whose examples do not match its schema, and stores nothing', async () => {
    const name = `refund.made${Date.now()}`;
    const bad = await register(name, { type: 'object', required: ['refund_id'], properties: { refund_id: { type: 'string' } }, examples: [{ refund_id: 'r_1' }, { amount: 3 }] });
    expect(bad.status).toBe(422);
    expect(bad.res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(bad.body.errors).toEqual([{ path: 'schema.examples.1', message: 'does not match the schema' }]);
    expect((await apiJson(`/v1/event-types/${name}`)).status).toBe(404);
  });

  it('shows the event.completed callback with an example, the headers and how to verify it', async () => {
    const d = await doc();
    const callback = d.paths['/v1/events'].post.callbacks.eventCompleted['{$request.body#/callback_url}'].post;
    const media = callback.requestBody.content['application/json'];
    expect(media.example.type).toBe('event.completed');
    expect(conforms(d, media.schema, media.example)).toEqual([]);
    expect(callback.description).toContain('webhook-id: evt_01jd8x0000a1b2c3d4e5f6g7h8_completed');
    expect(callback.description).toContain("from 'edgehook/verify'");
    expect(callback.description).toContain('`GET /v1/applications/{app}/callback-secret`');
    expect(callback.description).toContain('`data.application_id`');
  });

  it('describes every tag and groups the routes under /v1/applications/{app}/ apart', async () => {
    const d = await doc();
    const used = new Set(Object.values(d.paths as Json).flatMap((item: Json) => METHODS.flatMap((m) => item[m]?.tags ?? [])));
    const grouped = new Set(d['x-tagGroups'].flatMap((g: Json) => g.tags));
    expect([...used].filter((t) => !grouped.has(t))).toEqual([]);
    for (const tag of d.tags) expect(tag.description, tag.name).toBeTruthy();
    expect(d.paths['/v1/applications/{app}/events'].post.tags).toEqual(['Events, by application']);
    expect(d.paths['/v1/events'].post.tags).toEqual(['Events']);
    const servers = (await apiJson('/openapi.json', { token: null })).body.servers;
    expect(servers).toEqual([{ url: 'https://edgehook.test' }]);
  });
});
