// /v1/subscriptions: create, list, read, change, remove, and read the secret.
import { createRoute } from '@hono/zod-openapi';
import { IdParam, jsonBody, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { SecretResponse, Subscription, SubscriptionCreate, SubscriptionUpdate, SubscriptionWithSecret } from '../schemas/subscriptions';
import { subscriptionOr404 } from '../services/lookups';
import { changeSubscription, createSubscription, currentSecret, deleteSubscription } from '../services/subscriptions';
import { listSubscriptions, toPublic } from '../store/subscriptions';
import { fail } from '../utils/problem';
import { bearer, routeGroup } from './openapi-app';

export const subscriptionRoutes = routeGroup();
const tags = ['Subscriptions'];
const SubId = IdParam('Subscription', 'sub_01jd8x0000a1b2c3d4e5f6g7h8');

subscriptionRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/subscriptions',
    tags,
    security: bearer,
    summary: 'Create a subscription',
    request: { body: jsonBody(SubscriptionCreate) },
    responses: { 201: jsonResponse(SubscriptionWithSecret, 'Created; the only answer besides the secret routes that shows the secret'), ...problems(400, 401, 413, 415, 422) },
  }),
  async (c) => {
    const { sub, secret } = await createSubscription(c.env, c.req.valid('json'));
    return c.json({ ...toPublic(sub), secret }, 201);
  },
);

subscriptionRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/subscriptions',
    tags,
    security: bearer,
    summary: 'List subscriptions (without secrets)',
    request: { query: pageQuery(/^[A-Za-z0-9+/=_-]+$/) }, // KV's list cursor (base64)
    responses: { 200: jsonResponse(pageOf(Subscription), 'A page of subscriptions'), ...problems(400, 401) },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await listSubscriptions(c.env.SUBSCRIPTIONS, limit, cursor).catch(() => {
      throw fail(400, 'The cursor is not valid.');
    });
    return c.json({ data: page.data.map(toPublic), next_cursor: page.next_cursor }, 200);
  },
);

subscriptionRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/subscriptions/{id}',
    tags,
    security: bearer,
    summary: 'Read a subscription',
    request: { params: SubId },
    responses: { 200: jsonResponse(Subscription, 'The subscription'), ...problems(401, 404) },
  }),
  async (c) => c.json(toPublic(await subscriptionOr404(c.env, c.req.valid('param').id)), 200),
);

subscriptionRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/v1/subscriptions/{id}',
    tags,
    security: bearer,
    summary: 'Change a subscription',
    request: { params: SubId, body: jsonBody(SubscriptionUpdate) },
    responses: { 200: jsonResponse(Subscription, 'The changed subscription'), ...problems(400, 401, 404, 413, 415, 422) },
  }),
  async (c) => {
    const changed = await changeSubscription(c.env, c.req.valid('param').id, c.req.valid('json'));
    return c.json(toPublic(changed), 200);
  },
);

subscriptionRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/v1/subscriptions/{id}',
    tags,
    security: bearer,
    summary: 'Remove a subscription; its pending deliveries become failed',
    request: { params: SubId },
    responses: { 204: { description: 'Removed' }, ...problems(401, 404) },
  }),
  async (c) => {
    await deleteSubscription(c.env, c.req.valid('param').id);
    return c.body(null, 204);
  },
);

subscriptionRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/subscriptions/{id}/secret',
    tags,
    security: bearer,
    summary: 'Read the current signing secret',
    request: { params: SubId },
    responses: { 200: jsonResponse(SecretResponse, 'The newest secret'), ...problems(401, 404) },
  }),
  async (c) => {
    const sub = await subscriptionOr404(c.env, c.req.valid('param').id);
    return c.json({ secret: await currentSecret(c.env, sub) }, 200);
  },
);

