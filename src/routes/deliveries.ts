// /v1/deliveries: the delivery log, and redelivery.
import { createRoute } from '@hono/zod-openapi';
import { redeliver } from '../delivery/redeliver';
import { IdParam, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { Delivery, DeliveryQuery, DeliveryWithAttempts } from '../schemas/events';
import { attemptsOf } from '../store/attempts';
import { listDeliveries } from '../store/deliveries';
import { fail } from '../utils/problem';
import { deliveryOr404 } from '../services/lookups';
import { bearer, routeGroup } from './openapi-app';

export const deliveryRoutes = routeGroup();
const tags = ['Deliveries'];
const DlvId = IdParam('Delivery', 'dlv_01jd8x0000a1b2c3d4e5f6g7h8');

deliveryRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/deliveries',
    tags,
    security: bearer,
    summary: 'List deliveries, newest first',
    request: { query: pageQuery(/^dlv_[0-9a-z]{26}$/).extend(DeliveryQuery.shape) }, // the last delivery id of the page
    responses: { 200: jsonResponse(pageOf(Delivery), 'A page of deliveries'), ...problems(400, 401) },
  }),
  async (c) => c.json(await listDeliveries(c.env.DB, c.req.valid('query')), 200),
);

deliveryRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/v1/deliveries/{id}',
    tags,
    security: bearer,
    summary: 'Read a delivery with its attempts',
    request: { params: DlvId },
    responses: { 200: jsonResponse(DeliveryWithAttempts, 'The delivery'), ...problems(401, 404) },
  }),
  async (c) => {
    const delivery = await deliveryOr404(c.env.DB, c.req.valid('param').id);
    const attempts = (await attemptsOf(c.env.DB, delivery.id)).map((a) => ({
      ...a,
      request_headers: a.request_headers ? (JSON.parse(a.request_headers) as Record<string, string>) : null,
    }));
    return c.json({ ...delivery, attempts }, 200);
  },
);

deliveryRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/v1/deliveries/{id}/redeliver',
    tags,
    security: bearer,
    summary: 'One attempt now, on the delivery’s one retry chain, with the same webhook-id',
    description:
      'A final delivery goes back to `pending` for one attempt (if it fails, the delivery is failed again). ' +
      'A pending delivery waiting for a later retry has that retry moved to now. Concurrent redelivers make one attempt.',
    request: { params: DlvId },
    responses: { 202: jsonResponse(Delivery, 'Accepted; the delivery is pending and due now'), ...problems(401, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid('param');
    if (!(await redeliver(c.env, id))) throw fail(404, `No delivery ${id}.`);
    return c.json(await deliveryOr404(c.env.DB, id), 202);
  },
);
