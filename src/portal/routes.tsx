/** @jsxImportSource hono/jsx */
// The customer portal: server-rendered pages for one application's customer, opened by a single-use
// link, over the same services as the API, scoped to the session's application throughout.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isCallback } from '../delivery/callback';
import { envelopeBody } from '../delivery/envelope';
import { redeliver } from '../delivery/redeliver';
import type { AppEnv } from '../env';
import { sameOrigin } from '../middleware/same-origin';
import { SubscriptionCreate, SubscriptionUpdate } from '../schemas/subscriptions';
import { subscriptionOr404 } from '../services/lookups';
import { deliveriesOf, deliveryOr404, eventTypesAcross, recover } from '../services/log';
import { endPortalSession, enterPortal } from '../services/portal';
import { callbackSecretFor, rotateCallbackSecretFor } from '../services/applications';
import { changeSubscription, createSubscription, currentSecret, deleteSubscription, listOfApplication, rotateSecret, sendTestEvent } from '../services/subscriptions';
import { publicKeysOf } from '../services/signing-secrets';
import { submitTransformationForm, type TryOutcome } from '../services/transformation-form';
import { validated } from '../services/validated';
import type { ApplicationRow } from '../store/applications';
import { attemptsOf } from '../store/attempts';
import { loadForDispatch, type DeliveryStatus } from '../store/deliveries';
import { allEventTypes } from '../store/event-types';
import { getSubscriptions } from '../store/subscriptions';
import { problemText } from '../utils/problem';
import { exampleOf } from '../utils/schema-example';
import { OutcomeChart } from '../views/charts';
import { deliveryStats } from '../services/stats';
import type { Notice } from './layout';
import { setPortalHeaders } from './page-headers';
import { CatalogPage } from './pages/catalog';
import { DeliveriesPage, DeliveryPage, type Filters } from './pages/deliveries';
import { MessagePage, REFUSALS } from './pages/message';
import { ConfirmDeletePage, SubscriptionPage } from './pages/subscription';
import { SubscriptionsPage } from './pages/subscriptions';
import { clearSessionCookie, requirePortalSession, sessionCookie, setSessionCookie } from './session';

export const portal = new Hono<AppEnv>();
type C = Context<AppEnv>;
const appOf = (c: C): ApplicationRow => c.var.portal!;


async function message(c: C, app: ApplicationRow | null, [title, text]: readonly [string, string], status: ContentfulStatusCode) {
  await setPortalHeaders(c, app?.portal ?? null);
  return c.html(<MessagePage app={app} title={title} text={text} />, status);
}

portal.onError(async (err, c) => {
  const status = err instanceof HTTPException ? err.status : 500;
  if (status === 404) return message(c, c.var.portal ?? null, ['Not found', 'There is no such page here, or it is not yours to see.'], 404);
  if (status >= 500) console.error(JSON.stringify({ msg: 'portal error', path: c.req.path, error: String(err) }));
  return message(c, c.var.portal ?? null, ['Something went wrong', status >= 500 ? 'Try again in a moment.' : problemText(err)], status as ContentfulStatusCode);
});

// Forms come from the portal's own pages only, and are small.
// Forms are small; a transformation's carries its code (64 KiB at most, larger form-encoded).
const formLimit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('Form too large.', 413) });
const codeLimit = bodyLimit({ maxSize: 512 * 1024, onError: (c) => c.text('Form too large.', 413) });
portal.use('/portal/*', sameOrigin(), (c, next) => (c.req.path.endsWith('/transformation') ? codeLimit : formLimit)(c, next));

portal.get('/portal/enter', async (c) => {
  const entry = await enterPortal(c.env, c.req.query('token') ?? '');
  if ('refused' in entry) return message(c, null, REFUSALS[entry.refused], entry.refused === 'unknown' ? 404 : 410);
  setSessionCookie(c, entry.sessionId);
  c.header('referrer-policy', 'no-referrer');
  c.header('cache-control', 'no-store');
  return c.redirect('/portal/', 303); // the token leaves the address bar at once
});

