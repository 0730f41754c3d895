/** @jsxImportSource hono/jsx */
// How a receiver verifies a subscription that signs with Ed25519: its public keys, the JWKS URL, and a
// few lines with edgehook/verify or Python's `cryptography`. Shown by the dashboard and the portal.
import type { PublicKeyEntry } from '../services/signing-secrets';

export const jwksUrl = (origin: string, subscriptionId: string) => `${origin}/.well-known/webhooks/subscriptions/${subscriptionId}/jwks.json`;

export const PublicKeysHelp = ({ keys, origin, subscriptionId }: { keys: PublicKeyEntry[]; origin: string; subscriptionId: string }) => {
  const current = keys[0]?.public_key ?? 'whpk_…';
  return (
    <div data-public-keys>
      <p>
        Signed with Ed25519 (<code>v1a</code>): verify each webhook’s <code>webhook-signature</code> with this public key. It can check a
        signature but cannot make one, so it need not be kept secret.
      </p>
      <ul>
        {keys.map((k) => (
          <li>
            <code data-public-key>{k.public_key}</code> <span class="muted">kid {k.kid}{k.expires_at ? ` · signs until ${k.expires_at}` : ' · current'}</span>
          </li>
        ))}
      </ul>
      <p>
        The same keys as a JWKS, without a token: <code data-jwks-url>{jwksUrl(origin, subscriptionId)}</code>
      </p>
      <pre>
        {`// JavaScript (Workers, Node 22.12+, Deno, Bun)
import { verify } from 'edgehook/verify';
await verify('${current}', rawBody, request.headers);

# Python, with the cryptography package
Ed25519PublicKey.from_public_bytes(b64decode(key[5:])).verify(
    b64decode(sig[4:]), f"{id}.{timestamp}.".encode() + raw_body)`}
      </pre>
    </div>
  );
};
