// Subscriptions in KV through the API: create, list with a cursor, read, change, remove, secret.
import { describe, expect, it } from 'vitest';
import { apiJson } from './support/helpers';

const URL_A = 'https://receiver.example.com/hooks';

async function create(json: Record<string, unknown>) {
  return apiJson('/v1/subscriptions', { method: 'POST', json });
}

describe('subscriptions', () => {
  it('creates a subscription with a generated whsec_ secret shown once', async () => {
    const { status, body, res } = await create({ url: URL_A, events: ['order.*', 'invoice.paid'], description: 'orders', metadata: { team: 'billing' } });
    expect(status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toMatchObject({ url: URL_A, events: ['order.*', 'invoice.paid'], description: 'orders', metadata: { team: 'billing' }, disabled: false });
    expect(body.id).toMatch(/^sub_[0-9a-z]{26}$/);
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(body.created_at).toBe(body.updated_at);

    const read = await apiJson(`/v1/subscriptions/${body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.secret).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain(body.secret);
    expect(read.body).toEqual({ ...body, secret: undefined, waiting: 0 }); // GET of one also says how many deliveries wait

    const secret = await apiJson(`/v1/subscriptions/${body.id}/secret`);
    expect(secret).toMatchObject({ status: 200, body: { secret: body.secret } });
  });

  it('keeps a given secret', async () => {
    const given = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const { body } = await create({ url: URL_A, events: ['*'], secret: given });
    expect(body.secret).toBe(given);
    expect((await apiJson(`/v1/subscriptions/${body.id}/secret`)).body.secret).toBe(given);
  });

  it('lists every subscription through the cursor, without secrets', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 5; i++) made.add((await create({ url: `${URL_A}/${i}`, events: ['list.test'] })).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body }: { status: number; body: any } = await apiJson(`/v1/subscriptions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(status).toBe(200);
      expect(body.data.length).toBeLessThanOrEqual(2);
      for (const s of body.data) {
        expect(s.secret).toBeUndefined();
        expect(s.secrets).toBeUndefined();
        seen.push(s.id);
      }
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('changes url, events, description, metadata and disabled', async () => {
    const { body: sub } = await create({ url: URL_A, events: ['a.b'] });
    const { status, body } = await apiJson(`/v1/subscriptions/${sub.id}`, {
      method: 'PATCH',
      json: { url: 'https://other.example.com/x', events: ['*'], description: 'changed', metadata: { k: 'v' }, disabled: true },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: sub.id, url: 'https://other.example.com/x', events: ['*'], description: 'changed', metadata: { k: 'v' }, disabled: true });
    expect(body.secret).toBeUndefined();
    expect(body.created_at).toBe(sub.created_at);
    expect((await apiJson(`/v1/subscriptions/${sub.id}`)).body).toEqual({ ...body, waiting: 0 });
    // The secret survives a change.
    expect((await apiJson(`/v1/subscriptions/${sub.id}/secret`)).body.secret).toBe(sub.secret);
    // description can be cleared.
    expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { description: null } })).body.description).toBeNull();
  });

  it('removes a subscription', async () => {
    const { body: sub } = await create({ url: URL_A, events: ['a'] });
    const del = await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    for (const path of [`/v1/subscriptions/${sub.id}`, `/v1/subscriptions/${sub.id}/secret`]) {
      const { status, body, res } = await apiJson(path);
      expect(status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(body).toMatchObject({ status: 404, title: 'Not Found' });
    }
    expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'DELETE' })).status).toBe(404);
  });
});
