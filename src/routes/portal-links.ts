// …/portal-links: a single-use link into the application's customer portal.
import { createRoute } from '@hono/zod-openapi';
import { PortalLink, PortalLinkCreate } from '../schemas/applications';
import { jsonBody, jsonResponse, problems } from '../schemas/common';
import { createPortalLink } from '../services/portal';
import { applicationOf, applicationRoutes, bearer } from './openapi-app';

export const portalLinkRoutes = applicationRoutes((routes, at) => {
  routes.openapi(
    createRoute({
      method: 'post',
      path: at.path('/portal-links'),
      tags: ['Applications'],
      security: bearer,
      summary: 'Make a single-use link into the application’s customer portal',
      description: at.describe(
        'Opening the link (in a tab, or in an iframe of a page whose origin is in the application’s `portal.allowed_origins`) starts a portal session for this ' +
          'application only: its customer manages their subscriptions, reads the event catalogue and their deliveries. The link works once, until `expires_at`; ' +
          'the session lasts 30 minutes idle, 8 hours at most. Make the link on your server, with an operator key or the application’s key, when the customer opens the page.',
      ),
      request: { params: at.params(), body: { ...jsonBody(PortalLinkCreate), required: false } },
      responses: { 201: jsonResponse(PortalLink, 'The link'), ...problems(400, 401, 404, 415, 422) },
    }),
    async (c) => {
      const expiresIn = c.req.valid('json')?.expires_in ?? 300;
      return c.json(await createPortalLink(c.env, await applicationOf(c), new URL(c.req.url).origin, expiresIn), 201);
    },
  );
});
