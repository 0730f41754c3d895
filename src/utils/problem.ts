// RFC 9457 problem details: the only error shape the API answers with.
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
};

export function problemBody(status: number, detail: string, errors?: FieldError[]): Problem {
  const body: Problem = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

export function problemResponse(status: number, detail: string, errors?: FieldError[], headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set('content-type', 'application/problem+json');
  return new Response(JSON.stringify(problemBody(status, detail, errors)), { status, headers: h });
}

/** The one way route code reports a client error: thrown, turned into problem+json by onError. */
export function fail(status: ContentfulStatusCode, detail: string, errors?: FieldError[]): HTTPException {
  return new HTTPException(status, { message: detail, cause: errors ? { errors } : undefined });
}

/** Schema issues (zod's shape) as field errors: `events.0`, or `(body)` for the whole. */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldError[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/** What a form page says of a failed operation: the problem's detail and each field error; never internals. */
export function problemText(err: unknown): string {
  if (!(err instanceof HTTPException)) return 'Something went wrong; try again.';
  const errors = (err.cause as { errors?: FieldError[] } | undefined)?.errors ?? [];
  return [err.message, ...errors.map((e) => `${e.path}: ${e.message}`)].join(' ');
}
