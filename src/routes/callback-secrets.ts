// /v1/applications/{app}/callback-secret: the secret that signs the application's event.completed callbacks.
import { createRoute, z } from '@hono/zod-openapi';
import { jsonBody, jsonResponse, problems } from '../schemas/common';
import { SecretResponse } from '../schemas/subscriptions';
import { callbackSecretOf, rotateCallbackSecretOf } from '../services/applications';
import { AppParam, bearer, routeGroup } from './openapi-app';

export const callbackSecretRoutes = routeGroup();
const tags = ['Applications'];
const RotateBody = z.strictObject({ secret: z.string().optional().openapi({ description: 'The new secret (`whsec_…`); generated when left out' }) }).openapi('CallbackSecretRotateRequest');
const about =
  "Callbacks (`event.completed`) of the application's events are signed with its own callback secrets only, never another application's; `data.application_id` names the application. The `default` application's first secret is the service's CALLBACK_SECRET; any other's is made when first needed. The application's own key may read and rotate it.";

callbackSecretRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/applications/{app}/callback-secret',
    tags,
    security: bearer,
    summary: "The application's current callback secret",
    description: about,
    request: { params: AppParam },
    responses: { 200: jsonResponse(SecretResponse, 'The current callback secret'), ...problems(401, 404, 409) },
  }),
  async (c) => c.json({ secret: await callbackSecretOf(c.env, c.var.principal, c.req.valid('param').app) }, 200),
);

callbackSecretRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/applications/{app}/callback-secret/rotate',
    tags,
    security: bearer,
    summary: 'Rotate the callback secret; the old one keeps signing beside it for 24 h',
    description: `${about} As for subscriptions, every secret inside its 24 h overlap keeps signing (one \`v1,\` signature each); more than 10 at once is refused with 409.`,
    request: { params: AppParam, body: { ...jsonBody(RotateBody), required: false } },
    responses: { 200: jsonResponse(SecretResponse, 'The new callback secret'), ...problems(400, 401, 404, 409, 415, 422) },
  }),
  async (c) => c.json({ secret: await rotateCallbackSecretOf(c.env, c.var.principal, c.req.valid('param').app, c.req.valid('json')?.secret) }, 200),
);
