/** @jsxImportSource hono/jsx */
// Subscriptions: state, the last 24 h (a sparkline from the delivery stats), create (secret shown once), enable/disable, rotate, test, delete.
import type { ApplicationRow } from '../../store/applications';
import { signatureScheme, type StoredSubscription } from '../../store/subscriptions';
import type { PublicKeyEntry } from '../../services/signing-secrets';
import { jwksUrl, PublicKeysHelp } from '../../views/verify-help';
import type { Series } from '../../services/stats';
import { Sparkline } from '../../views/charts';
import { Layout, StatusBadge } from '../layout';

export interface Notice {
  kind: 'ok' | 'err';
  text: string;
  /** A secret to show once, with a copy button. */
  secret?: string;
  /** An Ed25519 subscription's public keys, just made, with how to verify with them. */
  publicKeys?: { subscriptionId: string; keys: PublicKeyEntry[] };
}

/** How it signs: an Ed25519 subscription shows its current public key and its JWKS. */
const Signing = ({ sub, origin }: { sub: StoredSubscription; origin: string }) =>
  signatureScheme(sub) === 'ed25519' ? (
    <div class="muted" data-signing="ed25519">
      Ed25519 · <code>{sub.secrets[0]?.public_key}</code> · <a href={jwksUrl(origin, sub.id)}>JWKS</a>
    </div>
  ) : null;

/** Its flow control, in words: rate limit, FIFO, paused, and how many deliveries wait. */
const Flow = ({ sub, waiting }: { sub: StoredSubscription; waiting: number }) => {
  const parts = [
    sub.rate_limit ? `≤ ${sub.rate_limit.per_second}/s${(sub.rate_limit.burst ?? 1) > 1 ? ` (burst ${sub.rate_limit.burst})` : ''}` : null,
    sub.ordering === 'fifo' ? 'FIFO' : null,
  ].filter(Boolean);
  return (
    <div class="muted" data-flow>
      {sub.paused ? <span class="badge pending">paused</span> : null} {parts.join(' · ')}
      {waiting > 0 ? <span> · <strong>{waiting}</strong> waiting</span> : null}
    </div>
  );
};

const Actions = ({ sub }: { sub: StoredSubscription }) => (
  <div class="row">
    <form class="inline" method="post" action={`/ui/subscriptions/${sub.id}/${sub.paused ? 'resume' : 'pause'}`}>
      <button data-busy={sub.paused ? 'Resuming…' : 'Pausing…'}>{sub.paused ? 'Resume' : 'Pause'}</button>
    </form>
    <form class="inline" method="post" action={`/ui/subscriptions/${sub.id}/${sub.disabled ? 'enable' : 'disable'}`}>
      <button data-busy={sub.disabled ? 'Enabling…' : 'Disabling…'}>{sub.disabled ? 'Enable' : 'Disable'}</button>
    </form>
    <form class="inline" method="post" action={`/ui/subscriptions/${sub.id}/test`}><button disabled={sub.disabled} data-busy="Sending…">Send test</button></form>
    <form class="inline" method="post" action={`/ui/subscriptions/${sub.id}/rotate`}>
      <button data-busy="Rotating…">{signatureScheme(sub) === 'ed25519' ? 'Rotate key pair' : 'Rotate secret'}</button>
    </form>
    <a href={`/ui/subscriptions/${sub.id}/transformation`}>{sub.transformation ? (sub.transformation.enabled ? 'Transformation (on)' : 'Transformation (off)') : 'Transformation'}</a>
    <form class="inline" method="get" action={`/ui/subscriptions/${sub.id}/delete`}><button class="danger" data-busy="Opening…">Delete</button></form>
  </div>
);

/** Picks the application a page shows (every page of it keeps the choice in `?app=`). */
export const ApplicationPicker = ({ apps, current, action, any }: { apps: ApplicationRow[]; current: string; action: string; any?: boolean }) => (
  <form method="get" action={action} class="row">
    <label>Application
      <select name="app">
        {any ? <option value="" selected={current === ''}>all applications</option> : null}
        {apps.map((a) => <option value={a.id} selected={current === a.id}>{a.name}{a.uid ? ` (${a.uid})` : ''}</option>)}
      </select>
    </label>
    <button data-busy="Opening…">Show</button>
  </form>
);

