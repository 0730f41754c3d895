// The operator dashboard in a real browser (Debian's Chromium through playwright-core) against the
// service under wrangler dev and real local receivers. Takes screenshots on the way: into .wrangler/
// (ignored) under `npm test`, into docs/screenshots for the README under `npm run screenshots`.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { freePort, ROOT, startDevServer } from '../../scripts/lib/dev-server.mjs';
import { startReceiverServer, type ReceiverServer } from '../support/receiver-server.ts';

const TOKEN = 'dashboard-test-token';
const SHOTS = process.env.SCREENSHOTS_TO_DOCS === '1' ? `${ROOT}docs/screenshots` : `${ROOT}.wrangler/screenshots`;
const persistTo = `${ROOT}.wrangler/dashboard-test-${process.pid}`;
let server: Awaited<ReturnType<typeof startDevServer>>;
let receivers: ReceiverServer;
let browser: Browser;

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json() as Promise<any>;
};
const script = (name: string, actions: unknown[], fallback?: unknown) =>
  fetch(`${receivers.origin}/_script/${name}`, { method: 'POST', body: JSON.stringify({ actions, fallback }) });
const received = async (name: string) => (await (await fetch(`${receivers.origin}/_log/${name}`)).json()) as unknown[];

async function signIn(page: Page, token = TOKEN) {
  await page.goto(`${server.url}/`);
  await page.fill('input[name=token]', token);
  await page.click('button:has-text("Sign in")');
}