const ended = (c: C) => message(c, null, REFUSALS.ended, 401);
portal.use('/portal/*', async (c, next) => (c.req.path === '/portal/enter' ? next() : requirePortalSession(ended)(c, next)));
portal.use('/portal/*', async (c, next) => {
  if (c.var.portal) await setPortalHeaders(c, c.var.portal.portal);
  await next();
});

portal.post('/portal/sign-out', async (c) => {
  const id = sessionCookie(c);
  if (id) await endPortalSession(c.env, id);
  clearSessionCookie(c);
  return message(c, null, ['Signed out', 'You are signed out of the webhooks portal. Open it again from the page you came from.'], 401);
});

// Subscriptions.
async function listPage(c: C, notice?: Notice, status: 200 | 422 = 200, callbackSecret?: string) {
  const app = appOf(c);
  const [subs, types] = await Promise.all([listOfApplication(c.env, app.id, 100), allEventTypes(c.env.DB)]);
  return c.html(<SubscriptionsPage app={app} subs={subs.data} types={types} notice={notice} callbackSecret={callbackSecret} />, status);
}

// The application's callback secret: shown on request (a POST, never in a URL), rotated like a subscription's.
portal.post('/portal/callback-secret', async (c) => {
  try {
    return await listPage(c, undefined, 200, await callbackSecretFor(c.env, appOf(c).id));
  } catch (err) {
    if (err instanceof HTTPException && err.status === 409) return listPage(c, { kind: 'err', text: problemText(err) }, 422);
    throw err;
  }
});
portal.post('/portal/callback-secret/rotate', async (c) => {
  const secret = await rotateCallbackSecretFor(c.env, appOf(c).id);
  return listPage(c, { kind: 'ok', text: 'New callback secret below. The old one keeps signing beside it for 24 hours.' }, 200, secret);
});

async function detailPage(c: C, id: string, extra: { notice?: Notice; secret?: string; tried?: TryOutcome; code?: string } = {}, status: 200 | 422 = 200) {
  const app = appOf(c);
  const sub = await subscriptionOr404(c.env, app.id, id);
  const [types, stats, keys] = await Promise.all([
    allEventTypes(c.env.DB),
    deliveryStats(c.env, { application_id: app.id, window: '24h', subscription_id: sub.id }),
    publicKeysOf(sub),
  ]);
  const chart = <OutcomeChart stats={stats} label="Last 24 hours" />;
  return c.html(<SubscriptionPage app={app} sub={sub} types={types} chart={chart} keys={keys} origin={new URL(c.req.url).origin} {...extra} />, status);
}

/** The form's fields as the API's body: the same schema, the same 422. */
async function formFields(c: C) {
  const form = await c.req.parseBody({ all: true });
  const events = ([] as unknown[]).concat(form.events ?? []).map(String);
  const description = String(form.description ?? '').trim();
  return { url: String(form.url ?? '').trim(), events, description, signature: String(form.signature ?? 'hmac') };
}

portal.get('/portal/', (c) => listPage(c));
portal.post('/portal/subscriptions', async (c) => {
  try {
    const { url, events, description, signature } = await formFields(c);
    const input = validated(SubscriptionCreate, { url, events, signature, ...(description ? { description } : {}) });
    const { sub, shown } = await createSubscription(c.env, appOf(c).id, input);
    // The secret is shown on this answer, never in a URL.
    if (!('secret' in shown)) return detailPage(c, sub.id, { notice: { kind: 'ok', text: 'Subscription added. It signs with Ed25519: set up your receiver with the public key below.' } });
    return detailPage(c, sub.id, { notice: { kind: 'ok', text: 'Subscription added. Its signing secret is below: set up your receiver with it.' }, secret: shown.secret });
  } catch (err) {
    if (err instanceof HTTPException && err.status === 422) return listPage(c, { kind: 'err', text: problemText(err) }, 422);
    throw err;
  }
});

