// Every error becomes problem+json: HTTPExceptions keep their status, anything else is a generic 500.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { FieldError } from '../../utils/problem';
import { fieldErrors, problemResponse } from '../../utils/problem';

export const onError: ErrorHandler = (err, c) => {
  if (err instanceof HTTPException) {
    const cause = err.cause as { errors?: FieldError[] } | undefined;
    return problemResponse(err.status, err.message || 'Request refused.', cause?.errors);
  }
  // Log the error, never the request: bodies and headers may hold secrets.
  console.error(JSON.stringify({ msg: 'unhandled error', method: c.req.method, path: c.req.path, error: String(err) }));
  return problemResponse(500, 'Something went wrong on our side; the request may be retried.');
};

export const notFound: NotFoundHandler = (c) => problemResponse(404, `No route for ${c.req.method} ${c.req.path}.`);

interface ValidationIssue {
  path: PropertyKey[];
  message: string;
}

/** The zod-openapi hook: a body that fails its schema is 422, a bad query or path is 400. */
export function validationHook(
  result: { success: true } | { success: false; error: { issues: ValidationIssue[] }; target?: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const errors = fieldErrors(result.error.issues);
  const inBody = result.target === 'json';
  if (inBody && c.get('emptyBody')) return problemResponse(400, 'The request body is empty: this route takes a JSON body.');
  return problemResponse(inBody ? 422 : 400, inBody ? 'The request body is not valid.' : 'The request parameters are not valid.', errors);
}
