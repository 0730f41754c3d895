// The Hono app: middleware, route groups, the OpenAPI document.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { timing } from 'hono/timing';
import { dashboard } from './dashboard/routes';
import type { AppEnv } from './env';
import { bearerAuth } from './middleware/bearer-auth';
import { jsonBody } from './middleware/json-body';
import { notFound, onError, validationHook } from './middleware/problem-errors';
import { deliveryRoutes } from './routes/deliveries';
import { eventTypeRoutes } from './routes/event-types';
import { eventRoutes } from './routes/events';
import { subscriptionToolRoutes } from './routes/subscription-tools';
import { subscriptionRoutes } from './routes/subscriptions';
import { docsPage } from './openapi/docs-page';
import { openApiDocument } from './openapi/document';
import { jsonResponse } from './schemas/common';
import { EventCompleted } from './schemas/events';
import { VERSION } from './version';

export const MAX_EVENT_BYTES = 1024 * 1024;
const MAX_OTHER_BODY_BYTES = 64 * 1024;

export const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

app.onError(onError);
app.notFound(notFound);

app.openapi(
  createRoute({
    method: 'get',
    path: '/health',
    tags: ['Service'],
    summary: 'Liveness (no token needed)',
    responses: { 200: jsonResponse(z.object({ status: z.literal('ok'), version: z.string() }).openapi('Health'), 'Up') },
  }),
  (c) => c.json({ status: 'ok' as const, version: VERSION }, 200),
);

// `Server-Timing: total;dur=…` on API answers: the handler's own time, apart from the network's.
app.use('/v1/*', timing({ totalDescription: 'edgehook' }));
app.use('/v1/*', bearerAuth());
app.use('/v1/events', jsonBody(MAX_EVENT_BYTES));
app.use('/v1/*', async (c, next) => (c.req.path === '/v1/events' ? next() : jsonBody(MAX_OTHER_BODY_BYTES)(c, next)));

app.route('/', subscriptionRoutes);
app.route('/', subscriptionToolRoutes);
app.route('/', eventRoutes);
app.route('/', deliveryRoutes);
app.route('/', eventTypeRoutes);
app.route('/', dashboard);

app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'The API_TOKEN secret' });
app.openAPIRegistry.register('EventCompleted', EventCompleted);

app.get('/openapi.json', async (c) => c.json(await openApiDocument(app, c.env.DB)));
app.get('/docs', async (c) => c.html(docsPage(await openApiDocument(app, c.env.DB))));
