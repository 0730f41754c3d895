// Request bodies: JSON only, valid UTF-8, and no larger than the route allows. The text is read once,
// here, and kept for the validator and the route (which stores what was sent, not a re-serialisation).
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { AppEnv } from '../../env';
import { bodyLimit } from 'hono/body-limit';
import { fail } from '../../utils/problem';
import { mayHoldProtoKey, protoKeyPaths } from '../../utils/proto-keys';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * An empty body is no body, whatever type it names: a route that takes an optional body runs without
 * one, and one that needs a body answers 400 (see `validationHook`).
 */
function withoutBody(c: Context<AppEnv>, next: Next) {
  const headers = new Headers(c.req.raw.headers);
  headers.delete('content-type');
  c.req.raw = new Request(c.req.raw, { body: null, headers });
  c.set('emptyBody', true);
  return next();
}

/**
 * `keptAsSent`: top-level members stored as the text that was sent (an event's `data`), where a
 * `__proto__` key survives; anywhere else in the body one is refused (422), never dropped.
 */
export const jsonBody = (maxBytes: number, keptAsSent: readonly string[] = []): MiddlewareHandler => {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw fail(413, `The request body is larger than ${maxBytes} bytes.`);
    },
  });
  return async (c, next) => {
    if (!METHODS_WITH_BODY.has(c.req.method)) return next();
    const type = c.req.header('content-type') ?? '';
    if (c.req.raw.body === null) return type ? withoutBody(c, next) : next();
    if (!/^application\/(.+\+)?json\s*(;|$)/i.test(type)) {
      // `fetch(url, {method: 'POST'})` sends an empty body and no type: that is a POST without a body.
      if (!type && (await c.req.raw.clone().arrayBuffer()).byteLength === 0) {
        c.req.raw = new Request(c.req.raw, { body: null });
        return next();
      }
      throw fail(415, 'Send the body as `content-type: application/json`.');
    }
    return limit(c, async () => {
      const bytes = await c.req.raw.arrayBuffer();
      if (bytes.byteLength === 0) return withoutBody(c, next);
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        throw fail(400, 'The request body is not valid UTF-8.');
      }
      if (mayHoldProtoKey(text)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = null; // the validator answers malformed JSON
        }
        const paths = protoKeyPaths(parsed, keptAsSent);
        if (paths.length > 0) {
          throw fail(422, 'A key named `__proto__` cannot be kept here: rename it.', paths.map((path) => ({ path, message: '`__proto__` is not a key edgehook can store in this field' })));
        }
      }
      // Hono keeps read bodies here (as promises); c.req.json() and c.req.text() read from it.
      (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text);
      await next();
    });
  };
};
