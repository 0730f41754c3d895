/** @jsxImportSource hono/jsx */
// A page that says why the portal cannot open: a link used or expired, a session that ended, a page
// that is not there. Clear words, nothing to click but what helps.
import type { ApplicationRow } from '../../store/applications';
import { Layout } from '../layout';

export const MessagePage = ({ app, title, text }: { app: ApplicationRow | null; title: string; text: string }) => (
  <Layout app={app} title={title} section={app ? 'subscriptions' : 'none'}>
    <p class="card" role="alert">{text}</p>
  </Layout>
);

export const REFUSALS = {
  used: ['This link was used already', 'Each portal link opens the portal once. Go back to the page you came from and open the portal again for a new link.'],
  expired: ['This link has expired', 'Portal links work for a few minutes. Go back to the page you came from and open the portal again for a new link.'],
  unknown: ['This link is not valid', 'The link is incomplete or does not exist. Go back to the page you came from and open the portal again.'],
  ended: ['Your session has ended', 'For your security, portal sessions end after 30 minutes without use, or 8 hours after they began. Go back to the page you came from and open the portal again.'],
} as const;
