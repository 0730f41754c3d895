// The OpenAPI 3.1 document: the routes' own zod schemas (via @hono/zod-openapi) plus, live from D1,
// one `webhooks` entry per registered event type, its JSON Schema as the body's `data`.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { allEventTypes, type EventTypeRow } from '../store/event-types';
import { OPERATIONAL_TYPES } from '../delivery/operational-types';
import { VERSION } from '../version';
import { PAYLOAD_FILTER_SCHEMAS } from './payload-filter-schema';
import { STANDARD_WEBHOOK_HEADERS } from './webhook-headers';

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const INFO = {
  title: 'edgehook',
  version: VERSION,
  description:
    'Signed, retried webhook delivery on Cloudflare Workers. Every `/v1` route needs `Authorization: Bearer <API_TOKEN>`. ' +
    'Errors are `application/problem+json` (RFC 9457). Deliveries are signed in the Standard Webhooks format: see `webhooks`.',
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
  return {
    post: {
      summary: type.name,
      ...(type.description ? { description: type.description } : {}),
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
  base ??= withFilterSchemas(app.getOpenAPI31Document({ openapi: '3.1.0', info: INFO }));
  const types = [...BUILT_IN, ...(await allEventTypes(db))];
  return { ...base, webhooks: Object.fromEntries(types.map((t) => [t.name, webhookEntry(t)])) } as Document;
}
