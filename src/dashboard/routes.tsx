/** @jsxImportSource hono/jsx */
// The operator dashboard: server-rendered pages over the same store and services as the API.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { callbackBody, isCallback } from '../delivery/callback';
import { envelopeBody } from '../delivery/envelope';
import { redeliver } from '../delivery/redeliver';
import type { AppEnv } from '../env';
import { subscriptionOr404 } from '../services/lookups';
import { deliveriesOf, deliveryOr404, eventOr404, eventTypesAcross, OPERATOR_FAN_IN } from '../services/log';
import { createApiKey, listApiKeys, revokeKey } from '../services/api-keys';
import { applicationFor, createApplication, listApplications } from '../services/applications';
import { createPortalLink } from '../services/portal';
import { ANY_APPLICATION, changeSubscription, createSubscription, deleteSubscription, listOfApplication, rotateSecret, sendTestEvent, setPaused, waitingOf } from '../services/subscriptions';
import { validated } from '../services/validated';
import { deliveryStats, hourlySeries } from '../services/stats';
import { StatsQuery } from '../schemas/stats';
import { StatsPage } from './pages/stats';
import { ApiKeyCreate, ApplicationCreate } from '../schemas/applications';
import { SubscriptionCreate } from '../schemas/subscriptions';
import { DEFAULT_APPLICATION } from '../store/applications';
import { problemText } from '../utils/problem';
import { attemptsOf } from '../store/attempts';
import { deliveriesOfEvent, loadForDispatch, type DeliveryStatus } from '../store/deliveries';
import { getSubscription, getSubscriptions } from '../store/subscriptions';
import { ApiKeysPage, ApplicationsPage } from './pages/applications';
import { DeliveriesPage, DeliveryTable, type DeliveryFilters } from './pages/deliveries';
import { DeliveryDetail, DeliveryPage } from './pages/delivery';
import { EventPage } from './pages/event';
import { LoginPage } from './pages/login';
import { ConfirmDeletePage, SubscriptionsPage, type Notice } from './pages/subscriptions';
import { publicKeysOf, type Shown } from '../services/signing-secrets';
import { submitTransformationForm, type FormOutcome } from '../services/transformation-form';
import { sampleTypes } from '../views/transformation-editor';
import { TransformationPage } from './pages/transformation';
import { allEventTypes } from '../store/event-types';
import type { StoredSubscription } from '../store/subscriptions';
import { pageHeaders } from './page-headers';
import { endSession, requireSession, sameOrigin, startSession, tokenIsValid } from './session';

export const dashboard = new Hono<AppEnv>();
type C = Context<AppEnv>;

const isPartial = (c: C) => c.req.header('x-partial') === '1';
/** Marks a live region's refresh, so the page can tell it from a sign-in page it was redirected to. */
const PARTIAL = { 'x-partial': '1' };

// Every dashboard answer (the sign-in page and sign-out included): no-store, CSP; every post: same origin.
for (const path of ['/', '/ui/*']) dashboard.use(path, pageHeaders(), sameOrigin());

// Forms are small: anything larger is not one of ours.
// Forms are small; a transformation's carries its code (64 KiB at most, larger form-encoded).
const formLimit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('Form too large.', 413) });
const codeLimit = bodyLimit({ maxSize: 512 * 1024, onError: (c) => c.text('Form too large.', 413) });
dashboard.use('/ui/*', (c, next) => (c.req.path.endsWith('/transformation') ? codeLimit : formLimit)(c, next));

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

const OPERATOR = { scope: 'operator', key_id: null } as const;
/** Every live application, for the pickers (the first 100). */
const allApplications = async (c: C) => (await listApplications(c.env.DB, 100)).data;

