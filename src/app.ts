// The Hono app: middleware, route groups, the OpenAPI document.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { timing } from 'hono/timing';
import { dashboard } from './dashboard/routes';
import { portal } from './portal/routes';
import type { AppEnv } from './env';
import { bearerAuth } from './middleware/bearer-auth';
import { jsonBody } from './middleware/json-body';
import { notFound, onError, validationHook } from './middleware/problem-errors';
import { apiKeyRoutes } from './routes/api-keys';
import { applicationRoutes } from './routes/applications';
import { callbackSecretRoutes } from './routes/callback-secrets';
import { deliveryRoutes } from './routes/deliveries';
import { eventTypeRoutes } from './routes/event-types';
import { eventRoutes } from './routes/events';
import { portalLinkRoutes } from './routes/portal-links';
import { statsRoutes } from './routes/stats';
import { secretsKeyRoutes } from './routes/secrets-key';
import { resolveApplication } from './routes/openapi-app';
import { subscriptionToolRoutes } from './routes/subscription-tools';
import { subscriptionRoutes } from './routes/subscriptions';
import { wellKnownRoutes } from './routes/well-known';
import { apiReference } from './openapi/reference';
import { openApiDocument } from './openapi/document';
import { jsonResponse } from './schemas/common';
import { EventCompleted } from './schemas/events';
import { VERSION } from './version';

export const MAX_EVENT_BYTES = 1024 * 1024;
const MAX_OTHER_BODY_BYTES = 64 * 1024;
const MAX_SUBSCRIPTION_BODY_BYTES = 256 * 1024;

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
app.use('/v1/applications/:app/*', resolveApplication());
// Events may be up to 1 MiB, at both of their paths, and so may a transformation's sample; a subscription
// 256 KiB (its transformation's code is 64 KiB at most, escaped in JSON); every other body 64 KiB.
const APP = '^/v1(?:/applications/[^/]+)?';
const isEventsPath = (path: string) => new RegExp(`${APP}/events$`).test(path);
const isTransformationTest = (path: string) => new RegExp(`${APP}/subscriptions/[^/]+/transformation/test$`).test(path);
const isSubscriptionPath = (path: string) => new RegExp(`${APP}/subscriptions(?:/[^/]+)?$`).test(path);
const eventBody = jsonBody(MAX_EVENT_BYTES, ['data']); // an event's data is stored as sent
const sampleBody = jsonBody(MAX_EVENT_BYTES);
const subscriptionBody = jsonBody(MAX_SUBSCRIPTION_BODY_BYTES);
const otherBody = jsonBody(MAX_OTHER_BODY_BYTES);
app.use('/v1/*', async (c, next) => {
  const path = c.req.path;
  const limit = isEventsPath(path) ? eventBody : isTransformationTest(path) ? sampleBody : isSubscriptionPath(path) ? subscriptionBody : otherBody;
  return limit(c, next);
});

app.route('/', applicationRoutes);
app.route('/', callbackSecretRoutes);
app.route('/', apiKeyRoutes);
app.route('/', subscriptionRoutes);
app.route('/', subscriptionToolRoutes);
app.route('/', eventRoutes);
app.route('/', deliveryRoutes);
app.route('/', eventTypeRoutes);
app.route('/', portalLinkRoutes);
app.route('/', statsRoutes);
app.route('/', secretsKeyRoutes);
app.route('/', wellKnownRoutes);
app.route('/', dashboard);
app.route('/', portal);

app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API_TOKEN (the bootstrap operator key), or an API key from `POST /v1/api-keys`' });
app.openAPIRegistry.register('EventCompleted', EventCompleted);

// `servers` is where the request came from: the reference's "try it" and code samples aim at this Worker.
app.get('/openapi.json', async (c) => c.json({ ...(await openApiDocument(app, c.env.DB)), servers: [{ url: new URL(c.req.url).origin }] }));
app.get('/docs', apiReference);
