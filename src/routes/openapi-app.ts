// A route group: OpenAPIHono with the shared validation hook, so every group answers bad input alike.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { validationHook } from '../middleware/problem-errors';

export const routeGroup = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

export const bearer = [{ bearer: [] }];