async function subscriptionsPage(c: C, notice?: Notice, status: 200 | 422 = 200, appId?: string) {
  const app = await applicationFor(c.env, OPERATOR, appId ?? (c.req.query('app') || DEFAULT_APPLICATION));
  const page = await listOfApplication(c.env, app.id, 50, c.req.query('cursor') || undefined);
  const [series, apps, waiting] = await Promise.all([
    hourlySeries(c.env, app.id),
    allApplications(c),
    Promise.all(page.data.map(async (s) => [s.id, await waitingOf(c.env, s)] as const)).then((pairs) => new Map(pairs)),
  ]);
  return c.html(
    <SubscriptionsPage subs={page.data} series={series} next={page.next_cursor} notice={notice} apps={apps} app={app.id} waiting={waiting} origin={new URL(c.req.url).origin} />,
    status,
  );
}

/** What a create or rotate shows: the HMAC secret once, or the public keys and how to verify with them. */
async function shownNotice(c: C, text: string, id: string, shown: Shown): Promise<Notice> {
  if ('secret' in shown) return { kind: 'ok', text, secret: shown.secret };
  return { kind: 'ok', text, publicKeys: { subscriptionId: id, keys: await publicKeysOf(await subscriptionOr404(c.env, ANY_APPLICATION, id)) } };
}

dashboard.get('/', (c) => subscriptionsPage(c));

// Delivery stats of an application: outcomes over time and latency, from the counters.
dashboard.get('/ui/stats', async (c) => {
  const app = await applicationFor(c.env, OPERATOR, c.req.query('app') || DEFAULT_APPLICATION);
  const q = StatsQuery.safeParse({ window: c.req.query('window') || undefined, subscription_id: c.req.query('subscription_id') || undefined, event_type: c.req.query('event_type') || undefined });
  if (!q.success) throw new HTTPException(400, { message: 'Unknown window: 1h, 24h or 7d.' });
  const [stats, apps] = await Promise.all([deliveryStats(c.env, { application_id: app.id, ...q.data }), allApplications(c)]);
  return c.html(<StatsPage stats={stats} apps={apps} />);
});

dashboard.post('/ui/subscriptions', async (c) => {
  const form = await c.req.parseBody();
  const events = String(form.events ?? '').split(/[\s,]+/).filter(Boolean);
  try {
    const description = String(form.description ?? '').trim();
    // The API's own schema first: the form refuses exactly what POST /v1/subscriptions refuses.
    const signature = String(form.signature ?? 'hmac');
    const input = validated(SubscriptionCreate, { url: String(form.url ?? '').trim(), events, signature, ...(description ? { description } : {}) });
    const app = await applicationFor(c.env, OPERATOR, String(form.app ?? DEFAULT_APPLICATION));
    const { sub, shown } = await createSubscription(c.env, app.id, input);
    return subscriptionsPage(c, await shownNotice(c, `Subscription ${sub.id} created.`, sub.id, shown), 200, app.id);
  } catch (err) {
    return subscriptionsPage(c, { kind: 'err', text: problemText(err) }, 422, String(form.app ?? DEFAULT_APPLICATION));
  }
});

for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
  dashboard.post(`/ui/subscriptions/:id/${action}`, async (c) => {
    const sub = await setPaused(c.env, ANY_APPLICATION, c.req.param('id'), paused);
    return c.redirect(`/?app=${sub.application_id}`, 303);
  });
}

for (const [action, disabled] of [['enable', false], ['disable', true]] as const) {
  dashboard.post(`/ui/subscriptions/:id/${action}`, async (c) => {
    const sub = await changeSubscription(c.env, ANY_APPLICATION, c.req.param('id'), { disabled });
    return c.redirect(`/?app=${sub.application_id}`, 303);
  });
}

dashboard.post('/ui/subscriptions/:id/rotate', async (c) => {
  const sub = await subscriptionOr404(c.env, ANY_APPLICATION, c.req.param('id'));
  const shown = await rotateSecret(c.env, ANY_APPLICATION, sub.id);
  const text = 'secret' in shown ? 'New secret. The old one keeps signing beside it for 24 hours.' : 'New key pair. The old key keeps signing beside it for 24 hours.';
  return subscriptionsPage(c, await shownNotice(c, text, sub.id, shown), 200, sub.application_id);
});

