// The customer portal in Chromium (Debian's, through playwright-core) with third-party cookies blocked:
// a page on one local site embeds the portal from another; inside the iframe the customer adds a
// subscription, sends a test event and sees it arrive at a real receiver. Also: a link works once, the
// pages work by keyboard alone and have no serious axe-core violations, in the light and dark themes.
import assert from 'node:assert/strict';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync, rmSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { Webhook } from 'standardwebhooks';
import { freePort, ROOT, startDevServer } from '../../scripts/lib/dev-server.mjs';
import { startReceiverServer, type ReceiverServer } from '../support/receiver-server.ts';

const TOKEN = 'portal-test-token';
const SHOTS = process.env.SCREENSHOTS_TO_DOCS === '1' ? `${ROOT}docs/screenshots` : `${ROOT}.wrangler/screenshots`;
const persistTo = `${ROOT}.wrangler/portal-test-${process.pid}`;
const AXE = readFileSync(`${ROOT}node_modules/axe-core/axe.min.js`, 'utf8');
let server: Awaited<ReturnType<typeof startDevServer>>;
let receivers: ReceiverServer;
let browser: Browser;
let host: Server;
let hostOrigin = '';
let embedSrc = '';

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return res.json() as Promise<any>;
};
const received = async (name: string) => (await (await fetch(`${receivers.origin}/_log/${name}`)).json()) as { body: string; headers: Record<string, string> }[];
const portalLink = async (app: string) => (await api('POST', `/v1/applications/${app}/portal-links`, {})).url as string;

/** Serious or critical axe-core violations of the page or frame. */
async function axeViolations(target: Page | Frame): Promise<string[]> {
  await target.evaluate(AXE);
  const result = await target.evaluate(async () => (globalThis as any).axe.run(document, { resultTypes: ['violations'] }));
  return (result.violations as { id: string; impact: string; nodes: unknown[] }[]).filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
}