describe('dashboard', () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    receivers = await startReceiverServer();
    server = await startDevServer({
      port: await freePort(),
      quiet: true,
      persistTo,
      vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true', RETRY_SCHEDULE: '3,3', CALLBACK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await receivers?.close();
    rmSync(persistTo, { recursive: true, force: true });
  });

  it('shows an error and no data for a wrong token', async () => {
    await api('POST', '/v1/subscriptions', { url: `${receivers.origin}/hook/secret-listing`, events: ['*'] });
    const page = await browser.newPage();
    await signIn(page, 'not-the-token');
    assert.match(await page.textContent('[role=alert]') ?? '', /not valid/);
    assert.equal(await page.locator('table').count(), 0);
    assert.equal((await page.content()).includes('secret-listing'), false);
    assert.equal(new URL(page.url()).search, '', 'the token must never be in a URL');
    await page.screenshot({ path: `${SHOTS}/sign-in.png` });
    await page.goto(`${server.url}/ui/deliveries`);
    assert.match(page.url(), /\/ui\/login$/);
    await page.close();
  });

  it('signs in, creates a subscription, sees a delivery succeed live, opens it and redelivers', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await signIn(page);
    assert.equal(new URL(page.url()).pathname, '/');
    await page.fill('input[name=url]', `${receivers.origin}/hook/dash-ok`);
    await page.fill('input[name=events]', 'order.*');
    await page.fill('input[name=description]', 'Orders service');
    await page.click('button:has-text("Create")');
    const secret = (await page.textContent('#secret')) ?? '';
    assert.match(secret, /^whsec_/);
    assert.equal(await page.locator('button[data-copy=secret]').count(), 1);
    await page.screenshot({ path: `${SHOTS}/subscription-created.png` });
    await page.goto(`${server.url}/`);
    assert.equal((await page.content()).includes(secret), false, 'the secret is shown once');

    // Slow receiver: the delivery stays pending long enough to be seen turning succeeded.
    await script('dash-ok', [{ status: 200, delay_ms: 2500 }]);
    await page.goto(`${server.url}/ui/deliveries`);
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    const event = await api('POST', '/v1/events', { type: 'order.created', data: { order_id: 'ord_7' } });
    const row = page.locator('tr[data-delivery]', { hasText: 'dash-ok' });
    await row.locator('.badge.pending').waitFor({ timeout: 15_000 });
    await row.locator('.badge.succeeded').waitFor({ timeout: 20_000 });
    assert.equal(navigations, 0, 'updated without reloading');
    await page.screenshot({ path: `${SHOTS}/deliveries.png` });

    await row.locator('a').click();
    await page.locator('tr.attempt').first().waitFor();
    assert.match((await page.locator('tr.attempt').first().textContent()) ?? '', /200/);
    await page.locator('details').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
    const pre = (await page.locator('details pre').first().textContent()) ?? '';
    assert.match(pre, new RegExp(`webhook-id: ${event.id}`));
    assert.match((await page.content()), /ord_7/);
    await page.screenshot({ path: `${SHOTS}/delivery.png`, fullPage: true });

    await page.click('button:has-text("Redeliver")');
    await page.locator('table[data-attempts="2"]').waitFor({ timeout: 20_000 });
    assert.equal((await received('dash-ok')).length, 2);

    await page.goto(`${server.url}/ui/events?id=${event.id}`);
    assert.match((await page.content()), /order\.created/);
    await page.screenshot({ path: `${SHOTS}/event.png` });
    await page.close();
  });

  it('shows a failing delivery pending with its next retry, then failed', async () => {
    await script('dash-bad', [], { status: 500 });
    const sub = await api('POST', '/v1/subscriptions', { url: `${receivers.origin}/hook/dash-bad`, events: ['invoice.*'] });
    const page = await browser.newPage();
    await signIn(page);
    await page.goto(`${server.url}/ui/deliveries?subscription_id=${sub.id}`);
    await api('POST', '/v1/events', { type: 'invoice.failed', data: { n: 1 } });
    const row = page.locator('tr[data-delivery]').first();
    await row.locator('.badge.pending').waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => /\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/.test(document.querySelector('tr[data-delivery] td:last-child')?.textContent ?? ''), undefined, { timeout: 15_000 });
    await row.locator('.badge.failed').waitFor({ timeout: 30_000 });
    await page.goto(`${server.url}/`);
    await page.screenshot({ path: `${SHOTS}/subscriptions.png` });
    await page.close();
  });

  it('enables, disables, tests, rotates and deletes (with confirmation)', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // a phone
    await signIn(page);
    const sub = await api('POST', '/v1/subscriptions', { url: `${receivers.origin}/hook/dash-tools`, events: ['tools.*'] });
    const row = page.locator(`tr#${sub.id}`);
    await page.reload();
    await row.locator('button:has-text("Disable")').click();
    assert.equal((await api('GET', `/v1/subscriptions/${sub.id}`)).disabled, true);
    await row.locator('button:has-text("Enable")').click();
    assert.equal((await api('GET', `/v1/subscriptions/${sub.id}`)).disabled, false);
    await row.locator('button:has-text("Send test")').click();
    await page.waitForURL(/\/ui\/events\?id=/);
    assert.match(await page.content(), /webhook\.test/);
    await page.goto(`${server.url}/`);
    await row.locator('button:has-text("Rotate secret")').click();
    const rotated = (await page.textContent('#secret')) ?? '';
    assert.equal(rotated, (await api('GET', `/v1/subscriptions/${sub.id}/secret`)).secret);
    await page.screenshot({ path: `${SHOTS}/phone.png` });
    await row.locator('button:has-text("Delete")').click();
    assert.match(await page.content(), /Delete this subscription\?/);
    assert.equal((await api('GET', `/v1/subscriptions/${sub.id}`)).id, sub.id, 'not deleted before confirming');
    await page.click('button:has-text("Delete it")');
    assert.equal((await api('GET', `/v1/subscriptions/${sub.id}`)).status, 404);
    await page.close();
  });

  it('creates a subscription that signs with Ed25519: shows its public key and JWKS, and rotates its key pair', async () => {
    const page = await browser.newPage();
    await signIn(page);
    await page.getByLabel('Receiver URL').fill(`${receivers.origin}/hook/dash-ed25519`);
    await page.getByLabel('Event types').fill('ed.*');
    await page.getByLabel('Signature').selectOption('ed25519');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.locator('[data-public-keys]').waitFor();
    const id = /Subscription (sub_[0-9a-z]+) created/.exec((await page.locator('.msg').textContent()) ?? '')![1]!;
    const sub = await api('GET', `/v1/subscriptions/${id}`);
    assert.equal(sub.signature, 'ed25519');
    assert.deepEqual(await page.locator('.msg [data-public-key]').allTextContents(), [sub.public_key]);
    assert.equal(await page.locator('.msg [data-jwks-url]').textContent(), `${server.url}/.well-known/webhooks/subscriptions/${id}/jwks.json`);
    assert.equal(await page.locator(`tr#${id} [data-signing="ed25519"] code`).textContent(), sub.public_key);
    await page.locator(`tr#${id}`).getByRole('button', { name: 'Rotate key pair' }).click();
    await page.getByText('New key pair').waitFor();
    const keys = await page.locator('.msg [data-public-key]').allTextContents();
    assert.deepEqual(keys, [(await api('GET', `/v1/subscriptions/${id}`)).public_key, sub.public_key]);
    await page.close();
  });

  it('creates an application and a key of it (shown once), and filters subscriptions and deliveries by application', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await signIn(page);
    await page.goto(`${server.url}/ui/applications`);
    await page.fill('input[name=name]', 'Dash Co');
    await page.fill('input[name=uid]', 'dash-co');
    await page.click('button:has-text("Create")');
    assert.match((await page.textContent('[role=status]')) ?? '', /Application Dash Co \(app_[0-9a-z]{26}\) created/);
    const app = await api('GET', '/v1/applications/dash-co');

    // A key of it, shown once; the list then shows its name and scope, never the key.
    await page.goto(`${server.url}/ui/api-keys`);
    await page.fill('input[name=name]', 'Dash Co live');
    await page.selectOption('select[name=scope]', app.id);
    await page.click('button:has-text("Create")');
    const key = (await page.textContent('#secret')) ?? '';
    assert.match(key, /^ehk_[A-Za-z0-9_-]{43}$/);
    const asCustomer = await fetch(`${server.url}/v1/subscriptions`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(asCustomer.status, 200);
    await page.goto(`${server.url}/ui/api-keys`);
    assert.match(await page.content(), /Dash Co live/);
    assert.equal((await page.content()).includes(key.slice(4)), false, 'the key is shown once only');

    // A subscription of the application, made in the dashboard; an event of it; the filtered lists.
    await page.goto(`${server.url}/?app=${app.id}`);
    await page.fill('input[name=url]', `${receivers.origin}/hook/dash-app`);
    await page.fill('input[name=events]', 'app.*');
    await page.click('form[action="/ui/subscriptions"] button');
    const subs = await api('GET', `/v1/applications/${app.id}/subscriptions`);
    assert.equal(subs.data.length, 1);
    assert.equal((await api('GET', '/v1/subscriptions')).data.some((x: { id: string }) => x.id === subs.data[0].id), false, 'not in the default application');
    await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'app.hello', data: {} }) });
    await page.goto(`${server.url}/ui/deliveries?application_id=${app.id}`);
    await page.waitForSelector('tr[data-delivery]');
    assert.equal(await page.locator('tr[data-delivery]').count(), 1);
    await page.goto(`${server.url}/ui/deliveries?application_id=default&type=app.hello`);
    assert.equal(await page.locator('tr[data-delivery]').count(), 0);
    await page.goto(`${server.url}/ui/applications`);
    await page.screenshot({ path: `${SHOTS}/applications.png` });
    // The operator opens the application's customer portal from here.
    await page.locator(`tr#${app.id}`).getByRole('button', { name: 'Open its portal' }).click();
    await page.waitForURL(/\/portal\/$/);
    assert.equal(await page.textContent('header strong'), 'Dash Co · Webhooks');

    // Revoked in the dashboard: refused on the next request.
    await page.goto(`${server.url}/ui/api-keys`);
    await page.locator('tr', { hasText: 'Dash Co live' }).locator('button:has-text("Revoke")').click();
    assert.match((await page.textContent('[role=status]')) ?? '', /revoked/);
    assert.equal((await fetch(`${server.url}/v1/subscriptions`, { headers: { authorization: `Bearer ${key}` } })).status, 401);
    await page.close();
  });

  it('shows flow control (rate limit, FIFO, how many wait) and pauses and resumes a subscription', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await signIn(page);
    const sub = await api('POST', '/v1/subscriptions', { url: `${receivers.origin}/hook/dash-flow`, events: ['flow.*'], rate_limit: { per_second: 5, burst: 2 }, ordering: 'fifo' });
    await page.goto(`${server.url}/`);
    const row = page.locator(`tr#${sub.id}`);
    assert.match((await row.locator('[data-flow]').textContent()) ?? '', /≤ 5\/s \(burst 2\) · FIFO/);
    await row.locator('button:has-text("Pause")').click();
    assert.equal((await api('GET', `/v1/subscriptions/${sub.id}`)).paused, true);
    for (let i = 0; i < 3; i++) await api('POST', '/v1/events', { type: 'flow.x', data: { i } });
    for (let i = 0; i < 50 && (await api('GET', `/v1/subscriptions/${sub.id}`)).waiting < 3; i++) await new Promise((ok) => setTimeout(ok, 100));
    await page.reload();
    assert.match((await row.locator('[data-flow]').textContent()) ?? '', /paused.*3 waiting/s);
    assert.equal((await received('dash-flow')).length, 0);
    await row.locator('button:has-text("Resume")').click();
    for (let i = 0; i < 100 && (await received('dash-flow')).length < 3; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal((await received('dash-flow')).length, 3);
    await page.close();
  });

  it('draws the delivery stats: totals and chart equal to the attempts made, and a sparkline per subscription', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await signIn(page);
    const app = await api('POST', '/v1/applications', { name: 'Stats Corp' });
    await script('dash-stats-flaky', [{ status: 500 }], { status: 200 });
    const ok = await api('POST', `/v1/applications/${app.id}/subscriptions`, { url: `${receivers.origin}/hook/dash-stats-ok`, events: ['stats.*'] });
    const flaky = await api('POST', `/v1/applications/${app.id}/subscriptions`, { url: `${receivers.origin}/hook/dash-stats-flaky`, events: ['stats.*'] });
    for (let i = 0; i < 3; i++) await api('POST', `/v1/applications/${app.id}/events`, { type: 'stats.x', data: { i } });
    // 3 to ok, 3 to flaky of which the first fails once and is retried 3 s later: 7 attempts, 6 succeeded.
    for (let i = 0; i < 150 && (await api('GET', `/v1/applications/${app.id}/stats?window=1h`)).totals.succeeded < 6; i++) await new Promise((r) => setTimeout(r, 100));
    const stats = await api('GET', `/v1/applications/${app.id}/stats?window=1h`);
    assert.deepEqual([stats.totals.attempts, stats.totals.succeeded, stats.totals.retrying], [7, 6, 1]);
    assert.equal((await received('dash-stats-ok')).length + (await received('dash-stats-flaky')).length, 7);

    await page.goto(`${server.url}/ui/stats?app=${app.id}&window=1h`);
    assert.equal(await page.locator('[data-total=attempts]').textContent(), '7');
    assert.equal(await page.locator('[data-total=succeeded]').textContent(), '6');
    assert.equal(await page.locator('[data-total=retrying]').textContent(), '1');
    const chart = page.locator('figure.stats-chart svg');
    assert.equal(await chart.getAttribute('data-attempts'), '7');
    assert.match((await chart.getAttribute('aria-label')) ?? '', /7 attempts in the last hour: 6 succeeded, 1 failed and were retried/);
    assert.ok((await page.locator('figure.stats-chart rect.ok-bar').count()) >= 1);
    assert.equal(await page.locator('figure.stats-chart rect.retry-bar').count(), 1);
    // One subscription only, from its sparkline on the subscriptions page.
    await page.goto(`${server.url}/?app=${app.id}`);
    assert.match((await page.locator(`tr#${flaky.id} .spark svg`).getAttribute('aria-label')) ?? '', /4 attempts, 75 % succeeded/);
    assert.match((await page.locator(`tr#${ok.id} .spark svg`).getAttribute('aria-label')) ?? '', /3 attempts, 100 % succeeded/);
    await page.locator(`tr#${flaky.id} .spark`).click();
    await page.waitForURL(/\/ui\/stats\?/);
    assert.equal(await page.locator('[data-total=attempts]').textContent(), '4');
    await page.screenshot({ path: `${SHOTS}/dashboard-stats.png`, fullPage: true });
    await page.close();
  });

  it('shows loading states: a busy button while a form is on its way, and how fresh a live list is', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    const sub = await api('POST', '/v1/subscriptions', { url: `${receivers.origin}/hook/dash-loading`, events: ['load.*'] });
    await page.reload();

    // The test event's form is held up for a moment on its way: its button says so and takes no second press.
    let posts = 0;
    await page.route(`**/ui/subscriptions/${sub.id}/test`, async (route) => {
      posts++;
      await new Promise((ok) => setTimeout(ok, 1500));
      await route.continue();
    });
    const button = page.locator(`tr#${sub.id} form[action$="/test"] button`);
    // Read from inside the page: Playwright's own locators wait while a navigation is held up.
    const pressed = await button.evaluate(async (b) => {
      const btn = b as HTMLButtonElement;
      btn.click();
      await new Promise((ok) => setTimeout(ok, 50));
      btn.form!.requestSubmit(); // a second press
      return { text: btn.textContent, disabled: btn.disabled, busy: btn.getAttribute('aria-busy') };
    });
    assert.deepEqual(pressed, { text: 'Sending…', disabled: true, busy: 'true' });
    await page.waitForURL(/\/ui\/events\?id=/);
    assert.equal(posts, 1, 'one submission');

    // A live list says when it last updated, when the service does not answer, and when the session ended.
    await page.goto(`${server.url}/ui/deliveries?subscription_id=${sub.id}`);
    const status = page.locator('[data-live-status]');
    assert.match((await status.textContent()) ?? '', /Updates by itself/);
    await page.waitForFunction(() => /Updated at/.test(document.querySelector('[data-live-status]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    const failRefresh = (route: import('playwright-core').Route) => (route.request().headers()['x-partial'] ? route.abort() : route.continue());
    await page.route('**/ui/deliveries*', failRefresh);
    await page.waitForFunction(() => /Could not refresh/.test(document.querySelector('[data-live-status]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.equal(await page.locator('.live-status.stale').count(), 1);
    assert.equal(await page.locator('tr[data-delivery]').count(), 1, 'the last content stays');
    await page.unroute('**/ui/deliveries*', failRefresh);
    await page.waitForFunction(() => /Updated at/.test(document.querySelector('[data-live-status]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await context.clearCookies();
    await page.waitForFunction(() => /Signed out/.test(document.querySelector('[data-live-status]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.equal(await page.locator('input[name=token]').count(), 0, 'the sign-in page is not pasted into the list');
    assert.equal(await page.locator('tr[data-delivery]').count(), 1);
    await context.close();
  });

  it('refuses a form posted from another origin, runs under its CSP, and a signed-out cookie opens nothing', async () => {
    // Another site (another port, another host name) with a form that posts to the dashboard.
    const { createServer } = await import('node:http');
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form id="f" method="post" action="${server.url}/ui/login"><input name="token" value="${TOKEN}"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((ok) => evil.listen(0, '127.0.0.1', ok));
    const evilUrl = `http://localhost:${(evil.address() as import('node:net').AddressInfo).port}/`;
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
    try {
      await page.goto(evilUrl);
      await page.waitForURL(`${server.url}/ui/login`);
      assert.equal(await page.textContent('body'), 'Cross-origin form refused.');
      assert.deepEqual(await context.cookies(server.url), [], 'no session was opened');

      // Signed in for real, the dashboard works under its policy (its script runs: the list refreshes).
      await signIn(page);
      await page.goto(`${server.url}/ui/deliveries`);
      await page.waitForFunction(() => /Updated at/.test(document.querySelector('[data-live-status]')?.textContent ?? ''), undefined, { timeout: 10_000 });
      assert.deepEqual(violations, []);
      const [cookie] = await context.cookies(server.url);
      assert.ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict');

      // Sign out, then put the old cookie back, as someone who copied it would: it opens nothing.
      await page.click('button:has-text("Sign out")');
      await page.waitForURL(`${server.url}/ui/login`);
      await context.addCookies([cookie]);
      await page.goto(`${server.url}/ui/deliveries`);
      assert.equal(page.url(), `${server.url}/ui/login`);
      assert.equal(await page.locator('input[name=token]').count(), 1);
    } finally {
      await context.close();
      await new Promise((ok) => evil.close(ok));
    }
  });
});
