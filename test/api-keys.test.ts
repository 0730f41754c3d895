// API keys: shown once, stored only as a hash, listed with their times, revoked at once; never in a
// log, a list, an error or any row of the database.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiJson, env, eventually, newApplication } from './support/helpers';

/** Every text value of every table: a key must not be in any of them. */
async function everyStoredText(): Promise<string> {
  const { results: tables } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations'").all<{ name: string }>();
  let all = '';
  for (const { name } of tables) all += JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
  return all;
}

afterEach(() => vi.restoreAllMocks());

describe('API keys', () => {
  it('are shown once, stored as a hash only, listed with name, scope and times, and work as bearer tokens', async () => {
    const logged: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, level).mockImplementation((...args) => void logged.push(args.map(String).join(' ')));

    const created = await apiJson('/v1/api-keys', { method: 'POST', json: { name: 'ops', scope: 'operator' } });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect(key).toMatch(/^ehk_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^key_/), name: 'ops', scope: 'operator', last_used_at: null, revoked_at: null });

    expect((await apiJson('/v1/subscriptions', { token: key })).status).toBe(200);
    // A failing request made with it, and one with a near miss of it.
    expect((await apiJson('/v1/subscriptions/sub_nope', { token: key })).status).toBe(404);
    expect((await apiJson('/v1/subscriptions', { token: `${key.slice(0, -1)}x` })).status).toBe(401);

    const listed = await apiJson('/v1/api-keys');
    const mine = listed.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(Object.keys(mine).sort()).toEqual(['created_at', 'id', 'last_used_at', 'name', 'revoked_at', 'scope']);
    await eventually(async () => (await apiJson(`/v1/api-keys/${created.body.id}`)).body.last_used_at !== null);

    const stored = await everyStoredText();
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(4)); // nor its random part
    expect(JSON.stringify(listed.body)).not.toContain(key.slice(4));
    expect(logged.join('\n')).not.toContain(key.slice(4, 20));
  });

  it('take an application by id or uid as scope, and refuse one that does not exist', async () => {
    const A = await newApplication('Scoped', 'scoped');
    const byUid = await apiJson('/v1/api-keys', { method: 'POST', json: { name: 'by uid', scope: 'scoped' } });
    expect(byUid.body.scope).toBe(A.id);
    const missing = await apiJson('/v1/api-keys', { method: 'POST', json: { name: 'x', scope: 'app_00000000000000000000000000' } });
    expect(missing.status).toBe(422);
    expect(missing.body.errors[0].path).toBe('scope');
    const ofA = await apiJson(`/v1/api-keys?scope=${A.id}`);
    expect(ofA.body.data.map((k: { id: string }) => k.id)).toEqual([byUid.body.id, A.keyId]);
  });

  it('list newest first, page by page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await apiJson('/v1/api-keys', { method: 'POST', json: { name: `k${i}`, scope: 'operator' } })).body.id);
    const first = await apiJson('/v1/api-keys?scope=operator&limit=2');
    expect(first.body.data.map((k: { id: string }) => k.id)).toEqual([ids[2], ids[1]]);
    const second = await apiJson(`/v1/api-keys?scope=operator&limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.data.map((k: { id: string }) => k.id)[0]).toBe(ids[0]);
    expect((await apiJson('/v1/api-keys?cursor=key_nope')).status).toBe(400);
  });

  it('are refused on the request right after their revocation, and stay listed as revoked', async () => {
    const A = await newApplication('Revoked');
    expect((await apiJson('/v1/subscriptions', { token: A.key })).status).toBe(200);
    const revoked = await apiJson(`/v1/api-keys/${A.keyId}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const next = await apiJson('/v1/subscriptions', { token: A.key });
    expect(next.status).toBe(401);
    expect(next.res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    // Revoking again changes nothing; an unknown key is a 404.
    expect((await apiJson(`/v1/api-keys/${A.keyId}`, { method: 'DELETE' })).body.revoked_at).toBe(revoked.body.revoked_at);
    expect((await apiJson('/v1/api-keys/key_00000000000000000000000000', { method: 'DELETE' })).status).toBe(404);
    // The bootstrap token is not a key: it cannot be revoked here, and keeps working.
    expect((await apiJson('/v1/subscriptions')).status).toBe(200);
  });
});
