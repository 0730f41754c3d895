// Every /v1 route needs the bearer token: none, a wrong one, or a malformed header is 401 problem+json.
import { describe, expect, it } from 'vitest';
import { app } from '../src/app';
import { api, apiJson, env } from './support/helpers';
import { logCounts } from './support/log';

// Every /v1 route the app serves (from its own route table), so a new route cannot skip this test.
const ROUTES: [string, string][] = app.routes
  .filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL')
  .map((r) => [r.method, r.path.replace(/:(\w+)/g, 'x_$1')] as [string, string])
  .concat([['GET', '/v1/no-such-route']]);


const BAD_AUTH: [string, Record<string, string>][] = [
  ['no header', {}],
  ['wrong token', { authorization: 'Bearer wrong-token' }],
  ['token with a suffix', { authorization: 'Bearer test-token-and-more' }],
  ['token prefix only', { authorization: 'Bearer test-' }],
  ['basic scheme', { authorization: 'Basic dGVzdC10b2tlbg==' }],
  ['no scheme', { authorization: 'test-token' }],
  ['empty bearer', { authorization: 'Bearer ' }],
];

describe('bearer auth', () => {
  it('covers every /v1 route', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(19);
  });

  it.each(ROUTES)('%s %s refuses every bad credential with 401 and changes nothing', async (method, path) => {
    const before = await logCounts().then((c) => ({ n: c.events + c.deliveries }));
    for (const [, headers] of BAD_AUTH) {
      const init: RequestInit = { method, headers: { ...headers, 'content-type': 'application/json' } };
      if (method === 'POST' || method === 'PATCH') init.body = JSON.stringify({ url: 'https://example.com', events: ['*'], type: 'a', data: {} });
      const res = await api(path, { ...init, token: null });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 401, title: 'Unauthorized' });
      expect(JSON.stringify(body)).not.toContain('test-token');
    }
    const after = await logCounts().then((c) => ({ n: c.events + c.deliveries }));
    expect(after).toEqual(before);
    expect((await env.SUBSCRIPTIONS.list()).keys).toEqual([]);
  });

  it('lets the right token through, in any case of the scheme', async () => {
    expect((await apiJson('/v1/subscriptions')).status).toBe(200);
    expect((await api('/v1/subscriptions', { token: null, headers: { authorization: 'bearer test-token' } })).status).toBe(200);
  });

  it('leaves /health open', async () => {
    const { status, body } = await apiJson('/health', { token: null });
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
  });
});