dashboard.post('/ui/subscriptions/:id/test', async (c) => {
  try {
    const event = await sendTestEvent(c.env, c.executionCtx, ANY_APPLICATION, c.req.param('id'));
    return c.redirect(`/ui/events?id=${encodeURIComponent(event.id)}`, 303);
  } catch (err) {
    return subscriptionsPage(c, { kind: 'err', text: problemText(err) }, 422);
  }
});

async function transformationPage(c: C, sub: StoredSubscription, outcome: Partial<FormOutcome> = {}, status: 200 | 422 = 200) {
  const fresh = await subscriptionOr404(c.env, ANY_APPLICATION, sub.id);
  return c.html(<TransformationPage sub={fresh} eventTypes={sampleTypes(fresh, await allEventTypes(c.env.DB))} {...outcome} />, status);
}
dashboard.get('/ui/subscriptions/:id/transformation', async (c) => transformationPage(c, await subscriptionOr404(c.env, ANY_APPLICATION, c.req.param('id'))));
dashboard.post('/ui/subscriptions/:id/transformation', async (c) => {
  const sub = await subscriptionOr404(c.env, ANY_APPLICATION, c.req.param('id'));
  const outcome = await submitTransformationForm(c.env, ANY_APPLICATION, sub, await c.req.parseBody());
  return transformationPage(c, sub, outcome, outcome.notice?.kind === 'err' ? 422 : 200);
});

dashboard.get('/ui/subscriptions/:id/delete', async (c) => c.html(<ConfirmDeletePage sub={await subscriptionOr404(c.env, ANY_APPLICATION, c.req.param('id'))} />));
dashboard.post('/ui/subscriptions/:id/delete', async (c) => {
  const sub = await subscriptionOr404(c.env, ANY_APPLICATION, c.req.param('id'));
  if ((await c.req.parseBody()).confirm !== 'yes') return c.redirect(`/ui/subscriptions/${sub.id}/delete`, 303);
  await deleteSubscription(c.env, ANY_APPLICATION, sub.id);
  return subscriptionsPage(c, { kind: 'ok', text: `Subscription ${sub.id} deleted.` }, 200, sub.application_id);
});

dashboard.get('/ui/deliveries', async (c) => {
  const status = c.req.query('status');
  const filters: DeliveryFilters = {
    ...(c.req.query('application_id') ? { application_id: c.req.query('application_id') } : {}),
    ...(status && ['pending', 'succeeded', 'failed', 'cancelled'].includes(status) ? { status } : {}),
    ...(c.req.query('subscription_id') ? { subscription_id: c.req.query('subscription_id') } : {}),
    ...(c.req.query('type') ? { type: c.req.query('type') } : {}),
  };
  const page = await deliveriesOf(c.env, { ...filters, status: filters.status as DeliveryStatus | undefined, limit: 50, cursor: c.req.query('cursor') || undefined });
  const [types, subs] = await Promise.all([
    eventTypesAcross(c.env, filters.application_id ?? null, page.data.map((d) => d.event_id)),
    getSubscriptions(c.env.SUBSCRIPTIONS, [...new Set(page.data.map((d) => d.subscription_id))]),
  ]);
  const rows = page.data.map((d) => ({ ...d, type: types.get(d.event_id) ?? '?', url: isCallback(d) ? 'callback' : (subs.get(d.subscription_id)?.url ?? '(deleted subscription)') }));
  const query = new URLSearchParams(filters as Record<string, string>).toString();
  const partial = page.partial ? (
    <p class="notice" role="status">
      Partial: every application's deliveries are read from the {OPERATOR_FAN_IN} most recently opened log shards only. Choose an application to see all of its deliveries.
    </p>
  ) : null;
  const table = (
    <>
      {partial}
      <DeliveryTable rows={rows} next={page.next_cursor} query={query} />
    </>
  );
  if (isPartial(c)) return c.html(table, 200, PARTIAL);
  const [all, apps] = await Promise.all([listOfApplication(c.env, filters.application_id ?? DEFAULT_APPLICATION, 100), allApplications(c)]);
  return c.html(<DeliveriesPage filters={filters} subs={all.data} apps={apps} table={table} />);
});

