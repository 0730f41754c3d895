// /v1/applications: the producer's customers. Creating, listing, changing and deleting them takes an
// operator key; an application's key may read its own.
import { createRoute } from '@hono/zod-openapi';
import { operatorOnly } from '../middleware/bearer-auth';
import { Application, ApplicationCreate, ApplicationUpdate } from '../schemas/applications';
import { jsonBody, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { applicationFor, changeApplication, createApplication, deleteApplication, listApplications } from '../services/applications';
import { AppParam, bearer, routeGroup } from './openapi-app';

export const applicationRoutes = routeGroup();
const tags = ['Applications'];

applicationRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/applications',
    tags,
    security: bearer,
    summary: 'Create an application (operator keys only)',
    middleware: operatorOnly(),
    request: { body: jsonBody(ApplicationCreate) },
    responses: { 201: jsonResponse(Application, 'Created'), ...problems(400, 401, 404, 409, 413, 415, 422) },
  }),
  async (c) => c.json(await createApplication(c.env, c.req.valid('json')), 201),
);

applicationRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/applications',
    tags,
    security: bearer,
    summary: 'List applications, newest first (operator keys only)',
    middleware: operatorOnly(),
    request: { query: pageQuery(/^(app_[0-9a-z]{26}|default)$/) }, // the last id of the page
    responses: { 200: jsonResponse(pageOf(Application), 'A page of applications'), ...problems(400, 401, 404) },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await listApplications(c.env.DB, limit, cursor), 200);
  },
);

applicationRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/applications/{app}',
    tags,
    security: bearer,
    summary: 'Read an application (by id or uid)',
    request: { params: AppParam },
    responses: { 200: jsonResponse(Application, 'The application'), ...problems(401, 404) },
  }),
  async (c) => c.json(await applicationFor(c.env, c.var.principal, c.req.valid('param').app), 200),
);

applicationRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/v1/applications/{app}',
    tags,
    security: bearer,
    summary: 'Change an application (operator keys only)',
    middleware: operatorOnly(),
    request: { params: AppParam, body: jsonBody(ApplicationUpdate) },
    responses: { 200: jsonResponse(Application, 'The changed application'), ...problems(400, 401, 404, 409, 413, 415, 422) },
  }),
  async (c) => {
    const app = await applicationFor(c.env, c.var.principal, c.req.valid('param').app);
    return c.json(await changeApplication(c.env, app.id, c.req.valid('json')), 200);
  },
);

applicationRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/v1/applications/{app}',
    tags,
    security: bearer,
    summary: 'Delete an application, its subscriptions and its API keys (operator keys only)',
    description:
      'At once: the application is gone for the API, its keys are refused and its uid is free. After the response (and by the sweep, ' +
      'if that is cut short): its subscriptions are removed and its pending deliveries become failed. Its log stays. The `default` application cannot be deleted (409).',
    middleware: operatorOnly(),
    request: { params: AppParam },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 404, 409) },
  }),
  async (c) => {
    const app = await applicationFor(c.env, c.var.principal, c.req.valid('param').app);
    await deleteApplication(c.env, c.executionCtx, app.id);
    return c.body(null, 204);
  },
);
