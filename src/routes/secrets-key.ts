// /v1/secrets-key: after a SECRETS_KEY rotation, whether SECRETS_KEY_PREVIOUS can be removed yet.
import { createRoute } from '@hono/zod-openapi';
import { operatorOnly } from '../middleware/bearer-auth';
import { jsonResponse, problems } from '../schemas/common';
import { SecretsKeyStatus } from '../schemas/secrets-key';
import { secretsKeyStatus } from '../services/secrets-key';
import { bearer, routeGroup } from './openapi-app';

export const secretsKeyRoutes = routeGroup();

secretsKeyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/secrets-key',
    tags: ['Service'],
    security: bearer,
    summary: 'Where a SECRETS_KEY rotation stands (operator keys only)',
    description:
      'Signing secrets, callback secrets and custom header values are sealed at rest with SECRETS_KEY. To rotate it, move the old value to SECRETS_KEY_PREVIOUS and set a new key (with a new key id) as SECRETS_KEY: from then on the cron sweep seals every stored value again with the new key, a bounded share per run. Once `previous_key_needed` is false, remove SECRETS_KEY_PREVIOUS.',
    middleware: operatorOnly(),
    responses: { 200: jsonResponse(SecretsKeyStatus, 'The keys and the re-sealing pass'), ...problems(401, 404) },
  }),
  async (c) => c.json(await secretsKeyStatus(c.env), 200),
);
