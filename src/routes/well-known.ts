// What a receiver fetches without a token: the JWKS of a subscription's Ed25519 signing keys.
import { createRoute } from '@hono/zod-openapi';
import { IdParam, jsonResponse, problems } from '../schemas/common';
import { Jwks } from '../schemas/subscriptions';
import { signingJwks } from '../services/subscriptions';
import { fail } from '../utils/problem';
import { routeGroup } from './openapi-app';

/** Receivers and the caches between may keep it this long: a rotation's old key signs for 24 h more. */
export const JWKS_MAX_AGE_SECONDS = 300;

export const wellKnownRoutes = routeGroup();

wellKnownRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/.well-known/webhooks/subscriptions/{id}/jwks.json',
    tags: ['Receiving'],
    summary: 'The public keys that verify a subscription’s webhooks (JWKS, no token)',
    description: `For a subscription with \`signature: "ed25519"\`: every key that signs its webhooks now (two during a rotation’s 24 h overlap), each with its \`kid\` (the RFC 7638 thumbprint), and nothing else about it. Cacheable for ${JWKS_MAX_AGE_SECONDS / 60} minutes. An unknown subscription, or one that signs only with HMAC, is a 404 like any other id.`,
    request: { params: IdParam('Subscription', 'sub_01jd8x0000a1b2c3d4e5f6g7h8') },
    responses: { 200: jsonResponse(Jwks, 'The key set'), ...problems(404) },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const jwks = await signingJwks(c.env, id);
    if (!jwks) throw fail(404, `No subscription ${id} that signs with Ed25519.`);
    c.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    c.header('access-control-allow-origin', '*');
    return c.json(jwks, 200);
  },
);
