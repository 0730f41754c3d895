// Subscriptions that sign with Ed25519 (Standard Webhooks `v1a`): public keys shown where a secret would
// be, every attempt verified by Node's own crypto.verify with the raw public key (the receiver server's
// `_ed25519` check), rotation with both keys signing through the overlap, the JWKS without a token,
// switching schemes, and the refusals. The private key is sealed at rest and never shown.
import { runInDurableObject } from 'cloudflare:test';
import { Webhook } from 'standardwebhooks';
import { describe, expect, inject, it } from 'vitest';
import { rotateSecret } from '../src/services/subscriptions';
import { fromBase64Url, toBase64 } from '../src/signing/encoding';
import { verify, jwksVerifier, WebhookVerificationError } from '../src/verify/index';
import type { Received } from './support/receiver-types';
import { api, apiJson, createSubscription, env, eventually, receiver, sendEvent, settledDelivery, type TestReceiver } from './support/helpers';

const PUBLIC_KEY = /^whpk_[A-Za-z0-9+/]{43}=$/;

/** Which public key verifies each `v1a` entry of a request, by Node's crypto.verify (null: none). */
async function nodeVerified(got: Pick<Received, 'headers' | 'body'>, publicKeys: string[]): Promise<(string | null)[]> {
  const res = await fetch(`${inject('receiverOrigin')}/_ed25519/verify`, { method: 'POST', body: JSON.stringify({ public_keys: publicKeys, headers: got.headers, body: got.body }) });
  return (await res.json()) as (string | null)[];
}

async function ed25519Subscription(r: TestReceiver, events: string[], extra: Record<string, unknown> = {}) {
  const { status, body } = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: r.url, events, signature: 'ed25519', ...extra } });
  expect(status, JSON.stringify(body)).toBe(201);
  return body as { id: string; public_key: string; signature: string; secret?: string };
}

/** The `n`th request the receiver got (waits for it). */
const nth = (r: TestReceiver, n: number) => eventually(async () => (await r.log())[n]);

const entries = (got: Received) => got.headers['webhook-signature']!.split(' ');

/** A fresh Ed25519 key pair made here, as its raw seed and public key. */
async function keyPairBytes() {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pub = new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer);
  const seed = fromBase64Url(((await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey).d!)!;
  return { seed, pub };
}

const jwks = (id: string) => api(`/.well-known/webhooks/subscriptions/${id}/jwks.json`, { token: null });

