// /v1/event-types: the catalogue of event types, each with an optional JSON Schema for its data.
import { createRoute, z } from '@hono/zod-openapi';
import { isOperational } from '../delivery/operational-types';
import { compileSchema, forgetEventType, schemaProblem } from '../delivery/event-schemas';
import { EVENT_TYPE_RE } from '../delivery/patterns';
import { jsonBody, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { EventType, EventTypeCreate, EventTypeName } from '../schemas/event-types';
import { deleteEventType, getEventType, insertEventType, listEventTypes, type EventTypeRow } from '../store/event-types';
import { fail } from '../utils/problem';
import { operatorOnly } from '../middleware/bearer-auth';
import { bearer, routeGroup } from './openapi-app';

export const eventTypeRoutes = routeGroup();
const tags = ['Event types'];
const NameParam = z.object({ name: EventTypeName.openapi({ param: { name: 'name', in: 'path' }, example: 'order.paid' }) });

const toPublic = (row: EventTypeRow) => ({ ...row, schema: row.schema ? (JSON.parse(row.schema) as Record<string, unknown>) : null, schema_problem: schemaProblem(row.schema) });

eventTypeRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/event-types',
    tags,
    security: bearer,
    summary: 'Register an event type (operator keys only)',
    description: 'Events of a type with a schema are validated on ingest; the type appears in the OpenAPI `webhooks`. Event types are shared by every application; applications\' keys may read them.',
    middleware: operatorOnly(),
    request: { body: jsonBody(EventTypeCreate) },
    responses: { 201: jsonResponse(EventType, 'Registered'), ...problems(400, 401, 409, 413, 415, 422) },
  }),
  async (c) => {
    const input = c.req.valid('json');
    if (input.schema !== undefined) {
      let validator: ReturnType<typeof compileSchema>;
      try {
        validator = compileSchema(input.schema);
      } catch (err) {
        throw fail(422, 'The schema is not a usable JSON Schema (draft 2020-12).', [{ path: 'schema', message: String(err instanceof Error ? err.message : err).slice(0, 200) }]);
      }
      // Its `examples` are what the API reference shows receivers: each must be an event's data it accepts.
      const examples = Array.isArray(input.schema.examples) ? input.schema.examples : [];
      const matches = (example: unknown) => {
        try {
          return validator.validate(example).valid;
        } catch {
          return false;
        }
      };
      const wrong = examples.flatMap((example, i) => (matches(example) ? [] : [{ path: `schema.examples.${i}`, message: 'does not match the schema' }]));
      if (wrong.length) throw fail(422, "The schema's examples must match the schema: the API reference shows them as the events' data.", wrong);
    }
    const now = new Date().toISOString();
    const row: EventTypeRow = { name: input.name, description: input.description ?? null, schema: input.schema ? JSON.stringify(input.schema) : null, created_at: now, updated_at: now };
    if (isOperational(input.name)) throw fail(409, `${input.name} is one of edgehook's operational event types; it is defined already.`);
    if (!(await insertEventType(c.env.DB, row))) throw fail(409, `The event type ${input.name} exists; delete it first to change it.`);
    forgetEventType(row.name);
    return c.json(toPublic(row), 201);
  },
);

eventTypeRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/event-types',
    tags,
    security: bearer,
    summary: 'List event types, by name',
    request: { query: pageQuery(EVENT_TYPE_RE) }, // the last name of the page
    responses: { 200: jsonResponse(pageOf(EventType), 'A page of event types'), ...problems(400, 401) },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await listEventTypes(c.env.DB, limit, cursor);
    return c.json({ data: page.data.map(toPublic), next_cursor: page.next_cursor }, 200);
  },
);

eventTypeRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/event-types/{name}',
    tags,
    security: bearer,
    summary: 'Read an event type',
    request: { params: NameParam },
    responses: { 200: jsonResponse(EventType, 'The event type'), ...problems(400, 401, 404) },
  }),
  async (c) => {
    const { name } = c.req.valid('param');
    const row = await getEventType(c.env.DB, name);
    if (!row) throw fail(404, `No event type ${name}.`);
    return c.json(toPublic(row), 200);
  },
);

eventTypeRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/v1/event-types/{name}',
    tags,
    security: bearer,
    summary: 'Remove an event type (events of it are no longer validated)',
    middleware: operatorOnly(),
    request: { params: NameParam },
    responses: { 204: { description: 'Removed' }, ...problems(400, 401, 404) },
  }),
  async (c) => {
    const { name } = c.req.valid('param');
    if (!(await deleteEventType(c.env.DB, name))) throw fail(404, `No event type ${name}.`);
    forgetEventType(name);
    return c.body(null, 204);
  },
);
