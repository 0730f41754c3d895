// Operator schemas that cannot hurt the service: patterns and formats on a linear-time engine, `$ref`
// loops refused, examples bounded, and a stored schema that fails today's checks listed and not enforced.
import { describe, expect, it } from 'vitest';
import { api, apiJson, env, newApplication } from './support/helpers';
import { enter, link, page } from './support/portal-browser';

const register = (name: string, schema: unknown) => apiJson('/v1/event-types', { method: 'POST', json: { name, schema } });
const send = (type: string, data: unknown) => apiJson('/v1/events', { method: 'POST', json: { type, data } });

/** 30,001 characters that make a backtracking engine try about 2^30,000 ways before it says no. */
const EVIL = `${'a'.repeat(30_000)}!`;

describe('operator schemas', () => {
  it('run `pattern` on a linear-time engine: a catastrophic pattern answers at once, right', async () => {
    expect((await register('safety.pattern', { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } })).status).toBe(201);
    const refused = await send('safety.pattern', { s: EVIL });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'data.s', message: 'String does not match pattern.' }]);
    expect((await send('safety.pattern', { s: 'aaaa' })).status).toBe(202);
    expect((await api('/health')).status).toBe(200);
  });

  it('run `patternProperties` on it too, with the same meaning as before', async () => {
    const schema = { type: 'object', patternProperties: { '^(a+)+$': { type: 'number' } }, additionalProperties: { type: 'string' } };
    expect((await register('safety.keys', schema)).status).toBe(201);
    expect((await send('safety.keys', { [EVIL]: 'not a pattern key: additional, a string' })).status).toBe(202);
    expect((await send('safety.keys', { aaa: 1, other: 'x' })).status).toBe(202);
    const wrong = await send('safety.keys', { aaa: 'matches the pattern: must be a number' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors.map((e: { path: string }) => e.path)).toEqual(['data.aaa']);
    expect((await send('safety.keys', { other: 2 })).status).toBe(422); // additional: must be a string
  });

  it('check formats in linear time', async () => {
    const schema = { type: 'object', properties: { u: { type: 'string', format: 'url' }, e: { type: 'string', format: 'email' }, h: { type: 'string', format: 'hostname' }, d: { type: 'string', format: 'date-time' }, i: { type: 'string', format: 'ipv6' } } };
    expect((await register('safety.formats', schema)).status).toBe(201);
    // The validator's own `url` regex backtracks for ever on this one.
    const slow = `http://${'a'.repeat(40)}-${'a'.repeat(20_000)}_`;
    expect((await send('safety.formats', { u: slow })).status).toBe(422);
    expect((await send('safety.formats', { u: 'https://example.com/a?b=c', e: 'ops@example.com', h: 'api.example.com', d: '2026-12-07T10:00:00Z', i: '2001:db8::1' })).status).toBe(202);
    for (const [k, v] of [['u', 'notaurl'], ['e', 'a@@b'], ['h', `${'a'.repeat(64)}.com`], ['d', '2026-02-30T10:00:00Z'], ['i', '1:2:3'], ['e', `${'a'.repeat(30_000)}@`]]) {
      const r = await send('safety.formats', { [k as string]: v });
      expect(r.status, `${k}=${String(v).slice(0, 40)}`).toBe(422);
    }
  });

  it('refuse a pattern the linear-time engine cannot run, saying why', async () => {
    for (const pattern of ['^(?=a)a$', '^(a)\\1$', '(?<!x)y']) {
      const r = await register(`safety.refused${pattern.length}`, { type: 'string', pattern });
      expect(r.status, pattern).toBe(422);
      expect(r.body.errors[0].message).toMatch(/linear-time engine/);
    }
    expect((await register('safety.refusedkeys', { type: 'object', patternProperties: { '^(?!x)': {} } })).status).toBe(422);
  });

  it('refuse a $ref that loops without descending into the data, and keep recursive trees', async () => {
    const loops = [{ $ref: '#' }, { $defs: { a: { $ref: '#/$defs/b' }, b: { allOf: [{ $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' }, { anyOf: [{ not: { $ref: '#' } }] }];
    for (const schema of loops) {
      const r = await register('safety.loop', schema);
      expect(r.status, JSON.stringify(schema)).toBe(422);
      expect(r.body.errors[0].message).toMatch(/leads back to itself/);
    }
    const tree = { type: 'object', required: ['name'], properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } } };
    expect((await register('safety.tree', tree)).status).toBe(201);
    expect((await send('safety.tree', { name: 'root', children: [{ name: 'a', children: [{ name: 'b' }] }] })).status).toBe(202);
    const bad = await send('safety.tree', { name: 'root', children: [{ children: [] }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['data.children.0']);
  });

  it('build bounded examples: a huge minLength breaks no page', async () => {
    expect((await register('safety.huge', { type: 'object', properties: { s: { type: 'string', minLength: 300_000_000 } } })).status).toBe(201);
    const doc = await api('/openapi.json');
    expect(doc.status).toBe(200);
    const example = (await doc.json<any>()).webhooks['safety.huge'].post.requestBody.content['application/json'].example;
    expect(example.data.s).toBe('(a string of at least 300000000 characters)');
    expect((await api('/docs')).status).toBe(200);
    const A = await newApplication('Safety portal');
    const cookie = await enter((await link(A.id)).body.url);
    const catalog = await page('/portal/catalog', cookie);
    expect(catalog.status).toBe(200);
    expect(await catalog.text()).toContain('(a string of at least 300000000 characters)');
  });

  it('list a stored schema that fails today’s checks, and do not enforce it until it is registered again', async () => {
    const now = new Date().toISOString();
    const stored = JSON.stringify({ type: 'object', properties: { s: { type: 'string', pattern: '^(?=a).*$' } } });
    await env.DB.prepare('INSERT INTO event_types (name, description, schema, created_at, updated_at) VALUES (?1, NULL, ?2, ?3, ?3)').bind('safety.legacy', stored, now).run();
    const listed = (await apiJson('/v1/event-types?limit=100')).body.data.find((t: { name: string }) => t.name === 'safety.legacy');
    expect(listed.schema_problem).toMatch(/linear-time engine/);
    expect((await apiJson('/v1/event-types/safety.legacy')).body.schema_problem).toMatch(/linear-time engine/);
    expect((await send('safety.legacy', { s: 'b' })).status).toBe(202);
    expect((await apiJson('/v1/event-types/safety.tree')).body.schema_problem).toBeNull();
    expect((await api('/openapi.json')).status).toBe(200);
  });
});