describe('Ed25519 subscriptions', () => {
  it('show their public key, never a secret, and sign each attempt with v1a only, verified by Node with the raw key', async () => {
    const r = receiver('ed-basic');
    const sub = await ed25519Subscription(r, ['ed.basic']);
    expect(sub.signature).toBe('ed25519');
    expect(sub.public_key).toMatch(PUBLIC_KEY);
    expect(sub).not.toHaveProperty('secret');

    const read = (await apiJson(`/v1/subscriptions/${sub.id}`)).body;
    expect(read).toMatchObject({ signature: 'ed25519', public_key: sub.public_key });
    const listed = (await apiJson('/v1/subscriptions?limit=100')).body.data.find((s: { id: string }) => s.id === sub.id);
    expect(listed).toMatchObject({ signature: 'ed25519', public_key: sub.public_key });
    const secret = await apiJson(`/v1/subscriptions/${sub.id}/secret`);
    expect(secret.status).toBe(409);
    expect(secret.body.detail).toMatch(/Ed25519.*public-key/);
    const keys = (await apiJson(`/v1/subscriptions/${sub.id}/public-key`)).body;
    expect(keys.public_key).toBe(sub.public_key);
    expect(keys.keys).toEqual([{ kid: expect.any(String), public_key: sub.public_key, expires_at: null }]);

    const event = await sendEvent('ed.basic', { note: 'héllo “quoted”' });
    await settledDelivery(event.id, sub.id);
    const got = await nth(r, 0);
    expect(entries(got)).toHaveLength(1);
    expect(entries(got)[0]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(got.headers).not.toHaveProperty('x-hub-signature-256');
    expect(await nodeVerified(got, [sub.public_key])).toEqual([sub.public_key]);
    await expect(verify(sub.public_key, got.body, got.headers)).resolves.toMatchObject({ id: event.id });
    // An HMAC verifier finds nothing of its own to check in the header.
    expect(() => new Webhook(`whsec_${toBase64(new Uint8Array(32))}`).verify(got.body, got.headers)).toThrow();
  });

  it('fail verification, by Node and by edgehook/verify, with a tampered body, timestamp or id', async () => {
    const r = receiver('ed-tamper');
    const sub = await ed25519Subscription(r, ['ed.tamper']);
    const event = await sendEvent('ed.tamper', { amount: 10 });
    await settledDelivery(event.id, sub.id);
    const got = await nth(r, 0);
    const ts = Number(got.headers['webhook-timestamp']);
    const tampered = [
      { ...got, body: got.body.replace('10', '11') },
      { ...got, headers: { ...got.headers, 'webhook-timestamp': String(ts + 1) } },
      { ...got, headers: { ...got.headers, 'webhook-id': `${got.headers['webhook-id']}x` } },
    ];
    for (const t of tampered) {
      expect(await nodeVerified(t, [sub.public_key])).toEqual([null]);
      await expect(verify(sub.public_key, t.body, t.headers)).rejects.toMatchObject({ reason: 'no matching signature' });
    }
    const other = await ed25519Subscription(receiver('ed-tamper-other'), ['ed.tamper.none']);
    expect(await nodeVerified(got, [other.public_key])).toEqual([null]);
    await expect(verify(other.public_key, got.body, got.headers)).rejects.toBeInstanceOf(WebhookVerificationError);
  });

  it('rotate to a new key pair: both keys sign through the overlap, the JWKS lists exactly both, and after it only the new one', async () => {
    const r = receiver('ed-rotate');
    const sub = await ed25519Subscription(r, ['ed.rotate']);
    const rotated = await apiJson(`/v1/subscriptions/${sub.id}/secret/rotate`, { method: 'POST' });
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body)).toEqual(['public_key']);
    const fresh = rotated.body.public_key as string;
    expect(fresh).toMatch(PUBLIC_KEY);
    expect(fresh).not.toBe(sub.public_key);

    const keys = (await apiJson(`/v1/subscriptions/${sub.id}/public-key`)).body;
    expect(keys.public_key).toBe(fresh);
    expect(keys.keys.map((k: { public_key: string }) => k.public_key)).toEqual([fresh, sub.public_key]);
    expect(keys.keys[0].expires_at).toBeNull();
    expect(Date.parse(keys.keys[1].expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000);

    const set = await jwks(sub.id);
    expect(set.status).toBe(200);
    const body = (await set.json()) as { keys: { kid: string; x: string }[] };
    expect(body.keys.map((k) => k.kid)).toEqual(keys.keys.map((k: { kid: string }) => k.kid));

    const event = await sendEvent('ed.rotate', { n: 1 });
    await settledDelivery(event.id, sub.id);
    const got = await nth(r, 0);
    expect(entries(got)).toHaveLength(2);
    // Newest first; a receiver that has only the old key still verifies.
    expect(await nodeVerified(got, [fresh, sub.public_key])).toEqual([fresh, sub.public_key]);
    await expect(verify(sub.public_key, got.body, got.headers)).resolves.toMatchObject({ id: event.id });
    await expect(verify(fresh, got.body, got.headers)).resolves.toMatchObject({ id: event.id });

    // A rotation a day and more ago: its old key stopped signing, and the JWKS no longer has it.
    const past = receiver('ed-rotate-past');
    const old = await ed25519Subscription(past, ['ed.rotatepast']);
    const shown = (await rotateSecret(env, 'default', old.id, undefined, Date.now() - 25 * 3600_000)) as { public_key: string };
    const after = (await (await jwks(old.id)).json()) as { keys: unknown[] };
    expect(after.keys).toHaveLength(1);
    expect((await apiJson(`/v1/subscriptions/${old.id}/public-key`)).body.keys.map((k: { public_key: string }) => k.public_key)).toEqual([shown.public_key]);
    const e2 = await sendEvent('ed.rotatepast', { n: 2 });
    await settledDelivery(e2.id, old.id);
    const got2 = await nth(past, 0);
    expect(await nodeVerified(got2, [shown.public_key, old.public_key])).toEqual([shown.public_key]);
  });

  it('serve their JWKS without a token: exactly the signing keys, cacheable; unknown, HMAC and deleted ones are 404', async () => {
    const sub = await ed25519Subscription(receiver('ed-jwks'), ['ed.jwks']);
    const res = await jwks(sub.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const set = (await res.json()) as { keys: Record<string, string>[] };
    expect(Object.keys(set)).toEqual(['keys']);
    expect(set.keys).toHaveLength(1);
    const [key] = set.keys;
    expect(Object.keys(key!).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    // x is the whpk_ key's bytes, base64url; kid is its RFC 7638 thumbprint.
    expect(atob(key!.x!.replace(/-/g, '+').replace(/_/g, '/'))).toBe(atob(sub.public_key.slice(5)));
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`{"crv":"Ed25519","kty":"OKP","x":"${key!.x}"}`));
    expect(key!.kid).toBe(toBase64(new Uint8Array(digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));

    const hmac = await createSubscription(receiver('ed-jwks-hmac').url, ['ed.jwks']);
    const unknown = 'sub_01jd8x0000a1b2c3d4e5f6g7h8';
    const answers = [];
    for (const id of [hmac.id, unknown, 'not-an-id']) {
      const r = await jwks(id);
      answers.push([r.status, ((await r.json()) as { detail: string }).detail.replace(id, '<id>')]);
    }
    expect(answers[0]).toEqual([404, 'No subscription <id> that signs with Ed25519.']);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1); // an HMAC subscription reads as any unknown id
    expect((await api(`/v1/subscriptions/${hmac.id}/public-key`)).status).toBe(409);

    expect((await api(`/v1/subscriptions/${sub.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await jwks(sub.id)).status).toBe(404);
  });

  it('verify with edgehook/verify’s JWKS verifier, which fetches the keys once and again after a rotation', async () => {
    const r = receiver('ed-jwks-verifier');
    const sub = await ed25519Subscription(r, ['ed.jwksverify']);
    let fetches = 0;
    let clock = Date.now();
    const check = jwksVerifier(`http://edgehook.test/.well-known/webhooks/subscriptions/${sub.id}/jwks.json`, {
      fetch: (url) => (fetches++, jwks(new URL(url).pathname.split('/')[4]!)),
      now: () => clock,
    });
    const e1 = await sendEvent('ed.jwksverify', { n: 1 });
    await settledDelivery(e1.id, sub.id);
    const first = await nth(r, 0);
    await expect(check(first.body, first.headers)).resolves.toMatchObject({ id: e1.id });
    await expect(check(first.body, first.headers)).resolves.toMatchObject({ id: e1.id });
    expect(fetches).toBe(1);
    await expect(check(first.body.replace('1', '2'), first.headers)).rejects.toMatchObject({ reason: 'no matching signature' });
    expect(fetches).toBe(1); // within 30 s of the last fetch: no refetch

    // A rotation whose old key has already stopped (a day ago): only the new key signs. The kept set lacks
    // it, so the verifier fetches again (past the 30 s cool-down) and verifies.
    await rotateSecret(env, 'default', sub.id, undefined, Date.now() - 25 * 3600_000);
    const e2 = await sendEvent('ed.jwksverify', { n: 2 });
    await settledDelivery(e2.id, sub.id);
    const second = await nth(r, 1);
    clock += 31_000;
    await expect(check(second.body, second.headers)).resolves.toMatchObject({ id: e2.id });
    expect(fetches).toBe(2);

    const down = jwksVerifier('http://edgehook.test/none', { fetch: async () => new Response('no', { status: 503 }) });
    await expect(down(second.body, second.headers)).rejects.toMatchObject({ reason: 'keys unavailable' });
  });

  it('refuse github_signature with 422, on create and on every PATCH that would combine them, changing nothing', async () => {
    const r = receiver('ed-github');
    const created = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: r.url, events: ['ed.gh'], signature: 'ed25519', github_signature: true } });
    expect(created.status).toBe(422);
    expect(created.res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(created.body.errors).toEqual([{ path: 'github_signature', message: expect.any(String) }]);

    const ed = await ed25519Subscription(r, ['ed.gh']);
    const patched = await apiJson(`/v1/subscriptions/${ed.id}`, { method: 'PATCH', json: { github_signature: true } });
    expect(patched.status).toBe(422);
    expect(patched.body.errors[0].path).toBe('github_signature');
    expect((await apiJson(`/v1/subscriptions/${ed.id}`)).body).toMatchObject({ github_signature: false, public_key: ed.public_key });

    const gh = await createSubscription(r.url, ['ed.gh'], { github_signature: true });
    const switched = await apiJson(`/v1/subscriptions/${gh.id}`, { method: 'PATCH', json: { signature: 'ed25519' } });
    expect(switched.status).toBe(422);
    expect((await apiJson(`/v1/subscriptions/${gh.id}`)).body).toMatchObject({ signature: 'hmac', github_signature: true, public_key: null });
    expect((await apiJson(`/v1/subscriptions/${gh.id}/secret`)).body.secret).toBe(gh.secret);
    // Both in one PATCH: allowed.
    const both = await apiJson(`/v1/subscriptions/${gh.id}`, { method: 'PATCH', json: { signature: 'ed25519', github_signature: false } });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ signature: 'ed25519', github_signature: false, public_key: expect.stringMatching(PUBLIC_KEY) });
  });

  it('switch from HMAC to Ed25519 by PATCH as a rotation: the old secret signs v1 beside the new key’s v1a for 24 h', async () => {
    const r = receiver('ed-switch');
    const sub = await createSubscription(r.url, ['ed.switch']);
    const patched = await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { signature: 'ed25519' } });
    expect(patched.status).toBe(200);
    const publicKey = patched.body.public_key as string;
    expect(publicKey).toMatch(PUBLIC_KEY);
    // The same scheme again changes no key.
    expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { signature: 'ed25519' } })).body.public_key).toBe(publicKey);

    const event = await sendEvent('ed.switch', { n: 1 });
    await settledDelivery(event.id, sub.id);
    const got = await nth(r, 0);
    expect(entries(got).map((e) => e.split(',')[0])).toEqual(['v1a', 'v1']);
    expect(await nodeVerified(got, [publicKey])).toEqual([publicKey]);
    expect(() => new Webhook(sub.secret).verify(got.body, got.headers)).not.toThrow();
    // The JWKS lists the key pair only: an HMAC secret has no public half.
    expect(((await (await jwks(sub.id)).json()) as { keys: unknown[] }).keys).toHaveLength(1);

    // And back: a new HMAC secret, readable at the secret route; the key pair signs on through its overlap.
    expect((await apiJson(`/v1/subscriptions/${sub.id}`, { method: 'PATCH', json: { signature: 'hmac' } })).body).toMatchObject({ signature: 'hmac', public_key: null });
    const secret = (await apiJson(`/v1/subscriptions/${sub.id}/secret`)).body.secret as string;
    expect(secret).not.toBe(sub.secret);
    expect((await apiJson(`/v1/subscriptions/${sub.id}/public-key`)).body.keys.map((k: { public_key: string }) => k.public_key)).toEqual([publicKey]);
    const e2 = await sendEvent('ed.switch', { n: 2 });
    await settledDelivery(e2.id, sub.id);
    const got2 = await nth(r, 1);
    expect(entries(got2).map((e) => e.split(',')[0])).toEqual(['v1', 'v1a', 'v1']);
    expect(() => new Webhook(secret).verify(got2.body, got2.headers)).not.toThrow();
    expect(await nodeVerified(got2, [publicKey])).toEqual([publicKey]);
  });

  it('take a whsk_ secret key as given (Svix’s layout), and refuse a malformed or mismatched one with 422', async () => {
    const { seed, pub } = await keyPairBytes();
    const whsk = (a: Uint8Array, b: Uint8Array) => `whsk_${toBase64(new Uint8Array([...a, ...b]))}`;
    const r = receiver('ed-given');
    const sub = await ed25519Subscription(r, ['ed.given'], { secret: whsk(seed, pub) });
    expect(sub.public_key).toBe(`whpk_${toBase64(pub)}`);
    const event = await sendEvent('ed.given', { n: 1 });
    await settledDelivery(event.id, sub.id);
    expect(await nodeVerified(await nth(r, 0), [sub.public_key])).toEqual([sub.public_key]);

    const otherPub = pub.map((b) => b ^ 1);
    for (const secret of [whsk(seed, otherPub), 'whsk_short', `whsec_${toBase64(new Uint8Array(32))}`]) {
      const refused = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: r.url, events: ['ed.given'], signature: 'ed25519', secret } });
      expect(refused.status, secret).toBe(422);
      expect(refused.body.errors[0].path).toBe('secret');
      expect(JSON.stringify(refused.body)).not.toContain(secret.slice(5, 30));
    }
    const hmacWithKey = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: r.url, events: ['ed.given'], secret: whsk(seed, pub) } });
    expect(hmacWithKey.status).toBe(422);
    const bad = await apiJson('/v1/subscriptions', { method: 'POST', json: { url: r.url, events: ['ed.given'], signature: 'rsa' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('signature');
  });

  it('keep the secret key sealed: neither KV nor the object holds it in clear', async () => {
    const { seed, pub } = await keyPairBytes();
    const secretKey = `whsk_${toBase64(new Uint8Array([...seed, ...pub]))}`;
    const sub = await ed25519Subscription(receiver('ed-sealed'), ['ed.sealed'], { secret: secretKey });
    const kv = await env.SUBSCRIPTIONS.get(`sub:${sub.id}`);
    const stored = await runInDurableObject(env.SUBSCRIPTION_OBJECTS.getByName(sub.id), (_i, state) => JSON.stringify(state.storage.sql.exec('SELECT * FROM subscription').toArray()));
    for (const dump of [kv!, stored]) {
      expect(dump).toContain('ehsec:v1:test:');
      expect(dump).toContain(sub.public_key);
      for (const leak of [secretKey, secretKey.slice(5, 48), toBase64(seed).slice(0, 40)]) expect(dump).not.toContain(leak);
    }
  });
});

describe('operational webhooks to an Ed25519 subscription', () => {
  it('are signed with its key pair, as its other webhooks are', async () => {
    const ops = receiver('ed-ops');
    const opsSub = await ed25519Subscription(ops, ['subscription.disabled']);
    const watched = await createSubscription(receiver('ed-ops-watched').url, ['ed.ops']);
    expect((await apiJson(`/v1/subscriptions/${watched.id}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(200);
    const got = await eventually(async () => (await ops.log()).find((g) => g.body.includes(watched.id)));
    expect(JSON.parse(got.body).type).toBe('subscription.disabled');
    expect(entries(got)).toHaveLength(1);
    expect(await nodeVerified(got, [opsSub.public_key])).toEqual([opsSub.public_key]);
  });
});
