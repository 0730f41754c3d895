/** @jsxImportSource hono/jsx */
// The operator dashboard: server-rendered pages over the same store and services as the API.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { callbackBody, isCallback } from '../delivery/callback';
import { envelopeBody } from '../delivery/envelope';
import { redeliver } from '../delivery/redeliver';
import type { AppEnv } from '../env';
import { deliveryOr404, subscriptionOr404 } from '../services/lookups';
import { changeSubscription, createSubscription, deleteSubscription, rotateSecret, sendTestEvent } from '../services/subscriptions';
import { validated } from '../services/validated';
import { SubscriptionCreate } from '../schemas/subscriptions';
import type { FieldError } from '../utils/problem';
import { attemptsOf } from '../store/attempts';
import { deliveriesOfEvent, listDeliveries, loadForDispatch, successRates, type DeliveryStatus } from '../store/deliveries';
import { eventTypesOf, getEvent } from '../store/events';
import { getSubscription, getSubscriptions, listSubscriptions } from '../store/subscriptions';
import { DeliveriesPage, DeliveryTable, type DeliveryFilters } from './pages/deliveries';
import { DeliveryDetail, DeliveryPage } from './pages/delivery';
import { EventPage } from './pages/event';
import { LoginPage } from './pages/login';
import { ConfirmDeletePage, SubscriptionsPage, type Notice } from './pages/subscriptions';
import { pageHeaders } from './page-headers';
import { endSession, requireSession, sameOrigin, startSession, tokenIsValid } from './session';

export const dashboard = new Hono<AppEnv>();
type C = Context<AppEnv>;

const isPartial = (c: C) => c.req.header('x-partial') === '1';
/** Marks a live region's refresh, so the page can tell it from a sign-in page it was redirected to. */
const PARTIAL = { 'x-partial': '1' };
const problemText = (err: unknown) => {
  if (!(err instanceof HTTPException)) return 'Something went wrong; try again.';
  const errors = (err.cause as { errors?: FieldError[] } | undefined)?.errors ?? [];
  return [err.message, ...errors.map((e) => `${e.path}: ${e.message}`)].join(' ');
};

// Every dashboard answer (the sign-in page and sign-out included): no-store, CSP; every post: same origin.
for (const path of ['/', '/ui/*']) dashboard.use(path, pageHeaders(), sameOrigin());

