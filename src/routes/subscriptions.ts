// /v1/subscriptions: create, list, read, change, remove, and read the secret.
import { createRoute } from '@hono/zod-openapi';
import { generateSecret } from '../signing/secret';
import { IdParam, jsonBody, jsonResponse, PageQuery, pageOf, problems } from '../schemas/common';
import { SecretResponse, Subscription, SubscriptionCreate, SubscriptionUpdate, SubscriptionWithSecret } from '../schemas/subscriptions';
import {
  deleteSubscription,
  listSubscriptions,
  putSubscription,
  signingSecrets,
  toPublic,
  type StoredSubscription,
} from '../store/subscriptions';
import { newId } from '../utils/ids';
import { fail } from '../utils/problem';
import { assertGivenSecret, assertKnownTypes, subscriptionOr404 } from './lookups';
import { bearer, routeGroup } from './openapi-app';
import { assertReceiverUrl } from './receiver-url';

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
    const input = c.req.valid('json');
    assertReceiverUrl(c.env, 'url', input.url);
    assertGivenSecret(input.secret);
    await assertKnownTypes(c.env, input.events);
    const now = new Date();
    const sub: StoredSubscription = {
      id: newId('sub', now.getTime()),
      url: input.url,
      events: input.events,
      description: input.description ?? null,
      metadata: input.metadata ?? {},
      disabled: false,
      github_signature: input.github_signature ?? false,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      secrets: [{ value: input.secret ?? generateSecret(), expires_at: null }],
    };
    await putSubscription(c.env.SUBSCRIPTIONS, sub);
    return c.json({ ...toPublic(sub), secret: sub.secrets[0]!.value }, 201);
  },
);

subscriptionRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/subscriptions',
    tags,
    security: bearer,
    summary: 'List subscriptions (without secrets)',
    request: { query: PageQuery },
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
  async (c) => c.json(toPublic(await subscriptionOr404(c.env.SUBSCRIPTIONS, c.req.valid('param').id)), 200),
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
    const input = c.req.valid('json');
    const sub = await subscriptionOr404(c.env.SUBSCRIPTIONS, c.req.valid('param').id);
    if (input.url !== undefined) assertReceiverUrl(c.env, 'url', input.url);
    await assertKnownTypes(c.env, input.events);
    const changed: StoredSubscription = {
      ...sub,
      url: input.url ?? sub.url,
      events: input.events ?? sub.events,
      description: input.description === undefined ? sub.description : input.description,
      metadata: input.metadata ?? sub.metadata,
      disabled: input.disabled ?? sub.disabled,
      github_signature: input.github_signature ?? sub.github_signature,
      updated_at: new Date().toISOString(),
    };
    await putSubscription(c.env.SUBSCRIPTIONS, changed);
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
    const sub = await subscriptionOr404(c.env.SUBSCRIPTIONS, c.req.valid('param').id);
    await deleteSubscription(c.env.SUBSCRIPTIONS, sub.id);
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
    const sub = await subscriptionOr404(c.env.SUBSCRIPTIONS, c.req.valid('param').id);
    return c.json({ secret: signingSecrets(sub, Date.now())[0] ?? sub.secrets[0]!.value }, 200);
  },
);

