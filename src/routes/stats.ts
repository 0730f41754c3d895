// /v1/stats: delivery outcomes and latency by application, subscription, event type and window.
import { createRoute } from '@hono/zod-openapi';
import { jsonResponse, problems } from '../schemas/common';
import { Stats, StatsQuery } from '../schemas/stats';
import { deliveryStats } from '../services/stats';
import { applicationOf, applicationRoutes, bearer } from './openapi-app';

export const statsRoutes = applicationRoutes((routes, at) => {
  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/stats'),
      tags: ['Stats'],
      security: bearer,
      summary: 'Delivery stats over a window',
      description: at.describe(
        'Attempts by outcome, success rate and attempt latency (p50, p95) over the last hour, day or week, in time buckets; optionally for one subscription or event type.',
      ),
      request: { params: at.params(), query: StatsQuery },
      responses: { 200: jsonResponse(Stats, 'The window’s totals and buckets'), ...problems(400, 401, 404) },
    }),
    async (c) => {
      const application_id = await applicationOf(c);
      const q = c.req.valid('query');
      return c.json(await deliveryStats(c.env, { application_id, ...q }), 200);
    },
  );
});
