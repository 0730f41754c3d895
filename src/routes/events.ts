// /v1/events: send an event in, read where it went.
import { createRoute, z } from '@hono/zod-openapi';
import { isCallback } from '../delivery/callback';
import { canSignCallbacks } from '../delivery/callback-secrets';
import { schemaErrors } from '../delivery/event-schemas';
import { ingestEvent } from '../delivery/ingest';
import { isOperational } from '../delivery/operational-types';
import { IdParam, jsonBody, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { STANDARD_WEBHOOK_HEADERS } from '../openapi/webhook-headers';
import { receiverGuide } from '../openapi/receiver-guide';
import { Event, EventAccepted, EventCreate, EventListItem, EventQuery } from '../schemas/events';
import { deliveriesOfEvent } from '../store/deliveries';
import { eraseEvent } from '../store/events';
import { eventOr404, eventsOf } from '../services/log';
import { fail } from '../utils/problem';
import { applicationOf, applicationRoutes, bearer } from './openapi-app';
import { assertReceiverUrl } from '../services/receiver-url';
import { rawMember } from '../utils/json-member';
import { sha256Hex } from '../utils/hash';

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

const EvtId = IdParam('Event', 'evt_01jd8x0000a1b2c3d4e5f6g7h8');

export const eventRoutes = applicationRoutes((routes, at) => {
  routes.openapi(
    createRoute({
      method: 'post',
      path: at.path('/events'),
      tags,
      security: bearer,
      summary: 'Send an event to every matching subscription',
      description: at.describe(
        'Answers 202 once the event is durable; the fan-out to the application’s subscriptions happens after the response. ' +
          'An event of a registered type with a schema is validated first (422 lists the failing paths). ' +
          'With `callback_url`, `event.completed` is POSTed there once every delivery is final.\n\n' +
          receiverGuide('callback', '**The callback** (`event.completed`, under *Callbacks* below) is what the receiver gets'),
      ),
      callbacks: {
        eventCompleted: {
          '{$request.body#/callback_url}': {
            post: {
              summary: 'event.completed: every delivery of the event is final',
              description: `Signed in the Standard Webhooks format with the event's application's own callback secret (\`GET /v1/applications/{app}/callback-secret\`; the \`default\` application's starts as CALLBACK_SECRET), never another application's; \`data.application_id\` names it. Retried like any delivery. \`webhook-id\` is \`<event id>_completed\`.\n\n${receiverGuide('callback')}`,
              parameters: [...STANDARD_WEBHOOK_HEADERS],
              requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/EventCompleted' } } } },
              responses: { '2XX': { description: 'Received; any other answer is retried' } },
            },
          },
        },
      },
      request: { params: at.params(), headers: IdempotencyHeaders, body: jsonBody(EventCreate) },
      responses: { 202: jsonResponse(EventAccepted, 'Accepted and durable'), ...problems(400, 401, 404, 409, 413, 415, 422) },
    }),
    async (c) => {
      const application_id = await applicationOf(c);
      const input = c.req.valid('json');
      if (input.callback_url !== undefined) {
        if (!(await canSignCallbacks(c.env, application_id))) {
          throw fail(422, 'Callbacks are off: this application has no callback secret to sign them with (set CALLBACK_SECRET, or rotate its callback secret).', [{ path: 'callback_url', message: 'callbacks are not configured' }]);
        }
        assertReceiverUrl(c.env, 'callback_url', input.callback_url);
      }
      if (isOperational(input.type)) throw fail(422, `${input.type} is an operational event type: edgehook sends those itself.`, [{ path: 'type', message: 'reserved for operational webhooks' }]);
      const errors = await schemaErrors(c.env.DB, input.type, input.data);
      if (errors.length > 0) throw fail(422, `The data does not match the schema of event type ${input.type}.`, errors);
      const body = await c.req.text(); // the bytes as sent (read once by the json-body middleware)
      // The body's hash tells a replay of an Idempotency-Key (or of the producer's own id) from a reuse.
      const hash = c.req.valid('header')['idempotency-key'] !== undefined || input.id !== undefined ? await sha256Hex(body) : null;
      const data_json = rawMember(body, 'data');
      const { event, created, conflict } = await ingestEvent(c.env, c.executionCtx, { ...input, application_id, ...(data_json ? { data_json } : {}) }, c.req.valid('header')['idempotency-key'], Date.now(), hash);
      if (conflict) throw fail(409, 'This Idempotency-Key (or event id) was used within 24 h with another body, or the id is taken: use a new key or id for a new event.');
      if (!created) c.header('idempotent-replayed', 'true');
      return c.json(event, 202);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/events/{id}'),
      tags,
      security: bearer,
      summary: 'Read an event and its deliveries',
      description: at.describe(),
      request: { params: at.params(EvtId) },
      responses: { 200: jsonResponse(Event, 'The event'), ...problems(401, 404) },
    }),
    async (c) => {
      const { log, event } = await eventOr404(c.env, await applicationOf(c), c.req.valid('param').id);
      const all = await deliveriesOfEvent(log.db, event.id);
      return c.json(
        {
          id: event.id,
          application_id: event.application_id,
          type: event.type,
          data: JSON.parse(event.data) as Record<string, unknown> | null,
          created_at: event.created_at,
          erased_at: event.erased_at,
          ...(event.callback_url ? { callback_url: event.callback_url, callback: all.find(isCallback) ?? null } : {}),
          deliveries: all.filter((d) => !isCallback(d)),
        },
        200,
      );
    },
  );

  routes.openapi(
    createRoute({
      method: 'delete',
      path: at.path('/events/{id}'),
      tags,
      security: bearer,
      summary: 'Erase an event’s data',
      description: at.describe(
        'For a person’s data: the event’s `data` is erased at once (null from then on, on every route and page), and deliveries of it not yet made are not made. ' +
          'The event and the record of its deliveries and attempts stay. Erasing twice is harmless.',
      ),
      request: { params: at.params(EvtId) },
      responses: { 200: jsonResponse(EventListItem, 'The event, its data erased'), ...problems(401, 404) },
    }),
    async (c) => {
      const application_id = await applicationOf(c);
      const id = c.req.valid('param').id;
      const { log } = await eventOr404(c.env, application_id, id);
      if (!(await eraseEvent(log.db, id, application_id, new Date().toISOString()))) throw fail(404, `No event ${id}.`);
      const { event } = await eventOr404(c.env, application_id, id);
      const { callback_url, data, fanout_done: _d, fanout_cursor: _c, target_subscription_id: _t, ...rest } = event;
      return c.json({ ...rest, data: JSON.parse(data) as null, ...(callback_url ? { callback_url } : {}) }, 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/events'),
      tags,
      security: bearer,
      summary: 'List events, newest first',
      description: at.describe('Events sent with edgehook’s own ids come in the order they were sent; an event sent with your own `id` sorts by that id.'),
      request: { params: at.params(), query: pageQuery(/^[A-Za-z0-9_:-]{1,128}$/).extend(EventQuery.shape) }, // the cursor: the last event id of the page
      responses: { 200: jsonResponse(pageOf(EventListItem), 'A page of events'), ...problems(400, 401, 404) },
    }),
    async (c) => {
      const page = await eventsOf(c.env, { ...c.req.valid('query'), application_id: await applicationOf(c) });
      const data = page.data.map(({ callback_url, data, ...e }) => ({ ...e, data: JSON.parse(data) as Record<string, unknown> | null, ...(callback_url ? { callback_url } : {}) }));
      return c.json({ data, next_cursor: page.next_cursor }, 200);
    },
  );
});
