/** @jsxImportSource hono/jsx */
// Deliveries, newest first, with filters; the table refreshes itself while the page is open.
import type { Child } from 'hono/jsx';
import type { ApplicationRow } from '../../store/applications';
import type { DeliveryRow } from '../../store/deliveries';
import type { StoredSubscription } from '../../store/subscriptions';
import { Layout, Live, StatusBadge, when } from '../layout';

export interface DeliveryFilters {
  application_id?: string;
  status?: string;
  subscription_id?: string;
  type?: string;
}

export type ListedDelivery = DeliveryRow & { type: string; url: string };

export const DeliveryTable = ({ rows, next, query }: { rows: ListedDelivery[]; next: string | null; query: string }) =>
  rows.length === 0 ? (
    <p class="empty">No deliveries match. Send an event with <code>POST /v1/events</code>, or change the filters; this list updates by itself.</p>
  ) : (
    <>
      <table>
        <tr><th>Created</th><th>Event type</th><th class="hide-sm">Subscription</th><th>Status</th><th>Attempts</th><th class="hide-sm">Next attempt</th></tr>
        {rows.map((d) => (
          <tr data-delivery={d.id}>
            <td><a href={`/ui/deliveries/${d.id}`}>{when(d.created_at)}</a></td>
            <td><code>{d.type}</code></td>
            <td class="hide-sm">{d.url}</td>
            <td><StatusBadge status={d.status} /></td>
            <td>{d.attempt_count}</td>
            <td class="hide-sm">{d.status === 'pending' ? when(d.next_attempt_at) : '—'}</td>
          </tr>
        ))}
      </table>
      {next ? <p><a href={`/ui/deliveries?${query}${query ? '&' : ''}cursor=${encodeURIComponent(next)}`}>Older →</a></p> : null}
    </>
  );

export const DeliveriesPage = ({ filters, subs, apps, table }: { filters: DeliveryFilters; subs: StoredSubscription[]; apps: ApplicationRow[]; table: Child }) => (
  <Layout title="Deliveries" section="deliveries">
    <div class="card">
      <form method="get" action="/ui/deliveries" class="row">
        <label>Application
          <select name="application_id">
            <option value="">any</option>
            {apps.map((a) => <option value={a.id} selected={filters.application_id === a.id}>{a.name}</option>)}
          </select>
        </label>
        <label>Status
          <select name="status">
            {['', 'pending', 'succeeded', 'failed', 'cancelled'].map((s) => <option value={s} selected={filters.status === s}>{s || 'any'}</option>)}
          </select>
        </label>
        <label>Subscription
          <select name="subscription_id">
            <option value="">any</option>
            {subs.map((s) => <option value={s.id} selected={filters.subscription_id === s.id}>{s.url}</option>)}
          </select>
        </label>
        <label>Event type<input name="type" value={filters.type ?? ''} placeholder="order.paid" /></label>
        <button data-busy="Filtering…">Filter</button>
      </form>
    </div>
    <Live class="card scroll">{table}</Live>
  </Layout>
);
