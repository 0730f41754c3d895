// A route group: OpenAPIHono with the shared validation hook, so every group answers bad input alike.
// Routes of what an application owns are defined once and served twice: under
// `/v1/applications/{app}/…`, and at `/v1/…` for the key's own application (the default one for an
// operator), which is how every route worked before applications.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { validationHook } from '../middleware/problem-errors';
import { applicationFor } from '../services/applications';
import { DEFAULT_APPLICATION } from '../store/applications';

export const routeGroup = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

export const bearer = [{ bearer: [] }];

export const AppParam = z.object({
  app: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'app', in: 'path' }, example: 'app_01jd8x0000a1b2c3d4e5f6g7h8', description: 'Application id, or its uid' }),
});

type AnyParams = z.ZodObject<z.ZodRawShape>;

export interface Scope {
  /** `/v1` + `path` at the flat variant, `/v1/applications/{app}` + `path` at the nested one. */
  path(path: string): string;
  /** The route's path parameters, with `app` at the nested variant (typed as given: handlers read `app` through `applicationOf`). */
  params<T extends AnyParams>(params?: T): T;
  /** Said in the flat variant's description: which application it acts on. */
  describe(description?: string): string | undefined;
}

const FLAT: Scope = {
  path: (p) => `/v1${p}`,
  params: <T extends AnyParams>(p?: T) => (p ?? z.object({})) as T,
  describe: (d) =>
    `Acts on the key's application: the \`default\` application for an operator key, its own for an application's key; the same route under \`/v1/applications/{app}\` names one.${d ? `\n\n${d}` : ''}`,
};

const NESTED: Scope = {
  path: (p) => `/v1/applications/{app}${p}`,
  params: <T extends AnyParams>(p?: T) => (p ? p.extend(AppParam.shape) : AppParam) as unknown as T,
  describe: (d) => d,
};

/** A group whose routes `define` registers at both places. */
export function applicationRoutes(define: (group: OpenAPIHono<AppEnv>, at: Scope) => void): OpenAPIHono<AppEnv> {
  const group = routeGroup();
  define(group, NESTED);
  define(group, FLAT);
  return group;
}

/**
 * The id of the application the request acts on: named by `{app}` (looked up: a uid, a missing one, or
 * one the key may not see is a 404), or else the key's own, which needs no lookup (the key's was live).
 */
export async function applicationOf(c: Context<AppEnv>): Promise<string> {
  if (c.var.application) return c.var.application;
  const named = c.req.param('app');
  const who = c.var.principal;
  if (named === undefined) return who.scope === 'application' ? who.application_id : DEFAULT_APPLICATION;
  return (await applicationFor(c.env, who, named)).id;
}

/** Resolves `{app}` before validation, so that another application's routes answer 404 whatever the body. */
export const resolveApplication = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  const named = c.req.param('app');
  if (named !== undefined) c.set('application', (await applicationFor(c.env, c.var.principal, named)).id);
  await next();
};
