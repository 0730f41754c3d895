/** @jsxImportSource hono/jsx */
// One subscription: its last 24 hours, its settings, its secret (revealed or rotated on request), a
// test event, re-sending failed deliveries, and deleting it (after a confirmation page).
import type { Child } from 'hono/jsx';
import type { ApplicationRow } from '../../store/applications';
import type { EventTypeRow } from '../../store/event-types';
import { signatureScheme, type StoredSubscription } from '../../store/subscriptions';
import type { PublicKeyEntry } from '../../services/signing-secrets';
import { PublicKeysHelp } from '../../views/verify-help';
import { sampleTypes, TransformationEditor } from '../../views/transformation-editor';
import type { TryOutcome } from '../../services/transformation-form';
import { Layout, NoticeBox, StatusBadge, type Notice } from '../layout';
import { EventTypePicker, SignaturePicker } from './subscriptions';

export const SubscriptionPage = (p: {
  app: ApplicationRow;
  sub: StoredSubscription;
  types: EventTypeRow[];
  chart: Child;
  keys: PublicKeyEntry[];
  origin: string;
  notice?: Notice;
  secret?: string;
  tried?: TryOutcome;
  code?: string;
}) => {
  const { sub } = p;
  const base = `/portal/subscriptions/${sub.id}`;
  const ed25519 = signatureScheme(sub) === 'ed25519';
  return (
    <Layout app={p.app} title="Subscription" section="subscriptions">
      <NoticeBox notice={p.notice} />
      <p>
        <StatusBadge status={sub.disabled ? 'disabled' : 'enabled'} /> <strong>{sub.url}</strong> <span class="muted">({sub.id})</span>
      </p>
      {p.chart}
      <section class="card" aria-labelledby="actions">
        <h2 id="actions">Actions</h2>
        <div class="row">
          <form method="post" action={`${base}/${sub.disabled ? 'enable' : 'disable'}`}><button type="submit">{sub.disabled ? 'Enable' : 'Disable'}</button></form>
          <form method="post" action={`${base}/test`}><button type="submit" disabled={sub.disabled}>Send a test event</button></form>
          <a href={`/portal/deliveries?subscription_id=${sub.id}`}>Its deliveries</a>
        </div>
      </section>
      {ed25519 ? (
        <section class="card" aria-labelledby="keys">
          <h2 id="keys">Signing keys</h2>
          <PublicKeysHelp keys={p.keys} origin={p.origin} subscriptionId={sub.id} />
          <div class="row">
            <form method="post" action={`${base}/rotate`}><button type="submit">Rotate key pair</button></form>
          </div>
        </section>
      ) : (
      <section class="card" aria-labelledby="secret">
        <h2 id="secret">Signing secret</h2>
        {p.secret ? (
          <p>
            <label>
              <span>Signing secret (verify each webhook’s <code>webhook-signature</code> with it)</span>
              <input class="secret" readonly value={p.secret} />
            </label>
          </p>
        ) : (
          <p class="muted">Hidden. Reveal it to set up your receiver; rotating makes a new one, and the old one keeps signing for 24 hours.</p>
        )}
        <div class="row">
          <form method="post" action={`${base}/secret`}><button type="submit">Reveal secret</button></form>
          <form method="post" action={`${base}/rotate`}><button type="submit">Rotate secret</button></form>
        </div>
      </section>
      )}
      <section class="card" aria-labelledby="edit">
        <h2 id="edit">Settings</h2>
        <form method="post" action={base}>
          <div class="row">
            <label class="grow">URL<input name="url" type="url" required value={sub.url} /></label>
            <label class="grow">Description<input name="description" maxlength={1024} value={sub.description ?? ''} /></label>
          </div>
          <p><EventTypePicker types={p.types} chosen={sub.events} /></p>
          <p><SignaturePicker chosen={signatureScheme(sub)} /></p>
          <p class="muted">Changing the signature makes a new secret or key pair; the old one keeps signing beside it for 24 hours.</p>
          <button class="primary" type="submit">Save</button>
        </form>
      </section>
      <section class="card" aria-labelledby="transformation">
        <h2 id="transformation">Transformation</h2>
        <TransformationEditor action={`${base}/transformation`} transformation={sub.transformation} eventTypes={sampleTypes(sub, p.types)} code={p.code} tried={p.tried} />
      </section>
      <section class="card" aria-labelledby="recover">
        <h2 id="recover">Re-send failed deliveries</h2>
        <form method="post" action={`${base}/recover`} class="row">
          <label>Failed since (UTC)<input name="since" type="datetime-local" required /></label>
          <button type="submit">Re-send</button>
        </form>
      </section>
      <section class="card" aria-labelledby="danger">
        <h2 id="danger">Delete</h2>
        <form method="get" action={`${base}/delete`}><button class="danger" type="submit">Delete this subscription…</button></form>
      </section>
    </Layout>
  );
};

export const ConfirmDeletePage = ({ app, sub }: { app: ApplicationRow; sub: StoredSubscription }) => (
  <Layout app={app} title="Delete this subscription?" section="subscriptions">
    <div class="card">
      <p><strong>{sub.url}</strong> stops receiving events at once, and its pending deliveries fail. This cannot be undone.</p>
      <form method="post" action={`/portal/subscriptions/${sub.id}/delete`} class="row">
        <button class="danger" type="submit" name="confirm" value="yes">Delete it</button>
        <a href={`/portal/subscriptions/${sub.id}`}>Cancel</a>
      </form>
    </div>
  </Layout>
);
