// /v1/events: send an event in, read where it went.
import { createRoute, z } from '@hono/zod-openapi';
import { ingestEvent } from '../delivery/ingest';
import { IdParam, jsonBody, jsonResponse, problems } from '../schemas/common';
import { Event, EventAccepted, EventCreate } from '../schemas/events';
import { deliveriesOfEvent } from '../store/deliveries';
import { getEvent } from '../store/events';
import { fail } from '../utils/problem';
import { bearer, routeGroup } from './openapi-app';
import { assertReceiverUrl } from './receiver-url';

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
    description: 'Answers 202 once the event is durable; the fan-out to subscriptions happens after the response.',
    request: { headers: IdempotencyHeaders, body: jsonBody(EventCreate) },
    responses: { 202: jsonResponse(EventAccepted, 'Accepted and durable'), ...problems(400, 401, 413, 415, 422) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    if (input.callback_url !== undefined) assertReceiverUrl(c.env, 'callback_url', input.callback_url);
    const { event, created } = await ingestEvent(c.env, c.executionCtx, input, c.req.valid('header')['idempotency-key']);
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
    const deliveries = await deliveriesOfEvent(c.env.DB, id);
    return c.json(
      {
        id: event.id,
        type: event.type,
        data: JSON.parse(event.data) as Record<string, unknown>,
        created_at: event.created_at,
        ...(event.callback_url ? { callback_url: event.callback_url } : {}),
        deliveries,
      },
      200,
    );
  },
);
