// Bearer auth for the management API: API_TOKEN (the bootstrap operator key) or an API key. Sets who
// the request acts as; which application that lets it touch is decided per route.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../env';
import { authenticate } from '../../services/api-keys';
import { problemResponse } from '../../utils/problem';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="edgehook"' };

export const bearerAuth = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (!c.env.API_TOKEN) return problemResponse(500, 'The API_TOKEN secret is not set on this Worker.');
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (!match) return problemResponse(401, 'Send `Authorization: Bearer <API_TOKEN or API key>`.', undefined, CHALLENGE);
  const who = await authenticate(c.env, c.executionCtx, match[1]!);
  if (!who) return problemResponse(401, 'The bearer token is not valid (or the API key was revoked).', undefined, CHALLENGE);
  c.set('principal', who);
  await next();
};

/**
 * Routes over every application (applications, API keys, changing event types): an application's key
 * gets the same 404 as for anything else it may not see.
 */
export const operatorOnly = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (c.var.principal.scope !== 'operator') return problemResponse(404, 'Not found (this route needs an operator key).');
  await next();
};
