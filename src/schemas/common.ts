// Shapes shared by every route: problems, pages, ids.
import { z } from '@hono/zod-openapi';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

export const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [code, { description: PROBLEM_DESCRIPTIONS[code] ?? 'Error', content: problemContent }]));

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (bad JSON, bad query)',
  401: 'Missing or wrong bearer token',
  404: 'Not found',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Body is not application/json',
  422: 'Well-formed but invalid; `errors` lists each failing path',
};

/** `?limit&cursor`; a cursor that is not of the list's own form is refused (400), never read as an empty page. */
export const pageQuery = (cursor: RegExp) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ description: 'Page size, 1 to 100' }),
    cursor: z.string().max(1024).regex(cursor, 'is not a cursor this list gave out').optional().openapi({ description: '`next_cursor` of the previous page' }),
  });

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });

export const IdParam = (name: string, example: string) =>
  z.object({ id: z.string().min(1).max(128).openapi({ param: { name: 'id', in: 'path' }, example, description: `${name} id` }) });

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
