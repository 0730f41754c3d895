// /v1/api-keys: named credentials, `operator` or one application's; shown once, stored as a hash, revocable.
import { createRoute } from '@hono/zod-openapi';
import { operatorOnly } from '../middleware/bearer-auth';
import { ApiKey, ApiKeyCreate, ApiKeyQuery, ApiKeyWithKey } from '../schemas/applications';
import { IdParam, jsonBody, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { apiKeyOr404, createApiKey, listApiKeys, revokeKey } from '../services/api-keys';
import { bearer, routeGroup } from './openapi-app';

export const apiKeyRoutes = routeGroup();
const tags = ['API keys'];
const KeyId = IdParam('API key', 'key_01jd8x0000a1b2c3d4e5f6g7h8');
const operator = operatorOnly();

apiKeyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/api-keys',
    tags,
    security: bearer,
    summary: 'Create an API key (operator keys only); the key is in this answer only',
    description: 'An application’s key acts on that application only: its subscriptions, events and deliveries, and reads the event types. Anything else answers 404.',
    middleware: operator,
    request: { body: jsonBody(ApiKeyCreate) },
    responses: { 201: jsonResponse(ApiKeyWithKey, 'Created'), ...problems(400, 401, 404, 413, 415, 422) },
  }),
  async (c) => c.json(await createApiKey(c.env, c.req.valid('json')), 201),
);

apiKeyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/api-keys',
    tags,
    security: bearer,
    summary: 'List API keys, newest first, revoked ones too (operator keys only)',
    middleware: operator,
    request: { query: pageQuery(/^key_[0-9a-z]{26}$/).extend(ApiKeyQuery.shape) },
    responses: { 200: jsonResponse(pageOf(ApiKey), 'A page of API keys (never the keys themselves)'), ...problems(400, 401, 404) },
  }),
  async (c) => c.json(await listApiKeys(c.env.DB, c.req.valid('query')), 200),
);

apiKeyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/api-keys/{id}',
    tags,
    security: bearer,
    summary: 'Read an API key (operator keys only)',
    middleware: operator,
    request: { params: KeyId },
    responses: { 200: jsonResponse(ApiKey, 'The API key (never the key itself)'), ...problems(401, 404) },
  }),
  async (c) => c.json(await apiKeyOr404(c.env, c.req.valid('param').id), 200),
);

apiKeyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/v1/api-keys/{id}',
    tags,
    security: bearer,
    summary: 'Revoke an API key at once (operator keys only)',
    description: 'Its next request is refused (401). It stays listed, with `revoked_at`.',
    middleware: operator,
    request: { params: KeyId },
    responses: { 200: jsonResponse(ApiKey, 'The revoked key'), ...problems(401, 404) },
  }),
  async (c) => c.json(await revokeKey(c.env, c.req.valid('param').id), 200),
);

