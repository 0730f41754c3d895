// Request bodies: JSON only, and no larger than the route allows.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { fail } from '../../utils/problem';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export const jsonBody = (maxBytes: number): MiddlewareHandler => {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw fail(413, `The request body is larger than ${maxBytes} bytes.`);
    },
  });
  return async (c, next) => {
    if (!METHODS_WITH_BODY.has(c.req.method)) return next();
    const type = c.req.header('content-type') ?? '';
    const hasBody = c.req.raw.body !== null;
    if (hasBody && !/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
      throw fail(415, 'Send the body as `content-type: application/json`.');
    }
    return limit(c, next);
  };
};