// Forms are small: anything larger is not one of ours.
dashboard.use('/ui/*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('Form too large.', 413) }));

dashboard.get('/ui/login', (c) => c.html(<LoginPage />));
dashboard.post('/ui/login', async (c) => {
  // Counted before the token is looked at: once the budget is spent, not even the right token is tried.
  const { success } = await c.env.LOGIN_LIMITER.limit({ key: `login:${c.req.header('cf-connecting-ip') ?? 'unknown'}` });
  if (!success) {
    c.header('Retry-After', '60');
    return c.html(<LoginPage error="Too many sign-in attempts from this address. Wait a minute, then try again." />, 429);
  }
  const form = await c.req.parseBody();
  if (typeof form.token !== 'string' || !(await tokenIsValid(c, form.token))) {
    return c.html(<LoginPage error="That token is not valid. Use the API_TOKEN secret of this Worker." />, 401);
  }
  await startSession(c);
  return c.redirect('/', 303);
});
dashboard.post('/ui/logout', async (c) => {
  await endSession(c);
  return c.redirect('/ui/login', 303);
});

dashboard.use('/', requireSession());
dashboard.use('/ui/*', async (c, next) => (c.req.path === '/ui/login' ? next() : requireSession()(c, next)));

async function subscriptionsPage(c: C, notice?: Notice, status: 200 | 422 = 200) {
  const page = await listSubscriptions(c.env.SUBSCRIPTIONS, 50, c.req.query('cursor') || undefined);
  const rates = await successRates(c.env.DB, new Date(Date.now() - 86_400_000).toISOString());
  return c.html(<SubscriptionsPage subs={page.data} rates={rates} next={page.next_cursor} notice={notice} />, status);
}

dashboard.get('/', (c) => subscriptionsPage(c));

dashboard.post('/ui/subscriptions', async (c) => {
  const form = await c.req.parseBody();
  const events = String(form.events ?? '').split(/[\s,]+/).filter(Boolean);
  try {
    const description = String(form.description ?? '').trim();
    // The API's own schema first: the form refuses exactly what POST /v1/subscriptions refuses.
    const input = validated(SubscriptionCreate, { url: String(form.url ?? '').trim(), events, ...(description ? { description } : {}) });
    const { sub, secret } = await createSubscription(c.env, input);
    return subscriptionsPage(c, { kind: 'ok', text: `Subscription ${sub.id} created.`, secret });
  } catch (err) {
    return subscriptionsPage(c, { kind: 'err', text: problemText(err) }, 422);
  }
});

for (const [action, disabled] of [['enable', false], ['disable', true]] as const) {
  dashboard.post(`/ui/subscriptions/:id/${action}`, async (c) => {
    await changeSubscription(c.env, c.req.param('id'), { disabled });
    return c.redirect('/', 303);
  });
}

dashboard.post('/ui/subscriptions/:id/rotate', async (c) => {
  const secret = await rotateSecret(c.env, c.req.param('id'));
  return subscriptionsPage(c, { kind: 'ok', text: 'New secret. The old one keeps signing beside it for 24 hours.', secret });
});

dashboard.post('/ui/subscriptions/:id/test', async (c) => {
  try {
    const event = await sendTestEvent(c.env, c.executionCtx, c.req.param('id'));
    return c.redirect(`/ui/events?id=${encodeURIComponent(event.id)}`, 303);
  } catch (err) {
    return subscriptionsPage(c, { kind: 'err', text: problemText(err) }, 422);
  }
});

dashboard.get('/ui/subscriptions/:id/delete', async (c) => c.html(<ConfirmDeletePage sub={await subscriptionOr404(c.env, c.req.param('id'))} />));
dashboard.post('/ui/subscriptions/:id/delete', async (c) => {
  const sub = await subscriptionOr404(c.env, c.req.param('id'));
  if ((await c.req.parseBody()).confirm !== 'yes') return c.redirect(`/ui/subscriptions/${sub.id}/delete`, 303);
  await deleteSubscription(c.env, sub.id);
  return subscriptionsPage(c, { kind: 'ok', text: `Subscription ${sub.id} deleted.` });
});

dashboard.get('/ui/deliveries', async (c) => {
  const status = c.req.query('status');
  const filters: DeliveryFilters = {
    ...(status && ['pending', 'succeeded', 'failed'].includes(status) ? { status } : {}),
    ...(c.req.query('subscription_id') ? { subscription_id: c.req.query('subscription_id') } : {}),
    ...(c.req.query('type') ? { type: c.req.query('type') } : {}),
  };
  const page = await listDeliveries(c.env.DB, { ...filters, status: filters.status as DeliveryStatus | undefined, limit: 50, cursor: c.req.query('cursor') || undefined });
  const [types, subs] = await Promise.all([
    eventTypesOf(c.env.DB, page.data.map((d) => d.event_id)),
    getSubscriptions(c.env.SUBSCRIPTIONS, [...new Set(page.data.map((d) => d.subscription_id))]),
  ]);
  const rows = page.data.map((d) => ({ ...d, type: types.get(d.event_id) ?? '?', url: isCallback(d) ? 'callback' : (subs.get(d.subscription_id)?.url ?? '(deleted subscription)') }));
  const query = new URLSearchParams(filters as Record<string, string>).toString();
  const table = <DeliveryTable rows={rows} next={page.next_cursor} query={query} />;
  if (isPartial(c)) return c.html(table, 200, PARTIAL);
  const all = await listSubscriptions(c.env.SUBSCRIPTIONS, 100);
  return c.html(<DeliveriesPage filters={filters} subs={all.data} table={table} />);
});

dashboard.get('/ui/deliveries/:id', async (c) => {
  const delivery = await deliveryOr404(c.env.DB, c.req.param('id'));
  const [attempts, rows] = await Promise.all([attemptsOf(c.env.DB, delivery.id), loadForDispatch(c.env.DB, [delivery.id])]);
  const row = rows.get(delivery.id)!;
  const sub = isCallback(row) ? null : await getSubscription(c.env.SUBSCRIPTIONS, row.subscription_id);
  const url = isCallback(row) ? `callback ${row.callback_url ?? ''}` : (sub?.url ?? '(deleted subscription)');
  const body = isCallback(row) ? callbackBody(row) : envelopeBody(row.type, row.event_created_at, row.data);
  const detail = <DeliveryDetail delivery={delivery} attempts={attempts} url={url} body={body} />;
  if (isPartial(c)) return c.html(detail, 200, PARTIAL);
  return c.html(<DeliveryPage id={delivery.id} detail={detail} notice={c.req.query('redelivered') ? 'Queued again: a new attempt is on its way.' : undefined} />);
});

dashboard.post('/ui/deliveries/:id/redeliver', async (c) => {
  const id = c.req.param('id');
  await deliveryOr404(c.env.DB, id);
  await redeliver(c.env, id);
  return c.redirect(`/ui/deliveries/${id}?redelivered=1`, 303);
});

dashboard.get('/ui/events', async (c) => {
  const id = (c.req.query('id') ?? '').trim();
  const event = id ? await getEvent(c.env.DB, id) : null;
  const deliveries = event ? await deliveriesOfEvent(c.env.DB, event.id) : [];
  const subs = await getSubscriptions(c.env.SUBSCRIPTIONS, [...new Set(deliveries.filter((d) => !isCallback(d)).map((d) => d.subscription_id))]);
  const urls = new Map([...subs.values()].map((s) => [s.id, s.url]));
  urls.set('callback', 'event.completed callback');
  return c.html(<EventPage id={id} event={event} deliveries={deliveries} urls={urls} />);
});
