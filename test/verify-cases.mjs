// The verify module's cases, shared by the workerd suite (vitest) and the Node suite (node --test).
// Each case throws when the module misbehaves.

const KAT = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

// Ed25519 (`v1a`): RFC 8032's first test key, over the vector above's id, timestamp and payload.
const KAT_V1A = {
  publicKey: 'whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
  jwkX: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  signature: 'v1a,fldxM4gAKugP6nnt1hdz3sgGfZ6d99nzrMFnZOELIxbzEHoVmAb2ADpkJK7zgPePmPsle0zV9jSeGlHFG2NVAw==',
  /** RFC 8032's second test key: a valid key that did not sign the vector. */
  otherJwkX: 'PUAXw-hDiVqStwqnTRt-vJyYLM8uxJaMwM1V8Sr0Zgw',
};

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function rejects(promise, reason, WebhookVerificationError) {
  try {
    await promise;
  } catch (err) {
    assert(err instanceof WebhookVerificationError, `expected WebhookVerificationError, got ${err}`);
    assert(err.reason === reason, `expected reason "${reason}", got "${err.reason}"`);
    return;
  }
  throw new Error(`expected rejection "${reason}", but it verified`);
}

/**
 * @param mod the verify module ({ verify, verifyGithub, WebhookVerificationError })
 * @param libs { Webhook } from `standardwebhooks`, { sign } from `@octokit/webhooks-methods`
 */
