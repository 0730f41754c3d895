/** @jsxImportSource hono/jsx */
// The customer's deliveries, newest first, with filters; one delivery with its attempts and a Redeliver button.
import type { ApplicationRow } from '../../store/applications';
import type { AttemptRow } from '../../store/attempts';
import type { DeliveryRow } from '../../store/deliveries';
import type { StoredSubscription } from '../../store/subscriptions';
import { Layout, NoticeBox, StatusBadge, when, type Notice } from '../layout';

export interface Filters {
  status?: string;
  subscription_id?: string;
  type?: string;
}

export type Listed = DeliveryRow & { type: string; url: string };

export const DeliveriesPage = (p: { app: ApplicationRow; rows: Listed[]; subs: StoredSubscription[]; filters: Filters; next: string | null; notice?: Notice }) => {
  const query = new URLSearchParams(p.filters as Record<string, string>).toString();
  return (
    <Layout app={p.app} title="Deliveries" section="deliveries">
      <NoticeBox notice={p.notice} />
      <form method="get" action="/portal/deliveries" class="card row">
        <label>Status
          <select name="status">
            {['', 'pending', 'succeeded', 'failed', 'cancelled'].map((s) => <option value={s} selected={p.filters.status === s}>{s || 'any'}</option>)}
          </select>
        </label>
        <label>Subscription
          <select name="subscription_id">
            <option value="">any</option>
            {p.subs.map((s) => <option value={s.id} selected={p.filters.subscription_id === s.id}>{s.url}</option>)}
          </select>
        </label>
        <label>Event type<input name="type" value={p.filters.type ?? ''} /></label>
        <button type="submit">Filter</button>
        <a href={`/portal/deliveries${query ? `?${query}` : ''}`}>Refresh</a>
      </form>
      <section class="card scroll" aria-label="Deliveries">
        {p.rows.length === 0 ? (
          <p>No deliveries match.</p>
        ) : (
          <table>
            <tr><th scope="col">Created</th><th scope="col">Event type</th><th scope="col" class="hide-sm">Subscription</th><th scope="col">Status</th><th scope="col">Attempts</th></tr>
            {p.rows.map((d) => (
              <tr data-delivery={d.id}>
                <td><a href={`/portal/deliveries/${d.id}`}>{when(d.created_at)}</a></td>
                <td><code>{d.type}</code></td>
                <td class="hide-sm">{d.url}</td>
                <td><StatusBadge status={d.status} /></td>
                <td>{d.attempt_count}</td>
              </tr>
            ))}
          </table>
        )}
        {p.next ? <p><a href={`/portal/deliveries?${query}${query ? '&' : ''}cursor=${encodeURIComponent(p.next)}`}>Older</a></p> : null}
      </section>
    </Layout>
  );
};

export const DeliveryPage = (p: { app: ApplicationRow; delivery: DeliveryRow; attempts: AttemptRow[]; url: string; body: string; notice?: Notice }) => (
  <Layout app={p.app} title="Delivery" section="deliveries">
    <NoticeBox notice={p.notice} />
    <p>
      <StatusBadge status={p.delivery.status} /> <code>{p.delivery.id}</code> to {p.url} · {p.delivery.attempt_count} attempt(s)
      {p.delivery.status === 'pending' && p.delivery.next_attempt_at ? ` · next attempt ${when(p.delivery.next_attempt_at)}` : ''}
    </p>
    <form method="post" action={`/portal/deliveries/${p.delivery.id}/redeliver`} class="card row">
      <button type="submit">Redeliver now</button>
      <span class="muted">One more attempt with the same <code>webhook-id</code>.</span>
    </form>
    <section class="card scroll" aria-labelledby="attempts">
      <h2 id="attempts">Attempts</h2>
      {p.attempts.length === 0 ? (
        <p>No attempt yet: it is on its way.</p>
      ) : (
        <table>
          <tr><th scope="col">Time</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Response</th></tr>
          {p.attempts.map((a) => (
            <tr class="attempt">
              <td>{when(a.at)}</td>
              <td>{a.status_code ?? a.error ?? '—'}</td>
              <td>{a.duration_ms} ms</td>
              <td><pre>{(a.response_excerpt ?? '').slice(0, 500) || '(empty)'}</pre></td>
            </tr>
          ))}
        </table>
      )}
    </section>
    <section class="card" aria-labelledby="payload">
      <h2 id="payload">Payload</h2>
      <pre>{p.body.slice(0, 64 * 1024)}</pre>
    </section>
  </Layout>
);
