// Subscriptions: create, list, read, change, remove, and read the secret; of one application.
import { createRoute } from '@hono/zod-openapi';
import { IdParam, jsonBody, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { SecretResponse, Subscription, SubscriptionCreate, SubscriptionUpdate, SubscriptionWithSecret } from '../schemas/subscriptions';
import { subscriptionOr404 } from '../services/lookups';
import { changeSubscription, createSubscription, currentSecret, deleteSubscription, listOfApplication, publicSubscription, waitingOf } from '../services/subscriptions';
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
      responses: { 201: jsonResponse(SubscriptionWithSecret, 'Created; the only answer besides the secret routes that shows the secret'), ...problems(400, 401, 404, 413, 415, 422) },
    }),
    async (c) => {
      const { sub, secret } = await createSubscription(c.env, await applicationOf(c), c.req.valid('json'));
      return c.json({ ...(await publicSubscription(c.env, sub)), secret }, 201);
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
      summary: 'Read the current signing secret',
      description: at.describe(),
      request: { params: at.params(SubId) },
      responses: { 200: jsonResponse(SecretResponse, 'The newest secret'), ...problems(401, 404) },
    }),
    async (c) => {
      const sub = await subscriptionOr404(c.env, await applicationOf(c), c.req.valid('param').id);
      return c.json({ secret: await currentSecret(c.env, sub) }, 200);
    },
  );
});