portal.get('/portal/subscriptions/:id', (c) => detailPage(c, c.req.param('id'), c.req.query('saved') ? { notice: { kind: 'ok', text: 'Saved.' } } : {}));
portal.post('/portal/subscriptions/:id', async (c) => {
  const id = c.req.param('id');
  try {
    const { url, events, description, signature } = await formFields(c);
    await changeSubscription(c.env, appOf(c).id, id, validated(SubscriptionUpdate, { url, events, signature, description: description || null }));
    return c.redirect(`/portal/subscriptions/${id}?saved=1`, 303);
  } catch (err) {
    if (err instanceof HTTPException && err.status === 422) return detailPage(c, id, { notice: { kind: 'err', text: problemText(err) } }, 422);
    throw err;
  }
});

for (const [action, disabled] of [['enable', false], ['disable', true]] as const) {
  portal.post(`/portal/subscriptions/:id/${action}`, async (c) => {
    const sub = await changeSubscription(c.env, appOf(c).id, c.req.param('id'), { disabled });
    return c.redirect(`/portal/subscriptions/${sub.id}?saved=1`, 303);
  });
}

portal.post('/portal/subscriptions/:id/test', async (c) => {
  const id = c.req.param('id');
  try {
    await sendTestEvent(c.env, c.executionCtx, appOf(c).id, id);
    return c.redirect(`/portal/deliveries?subscription_id=${encodeURIComponent(id)}&sent=1`, 303);
  } catch (err) {
    if (err instanceof HTTPException && err.status === 409) return detailPage(c, id, { notice: { kind: 'err', text: problemText(err) } }, 422);
    throw err;
  }
});

portal.post('/portal/subscriptions/:id/secret', async (c) => {
  const sub = await subscriptionOr404(c.env, appOf(c).id, c.req.param('id'));
  return detailPage(c, sub.id, { secret: await currentSecret(c.env, sub) });
});

portal.post('/portal/subscriptions/:id/rotate', async (c) => {
  const id = c.req.param('id');
  try {
    const shown = await rotateSecret(c.env, appOf(c).id, id);
    if (!('secret' in shown)) return detailPage(c, id, { notice: { kind: 'ok', text: 'New key pair: its public key is below. The old key keeps signing beside it for 24 hours.' } });
    return detailPage(c, id, { notice: { kind: 'ok', text: 'New secret below. The old one keeps signing beside it for 24 hours.' }, secret: shown.secret });
  } catch (err) {
    if (err instanceof HTTPException && err.status === 409) return detailPage(c, id, { notice: { kind: 'err', text: problemText(err) } }, 422);
    throw err;
  }
});

portal.post('/portal/subscriptions/:id/transformation', async (c) => {
  const sub = await subscriptionOr404(c.env, appOf(c).id, c.req.param('id'));
  const outcome = await submitTransformationForm(c.env, appOf(c).id, sub, await c.req.parseBody());
  return detailPage(c, sub.id, outcome, outcome.notice?.kind === 'err' ? 422 : 200);
});

portal.post('/portal/subscriptions/:id/recover', async (c) => {
  const sub = await subscriptionOr404(c.env, appOf(c).id, c.req.param('id'));
  const raw = String((await c.req.parseBody()).since ?? '');
  const since = Date.parse(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(raw) ? `${raw}Z` : 'invalid'); // datetime-local, read as UTC
  if (!Number.isFinite(since) || since > Date.now()) return detailPage(c, sub.id, { notice: { kind: 'err', text: 'Give a time in the past (UTC).' } }, 422);
  const n = await recover(c.env, sub.application_id, sub.id, new Date(since).toISOString());
  return detailPage(c, sub.id, { notice: { kind: 'ok', text: `Re-sending ${n} failed deliver${n === 1 ? 'y' : 'ies'}.` } });
});