export const SubscriptionsPage = ({ subs, series, next, notice, apps, app, waiting, origin }: { subs: StoredSubscription[]; series: Map<string, Series>; next: string | null; notice?: Notice; apps: ApplicationRow[]; app: string; waiting: Map<string, number>; origin: string }) => (
  <Layout title="Subscriptions" section="subscriptions">
    {notice ? (
      <div class={`msg ${notice.kind}`} role="status">
        {notice.text}
        {notice.secret ? (
          <div class="gap-top">
            <code id="secret">{notice.secret}</code> <button type="button" data-copy="secret">Copy</button>
            <div class="muted">Shown once: store it with the receiver now. It can be read again through the API.</div>
          </div>
        ) : null}
        {notice.publicKeys ? (
          <div class="gap-top">
            <PublicKeysHelp keys={notice.publicKeys.keys} origin={origin} subscriptionId={notice.publicKeys.subscriptionId} />
          </div>
        ) : null}
      </div>
    ) : null}
    <div class="card"><ApplicationPicker apps={apps} current={app} action="/" /></div>
    <div class="card">
      <h3 class="flush">New subscription of {apps.find((a) => a.id === app)?.name ?? app}</h3>
      <form method="post" action="/ui/subscriptions" class="row">
        <input type="hidden" name="app" value={app} />
        <label class="grow-2">Receiver URL<input name="url" type="url" placeholder="https://example.com/webhooks" required /></label>
        <label class="grow-1 min-160">Event types<input name="events" placeholder="order.*, invoice.paid" required /></label>
        <label class="grow-1 min-140">Description<input name="description" /></label>
        <label class="min-140">Signature
          <select name="signature">
            <option value="hmac" selected>HMAC (shared secret)</option>
            <option value="ed25519">Ed25519 (public key)</option>
          </select>
        </label>
        <button class="primary" data-busy="Creating…">Create</button>
      </form>
    </div>
    <div class="card scroll">
      {subs.length === 0 ? (
        <p class="empty">No subscriptions yet. Create one above: the URL that should receive events, and the event types it wants (<code>*</code> for all).</p>
      ) : (
        <table>
          <tr><th>Receiver</th><th class="hide-sm">Events</th><th>State</th><th>Last 24 h</th><th>Actions</th></tr>
          {subs.map((sub) => (
            <tr id={sub.id}>
              <td>
                <a href={`/ui/deliveries?subscription_id=${sub.id}`}>{sub.url}</a>
                <div class="muted"><code>{sub.id}</code>{sub.description ? ` · ${sub.description}` : ''}</div>
                <Signing sub={sub} origin={origin} />
              </td>
              <td class="hide-sm"><code>{sub.events.join(', ')}</code></td>
              <td><StatusBadge status={sub.disabled ? 'disabled' : 'enabled'} /><Flow sub={sub} waiting={waiting.get(sub.id) ?? 0} /></td>
              <td><a href={`/ui/stats?app=${encodeURIComponent(sub.application_id)}&subscription_id=${sub.id}`}><Sparkline buckets={series.get(sub.id) ?? []} label={`${sub.url}, last 24 h`} /></a></td>
              <td><Actions sub={sub} /></td>
            </tr>
          ))}
        </table>
      )}
      {next ? <p><a href={`/?app=${encodeURIComponent(app)}&cursor=${encodeURIComponent(next)}`}>Next page →</a></p> : null}
    </div>
  </Layout>
);

export const ConfirmDeletePage = ({ sub }: { sub: StoredSubscription }) => (
  <Layout title="Delete subscription" section="subscriptions">
    <div class="card">
      <h3 class="flush">Delete this subscription?</h3>
      <p><code>{sub.id}</code> → {sub.url}</p>
      <p class="muted">It stops receiving events at once; its pending deliveries fail. This cannot be undone.</p>
      <form method="post" action={`/ui/subscriptions/${sub.id}/delete`} class="row">
        <button class="danger" name="confirm" value="yes" data-busy="Deleting…">Delete it</button>
        <a href="/">Cancel</a>
      </form>
    </div>
  </Layout>
);
