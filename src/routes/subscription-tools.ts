// Operator tools on one subscription: send a test event, recover failed deliveries, rotate the secret.
import { createRoute, z } from '@hono/zod-openapi';
import { RECOVER_LIMIT } from '../delivery/redeliver';
import { recover } from '../services/log';
import { IdParam, jsonBody, jsonResponse, problems } from '../schemas/common';
import { EventAccepted } from '../schemas/events';
import { RotateResponse, Subscription, TransformationTest, TransformationTestResult } from '../schemas/subscriptions';
import { tryTransformation } from '../services/transformations';
import { subscriptionOr404 } from '../services/lookups';
import { publicSubscription, rotateSecret, sendTestEvent, setPaused } from '../services/subscriptions';
import { fail } from '../utils/problem';
import { applicationOf, applicationRoutes, bearer } from './openapi-app';

const RecoverBody = z
  .strictObject({ since: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-28T00:00:00Z' }) })
  .openapi('RecoverRequest');

const RecoverAccepted = z.object({ recovering: z.number().int() }).openapi('RecoverAccepted');

const RotateBody = z
  .strictObject({ secret: z.string().optional().openapi({ description: 'The new secret (`whsec_`), or with Ed25519 the new secret key (`whsk_`); generated when left out' }) })
  .openapi('RotateRequest');

export const subscriptionToolRoutes = applicationRoutes((routes, at) => {
  const tags = ['Subscriptions'];
  const SubId = IdParam('Subscription', 'sub_01jd8x0000a1b2c3d4e5f6g7h8');

  routes.openapi(
    createRoute({
      method: 'post',
      path: at.path('/subscriptions/{id}/test'),
      tags,
      security: bearer,
      summary: 'Send a webhook.test event to this subscription only',
      description: at.describe(),
      request: { params: at.params(SubId) },
      responses: { 202: jsonResponse(EventAccepted, 'The test event, accepted'), ...problems(401, 404, 409) },
    }),
    async (c) => {
      return c.json(await sendTestEvent(c.env, c.executionCtx, await applicationOf(c), c.req.valid('param').id), 202);
    },
  );

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    routes.openapi(
      createRoute({
        method: 'post',
        path: at.path(`/subscriptions/{id}/${action}`),
        tags,
        security: bearer,
        summary: paused ? 'Pause: hold every delivery (nothing is sent, nothing fails)' : 'Resume: send what was held, in order where FIFO',
        description: at.describe(
          paused
            ? 'Deliveries wait in the subscription’s object until it is resumed; none is attempted, counted failed or disabled for it. Pausing a paused subscription changes nothing.'
            : 'What waited goes, within the rate limit and in event order under FIFO.',
        ),
        request: { params: at.params(SubId) },
        responses: { 200: jsonResponse(Subscription, 'The subscription'), ...problems(401, 404) },
      }),
      async (c) => c.json(await publicSubscription(c.env, await setPaused(c.env, await applicationOf(c), c.req.valid('param').id, paused)), 200),
    );
  }

  routes.openapi(
    createRoute({
      method: 'post',
      path: at.path('/subscriptions/{id}/recover'),
      tags,
      security: bearer,
      summary: 'Re-send every failed delivery of this subscription created since a time',
      description: at.describe(`At most ${RECOVER_LIMIT} deliveries a call, oldest first; call again for more.`),
      request: { params: at.params(SubId), body: jsonBody(RecoverBody) },
      responses: { 202: jsonResponse(RecoverAccepted, 'Queued'), ...problems(400, 401, 404, 415, 422) },
    }),
    async (c) => {
      const sub = await subscriptionOr404(c.env, await applicationOf(c), c.req.valid('param').id);
      const since = new Date(c.req.valid('json').since);
      if (since.getTime() > Date.now()) throw fail(422, '`since` is in the future.', [{ path: 'since', message: 'must not be in the future' }]);
      return c.json({ recovering: await recover(c.env, sub.application_id, sub.id, since.toISOString()) }, 202);
    },
  );

  routes.openapi(
    createRoute({
      method: 'post',
      path: at.path('/subscriptions/{id}/secret/rotate'),
      tags,
      security: bearer,
      summary: 'Rotate the signing secret or key pair; the old one keeps signing beside it for 24 h',
      description: at.describe(
        'A new secret of the subscription’s scheme: an HMAC secret, or an Ed25519 key pair (answered with its public key). Every secret inside its 24 h overlap keeps signing, so each attempt carries one signature per secret; a rotation that would make more than 10 secrets sign at once is refused with 409.',
      ),
      request: { params: at.params(SubId), body: { ...jsonBody(RotateBody), required: false } },
      responses: { 200: jsonResponse(RotateResponse, 'The new secret, or the new public key'), ...problems(400, 401, 404, 409, 415, 422) },
    }),
    async (c) => {
      return c.json(await rotateSecret(c.env, await applicationOf(c), c.req.valid('param').id, c.req.valid('json')?.secret), 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'post',
      path: at.path('/subscriptions/{id}/transformation/test'),
      tags,
      security: bearer,
      summary: 'Try its transformation (or other code) on a sample event; nothing is sent',
      description: at.describe(
        'Runs the saved transformation, or `code` when given (nothing is saved), in a sandboxed isolate, on an event of `event_type` with `payload` as its data (by default the event type’s example from the catalogue). Answers what would be sent, that it would be cancelled, or the error an attempt would fail with.',
      ),
      request: { params: at.params(SubId), body: jsonBody(TransformationTest) },
      responses: { 200: jsonResponse(TransformationTestResult, 'What it made of the sample'), ...problems(400, 401, 404, 409, 413, 415, 422) },
    }),
    async (c) => {
      const sub = await subscriptionOr404(c.env, await applicationOf(c), c.req.valid('param').id);
      return c.json(await tryTransformation(c.env, sub, c.req.valid('json')), 200);
    },
  );
});
