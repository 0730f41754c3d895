// The OpenAPI 3.1 document: the routes' own zod schemas (via @hono/zod-openapi) plus, live from D1,
// one `webhooks` entry per registered event type, its JSON Schema as the body's `data`.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { allEventTypes, type EventTypeRow } from '../store/event-types';
import { OPERATIONAL_TYPES } from '../delivery/operational-types';
import { VERSION } from '../version';
import { PAYLOAD_FILTER_SCHEMAS } from './payload-filter-schema';
import { STANDARD_WEBHOOK_HEADERS } from './webhook-headers';
import { exampleFromSchema } from './example-from-schema';
import { withExamples } from './examples';
import { withTagGroups } from './tag-groups';
import { receiverGuide } from './receiver-guide';

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const INFO = {
  title: 'edgehook',
  version: VERSION,
  description: [
    'Signed, retried webhook delivery on Cloudflare Workers. Producers send **events**; edgehook delivers each to every matching **subscription** of the event\'s **application**, signed in the [Standard Webhooks](https://www.standardwebhooks.com/) format, with retries and a log of every **attempt**.',
    '',
    '- **Authentication**: every `/v1` route needs `Authorization: Bearer <token>`: the operator\'s `API_TOKEN`, or an API key from `POST /v1/api-keys` (scoped to all applications or to one). Paste one under *Authentication* to try the routes from this page; it stays in this browser tab.',
    '- **Applications**: the flat routes (`/v1/subscriptions`, …) act on the key\'s own application (`default` for an operator key); the same routes under `/v1/applications/{app}/…` name one.',
    '- **Errors** are `application/problem+json` ([RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)): `status`, `title`, `detail` and, for bad input, `errors` with the failing `path`s. Bad input changes nothing.',
    '- **Idempotency**: `POST /v1/events` with an `Idempotency-Key` (or your own event `id`) answers the first event again for 24 h, marked `idempotent-replayed: true`; the same key with another body is a 409.',
    '- **Lists** are newest first, `limit` 1 to 100, and page with `next_cursor` → `cursor`.',
    '- **Receiving**: what each event type\'s deliveries look like, their headers and how to verify them are under *Webhooks*; the `event.completed` callback is under `POST /v1/events`.',
    '- **Kits**: `edgehook/client` (a typed client whose `events.send` retries safely under one key) and `edgehook/verify` (receivers), for Workers, Node 22+, Deno and Bun.',
  ].join('\n'),
};

/** The test event every subscription can be sent (POST /v1/subscriptions/{id}/test). */
const BUILT_IN: EventTypeRow[] = [
  {
    name: 'webhook.test',
    description: 'Sent by POST /v1/subscriptions/{id}/test to that subscription only.',
    schema: JSON.stringify({ type: 'object', required: ['subscription_id', 'message'], properties: { subscription_id: { type: 'string' }, message: { type: 'string' } } }),
    created_at: '',
    updated_at: '',
  },
  ...Object.entries(OPERATIONAL_TYPES).map(([name, t]) => ({ name, description: `Operational webhook. ${t.description}`, schema: JSON.stringify(t.schema), created_at: '', updated_at: '' })),
];

export function webhookEntry(type: EventTypeRow) {
  const data = type.schema ? (JSON.parse(type.schema) as Record<string, unknown>) : { type: 'object' };
  const example = { type: type.name, timestamp: '2026-11-30T12:00:00.000Z', data: exampleFromSchema(data) ?? {} };
  return {
    post: {
      summary: type.name,
      description: [type.description, receiverGuide('subscription')].filter(Boolean).join('\n\n'),
      parameters: [...STANDARD_WEBHOOK_HEADERS],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['type', 'timestamp', 'data'],
              properties: {
                type: { const: type.name },
                timestamp: { type: 'string', format: 'date-time', description: 'When the event was sent in' },
                data,
              },
            },
            example,
          },
        },
      },
      responses: { '2XX': { description: 'Received. Any other answer, a timeout (15 s) or a redirect is retried.' } },
    },
  };
}

let base: Document | undefined;

/** The payload filter language in full (the route schemas only say "an object"). */
function withFilterSchemas(doc: Document): Document {
  const schemas = { ...(doc.components?.schemas ?? {}), ...PAYLOAD_FILTER_SCHEMAS };
  return { ...doc, components: { ...doc.components, schemas } } as unknown as Document;
}

export async function openApiDocument(app: OpenAPIHono<AppEnv>, db: D1Database): Promise<Document> {
  base ??= withTagGroups(withExamples(withFilterSchemas(app.getOpenAPI31Document({ openapi: '3.1.0', info: INFO }))));
  const types = [...BUILT_IN, ...(await allEventTypes(db))];
  return { ...base, webhooks: Object.fromEntries(types.map((t) => [t.name, webhookEntry(t)])) } as Document;
}