dashboard.get('/ui/deliveries/:id', async (c) => {
  const { log, delivery } = await deliveryOr404(c.env, ANY_APPLICATION, c.req.param('id'));
  const [attempts, rows] = await Promise.all([attemptsOf(log.db, delivery.id), loadForDispatch(log.db, [delivery.id])]);
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
  const { log } = await deliveryOr404(c.env, ANY_APPLICATION, id);
  await redeliver(c.env, log, id);
  return c.redirect(`/ui/deliveries/${id}?redelivered=1`, 303);
});

dashboard.get('/ui/events', async (c) => {
  const id = (c.req.query('id') ?? '').trim();
  const found = id ? await eventOr404(c.env, ANY_APPLICATION, id).catch(() => null) : null;
  const event = found?.event ?? null;
  const deliveries = found ? await deliveriesOfEvent(found.log.db, found.event.id) : [];
  const subs = await getSubscriptions(c.env.SUBSCRIPTIONS, [...new Set(deliveries.filter((d) => !isCallback(d)).map((d) => d.subscription_id))]);
  const urls = new Map([...subs.values()].map((s) => [s.id, s.url]));
  urls.set('callback', 'event.completed callback');
  return c.html(<EventPage id={id} event={event} deliveries={deliveries} urls={urls} />);
});

async function applicationsPage(c: C, notice?: Notice, status: 200 | 422 = 200) {
  const page = await listApplications(c.env.DB, 50, c.req.query('cursor') || undefined);
  return c.html(<ApplicationsPage apps={page.data} next={page.next_cursor} notice={notice} />, status);
}

dashboard.get('/ui/applications', (c) => applicationsPage(c));
dashboard.post('/ui/applications', async (c) => {
  const form = await c.req.parseBody();
  try {
    const uid = String(form.uid ?? '').trim();
    const app = await createApplication(c.env, validated(ApplicationCreate, { name: String(form.name ?? '').trim(), ...(uid ? { uid } : {}) }));
    return applicationsPage(c, { kind: 'ok', text: `Application ${app.name} (${app.id}) created.` });
  } catch (err) {
    return applicationsPage(c, { kind: 'err', text: problemText(err) }, 422);
  }
});

// The operator sees what the application's customers see: a portal link of their own, used at once.
dashboard.post('/ui/applications/:id/portal', async (c) => {
  const app = await applicationFor(c.env, OPERATOR, c.req.param('id'));
  const link = await createPortalLink(c.env, app.id, new URL(c.req.url).origin, 60);
  return c.redirect(link.url, 303);
});

async function apiKeysPage(c: C, notice?: Notice, status: 200 | 422 = 200) {
  const scope = c.req.query('scope') || '';
  const [page, apps] = await Promise.all([listApiKeys(c.env.DB, { scope: scope || undefined, limit: 50, cursor: c.req.query('cursor') || undefined }), allApplications(c)]);
  return c.html(<ApiKeysPage keys={page.data} apps={apps} scope={scope} next={page.next_cursor} notice={notice} />, status);
}

dashboard.get('/ui/api-keys', (c) => apiKeysPage(c));
dashboard.post('/ui/api-keys', async (c) => {
  const form = await c.req.parseBody();
  try {
    const key = await createApiKey(c.env, validated(ApiKeyCreate, { name: String(form.name ?? '').trim(), scope: String(form.scope ?? '') }));
    return apiKeysPage(c, { kind: 'ok', text: `API key ${key.name} (${key.id}) created.`, secret: key.key });
  } catch (err) {
    return apiKeysPage(c, { kind: 'err', text: problemText(err) }, 422);
  }
});
dashboard.post('/ui/api-keys/:id/revoke', async (c) => {
  const key = await revokeKey(c.env, c.req.param('id'));
  return apiKeysPage(c, { kind: 'ok', text: `API key ${key.name} revoked: its next request is refused.` });
});