portal.get('/portal/subscriptions/:id/delete', async (c) => c.html(<ConfirmDeletePage app={appOf(c)} sub={await subscriptionOr404(c.env, appOf(c).id, c.req.param('id'))} />));
portal.post('/portal/subscriptions/:id/delete', async (c) => {
  const sub = await subscriptionOr404(c.env, appOf(c).id, c.req.param('id'));
  if ((await c.req.parseBody()).confirm !== 'yes') return c.redirect(`/portal/subscriptions/${sub.id}/delete`, 303);
  await deleteSubscription(c.env, appOf(c).id, sub.id);
  return listPage(c, { kind: 'ok', text: `Subscription ${sub.url} deleted.` });
});

// The event catalogue.
portal.get('/portal/catalog', async (c) => {
  const types = await allEventTypes(c.env.DB);
  const entries = types.map((type) => ({
    type,
    example: JSON.stringify({ type: type.name, timestamp: '2026-11-30T12:00:00.000Z', data: type.schema ? exampleOf(JSON.parse(type.schema)) : {} }, null, 2),
  }));
  return c.html(<CatalogPage app={appOf(c)} entries={entries} />);
});

// Deliveries (the producer's event.completed callbacks are not the customer's, and are not shown).
portal.get('/portal/deliveries', async (c) => {
  const app = appOf(c);
  const status = c.req.query('status');
  const filters: Filters = {
    ...(status && ['pending', 'succeeded', 'failed', 'cancelled'].includes(status) ? { status } : {}),
    ...(c.req.query('subscription_id') ? { subscription_id: c.req.query('subscription_id') } : {}),
    ...(c.req.query('type') ? { type: c.req.query('type') } : {}),
  };
  const cursor = c.req.query('cursor');
  const page = await deliveriesOf(c.env, {
    ...filters,
    status: filters.status as DeliveryStatus | undefined,
    application_id: app.id,
    without_callbacks: true,
    limit: 50,
    cursor: cursor && /^dlv_[0-9a-z]{26}$/.test(cursor) ? cursor : undefined,
  });
  const [types, subs, all] = await Promise.all([
    eventTypesAcross(c.env, app.id, page.data.map((d) => d.event_id)),
    getSubscriptions(c.env.SUBSCRIPTIONS, [...new Set(page.data.map((d) => d.subscription_id))]),
    listOfApplication(c.env, app.id, 100),
  ]);
  const rows = page.data.map((d) => ({ ...d, type: types.get(d.event_id) ?? '?', url: subs.get(d.subscription_id)?.url ?? '(deleted subscription)' }));
  const notice: Notice | undefined = c.req.query('sent') ? { kind: 'ok', text: 'Test event sent. Refresh to follow its delivery.' } : undefined;
  return c.html(<DeliveriesPage app={app} rows={rows} subs={all.data} filters={filters} next={page.next_cursor} notice={notice} />);
});

async function deliveryOfPortal(c: C, id: string) {
  const found = await deliveryOr404(c.env, appOf(c).id, id);
  if (isCallback(found.delivery)) throw new HTTPException(404);
  return found;
}

portal.get('/portal/deliveries/:id', async (c) => {
  const app = appOf(c);
  const { log, delivery } = await deliveryOfPortal(c, c.req.param('id'));
  const [attempts, rows, subs] = await Promise.all([attemptsOf(log.db, delivery.id), loadForDispatch(log.db, [delivery.id]), getSubscriptions(c.env.SUBSCRIPTIONS, [delivery.subscription_id])]);
  const row = rows.get(delivery.id)!;
  const notice: Notice | undefined = c.req.query('redelivered') ? { kind: 'ok', text: 'Queued again: a new attempt is on its way. Refresh to see it.' } : undefined;
  const url = subs.get(delivery.subscription_id)?.url ?? '(deleted subscription)';
  return c.html(<DeliveryPage app={app} delivery={delivery} attempts={attempts} url={url} body={envelopeBody(row.type, row.event_created_at, row.data)} notice={notice} />);
});

portal.post('/portal/deliveries/:id/redeliver', async (c) => {
  const { log, delivery } = await deliveryOfPortal(c, c.req.param('id'));
  await redeliver(c.env, log, delivery.id);
  return c.redirect(`/portal/deliveries/${delivery.id}?redelivered=1`, 303);
});
