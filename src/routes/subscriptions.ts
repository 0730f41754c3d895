// Subscriptions: create, list, read, change, remove, and read the secret; of one application.
import { createRoute } from '@hono/zod-openapi';
import { IdParam, jsonBody, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { PublicKeys, SecretResponse, Subscription, SubscriptionCreate, SubscriptionUpdate, SubscriptionWithSecret } from '../schemas/subscriptions';
import { subscriptionOr404 } from '../services/lookups';
import { changeSubscription, createSubscription, currentSecret, deleteSubscription, listOfApplication, publicKeys, publicSubscription, waitingOf } from '../services/subscriptions';
import { applicationOf, applicationRoutes, bearer } from './openapi-app';

const tags = ['Subscriptions'];
const SubId = IdParam('Subscription', 'sub_01jd8x0000a1b2c3d4e5f6g7h8');

export const subscriptionRoutes = applicationRoutes((routes, at) => {
  routes.openapi(
    createRoute({
      method: 'post',
      path: at.path('/subscriptions'),
      tags,
      security: bearer,
      summary: 'Create a subscription',
      description: at.describe(),
      request: { params: at.params(), body: jsonBody(SubscriptionCreate) },
      responses: { 201: jsonResponse(SubscriptionWithSecret, 'Created; the only answer besides the secret routes that shows an HMAC secret'), ...problems(400, 401, 404, 413, 415, 422) },
    }),
    async (c) => {
      const { sub, shown } = await createSubscription(c.env, await applicationOf(c), c.req.valid('json'));
      return c.json({ ...(await publicSubscription(c.env, sub)), ...shown }, 201);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/subscriptions'),
      tags,
      security: bearer,
      summary: 'List subscriptions (without secrets), oldest first',
      description: at.describe(),
      request: { params: at.params(), query: pageQuery(/^[A-Za-z0-9+/=_-]+$/) }, // KV's list cursor (base64)
      responses: { 200: jsonResponse(pageOf(Subscription), 'A page of subscriptions'), ...problems(400, 401, 404) },
    }),
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const page = await listOfApplication(c.env, await applicationOf(c), limit, cursor);
      return c.json({ data: await Promise.all(page.data.map((s) => publicSubscription(c.env, s))), next_cursor: page.next_cursor }, 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/subscriptions/{id}'),
      tags,
      security: bearer,
      summary: 'Read a subscription',
      description: at.describe(),
      request: { params: at.params(SubId) },
      responses: { 200: jsonResponse(Subscription, 'The subscription'), ...problems(401, 404) },
    }),
    async (c) => {
      const sub = await subscriptionOr404(c.env, await applicationOf(c), c.req.valid('param').id);
      return c.json({ ...(await publicSubscription(c.env, sub)), waiting: await waitingOf(c.env, sub) }, 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'patch',
      path: at.path('/subscriptions/{id}'),
      tags,
      security: bearer,
      summary: 'Change a subscription',
      description: at.describe(),
      request: { params: at.params(SubId), body: jsonBody(SubscriptionUpdate) },
      responses: { 200: jsonResponse(Subscription, 'The changed subscription'), ...problems(400, 401, 404, 413, 415, 422) },
    }),
    async (c) => {
      const changed = await changeSubscription(c.env, await applicationOf(c), c.req.valid('param').id, c.req.valid('json'));
      return c.json(await publicSubscription(c.env, changed), 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'delete',
      path: at.path('/subscriptions/{id}'),
      tags,
      security: bearer,
      summary: 'Remove a subscription; its pending deliveries become failed',
      description: at.describe(),
      request: { params: at.params(SubId) },
      responses: { 204: { description: 'Removed' }, ...problems(401, 404) },
    }),
    async (c) => {
      await deleteSubscription(c.env, await applicationOf(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/subscriptions/{id}/secret'),
      tags,
      security: bearer,
      summary: 'Read the current signing secret (HMAC)',
      description: at.describe('A subscription that signs with Ed25519 has no shared secret: 409 (its public key is at `…/public-key`).'),
      request: { params: at.params(SubId) },
      responses: { 200: jsonResponse(SecretResponse, 'The newest secret'), ...problems(401, 404, 409) },
    }),
    async (c) => {
      const sub = await subscriptionOr404(c.env, await applicationOf(c), c.req.valid('param').id);
      return c.json({ secret: await currentSecret(c.env, sub) }, 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/subscriptions/{id}/public-key'),
      tags,
      security: bearer,
      summary: 'Read the Ed25519 public keys that verify its webhooks',
      description: at.describe(
        'For `signature: "ed25519"`: the current `whpk_` key and every key that signs now (two during a rotation’s 24 h overlap). The same keys, without a token: `GET /.well-known/webhooks/subscriptions/{id}/jwks.json`. A subscription that signs only with HMAC: 409.',
      ),
      request: { params: at.params(SubId) },
      responses: { 200: jsonResponse(PublicKeys, 'Its public keys'), ...problems(401, 404, 409) },
    }),
    async (c) => {
      const sub = await subscriptionOr404(c.env, await applicationOf(c), c.req.valid('param').id);
      return c.json(await publicKeys(sub), 200);
    },
  );
});
