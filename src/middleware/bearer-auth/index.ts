// Bearer-token auth for the management API, compared in constant time.
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../../env';
import { problemResponse } from '../../utils/problem';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="edgehook"' };

export const bearerAuth = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const expected = c.env.API_TOKEN;
  if (!expected) return problemResponse(500, 'The API_TOKEN secret is not set on this Worker.');
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(c.req.header('authorization') ?? '');
  if (!match) return problemResponse(401, 'Send `Authorization: Bearer <API_TOKEN>`.', undefined, CHALLENGE);
  if (!(await timingSafeEqual(match[1]!, expected))) return problemResponse(401, 'The bearer token is not valid.', undefined, CHALLENGE);
  await next();
};
