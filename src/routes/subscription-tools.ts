// Operator tools on one subscription: send a test event, recover failed deliveries, rotate the secret.
import { createRoute, z } from '@hono/zod-openapi';
import { ingestEvent } from '../delivery/ingest';
import { RECOVER_LIMIT, recoverFailed } from '../delivery/redeliver';
import { IdParam, jsonBody, jsonResponse, problems } from '../schemas/common';
import { EventAccepted } from '../schemas/events';
import { SecretResponse } from '../schemas/subscriptions';
import { generateSecret } from '../signing/secret';
import { putSubscription, withRotatedSecret } from '../store/subscriptions';
import { fail } from '../utils/problem';
import { assertGivenSecret, subscriptionOr404 } from './lookups';
import { bearer, routeGroup } from './openapi-app';

export const subscriptionToolRoutes = routeGroup();
const tags = ['Subscriptions'];
const SubId = IdParam('Subscription', 'sub_01jd8x0000a1b2c3d4e5f6g7h8');
export const TEST_EVENT_TYPE = 'webhook.test';

subscriptionToolRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/subscriptions/{id}/test',
    tags,
    security: bearer,
    summary: 'Send a webhook.test event to this subscription only',
    request: { params: SubId },
    responses: { 202: jsonResponse(EventAccepted, 'The test event, accepted'), ...problems(401, 404, 409) },
  }),
  async (c) => {
    const sub = await subscriptionOr404(c.env.SUBSCRIPTIONS, c.req.valid('param').id);
    if (sub.disabled) throw fail(409, 'The subscription is disabled: enable it before testing it.');
    const { event } = await ingestEvent(c.env, c.executionCtx, {
      type: TEST_EVENT_TYPE,
      data: { subscription_id: sub.id, message: 'This is a test event from edgehook.' },
      target_subscription_id: sub.id,
    }, undefined);
    return c.json(event, 202);
  },
);

const RecoverBody = z
  .strictObject({ since: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-28T00:00:00Z' }) })
  .openapi('RecoverRequest');

subscriptionToolRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/subscriptions/{id}/recover',
    tags,
    security: bearer,
    summary: 'Re-send every failed delivery of this subscription created since a time',
    description: `At most ${RECOVER_LIMIT} deliveries a call, oldest first; call again for more.`,
    request: { params: SubId, body: jsonBody(RecoverBody) },
    responses: { 202: jsonResponse(z.object({ recovering: z.number().int() }).openapi('RecoverAccepted'), 'Queued'), ...problems(400, 401, 404, 415, 422) },
  }),
  async (c) => {
    const sub = await subscriptionOr404(c.env.SUBSCRIPTIONS, c.req.valid('param').id);
    const since = new Date(c.req.valid('json').since);
    if (since.getTime() > Date.now()) throw fail(422, '`since` is in the future.', [{ path: 'since', message: 'must not be in the future' }]);
    return c.json({ recovering: await recoverFailed(c.env, sub.id, since.toISOString()) }, 202);
  },
);

const RotateBody = z.strictObject({ secret: z.string().optional().openapi({ description: 'The new secret; generated when left out' }) }).openapi('RotateRequest');

subscriptionToolRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/subscriptions/{id}/secret/rotate',
    tags,
    security: bearer,
    summary: 'Rotate the signing secret; the old one keeps signing beside it for 24 h',
    request: { params: SubId, body: { ...jsonBody(RotateBody), required: false } },
    responses: { 200: jsonResponse(SecretResponse, 'The new secret'), ...problems(400, 401, 404, 415, 422) },
  }),
  async (c) => {
    const sub = await subscriptionOr404(c.env.SUBSCRIPTIONS, c.req.valid('param').id);
    const given = c.req.valid('json')?.secret;
    assertGivenSecret(given);
    const secret = given ?? generateSecret();
    await putSubscription(c.env.SUBSCRIPTIONS, withRotatedSecret(sub, secret, Date.now()));
    return c.json({ secret }, 200);
  },
);
