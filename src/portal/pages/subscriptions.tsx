/** @jsxImportSource hono/jsx */
// The customer's subscriptions: state and a 24 h summary each, and the form that makes one (event types
// picked from the catalogue, with their descriptions).
import type { ApplicationRow } from '../../store/applications';
import type { EventTypeRow } from '../../store/event-types';
import type { StoredSubscription } from '../../store/subscriptions';
import { Layout, NoticeBox, StatusBadge, type Notice } from '../layout';

/**
 * The catalogue's types to pick from, and every pattern the subscription has that the catalogue does not
 * list (`order.*`, a type not registered, an operational type), ticked: a form saved unchanged keeps them.
 */
export const EventTypePicker = ({ types, chosen }: { types: EventTypeRow[]; chosen: string[] }) => {
  const listed = new Set(['*', ...types.map((t) => t.name)]);
  const others = chosen.filter((p) => !listed.has(p));
  return (
    <fieldset>
      <legend>Event types</legend>
      <label class="check">
        <input type="checkbox" name="events" value="*" checked={chosen.includes('*')} /> All event types
      </label>
      {types.map((t) => (
        <label class="check">
          <input type="checkbox" name="events" value={t.name} checked={chosen.includes(t.name)} />
          <span><code>{t.name}</code>{t.description ? <span class="muted"> — {t.description}</span> : null}</span>
        </label>
      ))}
      {others.map((p) => (
        <label class="check">
          <input type="checkbox" name="events" value={p} checked />
          <span><code>{p}</code><span class="muted"> — {p.endsWith('*') ? 'every type it starts' : 'not in the catalogue'}</span></span>
        </label>
      ))}
    </fieldset>
  );
};

/** How webhooks are signed: a shared HMAC secret, or an Ed25519 key pair whose public key cannot forge them. */
export const SignaturePicker = ({ chosen }: { chosen: 'hmac' | 'ed25519' }) => (
  <label>
    Signature
    <select name="signature">
      <option value="hmac" selected={chosen === 'hmac'}>HMAC: a shared secret</option>
      <option value="ed25519" selected={chosen === 'ed25519'}>Ed25519: a public key, which cannot forge webhooks</option>
    </select>
  </label>
);

export const SubscriptionsPage = ({ app, subs, types, notice, callbackSecret }: { app: ApplicationRow; subs: StoredSubscription[]; types: EventTypeRow[]; notice?: Notice; callbackSecret?: string }) => (
  <Layout app={app} title="Subscriptions" section="subscriptions">
    <NoticeBox notice={notice} />
    <p class="muted">Each subscription is a URL of yours that receives the events you pick, signed so that you can verify them.</p>
    <section class="card scroll" aria-labelledby="yours">
      <h2 id="yours">Your subscriptions</h2>
      {subs.length === 0 ? (
        <p>None yet: add the URL that should receive webhooks below.</p>
      ) : (
        <table>
          <tr><th scope="col">URL</th><th scope="col" class="hide-sm">Event types</th><th scope="col">State</th></tr>
          {subs.map((s) => (
            <tr id={s.id}>
              <td>
                <a href={`/portal/subscriptions/${s.id}`}>{s.url}</a>
                {s.description ? <div class="muted">{s.description}</div> : null}
              </td>
              <td class="hide-sm"><code>{s.events.join(', ')}</code></td>
              <td><StatusBadge status={s.disabled ? 'disabled' : 'enabled'} /></td>
            </tr>
          ))}
        </table>
      )}
    </section>
    <section class="card" aria-labelledby="new">
      <h2 id="new">Add a subscription</h2>
      <form method="post" action="/portal/subscriptions">
        <div class="row">
          <label class="grow">URL<input name="url" type="url" required placeholder="https://example.com/webhooks" /></label>
          <label class="grow">Description (optional)<input name="description" maxlength={1024} /></label>
        </div>
        <p><EventTypePicker types={types} chosen={[]} /></p>
        <p><SignaturePicker chosen="hmac" /></p>
        <button class="primary" type="submit">Add subscription</button>
      </form>
    </section>
    <section class="card" aria-labelledby="callbacks">
      <h2 id="callbacks">Callback secret</h2>
      <p class="muted">
        Events sent with a <code>callback_url</code> are followed by an <code>event.completed</code> callback once every delivery is final, signed with this
        secret (Standard Webhooks, like your webhooks; its body names this application in <code>data.application_id</code>).
      </p>
      {callbackSecret ? (
        <p>
          <label>
            <span>Callback secret (verify each callback’s <code>webhook-signature</code> with it)</span>
            <input class="secret" readonly value={callbackSecret} />
          </label>
        </p>
      ) : null}
      <div class="row">
        <form method="post" action="/portal/callback-secret"><button type="submit">Reveal callback secret</button></form>
        <form method="post" action="/portal/callback-secret/rotate"><button type="submit">Rotate callback secret</button></form>
      </div>
    </section>
  </Layout>
);
