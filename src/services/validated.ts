// The API's request schemas, applied to input that did not come through an API route (the dashboard's
// forms): one validation, the same 422 with the same field errors.
import type { z } from '@hono/zod-openapi';
import { fail, fieldErrors } from '../utils/problem';

export function validated<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw fail(422, 'The input is not valid.', fieldErrors(result.error.issues));
  return result.data;
}
