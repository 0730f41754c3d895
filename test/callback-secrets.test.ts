// Each application's own callback secret: event.completed is signed with the event's application's
// secrets only (so application A's key cannot make edgehook sign a callback B's receiver trusts), names
// the application, rotates with a 24 h overlap, is sealed at rest, and is readable by the application's
// own key only.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { apiJson, env, eventually, newApplication, receiver } from './support/helpers';

const CALLBACK_SECRET = env.CALLBACK_SECRET!;

/** The callbacks `r` got, once there are `n`. */
async function callbacks(r: ReturnType<typeof receiver>, n: number) {
  return eventually(async () => {
    const l = await r.log();
    return l.length >= n && l;
  }, 30_000);
}

const verifies = (secret: string, got: { body: string; headers: Record<string, string> }) => {
  try {
    new Webhook(secret).verify(got.body, got.headers);
    return true;
  } catch {
    return false;
  }
};

describe('callback secrets', () => {
  it('are the application’s own: readable by its key, not by another’s', async () => {
    const A = await newApplication('Callbacks A');
    const B = await newApplication('Callbacks B');
    const mine = await apiJson(`/v1/applications/${A.id}/callback-secret`, { token: A.key });
    expect(mine.status).toBe(200);
    expect(mine.body.secret).toMatch(/^whsec_/);
    expect((await apiJson(`/v1/applications/${A.id}/callback-secret`)).body.secret).toBe(mine.body.secret); // the operator's view
    expect((await apiJson(`/v1/applications/${A.id}/callback-secret`, { token: B.key })).status).toBe(404);
    expect((await apiJson(`/v1/applications/${A.id}/callback-secret/rotate`, { method: 'POST', token: B.key })).status).toBe(404);
    expect((await apiJson(`/v1/applications/${B.id}/callback-secret`, { token: B.key })).body.secret).not.toBe(mine.body.secret);
    // Sealed at rest: the stored value holds no secret in clear.
    const stored = await env.DB.prepare('SELECT callback_secrets FROM applications WHERE id = ?1').bind(A.id).first<{ callback_secrets: string }>();
    expect(stored!.callback_secrets).toMatch(/ehsec:v1:/);
    expect(stored!.callback_secrets).not.toContain(mine.body.secret.slice(6));
  });

  it('sign only the event’s application’s callbacks, which name it; another application cannot forge one', async () => {
    const A = await newApplication('Signer A');
    const B = await newApplication('Victim B');
    const secretA = (await apiJson(`/v1/applications/${A.id}/callback-secret`, { token: A.key })).body.secret;
    const secretB = (await apiJson(`/v1/applications/${B.id}/callback-secret`, { token: B.key })).body.secret;
    // A's key aims a callback at B's receiver, for an event id B uses.
    const bReceiver = receiver('cb-secret-b');
    const sent = await apiJson('/v1/events', { method: 'POST', token: A.key, json: { id: 'evt_b_order_1', type: 'cbsecret.x', data: {}, callback_url: bReceiver.url } });
    expect(sent.status).toBe(202);
    const [got] = await callbacks(bReceiver, 1);
    expect(verifies(secretA, got!)).toBe(true);
    expect(verifies(secretB, got!)).toBe(false); // B's receiver refuses it
    expect(verifies(CALLBACK_SECRET, got!)).toBe(false);
    expect(JSON.parse(got!.body).data).toMatchObject({ event_id: 'evt_b_order_1', application_id: A.id, deliveries: [] });
  });

  it('rotate with a 24 h overlap: the next callback carries both signatures', async () => {
    const A = await newApplication('Rotating A');
    const old = (await apiJson(`/v1/applications/${A.id}/callback-secret`, { token: A.key })).body.secret;
    const rotated = await apiJson(`/v1/applications/${A.id}/callback-secret/rotate`, { method: 'POST', token: A.key });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(old);
    expect((await apiJson(`/v1/applications/${A.id}/callback-secret`, { token: A.key })).body.secret).toBe(rotated.body.secret);
    const r = receiver('cb-secret-rotate');
    await apiJson('/v1/events', { method: 'POST', token: A.key, json: { type: 'cbsecret.rotate', data: {}, callback_url: r.url } });
    const [got] = await callbacks(r, 1);
    expect(got!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifies(rotated.body.secret, got!)).toBe(true);
    expect(verifies(old, got!)).toBe(true);
    const bad = await apiJson(`/v1/applications/${A.id}/callback-secret/rotate`, { method: 'POST', token: A.key, json: { secret: 'nope' } });
    expect(bad.status).toBe(422);
  });

  it('of the default application start as CALLBACK_SECRET and rotate like any other', async () => {
    expect((await apiJson('/v1/applications/default/callback-secret')).body.secret).toBe(CALLBACK_SECRET);
    const given = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
    const rotated = await apiJson('/v1/applications/default/callback-secret/rotate', { method: 'POST', json: { secret: given } });
    expect(rotated.body.secret).toBe(given);
    const r = receiver('cb-secret-default');
    await apiJson('/v1/events', { method: 'POST', json: { type: 'cbsecret.default', data: {}, callback_url: r.url } });
    const [got] = await callbacks(r, 1);
    expect(verifies(given, got!)).toBe(true);
    expect(verifies(CALLBACK_SECRET, got!)).toBe(true); // still in its overlap
    expect(JSON.parse(got!.body).data.application_id).toBe('default');
  });
});
