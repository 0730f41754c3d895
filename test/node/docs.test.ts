// The API reference (/docs) in a real browser (Debian's Chromium through playwright-core) against the
// service under wrangler dev, with every request to anything but the Worker blocked: it must render
// offline, show the operations, the webhooks with a registered example payload, the event.completed
// callback, Markdown as Markdown, and "try it" must answer with the token the reader pastes.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { freePort, ROOT, startDevServer } from '../../scripts/lib/dev-server.mjs';

const TOKEN = 'docs-test-token';
const SHOTS = process.env.SCREENSHOTS_TO_DOCS === '1' ? `${ROOT}docs/screenshots` : `${ROOT}.wrangler/screenshots`;
const persistTo = `${ROOT}.wrangler/docs-test-${process.pid}`;
let server: Awaited<ReturnType<typeof startDevServer>>;
let browser: Browser;
const blocked: string[] = [];

/** A page whose requests may reach the Worker only; anything else is aborted and remembered. */
async function offlinePage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${server.url}/`)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return page;
}

describe('API reference (/docs)', () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startDevServer({ port: await freePort(), quiet: true, persistTo, vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true' } });
    const registered = await fetch(`${server.url}/v1/event-types`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'order.paid',
        description: 'An order was **paid** in full.',
        schema: { type: 'object', required: ['order_id', 'amount'], properties: { order_id: { type: 'string' }, amount: { type: 'integer' } }, examples: [{ order_id: 'ord_1042', amount: 2500 }] },
      }),
    });
    assert.equal(registered.status, 201);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(persistTo, { recursive: true, force: true });
  });

  it('renders offline from the Worker alone: the introduction as Markdown, every tag, the operations', async () => {
    const page = await offlinePage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const script = page.waitForResponse((r) => r.url() === `${server.url}/docs/scalar/standalone.esm.js`);
    await page.goto(`${server.url}/docs`);
    assert.equal((await script).status(), 200);
    await page.locator('h1', { hasText: 'edgehook' }).waitFor();
    // Markdown rendered: bold and code are elements, no literal ** or backticks.
    const intro = page.locator('.introduction-description, .markdown').first();
    assert.ok((await intro.locator('strong', { hasText: 'Authentication' }).count()) > 0, 'the introduction is not rendered Markdown');
    assert.ok((await intro.locator('code', { hasText: 'Idempotency-Key' }).count()) > 0);
    const text = (await page.textContent('body')) ?? '';
    assert.doesNotMatch(text, /\*\*Authentication\*\*|`Idempotency-Key`/);
    for (const tag of ['Applications', 'API keys', 'Subscriptions', 'Events', 'Deliveries', 'Event types', 'Stats', 'Webhooks', 'Events, by application']) {
      assert.ok(text.includes(tag), `the sidebar lacks ${tag}`);
    }
    await page.goto(`${server.url}/docs#tag/events/POST/v1/events`);
    const send = page.locator('[id="api-1/tag/events/POST/v1/events"]');
    await send.locator('h3, h2', { hasText: 'Send an event to every matching subscription' }).first().waitFor();
    const sendText = (await send.textContent()) ?? '';
    for (const words of ['idempotency-key', 'Callbacks', 'event.completed', 'ord_1', 'evt_01jd8x']) assert.ok(sendText.includes(words), `POST /v1/events lacks ${words}`);
    await page.screenshot({ path: `${SHOTS}/docs-operation.png` });
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, [], 'the reference asked for something outside the Worker');
    await page.close();
  });

  it('shows a registered event type under Webhooks with its example payload, the headers and how to verify them; and the callback', async () => {
    const page = await offlinePage();
    await page.goto(`${server.url}/docs#webhook/POST/order.paid`);
    const hook = page.locator('[id="api-1/webhook/POST/order.paid"]');
    await hook.locator('text=ord_1042 >> visible=true').first().waitFor();
    const text = (await hook.textContent()) ?? '';
    for (const words of ['"amount"', '2500', 'webhook-signature', 'webhook-timestamp', "from 'edgehook/verify'", 'WebhookVerificationError']) assert.ok(text.includes(words), `order.paid lacks ${words}`);
    assert.equal(await hook.locator('strong', { hasText: 'paid' }).count() > 0, true, 'the description is not rendered Markdown');
    await page.screenshot({ path: `${SHOTS}/docs-webhook.png` });
    for (const name of ['subscription.disabled', 'delivery.exhausted', 'webhook.test']) {
      await page.goto(`${server.url}/docs#webhook/POST/${name}`);
      await page.locator(`[id="api-1/webhook/POST/${name}"]`).locator('text=webhook-signature >> visible=true').first().waitFor();
    }
    // The callback, under POST /v1/events: its payload, headers and verify guide.
    await page.goto(`${server.url}/docs#tag/events/POST/v1/events`);
    const send = page.locator('[id="api-1/tag/events/POST/v1/events"]');
    // The guide names the application's own callback secret and the route that reads it.
    await send.locator('text=callback secret >> visible=true').first().waitFor();
    assert.match((await send.textContent()) ?? '', /GET \/v1\/applications\/\{app\}\/callback-secret/);
    assert.match((await send.textContent()) ?? '', /webhook-id: evt_\w+_completed/);
    const callback = send.locator('button[aria-expanded]', { hasText: 'eventCompleted' });
    await callback.click();
    const panel = callback.locator('xpath=../..');
    await panel.locator('text=webhook-signature >> visible=true').first().waitFor();
    assert.match((await panel.textContent()) ?? '', /event\.completed/);
    assert.deepEqual(blocked, []);
    await page.close();
  });

  it('"try it": GET /v1/subscriptions with a pasted token answers 200, and the token is kept nowhere', async () => {
    await fetch(`${server.url}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/try-it', events: ['order.*'] }),
    });
    const page = await offlinePage();
    await page.goto(`${server.url}/docs#tag/subscriptions/GET/v1/subscriptions`);
    const section = page.locator('[id="api-1/tag/subscriptions/GET/v1/subscriptions"]');
    await section.locator('button', { hasText: 'Test Request' }).first().click();
    const client = page.locator('[role=dialog]').last();
    await client.locator('input[placeholder=Token]').fill(TOKEN);
    const answer = page.waitForResponse((r) => r.url().startsWith(`${server.url}/v1/subscriptions`) && r.request().method() === 'GET');
    await client.locator('button[data-addressbar-action=send]:visible').click();
    const response = await answer;
    assert.equal(response.status(), 200);
    assert.equal(response.request().headers().authorization, `Bearer ${TOKEN}`);
    await client.locator('text=200 OK').first().waitFor();
    await client.locator('text=https://example.com/try-it').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/docs-try-it.png` });
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.equal(stored.includes(TOKEN), false, 'the pasted token was stored in the browser');
    assert.deepEqual(blocked, []);
    await page.close();
  });

  it('is linked from the dashboard and the portal', async () => {
    const page = await offlinePage();
    await page.goto(`${server.url}/`);
    await page.fill('input[name=token]', TOKEN);
    await page.click('button:has-text("Sign in")');
    // The header's link, once the page after sign-in has come (the click does not wait for it).
    const docsLink = page.locator('header a[href="/docs"]', { hasText: 'API reference' });
    await docsLink.first().waitFor();
    assert.equal(await docsLink.count(), 1);
    const link = await fetch(`${server.url}/v1/applications/default/portal-links`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(link.status, 201, await link.clone().text());
    await page.goto(((await link.json()) as { url: string }).url);
    await page.waitForURL(/\/portal\//);
    await docsLink.first().waitFor();
    assert.equal(await docsLink.count(), 1);
    await page.close();
  });
});
