// The Hono app: middleware, route groups, the OpenAPI document.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env';
import { bearerAuth } from './middleware/bearer-auth';
import { jsonBody } from './middleware/json-body';
import { notFound, onError, validationHook } from './middleware/problem-errors';
import { deliveryRoutes } from './routes/deliveries';
import { eventRoutes } from './routes/events';
import { subscriptionToolRoutes } from './routes/subscription-tools';
import { subscriptionRoutes } from './routes/subscriptions';
import { VERSION } from './version';

export const MAX_EVENT_BYTES = 1024 * 1024;
const MAX_OTHER_BODY_BYTES = 64 * 1024;

export const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

app.onError(onError);
app.notFound(notFound);

app.get('/health', (c) => c.json({ status: 'ok', version: VERSION }));

app.use('/v1/*', bearerAuth());
app.use('/v1/events', jsonBody(MAX_EVENT_BYTES));
app.use('/v1/*', async (c, next) => (c.req.path === '/v1/events' ? next() : jsonBody(MAX_OTHER_BODY_BYTES)(c, next)));

app.route('/', subscriptionRoutes);
app.route('/', subscriptionToolRoutes);
app.route('/', eventRoutes);
app.route('/', deliveryRoutes);

app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'The API_TOKEN secret' });

app.doc31('/openapi.json', {
  openapi: '3.1.0',
  info: { title: 'edgehook', version: VERSION, description: 'Signed, retried webhook delivery on Cloudflare Workers.' },
});
