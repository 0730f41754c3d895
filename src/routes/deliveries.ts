// Deliveries: the delivery log of one application, and redelivery.
import { createRoute } from '@hono/zod-openapi';
import { redeliver } from '../delivery/redeliver';
import { IdParam, jsonResponse, pageOf, pageQuery, problems } from '../schemas/common';
import { Delivery, DeliveryQuery, DeliveryWithAttempts } from '../schemas/events';
import { deliveriesOf, deliveryOr404 } from '../services/log';
import { attemptsOf } from '../store/attempts';
import { applicationOf, applicationRoutes, bearer } from './openapi-app';

const tags = ['Deliveries'];
const DlvId = IdParam('Delivery', 'dlv_01jd8x0000a1b2c3d4e5f6g7h8');
const ListQuery = pageQuery(/^dlv_[0-9a-z]{26}$/).extend(DeliveryQuery.shape); // the cursor: the last delivery id of the page

export const deliveryRoutes = applicationRoutes((routes, at) => {
  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/deliveries'),
      tags,
      security: bearer,
      summary: 'List deliveries, newest first',
      description: at.describe(),
      request: { params: at.params(), query: ListQuery },
      responses: { 200: jsonResponse(pageOf(Delivery), 'A page of deliveries'), ...problems(400, 401, 404) },
    }),
    async (c) => {
      const { data, next_cursor } = await deliveriesOf(c.env, { ...c.req.valid('query'), application_id: await applicationOf(c) });
      return c.json({ data, next_cursor }, 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: at.path('/deliveries/{id}'),
      tags,
      security: bearer,
      summary: 'Read a delivery with its attempts',
      description: at.describe(),
      request: { params: at.params(DlvId) },
      responses: { 200: jsonResponse(DeliveryWithAttempts, 'The delivery'), ...problems(401, 404) },
    }),
    async (c) => {
      const { log, delivery } = await deliveryOr404(c.env, await applicationOf(c), c.req.valid('param').id);
      const attempts = (await attemptsOf(log.db, delivery.id)).map((a) => ({
        ...a,
        request_headers: a.request_headers ? (JSON.parse(a.request_headers) as Record<string, string>) : null,
      }));
      return c.json({ ...delivery, attempts }, 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'post',
      path: at.path('/deliveries/{id}/redeliver'),
      tags,
      security: bearer,
      summary: 'One attempt now, on the delivery’s one retry chain, with the same webhook-id',
      description: at.describe(
        'A final delivery goes back to `pending` for one attempt (if it fails, the delivery is failed again). ' +
          'A pending delivery waiting for a later retry has that retry moved to now. Concurrent redelivers make one attempt.',
      ),
      request: { params: at.params(DlvId) },
      responses: { 202: jsonResponse(Delivery, 'Accepted; the delivery is pending and due now'), ...problems(401, 404) },
    }),
    async (c) => {
      const application = await applicationOf(c);
      const { log, delivery } = await deliveryOr404(c.env, application, c.req.valid('param').id);
      await redeliver(c.env, log, delivery.id);
      return c.json((await deliveryOr404(c.env, application, delivery.id)).delivery, 202);
    },
  );
});