export function verifyCases(mod, { Webhook, sign }) {
  const { verify, verifyGithub, jwksVerifier, WebhookVerificationError } = mod;
  const katHeaders = (signature = KAT_V1A.signature, id = KAT.id) => ({ 'webhook-id': id, 'webhook-timestamp': String(KAT.timestamp), 'webhook-signature': signature });
  const atKat = { now: () => KAT.timestamp * 1000 };
  const jwksAnswer = (x) => async () => new Response(JSON.stringify({ keys: [{ kty: 'OKP', crv: 'Ed25519', x, kid: 'k', alg: 'EdDSA', use: 'sig' }] }), { headers: { 'cache-control': 'max-age=300' } });
  const secret = 'whsec_' + btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const body = '{"type":"order.created","timestamp":"2026-11-29T10:00:00.000Z","data":{"id":"ord_1","note":"héllo"}}';
  const now = Math.floor(Date.now() / 1000);
  const signed = (id, ts, b = body, key = secret) => ({
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': new Webhook(key).sign(id, new Date(ts * 1000), b),
  });
  const no = (promise, reason) => rejects(promise, reason, WebhookVerificationError);
  // The tolerance cases sit one second from the edge, so they read a fixed clock: with the real one a
  // second boundary crossed between `now` above and the check would move the edge under them.
  const atNow = { now: () => now * 1000 };

  return [
    { name: 'the Standard Webhooks known-answer vector', run: async () => {
      const headers = { 'webhook-id': KAT.id, 'webhook-timestamp': String(KAT.timestamp), 'webhook-signature': KAT.signature };
      const got = await verify(KAT.secret, KAT.payload, headers, { now: () => KAT.timestamp * 1000 });
      assert(got.id === KAT.id && got.timestamp === KAT.timestamp, 'wrong id or timestamp');
    } },
    { name: 'the Ed25519 (v1a) known-answer vector, with a whpk_ key', run: async () => {
      const got = await verify(KAT_V1A.publicKey, KAT.payload, katHeaders(), atKat);
      assert(got.id === KAT.id && got.timestamp === KAT.timestamp, 'wrong id or timestamp');
    } },
    { name: 'v1a: one matching signature among several (a rotation), and beside v1', run: async () => {
      const other = `v1a,${btoa(String.fromCharCode(...new Uint8Array(64).fill(7)))}`;
      await verify(KAT_V1A.publicKey, KAT.payload, katHeaders(`${other} ${KAT.signature} ${KAT_V1A.signature}`), atKat);
    } },
    { name: 'v1a: rejects a tampered body, id or timestamp, a v1-only header, and a malformed key', run: async () => {
      await no(verify(KAT_V1A.publicKey, `${KAT.payload} `, katHeaders(), atKat), 'no matching signature');
      await no(verify(KAT_V1A.publicKey, KAT.payload, katHeaders(KAT_V1A.signature, 'msg_other'), atKat), 'no matching signature');
      await no(verify(KAT_V1A.publicKey, KAT.payload, { ...katHeaders(), 'webhook-timestamp': String(KAT.timestamp + 1) }, atKat), 'no matching signature');
      await no(verify(KAT_V1A.publicKey, KAT.payload, katHeaders(KAT.signature), atKat), 'no matching signature');
      await no(verify('whpk_short', KAT.payload, katHeaders(), atKat), 'invalid public key');
      await no(verify(KAT.secret, KAT.payload, katHeaders(), atKat), 'no matching signature');
    } },
    { name: 'v1a with keys from a JWKS: verifies, keeps the keys, refuses another key and an unreachable set', run: async () => {
      let fetches = 0;
      const answer = jwksAnswer(KAT_V1A.jwkX);
      const check = jwksVerifier('https://edgehook.example/.well-known/webhooks/subscriptions/sub_1/jwks.json', { ...atKat, fetch: () => (fetches++, answer()) });
      const got = await check(KAT.payload, katHeaders());
      assert(got.id === KAT.id, 'wrong id');
      await check(KAT.payload, katHeaders());
      assert(fetches === 1, `fetched ${fetches} times`);
      const wrong = jwksVerifier('https://x.example/jwks.json', { ...atKat, fetch: jwksAnswer(KAT_V1A.otherJwkX) });
      await no(wrong(KAT.payload, katHeaders()), 'no matching signature');
      const down = jwksVerifier('https://x.example/jwks.json', { ...atKat, fetch: async () => new Response('', { status: 500 }) });
      await no(down(KAT.payload, katHeaders()), 'keys unavailable');
    } },
    { name: 'a signature made by the standardwebhooks package', run: async () => {
      const got = await verify(secret, body, signed('msg_1', now));
      assert(got.id === 'msg_1', 'wrong id');
    } },
    { name: 'a Headers object, a plain object in any case, and bytes for the body', run: async () => {
      const h = signed('msg_2', now);
      await verify(secret, body, new Headers(h));
      await verify(secret, new TextEncoder().encode(body), Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v])));
    } },
    { name: 'several signatures, one matching (a secret rotation)', run: async () => {
      const other = 'whsec_' + btoa('x'.repeat(32));
      const h = signed('msg_3', now);
      h['webhook-signature'] = `${new Webhook(other).sign('msg_3', new Date(now * 1000), body)} ${h['webhook-signature']}`;
      await verify(secret, body, h);
    } },
    { name: 'timestamps 299 s old and 299 s ahead pass', run: async () => {
      await verify(secret, body, signed('msg_4', now - 299), atNow);
      await verify(secret, body, signed('msg_5', now + 299), atNow);
    } },
    { name: 'rejects a tampered body', run: () => no(verify(secret, body.replace('ord_1', 'ord_2'), signed('msg_6', now)), 'no matching signature') },
    { name: 'rejects re-serialised JSON', run: () => no(verify(secret, JSON.stringify(JSON.parse(body), null, 1), signed('msg_7', now)), 'no matching signature') },
    { name: 'rejects a tampered id', run: async () => {
      const h = signed('msg_8', now);
      h['webhook-id'] = 'msg_9';
      await no(verify(secret, body, h), 'no matching signature');
    } },
    { name: 'rejects a timestamp 301 s old', run: () => no(verify(secret, body, signed('msg_10', now - 301), atNow), 'timestamp too old') },
    { name: 'rejects a timestamp 301 s ahead', run: () => no(verify(secret, body, signed('msg_11', now + 301), atNow), 'timestamp too new') },
    { name: 'reads the real clock when none is given: an hour old or ahead is refused', run: async () => {
      await no(verify(secret, body, signed('msg_16', now - 3600)), 'timestamp too old');
      await no(verify(secret, body, signed('msg_17', now + 3600)), 'timestamp too new');
    } },
    { name: 'rejects a missing header', run: async () => {
      for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
        const h = signed('msg_12', now);
        delete h[name];
        await no(verify(secret, body, h), 'missing header');
      }
    } },
    { name: 'rejects a v1a-only header', run: async () => {
      const h = signed('msg_13', now);
      h['webhook-signature'] = h['webhook-signature'].replace(/^v1,/, 'v1a,');
      await no(verify(secret, body, h), 'no matching signature');
    } },
    { name: 'rejects a wrong secret', run: () => no(verify('whsec_' + btoa('y'.repeat(32)), body, signed('msg_14', now)), 'no matching signature') },
    { name: 'rejects a non-numeric timestamp', run: async () => {
      const h = signed('msg_15', now);
      h['webhook-timestamp'] = 'soon';
      await no(verify(secret, body, h), 'invalid timestamp');
    } },
    { name: 'accepts a GitHub signature made by @octokit/webhooks-methods', run: async () => {
      await verifyGithub('gh-secret', body, { 'X-Hub-Signature-256': await sign('gh-secret', body) });
    } },
    { name: 'rejects a GitHub signature over another body, with another secret, or missing', run: async () => {
      const signature = await sign('gh-secret', body);
      await no(verifyGithub('gh-secret', `${body} `, { 'x-hub-signature-256': signature }), 'no matching signature');
      await no(verifyGithub('other', body, { 'x-hub-signature-256': signature }), 'no matching signature');
      await no(verifyGithub('gh-secret', body, {}), 'missing header');
    } },
  ];
}