describe('customer portal in Chromium', () => {
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    receivers = await startReceiverServer();
    server = await startDevServer({ port: await freePort(), quiet: true, persistTo, vars: { API_TOKEN: TOKEN, ALLOW_INSECURE_URLS: 'true' } });
    // The producer's page, on another site (localhost against the portal's 127.0.0.1): it embeds the portal.
    host = createServer((req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>Acme settings</title><h1>Acme settings</h1><iframe id="portal" title="Webhooks" src="${embedSrc}" width="1100" height="900"></iframe>`);
    });
    const port = await new Promise<number>((ok) => host.listen(0, '127.0.0.1', () => ok((host.address() as { port: number }).port)));
    hostOrigin = `http://localhost:${port}`;
    // Third-party cookies blocked, as Chrome does for users who block them (and as it planned for everyone).
    browser = await launchChromium(['--test-third-party-cookie-phaseout']);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await receivers?.close();
    await new Promise((ok) => host?.close(ok));
    rmSync(persistTo, { recursive: true, force: true });
  });

  it('works inside a cross-site iframe with third-party cookies blocked: add a subscription, send a test event, see it arrive', async () => {
    const app = await api('POST', '/v1/applications', { name: 'Acme', portal: { allowed_origins: [hostOrigin], theme: 'light', accent_color: '#6d28d9' } });
    // The control: a cookie of the portal's site that is not partitioned is not kept in this iframe.
    const control = createServer((req, res) => {
      if (req.url === '/set') {
        res.writeHead(303, { 'set-cookie': 'plain=1; Path=/; Secure; SameSite=None', location: '/check' });
        return res.end();
      }
      res.end(`<p id="c">${req.headers.cookie ?? 'none'}</p>`);
    });
    const controlPort = await new Promise<number>((ok) => control.listen(0, '127.0.0.1', () => ok((control.address() as { port: number }).port)));
    embedSrc = `http://127.0.0.1:${controlPort}/set`;
    const probe = await browser.newPage();
    await probe.goto(`${hostOrigin}/`);
    assert.equal(await probe.frameLocator('#portal').locator('#c').textContent(), 'none', 'third-party cookies must be blocked for this test to mean anything');
    await probe.close();
    control.close();

    embedSrc = await portalLink(app.id);
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(`${hostOrigin}/`);
    const portal = page.frameLocator('#portal');
    await portal.locator('h1', { hasText: 'Subscriptions' }).waitFor();
    assert.equal(await portal.locator('header strong').textContent(), 'Acme · Webhooks');

    const hook = `${receivers.origin}/hook/portal-embedded`;
    await portal.getByLabel('URL').fill(hook);
    await portal.getByLabel('All event types').check();
    await portal.getByRole('button', { name: 'Add subscription' }).click();
    const secret = await portal.getByRole('textbox', { name: /Signing secret/ }).inputValue();
    assert.match(secret, /^whsec_/);
    await page.screenshot({ path: `${SHOTS}/portal-embedded.png` });

    await portal.getByRole('button', { name: 'Send a test event' }).click();
    await portal.getByText('Test event sent').waitFor();
    for (let i = 0; i < 100 && (await received('portal-embedded')).length === 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    const [got] = await received('portal-embedded');
    assert.ok(got, 'the receiver got the test event');
    const verified = new Webhook(secret).verify(got.body, got.headers) as { type: string };
    assert.equal(verified.type, 'webhook.test');
    // The delivery, seen from inside the iframe: refreshed until it shows succeeded.
    for (let i = 0; i < 50; i++) {
      if ((await portal.locator('tr[data-delivery] .badge').textContent().catch(() => null)) === 'succeeded') break;
      await portal.getByRole('link', { name: 'Refresh' }).click();
    }
    assert.equal(await portal.locator('tr[data-delivery] .badge').textContent(), 'succeeded');
    await portal.locator('tr[data-delivery] a').click();
    await portal.locator('tr.attempt').first().waitFor();
    assert.match((await portal.locator('tr.attempt td').nth(1).textContent()) ?? '', /^200$/);
    await page.close();
  });

  it('adds a subscription that signs with Ed25519: shows its public key, JWKS and how to verify; Node verifies its test event; rotates the key pair', async () => {
    const app = await api('POST', '/v1/applications', { name: 'Ed Corp' });
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(await portalLink(app.id));
    await page.getByLabel('URL').fill(`${receivers.origin}/hook/portal-ed25519`);
    await page.getByLabel('All event types').check();
    await page.getByLabel('Signature').selectOption('ed25519');
    await page.getByRole('button', { name: 'Add subscription' }).click();
    await page.getByRole('heading', { name: 'Signing keys' }).waitFor();
    assert.equal(await page.getByRole('textbox', { name: /Signing secret/ }).count(), 0, 'no secret to show');
    const shown = (await page.locator('[data-public-key]').allTextContents());
    const id = /\((sub_[0-9a-z]+)\)/.exec((await page.locator('main p').first().textContent()) ?? '')![1]!;
    const sub = await api('GET', `/v1/applications/${app.id}/subscriptions/${id}`);
    assert.deepEqual(shown, [sub.public_key]);
    assert.equal(await page.locator('[data-jwks-url]').textContent(), `${server.url}/.well-known/webhooks/subscriptions/${id}/jwks.json`);
    assert.match((await page.locator('[data-public-keys] pre').textContent()) ?? '', /verify\('whpk_/);

    await page.getByRole('button', { name: 'Send a test event' }).click();
    for (let i = 0; i < 100 && (await received('portal-ed25519')).length === 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    const [got] = await received('portal-ed25519');
    assert.ok(got, 'the receiver got the test event');
    const raw = Buffer.from(sub.public_key.slice('whpk_'.length), 'base64');
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    const signed = Buffer.from(`${got.headers['webhook-id']}.${got.headers['webhook-timestamp']}.${got.body}`);
    assert.ok(nodeVerify(null, signed, key, Buffer.from(got.headers['webhook-signature']!.replace(/^v1a,/, ''), 'base64')), 'Node verifies the v1a signature');

    await page.goto(`${server.url}/portal/subscriptions/${id}`);
    await page.getByRole('button', { name: 'Rotate key pair' }).click();
    await page.getByText('New key pair').waitFor();
    const after = await page.locator('[data-public-key]').allTextContents();
    assert.equal(after.length, 2);
    assert.equal(after[1], sub.public_key, 'the old key is listed, signing through the overlap');
    assert.equal(after[0], (await api('GET', `/v1/applications/${app.id}/subscriptions/${id}`)).public_key);
    await page.close();
  });

  it('edits a transformation: Try it shows what would be sent, Save makes the next webhook go reshaped', async () => {
    const app = await api('POST', '/v1/applications', { name: 'Shape Corp' });
    const sub = await api('POST', `/v1/applications/${app.id}/subscriptions`, { url: `${receivers.origin}/hook/portal-transform`, events: ['webhook.test'] });
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    await page.goto(await portalLink(app.id));
    await page.goto(`${server.url}/portal/subscriptions/${sub.id}`);
    await page.getByLabel('Code').fill('export default ({ event_type, payload }) => ({ payload: { text: event_type + " says " + payload.data.message } })');
    await page.getByLabel(/Sample data/).fill('{"message":"hi"}');
    await page.getByRole('button', { name: 'Try it' }).click();
    assert.equal(await page.locator('[data-try-body]').textContent(), '{"text":"webhook.test says hi"}');
    assert.equal((await api('GET', `/v1/applications/${app.id}/subscriptions/${sub.id}`)).transformation, null, 'trying saves nothing');
    await page.getByRole('button', { name: 'Save transformation' }).click();
    await page.getByText('Transformation saved').waitFor();
    const saved = (await api('GET', `/v1/applications/${app.id}/subscriptions/${sub.id}`)).transformation;
    assert.equal(saved.enabled, true);
    assert.match(saved.code, /says/);
    await page.getByRole('button', { name: 'Send a test event' }).click();
    for (let i = 0; i < 100 && (await received('portal-transform')).length === 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    const [got] = await received('portal-transform');
    assert.equal(got?.body, '{"text":"webhook.test says This is a test event from edgehook."}');
    new Webhook(sub.secret).verify(got!.body, got!.headers);
    await page.screenshot({ path: `${SHOTS}/portal-transformation.png` });
    await page.close();
  });

  it('refuses an expired link; a session of one application opens nothing of another', async () => {
    const A = await api('POST', '/v1/applications', { name: 'Browser A' });
    const B = await api('POST', '/v1/applications', { name: 'Browser B' });
    const subB = await api('POST', `/v1/applications/${B.id}/subscriptions`, { url: `${receivers.origin}/hook/portal-b`, events: ['*'] });
    const short = (await api('POST', `/v1/applications/${A.id}/portal-links`, { expires_in: 1 })).url;
    await new Promise((ok) => setTimeout(ok, 1200));
    const page = await browser.newPage();
    assert.equal((await page.goto(short))?.status(), 410);
    assert.match(await page.textContent('h1') ?? '', /This link has expired/);
    await page.goto(await portalLink(A.id));
    for (const path of [`/portal/subscriptions/${subB.id}`, `/portal/subscriptions/${subB.id}/delete`]) {
      const res = await page.goto(server.url + path);
      assert.equal(res?.status(), 404, path);
      assert.equal((await page.content()).includes(subB.url), false);
    }
    // A form aimed at B's subscription, posted from A's portal page.
    await page.goto(`${server.url}/portal/`);
    const [res] = await Promise.all([
      page.waitForNavigation(),
      page.evaluate((id) => {
        const f = document.createElement('form');
        f.method = 'post';
        f.action = `/portal/subscriptions/${id}/disable`;
        document.body.append(f);
        f.submit();
      }, subB.id),
    ]);
    assert.equal(res?.status(), 404);
    assert.equal((await api('GET', `/v1/applications/${B.id}/subscriptions/${subB.id}`)).disabled, false);
    await page.close();
  });

  it('refuses a used link, and is not framed by a site the application did not allow', async () => {
    const app = await api('POST', '/v1/applications', { name: 'Once', portal: { allowed_origins: ['https://elsewhere.example'] } });
    const link = await portalLink(app.id);
    const page = await browser.newPage();
    await page.goto(link);
    assert.match(await page.textContent('h1') ?? '', /Subscriptions/);
    const again = await browser.newPage();
    const res = await again.goto(link);
    assert.equal(res?.status(), 410);
    assert.match(await again.textContent('h1') ?? '', /This link was used already/);
    // Framed by a site not in allowed_origins: the browser refuses to show it.
    embedSrc = await portalLink(app.id);
    const framed = await browser.newPage();
    await framed.goto(`${hostOrigin}/`);
    await framed.waitForTimeout(500);
    const frame = framed.frames().find((f) => f !== framed.mainFrame());
    const shown = (await frame?.content().catch(() => '')) ?? '';
    assert.equal(shown.includes('Once · Webhooks'), false, 'the portal must not render in a frame of a site it does not allow');
    await Promise.all([page.close(), again.close(), framed.close()]);
  });

  it('works by keyboard alone, and has no serious axe-core violations in the light and dark themes', async () => {
    await api('POST', '/v1/event-types', { name: 'invoice.paid', description: 'An invoice was paid', schema: { type: 'object', required: ['invoice_id'], properties: { invoice_id: { type: 'string', examples: ['inv_42'] }, amount: { type: 'integer', minimum: 1 } } } });
    for (const theme of ['light', 'dark'] as const) {
      const app = await api('POST', '/v1/applications', { name: `Keys ${theme}`, portal: { theme, accent_color: theme === 'dark' ? '#22c55e' : '#0550ae' } });
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1100, height: 900 } }); // only so that axe-core can be injected
      const page = await context.newPage();
      await page.goto(await portalLink(app.id));

      // Keyboard only: Tab to the URL field, type, Tab to a checkbox, Space, Tab to the button, Enter.
      const tabTo = async (test: string) => {
        for (let i = 0; i < 60; i++) {
          await page.keyboard.press('Tab');
          if (await page.evaluate(test)) return;
        }
        throw new Error(`could not reach ${test} with Tab`);
      };
      await tabTo("document.activeElement?.name === 'url'");
      await page.keyboard.type(`${receivers.origin}/hook/portal-keys-${theme}`);
      await tabTo("document.activeElement?.value === 'invoice.paid'");
      await page.keyboard.press('Space');
      await tabTo("document.activeElement?.textContent === 'Add subscription'");
      await page.keyboard.press('Enter');
      await page.getByRole('textbox', { name: /Signing secret/ }).waitFor();
      const subs = await api('GET', `/v1/applications/${app.id}/subscriptions`);
      assert.deepEqual(subs.data.map((s: { events: string[] }) => s.events), [['invoice.paid']]);

      const pages = ['/portal/', `/portal/subscriptions/${subs.data[0].id}`, '/portal/catalog', '/portal/deliveries'];
      for (const path of pages) {
        await page.goto(server.url + path);
        assert.deepEqual(await axeViolations(page), [], `${theme} ${path}`);
      }
      // The check itself: an unlabeled field is found.
      await page.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<input name="unlabeled">'));
      assert.ok((await axeViolations(page)).some((v) => v.startsWith('label ')), 'axe-core runs and reports');
      await page.goto(`${server.url}/portal/catalog`);
      assert.match(await page.content(), /inv_42/);
      await page.screenshot({ path: `${SHOTS}/portal-${theme}.png`, fullPage: false });
      await context.close();
    }
  });
});
