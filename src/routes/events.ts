// /v1/events: send an event in, read where it went.
import { createRoute, z } from '@hono/zod-openapi';
import { isCallback } from '../delivery/callback';
import { schemaErrors } from '../delivery/event-schemas';
import { ingestEvent } from '../delivery/ingest';
import { IdParam, jsonBody, jsonResponse, problems } from '../schemas/common';
import { STANDARD_WEBHOOK_HEADERS } from '../openapi/webhook-headers';
import { Event, EventAccepted, EventCreate } from '../schemas/events';
import { deliveriesOfEvent } from '../store/deliveries';
import { getEvent } from '../store/events';
import { fail } from '../utils/problem';
import { bearer, routeGroup } from './openapi-app';
import { assertReceiverUrl } from '../services/receiver-url';
import { rawMember } from '../utils/json-member';
import { sha256Hex } from '../utils/hash';

export const eventRoutes = routeGroup();
const tags = ['Events'];

const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'must be 1 to 255 visible ASCII characters')
    .optional()
    .openapi({ description: 'The same key within 24 h returns the first answer and sends nothing again' }),
});

eventRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/events',
    tags,
    security: bearer,
    summary: 'Send an event to every matching subscription',
    description:
      'Answers 202 once the event is durable; the fan-out to subscriptions happens after the response. ' +
      'An event of a registered type with a schema is validated first (422 lists the failing paths). ' +
      'With `callback_url`, `event.completed` is POSTed there once every delivery is final.',
    callbacks: {
      eventCompleted: {
        '{$request.body#/callback_url}': {
          post: {
            summary: 'event.completed: every delivery of the event is final',
            description: 'Signed with CALLBACK_SECRET in the Standard Webhooks format; retried like any delivery. `webhook-id` is `<event id>_completed`.',
            parameters: [...STANDARD_WEBHOOK_HEADERS],
            requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/EventCompleted' } } } },
            responses: { '2XX': { description: 'Received; any other answer is retried' } },
          },
        },
      },
    },
    request: { headers: IdempotencyHeaders, body: jsonBody(EventCreate) },
    responses: { 202: jsonResponse(EventAccepted, 'Accepted and durable'), ...problems(400, 401, 409, 413, 415, 422) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    if (input.callback_url !== undefined) {
      if (!c.env.CALLBACK_SECRET) throw fail(422, 'Callbacks are off: this service has no CALLBACK_SECRET to sign them with.', [{ path: 'callback_url', message: 'callbacks are not configured' }]);
      assertReceiverUrl(c.env, 'callback_url', input.callback_url);
    }
    const errors = await schemaErrors(c.env.DB, input.type, input.data);
    if (errors.length > 0) throw fail(422, `The data does not match the schema of event type ${input.type}.`, errors);
    const body = await c.req.text(); // the bytes as sent (read once by the json-body middleware)
    const hash = await sha256Hex(body);
    const data_json = rawMember(body, 'data');
    const { event, created, conflict } = await ingestEvent(c.env, c.executionCtx, { ...input, ...(data_json ? { data_json } : {}) }, c.req.valid('header')['idempotency-key'], Date.now(), hash);
    if (conflict) throw fail(409, 'This Idempotency-Key (or event id) was used within 24 h with another body: use a new key for a new event.');
    if (!created) c.header('idempotent-replayed', 'true');
    return c.json(event, 202);
  },
);

eventRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/events/{id}',
    tags,
    security: bearer,
    summary: 'Read an event and its deliveries',
    request: { params: IdParam('Event', 'evt_01jd8x0000a1b2c3d4e5f6g7h8') },
    responses: { 200: jsonResponse(Event, 'The event'), ...problems(401, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    const event = await getEvent(c.env.DB, id);
    if (!event) throw fail(404, `No event ${id}.`);
    const all = await deliveriesOfEvent(c.env.DB, id);
    return c.json(
      {
        id: event.id,
        type: event.type,
        data: JSON.parse(event.data) as Record<string, unknown>,
        created_at: event.created_at,
        ...(event.callback_url ? { callback_url: event.callback_url, callback: all.find(isCallback) ?? null } : {}),
        deliveries: all.filter((d) => !isCallback(d)),
      },
      200,
    );
  },
);
